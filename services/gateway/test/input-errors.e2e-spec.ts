import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureSubgraph } from './support/fixture-subgraphs';
import { startFakeSubgraph, type FakeSubgraph } from './support/fake-subgraph';
import { startTestGateway, writeSupergraph, type TestGateway } from './support/gateway-harness';
import { collect, wsClient } from './support/ws-client';

// How the gateway answers a client's bad input, whichever way it arrives (an inline literal, a variable, over
// HTTP or WebSocket): BAD_USER_INPUT (or BAD_REQUEST for the request's shape) with the ARGUMENT path as
// `extensions.field`, a 4xx, never a 5xx, and no subgraph asked. The `event` subgraph here is a fake with the
// real subgraphs' argument shapes (test/fixtures/inputs.graphql).

interface GraphqlError {
  message: string;
  extensions?: Record<string, unknown>;
}
interface Answer {
  status: number;
  errors: GraphqlError[];
  data?: unknown;
}

async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: { errors?: GraphqlError[]; data?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, errors: body.errors ?? [], data: body.data };
}

const VENUE = { name: 'Hall', city: 'Berlin', capacity: 100 };
const CREATE = 'mutation Create($payload: CreateEventInput!) { createEvent(input: $payload) { id } }';

/** An inline `createEvent` input with `venue`/`fields` replaced by GraphQL literal text. */
const createLiteral = (fields: string) =>
  `mutation { createEvent(input: { ${fields} }) { id } }`.replace(/\s+/g, ' ');
const VENUE_LITERAL = (capacity: string) => `venue: { name: "Hall", city: "Berlin", capacity: ${capacity} }`;

describe('gateway: bad input answers with a code and the argument path', () => {
  let event: FakeSubgraph;
  let gw: TestGateway;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(gw.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const ask = async (body: unknown) => answerOf(await post(body));

  /** The answer, and proof that the subgraph never heard of the request. */
  async function refused(body: unknown): Promise<Answer> {
    const before = event.requests.length;
    const answer = await ask(body);
    expect(event.requests.length, 'the subgraph was asked').toBe(before);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(answer.errors)).not.toMatch(/stacktrace|at [A-Za-z.<>]+ \(|\.ts:\d+/);
    return answer;
  }

  beforeAll(async () => {
    event = await startFakeSubgraph(fixtureSubgraph('event', 'inputs').sdl, {
      events: () => ({ edges: [{ cursor: 'c1' }] }),
      event: () => null,
      createEvent: () => ({ id: 'e1', title: 'ok' }),
      addTicketType: () => ({ id: 'e1', title: 'ok' }),
      scanTicket: () => 'ok',
      signUp: () => 'ok',
      reserveTickets: () => 'ok',
      priceChanged: () =>
        (async function* () {
          yield { priceChanged: { version: 1 } };
        })(),
    });
    gw = await startTestGateway({
      SUPERGRAPH_PATH: writeSupergraph([fixtureSubgraph('event', 'inputs')]),
      EVENT_URL: event.url,
    });
  });

  afterAll(async () => {
    await gw?.close();
    await event?.close();
  });

  it('serves good input (the control)', async () => {
    const list = await ask({ query: 'query($f: Int) { events(first: $f) { edges { cursor } } }' });
    expect(list).toMatchObject({ status: 200, data: { events: { edges: [{ cursor: 'c1' }] } } });
    const created = await ask({
      query: CREATE,
      variables: { payload: { title: 'Gig', category: 'MUSIC', venue: VENUE } },
    });
    expect(created).toMatchObject({ status: 200, data: { createEvent: { id: 'e1' } } });
  });

  describe('M2: an explicit null through a nullable variable into a non-null argument with a default', () => {
    it.each([
      [
        'first',
        'query($f: Int) { events(first: $f) { edges { cursor } } }',
        { f: null } as Record<string, unknown>,
      ],
      [
        'input.perOrderMax',
        'mutation($p: Int = null) { addTicketType(eventId: "e1", input: { name: "GA", perOrderMax: $p }) { id } }',
        {},
      ],
      [
        'input.direction',
        'mutation($d: ScanDirection) { scanTicket(input: { code: "c", gate: "A", direction: $d }) }',
        { d: null },
      ],
      [
        'input.role',
        'mutation($r: SignUpRole) { signUp(input: { email: "a@x.test", password: "pw", name: "A", role: $r }) }',
        { r: null },
      ],
    ])('%s', async (field, query, variables) => {
      const answer = await refused({ query, variables });
      expect(answer.status).toBe(400);
      expect(answer.errors).toEqual([
        { message: `${field} must not be null`, extensions: { code: 'BAD_USER_INPUT', field } },
      ]);
    });

    it('leaving the variable out still gives the default', async () => {
      const answer = await ask({ query: 'query($f: Int) { events(first: $f) { edges { cursor } } }' });
      expect(answer.status).toBe(200);
      expect(answer.errors).toEqual([]);
    });
  });

  it('M3: a variable nested 10,000 levels deep is HTTP 400 naming the argument, not a 500', async () => {
    const levels = 10_000;
    const deep = `${'{"text":'.repeat(levels)}"x"${'}'.repeat(levels)}`;
    const body = `{"query":"query($f: EventsFilterInput) { events(filter: $f) { edges { cursor } } }","variables":{"f":${deep}}}`;
    expect(body.length).toBeGreaterThan(80_000);
    const answer = await refused(body);
    expect(answer.status).toBe(400);
    expect(answer.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter' });
    expect(answer.errors[0]?.message).toMatch(/^filter is nested more than 32 levels deep/);
  });

  describe('M4: an operation that cannot be picked is the client’s BAD_REQUEST (HTTP 400)', () => {
    it.each([
      ['an unknown operationName', 'C', 'Unknown operation named "C".'],
      [
        'several operations and no name',
        undefined,
        'Must provide operation name if query contains multiple operations.',
      ],
    ])('%s', async (_what, operationName, message) => {
      const answer = await refused({ query: 'query A { __typename } query B { __typename }', operationName });
      expect(answer.status).toBe(400);
      expect(answer.errors).toEqual([
        { message, extensions: { code: 'BAD_REQUEST', field: 'operationName' } },
      ]);
    });
  });

  it('M5: a subscription over HTTP is BAD_REQUEST saying where subscriptions are served', async () => {
    const answer = await refused({ query: 'subscription { priceChanged(eventId: "x") { version } }' });
    expect(answer.status).toBe(400);
    expect(answer.errors).toEqual([
      {
        message: 'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql',
        extensions: { code: 'BAD_REQUEST', field: null },
      },
    ]);
  });

  describe('M6: an inline literal mistake answers the code and field the same value gets as a variable', () => {
    const venue = (capacity: unknown) => ({ ...VENUE, capacity });
    const cases: Array<{
      what: string;
      field: string;
      literal: string;
      variable?: { query: string; variables: Record<string, unknown> };
    }> = [
      {
        what: 'capacity 1.5',
        field: 'input.venue.capacity',
        literal: createLiteral(`title: "Gig", category: MUSIC, ${VENUE_LITERAL('1.5')}`),
        variable: {
          query: CREATE,
          variables: { payload: { title: 'Gig', category: 'MUSIC', venue: venue(1.5) } },
        },
      },
      {
        what: 'capacity "10"',
        field: 'input.venue.capacity',
        literal: createLiteral(`title: "Gig", category: MUSIC, ${VENUE_LITERAL('"10"')}`),
        variable: {
          query: CREATE,
          variables: { payload: { title: 'Gig', category: 'MUSIC', venue: venue('10') } },
        },
      },
      {
        what: 'capacity 2147483648',
        field: 'input.venue.capacity',
        literal: createLiteral(`title: "Gig", category: MUSIC, ${VENUE_LITERAL('2147483648')}`),
        variable: {
          query: CREATE,
          variables: { payload: { title: 'Gig', category: 'MUSIC', venue: venue(2147483648) } },
        },
      },
      {
        what: 'title 5',
        field: 'input.title',
        literal: createLiteral(`title: 5, category: MUSIC, ${VENUE_LITERAL('10')}`),
        variable: { query: CREATE, variables: { payload: { title: 5, category: 'MUSIC', venue: VENUE } } },
      },
      {
        what: 'title missing',
        field: 'input.title',
        literal: createLiteral(`category: MUSIC, ${VENUE_LITERAL('10')}`),
        variable: { query: CREATE, variables: { payload: { category: 'MUSIC', venue: VENUE } } },
      },
      {
        what: 'category music',
        field: 'input.category',
        literal: createLiteral(`title: "Gig", category: music, ${VENUE_LITERAL('10')}`),
        variable: {
          query: CREATE,
          variables: { payload: { title: 'Gig', category: 'music', venue: VENUE } },
        },
      },
      {
        what: 'category "MUSIC" (a string where an enum value belongs)',
        field: 'input.category',
        literal: createLiteral(`title: "Gig", category: "MUSIC", ${VENUE_LITERAL('10')}`),
      },
      {
        what: 'category OPERA',
        field: 'input.category',
        literal: createLiteral(`title: "Gig", category: OPERA, ${VENUE_LITERAL('10')}`),
        variable: {
          query: CREATE,
          variables: { payload: { title: 'Gig', category: 'OPERA', venue: VENUE } },
        },
      },
      {
        what: 'an unknown field foo',
        field: 'input.foo',
        literal: createLiteral(`title: "Gig", category: MUSIC, ${VENUE_LITERAL('10')}, foo: 1`),
        variable: {
          query: CREATE,
          variables: { payload: { title: 'Gig', category: 'MUSIC', venue: VENUE, foo: 1 } },
        },
      },
      {
        what: 'reserveTickets quantity 1.5',
        field: 'input.quantity',
        literal: 'mutation { reserveTickets(input: { ticketTypeId: "t1", quantity: 1.5 }) }',
        variable: {
          query: 'mutation($r: ReserveTicketsInput!) { reserveTickets(input: $r) }',
          variables: { r: { ticketTypeId: 't1', quantity: 1.5 } },
        },
      },
      {
        what: 'events first "5"',
        field: 'first',
        literal: '{ events(first: "5") { edges { cursor } } }',
        variable: {
          query: 'query($n: Int!) { events(first: $n) { edges { cursor } } }',
          variables: { n: '5' },
        },
      },
      {
        what: 'event without its id',
        field: 'id',
        literal: '{ event { id } }',
        variable: { query: 'query($eventKey: ID!) { event(id: $eventKey) { id } }', variables: {} },
      },
      {
        what: 'scanTicket direction entry',
        field: 'input.direction',
        literal: 'mutation { scanTicket(input: { code: "c", gate: "A", direction: entry }) }',
        variable: {
          query: 'mutation($s: ScanTicketInput!) { scanTicket(input: $s) }',
          variables: { s: { code: 'c', gate: 'A', direction: 'entry' } },
        },
      },
    ];

    it.each(cases)('$what', async ({ field, literal, variable }) => {
      const inline = await refused({ query: literal });
      expect(inline.status).toBe(400);
      expect(inline.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
      if (!variable) return;
      const sent = await refused(variable);
      expect(sent.status).toBe(400);
      expect(sent.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    });
  });

  describe('M9: a refused variable names the argument path, not the variable', () => {
    it('signUp(input: $i) with a null email → input.email', async () => {
      const answer = await refused({
        query: 'mutation($i: SignUpInput!) { signUp(input: $i) }',
        variables: { i: { email: null, password: 'secret-pw', name: 'A' } },
      });
      expect(answer.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.email' });
      expect(answer.errors[0]?.message).not.toContain('secret-pw');
    });

    it('events(first: $x) with a bad $x → first', async () => {
      const answer = await refused({
        query: 'query($x: Int) { events(first: $x) { edges { cursor } } }',
        variables: { x: 'many' },
      });
      expect(answer.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    });

    it('an unknown field inside a nested input object → its own path', async () => {
      const answer = await refused({
        query: CREATE,
        variables: { payload: { title: 'Gig', category: 'MUSIC', venue: { ...VENUE, lat: 1 } } },
      });
      expect(answer.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.venue.lat' });
      expect(answer.errors[0]?.message).toMatch(/Field "lat" is not defined by type "VenueInput"/);
    });

    it('a variable inside an input literal → the literal path', async () => {
      const answer = await refused({
        query:
          'mutation($v: VenueInput!) { createEvent(input: { title: "Gig", category: MUSIC, venue: $v }) { id } }',
        variables: { v: { ...VENUE, capacity: 'lots' } },
      });
      expect(answer.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.venue.capacity' });
    });
  });

  it('L4: over WebSocket a bad variable is BAD_USER_INPUT with its argument path and no value quoted', async () => {
    const before = event.upgrades.length;
    const client = wsClient(gw.graphqlUrl);
    const results = await collect(
      client,
      'subscription($eventId: ID!) { priceChanged(eventId: $eventId) { version } }',
      { eventId: 1.5 },
    );
    const deep = await collect(
      client,
      'subscription($eventId: ID!) { priceChanged(eventId: $eventId) { version } }',
      { eventId: JSON.parse(`${'['.repeat(100)}1${']'.repeat(100)}`) as unknown },
    );
    // An inline literal over WebSocket: the same code and field as over HTTP.
    const literal = await collect(client, 'subscription { priceChanged(eventId: 1.5) { version } }');
    // A good one still flows (the control).
    const good = await collect(client, 'subscription { priceChanged(eventId: "e1") { version } }');
    await client.dispose();
    const error = results[0]?.errors?.[0];
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'eventId' });
    // The variable's value is not quoted back (`got invalid value 1.5`), exactly as over HTTP.
    expect(error?.message).toBe('Variable "$eventId" got an invalid value; ID cannot represent value: 1.5');
    const overHttp = await refused({
      query: 'query($eventId: ID!) { event(id: $eventId) { id } }',
      variables: { eventId: 1.5 },
    });
    expect(overHttp.errors[0]).toEqual({
      message: error?.message,
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
      locations: expect.any(Array) as unknown,
    });
    expect(deep[0]?.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'eventId' });
    expect(literal[0]?.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'eventId' });
    expect(good).toEqual([{ data: { priceChanged: { version: 1 } } }]);
    expect(event.upgrades.length).toBe(before + 1);
  });

  describe('L8: methods and bodies the gateway cannot serve are GraphQL-shaped errors', () => {
    it.each(['DELETE', 'PUT', 'PATCH'])('%s /graphql → 405 with Allow', async (method) => {
      const res = await fetch(gw.graphqlUrl, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
      const answer = await answerOf(res);
      expect(answer.errors[0]?.extensions).toEqual({ code: 'BAD_REQUEST', field: null });
    });

    it('a body that says gzip but is not → 400 BAD_REQUEST, not a bare { statusCode, message }', async () => {
      const res = await fetch(gw.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.status).toBe(400);
      const answer = await answerOf(res);
      expect(answer.errors).toEqual([
        {
          message: expect.stringMatching(/not valid gzip/) as unknown as string,
          extensions: { code: 'BAD_REQUEST', field: null },
        },
      ]);
      expect(JSON.stringify(answer)).not.toContain('incorrect header check');
    });
  });

  it('L2: the token limit says "more than"', async () => {
    const fields = Array.from({ length: 1000 }, () => 'cursor').join(' ');
    const answer = await refused({ query: `{ events { edges { ${fields} } } }` });
    expect(answer.errors[0]?.message).toBe(
      'Syntax Error: Document contains more than 1000 tokens. Parsing aborted.',
    );
    const client = wsClient(gw.graphqlUrl);
    const overWs = await collect(client, `subscription { priceChanged(eventId: "e") { ${fields} } }`);
    await client.dispose();
    expect(overWs[0]?.errors?.[0]?.message).toMatch(/contains more than 1000 tokens/);
  });
});
