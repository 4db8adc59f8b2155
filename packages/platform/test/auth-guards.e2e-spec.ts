import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { createTestIssuer, type TestIssuer, type TestTokenUser } from '../src/testing/test-issuer';
import { gql, startTestSubgraph, type TestApp } from './graphql-fixture/test-app';
import { calls, resetCalls } from './graphql-fixture/test-subgraph.module';

// Vitest hands TypeScript sources graphql's ESM build while Nest and graphql-ws require its CommonJS
// build; graphql-js then refuses the schema as coming "from another module or realm" in the
// graphql-ws validation. Serve the CommonJS build to both (a `graphql` alias in vitest.config.ts
// would do the same for every suite).
vi.mock('graphql', () => createRequire(__filename)('graphql'));

const attendee: TestTokenUser = { id: 'user-1', email: 'ann@example.test', role: 'ATTENDEE', name: 'Ann' };
const otherAttendee: TestTokenUser = {
  id: 'user-2',
  email: 'bob@example.test',
  role: 'ATTENDEE',
  name: 'Bob',
};
const organizer: TestTokenUser = { id: 'org-1', email: 'olga@example.test', role: 'ORGANIZER', name: 'Olga' };
const staff: TestTokenUser = { id: 'staff-1', email: 'sam@example.test', role: 'STAFF', name: 'Sam' };
const admin: TestTokenUser = { id: 'admin-1', email: 'ada@example.test', role: 'ADMIN', name: 'Ada' };

let issuer: TestIssuer;
let subgraph: TestApp;

beforeAll(async () => {
  issuer = await createTestIssuer();
  subgraph = await startTestSubgraph(issuer);
});

afterAll(async () => {
  await subgraph?.close();
  await issuer?.close();
});

beforeEach(() => resetCalls());

const ME = '{ me { id email role name } }';

function codeOf(response: Awaited<ReturnType<typeof gql>>): unknown {
  return response.body.errors?.[0]?.extensions?.code;
}

describe('access token verification', () => {
  it('accepts a valid ES256 token as Bearer and as the `at` cookie', async () => {
    const token = await issuer.sign(attendee);
    const viaBearer = await gql(subgraph.url, ME, { token });
    expect(viaBearer.body).toEqual({
      data: { me: { id: 'user-1', email: 'ann@example.test', role: 'ATTENDEE', name: 'Ann' } },
    });

    const viaCookie = await gql(subgraph.url, ME, { cookie: `theme=dark; at=${token}` });
    expect(viaCookie.body.data).toEqual(viaBearer.body.data);
    const viaHostCookie = await gql(subgraph.url, ME, { cookie: `__Host-at=${token}` });
    expect(viaHostCookie.body.data).toEqual(viaBearer.body.data);
    expect(calls.me).toBe(3);
  });

  it('accepts an organizer ES256 token', async () => {
    const response = await gql(subgraph.url, ME, { token: await issuer.sign(organizer, { alg: 'ES256' }) });
    expect(response.body.data).toEqual({ me: expect.objectContaining({ id: 'org-1', role: 'ORGANIZER' }) });
  });

  it('refuses a request without a token', async () => {
    const response = await gql(subgraph.url, ME);
    expect(response.status).toBe(200);
    expect(response.body.data).toBeNull();
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', field: null });
    expect(response.body.errors?.[0]?.message).toBe('Authentication required');
    expect(calls.me).toBe(0);
  });

  const badTokens: [string, () => Promise<string> | string][] = [
    ['alg: none', () => issuer.signNone(attendee)],
    ['HS256 signed with the public key', () => issuer.signHs256WithPublicKey(attendee)],
    ['EdDSA under a published key', () => issuer.sign(attendee, { alg: 'EdDSA' })],
    ['no sid', () => issuer.sign(attendee, { sid: null })],
    ['expired', () => issuer.sign(attendee, { expiresIn: -60 })],
    ['wrong audience', () => issuer.sign(attendee, { aud: 'another-app' })],
    ['wrong issuer', () => issuer.sign(attendee, { iss: 'https://evil.example' })],
    ['unknown kid', () => issuer.sign(attendee, { kid: 'not-a-published-key' })],
    ['no kid', () => issuer.sign(attendee, { kid: null })],
    ['no sub', () => issuer.sign(attendee, { claims: { sub: undefined } })],
    ['unknown role', () => issuer.sign(attendee, { claims: { role: 'ROOT' } })],
    ['no exp', () => issuer.sign(attendee, { claims: { exp: undefined } })],
    ['garbage', () => 'not.a.jwt'],
  ];

  for (const [name, mint] of badTokens) {
    it(`refuses a token with ${name} (bearer and cookie)`, async () => {
      const token = await mint();
      const viaBearer = await gql(subgraph.url, ME, { token });
      expect(codeOf(viaBearer)).toBe('UNAUTHENTICATED');
      expect(viaBearer.body.data).toBeNull();
      const viaCookie = await gql(subgraph.url, ME, { cookie: `at=${token}` });
      expect(codeOf(viaCookie)).toBe('UNAUTHENTICATED');
      expect(calls.me).toBe(0);
    });
  }

  it('says "expired" for an expired token so clients know to refresh', async () => {
    const response = await gql(subgraph.url, ME, { token: await issuer.sign(attendee, { expiresIn: -60 }) });
    expect(response.body.errors?.[0]?.message).toBe('Access token expired');
  });

  it('picks up a rotated key, and unknown kids do not hammer the JWKS', async () => {
    await new Promise((resolve) => setTimeout(resolve, 350));
    const newKid = await issuer.rotate();
    const fresh = await issuer.sign(attendee);
    expect(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString()).kid).toBe(newKid);
    expect((await gql(subgraph.url, ME, { token: fresh })).body.data).toEqual({
      me: expect.objectContaining({ id: 'user-1' }),
    });

    const before = issuer.jwksRequests;
    const unknown = await issuer.sign(attendee, { kid: 'made-up' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => gql(subgraph.url, ME, { token: unknown })),
    );
    expect(answers.map(codeOf)).toEqual(Array(10).fill('UNAUTHENTICATED'));
    expect(issuer.jwksRequests - before).toBeLessThanOrEqual(1);
  });
});

describe('optional auth on @Public()', () => {
  it('attaches the user when a valid token is sent and stays anonymous otherwise', async () => {
    const query = '{ publicInfo { viewerId } }';
    expect((await gql(subgraph.url, query, { token: await issuer.sign(attendee) })).body.data).toEqual({
      publicInfo: { viewerId: 'user-1' },
    });
    expect((await gql(subgraph.url, query)).body.data).toEqual({ publicInfo: { viewerId: null } });
    expect((await gql(subgraph.url, query, { token: issuer.signNone(admin) })).body.data).toEqual({
      publicInfo: { viewerId: null },
    });
  });
});

describe('roles and event staff', () => {
  it('lets @Roles("ORGANIZER") through for organizers and admins only', async () => {
    const query = '{ organizerStats }';
    const asAttendee = await gql(subgraph.url, query, { token: await issuer.sign(attendee) });
    expect(asAttendee.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', field: null });
    expect(asAttendee.body.data).toBeNull();
    expect((await gql(subgraph.url, query, { token: await issuer.sign(organizer) })).body.data).toEqual({
      organizerStats: 42,
    });
    expect((await gql(subgraph.url, query, { token: await issuer.sign(admin) })).body.data).toEqual({
      organizerStats: 42,
    });
    expect(codeOf(await gql(subgraph.url, query))).toBe('UNAUTHENTICATED');
  });

  it('lets only the organizer of the event (or an admin) through an organizer-only resolver', async () => {
    const query = 'query($id: ID!) { eventDashboard(eventId: $id) }';
    const ask = async (user: TestTokenUser, id: string) =>
      gql(subgraph.url, query, { token: await issuer.sign(user), variables: { id } });
    expect((await ask(organizer, 'evt-1')).body.data).toEqual({ eventDashboard: 'dashboard:evt-1' });
    expect((await ask(admin, 'evt-1')).body.data).toEqual({ eventDashboard: 'dashboard:evt-1' });
    expect(codeOf(await ask(staff, 'evt-1'))).toBe('FORBIDDEN');
    expect(codeOf(await ask(organizer, 'evt-2'))).toBe('FORBIDDEN');
    expect(codeOf(await ask(attendee, 'evt-1'))).toBe('FORBIDDEN');
  });

  it('lets the event staff through @EventStaff()', async () => {
    const query = 'query($id: ID!) { eventGate(eventId: $id) }';
    const asStaff = await gql(subgraph.url, query, {
      token: await issuer.sign(staff),
      variables: { id: 'evt-1' },
    });
    expect(asStaff.body.data).toEqual({ eventGate: 'gate:evt-1' });
    const elsewhere = await gql(subgraph.url, query, {
      token: await issuer.sign(staff),
      variables: { id: 'evt-2' },
    });
    expect(codeOf(elsewhere)).toBe('FORBIDDEN');
  });
});

describe('federated entity references', () => {
  const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id ownerId } } }';
  const variables = { r: [{ __typename: 'Ticket', id: 'tkt-1' }] };

  it('authenticates before __resolveReference and checks the reader inside it (userFromContext / assertCanRead)', async () => {
    const owner = await gql(subgraph.url, query, { token: await issuer.sign(attendee), variables });
    expect(owner.body.data).toEqual({ _entities: [{ id: 'tkt-1', ownerId: 'user-1' }] });

    const stranger = await gql(subgraph.url, query, { token: await issuer.sign(otherAttendee), variables });
    expect(codeOf(stranger)).toBe('FORBIDDEN');
    expect(stranger.body.data).toEqual({ _entities: [null] });

    const anonymous = await gql(subgraph.url, query, { variables });
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');

    const forged = await gql(subgraph.url, query, {
      token: await issuer.signHs256WithPublicKey(attendee),
      variables,
    });
    expect(codeOf(forged)).toBe('UNAUTHENTICATED');
    // The global guard runs before __resolveReference (fieldResolverEnhancers: guards), so only the
    // two authenticated calls reached it; the stranger was stopped by assertCanRead inside.
    expect(calls.ticketRef).toBe(2);
  });
});

describe('errors', () => {
  it('turns a class-validator failure into BAD_USER_INPUT naming the field, and runs nothing', async () => {
    const mutation = 'mutation($input: RegisterInput!) { register(input: $input) }';
    const bad = await gql(subgraph.url, mutation, {
      variables: { input: { email: 'not-an-email', name: 'Ann', quantity: 2 } },
    });
    expect(bad.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(bad.body.errors?.[0]?.message).toMatch(/email/);

    const tooMany = await gql(subgraph.url, mutation, {
      variables: { input: { email: 'a@b.test', name: 'Ann', quantity: 11 } },
    });
    expect(tooMany.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.quantity' });
    expect(calls.register).toBe(0);

    const good = await gql(subgraph.url, mutation, {
      variables: { input: { email: 'a@b.test', name: 'Ann', quantity: 3 } },
    });
    expect(good.body).toEqual({ data: { register: 3 } });
    expect(calls.register).toBe(1);
  });

  it('maps Nest HttpExceptions to our codes', async () => {
    const ask = (kind: string) =>
      gql(subgraph.url, 'query($k: String!) { httpError(kind: $k) }', { variables: { k: kind } });
    const notFound = await ask('notFound');
    expect(notFound.body.errors?.[0]).toMatchObject({
      message: 'Event not found',
      extensions: { code: 'NOT_FOUND', field: null },
    });
    const conflict = await ask('conflict');
    expect(conflict.body.errors?.[0]).toMatchObject({
      message: 'Seat already taken',
      extensions: { code: 'CONFLICT', field: 'input.seat' },
    });
    expect(codeOf(await ask('forbidden'))).toBe('FORBIDDEN');
  });
});

describe('subscriptions over graphql-ws', () => {
  const clients: Client[] = [];
  const wsUrl = () => subgraph.url.replace(/^http/, 'ws');

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
  });

  function connect(
    connectionParams?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): {
    client: Client;
    closed: Promise<number>;
  } {
    let onClosed!: (code: number) => void;
    const closed = new Promise<number>((resolve) => (onClosed = resolve));
    class HeaderSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    }
    const client = createClient({
      url: wsUrl(),
      webSocketImpl: HeaderSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: false,
      // The closed event is asserted through `closed`; no console noise for the expected 4403.
      onNonLazyError: () => undefined,
      on: { closed: (event) => onClosed((event as { code: number }).code) },
    });
    clients.push(client);
    return { client, closed };
  }

  async function collect(client: Client, query: string): Promise<{ values: unknown[]; error?: unknown }> {
    const values: unknown[] = [];
    const iterator = client.iterate({ query });
    try {
      for await (const value of iterator) values.push(value);
      return { values };
    } catch (error) {
      return { values, error };
    }
  }

  it('authenticates with connectionParams.authorization and with the upgrade cookie', async () => {
    const token = await issuer.sign(attendee);
    const viaParams = await collect(
      connect({ authorization: `Bearer ${token}` }).client,
      'subscription { ticks }',
    );
    expect(viaParams.values).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }]);

    const viaCookie = await collect(
      connect(undefined, { cookie: `at=${token}` }).client,
      'subscription { ticks }',
    );
    expect(viaCookie.values).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }]);
  });

  it('refuses a connection with a bad token (4403) and guards subscriptions of anonymous connections', async () => {
    const bad = connect({ authorization: `Bearer ${issuer.signNone(attendee)}` });
    expect(await bad.closed).toBe(4403);

    const anonymous = await collect(connect().client, 'subscription { ticks }');
    expect(anonymous.values).toHaveLength(1);
    const [result] = anonymous.values as {
      data?: unknown;
      errors?: { extensions?: Record<string, unknown> }[];
    }[];
    expect(result!.data ?? null).toBeNull();
    expect(result!.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', field: null });
  });

  it('refuses control characters in arguments over graphql-ws too, before any resolver runs', async () => {
    const { client } = connect();
    const values: unknown[] = [];
    for await (const value of client.iterate({
      query: 'query($id: ID!) { ticket(id: $id) { id } }',
      variables: { id: 'abc\u0000' },
    })) {
      values.push(value);
    }
    expect(values).toEqual([
      {
        errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'id' } })],
      },
    ]);
  });

  it('applies the depth limit to subscription documents before any resolver runs', async () => {
    const { client } = connect();
    let selection = 'message';
    for (let level = 0; level < 7; level += 1) selection = `child { ${selection} }`;
    const deep = await collect(client, `subscription { probeUpdates { ${selection} } }`);
    expect(JSON.stringify(deep.error)).toMatch(/depth limit of 7/);
    expect(calls.probeUpdates).toBe(0);

    const shallow = await collect(client, 'subscription { probeUpdates { message child { message } } }');
    expect(shallow.values).toEqual([
      { data: { probeUpdates: { message: 'update', child: { message: 'deeper' } } } },
    ]);
    expect(calls.probeUpdates).toBe(1);
  });
});
