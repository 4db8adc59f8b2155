import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CookieSession,
  postGraphql,
  STRONG_PASSWORD,
  uniqueEmail,
  type GraphqlAnswer,
} from '../support/graphql-client';
import { APP_ORIGIN, startStack, type Stack } from '../support/stack';

// The input-error audit replayed against the real services (auth, event and the gateway from dist/): every
// answer to bad input carries a code and, for a mistake in an argument, the ARGUMENT path as the field; never
// HTTP 5xx, never INTERNAL_SERVER_ERROR, never a stack trace. Findings M2-M9 and L1-L8 of the audit.

const LEAKS = /stacktrace|at [A-Za-z.<>]+ \(|\.ts:\d+|INTERNAL_SERVER_ERROR/;
const VENUE = { name: 'Audit Hall', address: '1 Test Street', city: 'Lyon', capacity: 100 };
const CREATE = 'mutation Create($input: CreateEventInput!) { createEvent(input: $input) { id title } }';

function eventInput(overrides: Record<string, unknown> = {}) {
  const startsAt = new Date(Date.now() + 30 * 86_400_000);
  return {
    title: 'Audit night',
    category: 'MUSIC',
    venue: VENUE,
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3 * 3_600_000).toISOString(),
    timeZone: 'Europe/Paris',
    ...overrides,
  };
}

/** The first answer to one subscription over graphql-transport-ws, as a browser on APP_ORIGIN would get it. */
async function subscribeOnce(httpUrl: string, query: string, variables: Record<string, unknown>) {
  class BrowserSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { origin: APP_ORIGIN } });
    }
  }
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: BrowserSocket,
    retryAttempts: 0,
  });
  try {
    for await (const result of client.iterate({ query, variables })) return result;
  } catch (errors) {
    return { errors: errors as Array<{ message: string; extensions?: Record<string, unknown> }> };
  } finally {
    await client.dispose();
  }
  return undefined;
}

/** The first error's code, field and message, after checking the answer is a clean 4xx or 200 refusal. */
function refusal(answer: GraphqlAnswer) {
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
  expect(JSON.stringify(answer.body)).not.toMatch(LEAKS);
  const error = answer.body.errors?.[0];
  expect(error, JSON.stringify(answer.body)).toBeDefined();
  return { code: error?.extensions?.code, field: error?.extensions?.field, message: error?.message };
}

describe('bad input through the real gateway and subgraphs', () => {
  let stack: Stack;
  let organizer: CookieSession;
  const headers = (n: number) => ({
    origin: APP_ORIGIN,
    'apollo-require-preflight': 'true',
    'x-forwarded-for': `198.51.100.${n}`,
  });
  const ask = (body: unknown) => postGraphql(stack.graphqlUrl, body, undefined, { headers: headers(3) });

  beforeAll(async () => {
    stack = await startStack('input-errors', { ticket: false });
    organizer = new CookieSession(stack.graphqlUrl, headers(1));
    const signedUp = await organizer.post(
      'mutation S($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
      {
        input: {
          email: uniqueEmail('audit-organizer'),
          password: STRONG_PASSWORD,
          name: 'Audit Organizer',
          role: 'ORGANIZER',
        },
      },
    );
    expect(signedUp.body.errors).toBeUndefined();
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('control: a good event is created', async () => {
    const answer = await organizer.post(CREATE, { input: eventInput() });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.createEvent?.title).toBe('Audit night');
  });

  it('M2: an explicit null through a nullable variable into a defaulted non-null argument', async () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['first', 'query($f: Int) { events(first: $f) { edges { cursor } } }', { f: null }],
      [
        'input.perOrderMax',
        'mutation($p: Int = null) { addTicketType(eventId: "e1", input: { name: "GA", priceMinor: 100, currency: "EUR", kind: GENERAL_ADMISSION, quantity: 5, perOrderMax: $p }) { id } }',
        {},
      ],
      [
        'input.direction',
        'mutation($d: ScanDirection) { scanTicket(input: { eventId: "e1", code: "c", gateId: "A", deviceId: "d", nonce: "n1234567", direction: $d }) { result } }',
        { d: null },
      ],
      [
        'input.role',
        'mutation($r: SignUpRole) { signUp(input: { email: "n@x.test", password: "correct horse battery staple 42", name: "N", role: $r }) { user { id } } }',
        { r: null },
      ],
    ];
    for (const [field, query, variables] of cases) {
      expect(refusal(await organizer.post(query, variables)), field).toEqual({
        code: 'BAD_USER_INPUT',
        field,
        message: `${field} must not be null`,
      });
    }
  });

  it('M3: a filter variable nested 10,000 levels deep is HTTP 400 naming the argument', async () => {
    const deep = `${'{"text":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`;
    const answer = await postGraphql(stack.graphqlUrl, null, undefined, {
      headers: headers(4),
      rawBody: `{"query":"query($f: EventsFilterInput) { events(filter: $f) { edges { cursor } } }","variables":{"f":${deep}}}`,
    });
    expect(answer.status).toBe(400);
    expect(refusal(answer)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
  });

  it('M4/M5: an operation that cannot be picked, a subscription over HTTP: HTTP 400 BAD_REQUEST', async () => {
    const named = await ask({ query: 'query A { __typename } query B { __typename }', operationName: 'C' });
    expect(named.status).toBe(400);
    expect(refusal(named)).toMatchObject({ code: 'BAD_REQUEST', field: 'operationName' });
    const unnamed = await ask({ query: 'query A { __typename } query B { __typename }' });
    expect(unnamed.status).toBe(400);
    expect(refusal(unnamed)).toMatchObject({ code: 'BAD_REQUEST', field: 'operationName' });
    const subscription = await ask({ query: 'subscription { priceChanged(eventId: "x") { version } }' });
    expect(subscription.status).toBe(400);
    expect(refusal(subscription)).toEqual({
      code: 'BAD_REQUEST',
      field: null,
      message: 'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql',
    });
  });

  it('M6: an inline literal mistake gets BAD_USER_INPUT and the same field as the value in a variable', async () => {
    const literal = (fields: string) =>
      `mutation { createEvent(input: { title: "Audit", category: MUSIC, startsAt: "2031-03-03T10:00:00Z", endsAt: "2031-03-03T13:00:00Z", timeZone: "Europe/Paris", ${fields} }) { id } }`;
    const venue = (capacity: string) =>
      `venue: { name: "Hall", address: "1 Street", city: "Lyon", capacity: ${capacity} }`;
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['input.venue.capacity', literal(venue('1.5')), { venue: { ...VENUE, capacity: 1.5 } }],
      ['input.venue.capacity', literal(venue('"10"')), { venue: { ...VENUE, capacity: '10' } }],
      ['input.venue.capacity', literal(venue('2147483648')), { venue: { ...VENUE, capacity: 2147483648 } }],
      ['input.title', literal(venue('10')).replace('title: "Audit"', 'title: 5'), { title: 5 }],
      [
        'input.category',
        literal(venue('10')).replace('category: MUSIC', 'category: music'),
        { category: 'music' },
      ],
      [
        'input.category',
        literal(venue('10')).replace('category: MUSIC', 'category: OPERA'),
        { category: 'OPERA' },
      ],
      ['input.foo', literal(`${venue('10')}, foo: 1`), { foo: 1 }],
    ];
    for (const [field, query, override] of cases) {
      const inline = await organizer.post(query);
      expect(inline.status, query).toBe(400);
      expect(refusal(inline), query).toMatchObject({ code: 'BAD_USER_INPUT', field });
      const sent = await organizer.post(CREATE, { input: eventInput(override) });
      expect(refusal(sent), JSON.stringify(override)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    for (const [field, query] of [
      ['input.category', literal(venue('10')).replace('category: MUSIC', 'category: "MUSIC"')],
      ['input.title', literal(venue('10')).replace('title: "Audit", ', '')],
      ['input.quantity', 'mutation { reserveTickets(input: { ticketTypeId: "t1", quantity: 1.5 }) { id } }'],
      ['first', '{ events(first: "5") { edges { cursor } } }'],
      ['id', '{ event { id } }'],
      [
        'input.direction',
        'mutation { scanTicket(input: { eventId: "e1", code: "c", gateId: "A", deviceId: "d", nonce: "n1234567", direction: entry }) { result } }',
      ],
    ] as const) {
      expect(refusal(await organizer.post(query)), query).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('M9: a refused variable names the argument path, not the variable', async () => {
    const signUp = await ask({
      query: 'mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }',
      variables: { i: { email: null, password: STRONG_PASSWORD, name: 'N' } },
    });
    expect(refusal(signUp)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    const first = await ask({
      query: 'query($x: Int) { events(first: $x) { edges { cursor } } }',
      variables: { x: 'many' },
    });
    expect(refusal(first)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const lat = await organizer.post(CREATE, { input: eventInput({ venue: { ...VENUE, lat: 1 } }) });
    expect(refusal(lat)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.venue.lat' });
  });

  it('L1: a 1,000,000-character title meets the title rule, not a subgraph body limit', async () => {
    const answer = await organizer.post(CREATE, { input: eventInput({ title: 'x'.repeat(1_000_000) }) });
    const error = refusal(answer);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.title' });
    expect(error.message).toMatch(/^Title must be at most 120 characters/);
    // The gateway's own cap still answers 413.
    const huge = await ask({ query: '{ __typename }', variables: { pad: 'x'.repeat(6_000_000) } });
    expect(huge.status).toBe(413);
  });

  it('L4: over WebSocket a bad variable answers as over HTTP', async () => {
    const result = await subscribeOnce(
      stack.graphqlUrl,
      'subscription($eventId: ID!) { priceChanged(eventId: $eventId) { version } }',
      { eventId: 1.5 },
    );
    const error = result?.errors?.[0];
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'eventId' });
    expect(error?.message).toBe('Variable "$eventId" got an invalid value; ID cannot represent value: 1.5');
  });

  it('L8: DELETE is 405, a body that is not the gzip it claims is a GraphQL BAD_REQUEST', async () => {
    const deleted = await fetch(stack.graphqlUrl, { method: 'DELETE' });
    expect(deleted.status).toBe(405);
    expect(((await deleted.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
    const gzip = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(gzip.status).toBe(400);
    expect(((await gzip.json()) as any).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', field: null });
  });

  it('L2: the token limit says "more than"', async () => {
    const fields = Array.from({ length: 1000 }, () => 'cursor').join(' ');
    const answer = await ask({ query: `{ events { edges { ${fields} } } }` });
    expect(refusal(answer).message).toBe(
      'Syntax Error: Document contains more than 1000 tokens. Parsing aborted.',
    );
  });
});
