import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureSubgraph } from './support/fixture-subgraphs';
import { startFakeSubgraph, type FakeSubgraph } from './support/fake-subgraph';
import { startTestGateway, writeSupergraph, type TestGateway } from './support/gateway-harness';
import { collect, upgradeStatus, wsClient } from './support/ws-client';

const APP_ORIGIN = 'http://app.test';
const JSON_HEADERS = { 'content-type': 'application/json' };
const COOKIES = [
  'at=access-1; Path=/; HttpOnly; SameSite=Lax; Expires=Wed, 25 Nov 2026 10:15:00 GMT',
  'rt=refresh-1; Path=/; HttpOnly; SameSite=Lax; Expires=Wed, 09 Dec 2026 10:00:00 GMT',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function* countTo(count: number) {
  for (let i = 1; i <= count; i += 1) {
    await sleep(5);
    yield { ticks: i };
  }
}

function post(gw: TestGateway, body: unknown, headers: Record<string, string> = {}) {
  return fetch(gw.graphqlUrl, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
}

function nested(levels: number): string {
  // node → child → ... with `levels` object levels, then a scalar: depth = levels + 1.
  let selection = 'name';
  for (let i = 1; i < levels; i += 1) selection = `child { ${selection} }`;
  return `{ node { ${selection} } }`;
}

describe('gateway (in-process, fake subgraphs, real Redis)', () => {
  let auth: FakeSubgraph;
  let event: FakeSubgraph;
  let ticket: FakeSubgraph;
  let supergraphPath: string;
  let gw: TestGateway;
  let ticketCalls = 0;

  beforeAll(async () => {
    auth = await startFakeSubgraph(fixtureSubgraph('auth').sdl, {
      me: (_args, ctx) =>
        ctx.headers.cookie?.includes('at=access-1') ? { id: 'u1', email: 'a@x.test' } : null,
      authEcho: (_args, ctx) => ({
        cookie: ctx.headers.cookie ?? null,
        authorization: ctx.headers.authorization ?? null,
        traceId: ctx.headers['x-trace-id'] ?? null,
        forwardedFor: ctx.headers['x-forwarded-for'] ?? null,
        userAgent: ctx.headers['user-agent'] === 'evil-agent' ? 'evil-agent' : null,
        lane: ctx.headers['x-shed-lane'] ?? null,
      }),
      signUp: ({ email }: { email: string }, ctx) => {
        for (const cookie of COOKIES) ctx.setCookie(cookie);
        return { id: 'u1', email };
      },
    });
    event = await startFakeSubgraph(fixtureSubgraph('event').sdl, {
      events: () => [{ id: 'e1', name: 'Concert' }],
      node: () => {
        const tree: any = { name: 'leaf' };
        let node = tree;
        for (let i = 0; i < 12; i += 1) node = { name: `n${i}`, child: node };
        return node;
      },
      boom: () => {
        throw new Error('kaboom');
      },
      ticks: ({ count }: { count: number }) => countTo(count),
      whoAmI: (_args, ctx) =>
        (async function* () {
          yield { whoAmI: `${ctx.headers.cookie ?? '-'}|${ctx.headers.authorization ?? '-'}` };
        })(),
    });
    ticket = await startFakeSubgraph(fixtureSubgraph('ticket').sdl, {
      ticketCount: () => {
        ticketCalls += 1;
        return 3;
      },
      salesUpdated: () =>
        (async function* () {
          yield { salesUpdated: 7 };
        })(),
    });
    supergraphPath = writeSupergraph([
      fixtureSubgraph('auth'),
      fixtureSubgraph('event'),
      fixtureSubgraph('ticket'),
    ]);
    gw = await startTestGateway({
      SUPERGRAPH_PATH: supergraphPath,
      AUTH_URL: auth.url,
      EVENT_URL: event.url,
      TICKET_URL: ticket.url,
      CORS_ORIGINS: APP_ORIGIN,
      BODY_LIMIT: '8kb',
      // The light shedding lane serves authEcho here (in production: the waiting room's join and status).
      OVERLOAD_LIGHT_OPERATIONS: 'authEcho',
    });
  });

  afterAll(async () => {
    await gw?.close();
    await Promise.all([auth?.close(), event?.close(), ticket?.close()]);
  });

  describe('HTTP', () => {
    it('is ready (Redis + supergraph) and plans one operation across several subgraphs', async () => {
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(200);
      const res = await post(gw, { query: '{ events { id name } ticketCount me { id } }' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        data: { events: [{ id: 'e1', name: 'Concert' }], ticketCount: 3, me: null },
      });
    });

    it('forwards cookie, authorization, the trace id and the client address, and nothing else', async () => {
      const res = await post(
        gw,
        { query: '{ authEcho { cookie authorization traceId forwardedFor userAgent } }' },
        {
          cookie: 'at=access-1; other=1',
          authorization: 'Bearer abc.def.ghi',
          'x-forwarded-for': '198.51.100.23',
          'user-agent': 'evil-agent',
        },
      );
      const body = (await res.json()) as any;
      const traceId = res.headers.get('x-trace-id');
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(body.data.authEcho).toEqual({
        cookie: 'at=access-1; other=1',
        authorization: 'Bearer abc.def.ghi',
        traceId,
        forwardedFor: '198.51.100.23',
        userAgent: null,
      });
    });

    it('passes the light-lane header on only for an operation held to the lane, and refuses anything else in it', async () => {
      const light = { 'x-shed-lane': 'light' };
      const inLane = (await (await post(gw, { query: '{ authEcho { lane } }' }, light)).json()) as any;
      expect(inLane).toEqual({ data: { authEcho: { lane: 'light' } } });
      const plain = (await (await post(gw, { query: '{ authEcho { lane } }' })).json()) as any;
      expect(plain).toEqual({ data: { authEcho: { lane: null } } });
      // A heavier field in the same request: refused before any subgraph is asked.
      const before = ticketCalls;
      const mixed = await post(gw, { query: '{ authEcho { lane } ticketCount }' }, light);
      const body = (await mixed.json()) as any;
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      expect(body.data).toBeUndefined();
      expect(ticketCalls).toBe(before);
    });

    it('keeps a well-formed client trace id end to end', async () => {
      const res = await post(
        gw,
        { query: '{ authEcho { traceId } }' },
        { 'x-trace-id': 'client-trace-0001' },
      );
      expect(((await res.json()) as any).data.authEcho.traceId).toBe('client-trace-0001');
    });

    it('passes every Set-Cookie of the auth subgraph back to the client, separately', async () => {
      const res = await post(gw, { query: 'mutation { signUp(email: "a@x.test") { id } }' });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual(COOKIES);
      const me = await post(gw, { query: '{ me { email } }' }, { cookie: 'at=access-1' });
      expect(((await me.json()) as any).data.me).toEqual({ email: 'a@x.test' });
    });

    it('answers CORS only for configured origins, with credentials', async () => {
      const preflight = (origin: string) =>
        fetch(gw.graphqlUrl, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      const allowed = await preflight(APP_ORIGIN);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      const foreign = await preflight('https://evil.test');
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      const foreignPost = await post(gw, { query: '{ ticketCount }' }, { origin: 'https://evil.test' });
      expect(foreignPost.headers.get('access-control-allow-origin')).toBeNull();
    });

    describe('refuses abusive documents with 400 before any resolver runs', () => {
      const signUp = (email: string) => `mutation { signUp(email: "${email}") { id } }`;

      it('a text/plain POST without a preflight header (CSRF)', async () => {
        const before = auth.calls.length;
        const res = await fetch(gw.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ query: signUp('csrf@x.test') }),
        });
        expect(res.status).toBe(400);
        const get = await fetch(`${gw.graphqlUrl}?query=${encodeURIComponent('{ ticketCount }')}`);
        expect(get.status).toBe(400);
        expect(auth.calls.length).toBe(before);
      });

      it('a batched array', async () => {
        const before = auth.calls.length;
        const res = await post(gw, [{ query: signUp('b1@x.test') }, { query: signUp('b2@x.test') }]);
        expect(res.status).toBe(400);
        expect(auth.calls.length).toBe(before);
      });

      it('a depth-8 document (depth 7 passes)', async () => {
        const ok = await post(gw, { query: nested(6) });
        expect(ok.status).toBe(200);
        const before = event.calls.length;
        const res = await post(gw, { query: nested(7) });
        expect(res.status).toBe(400);
        expect(JSON.stringify(await res.json())).toMatch(/depth/i);
        expect(event.calls.length).toBe(before);
      });

      it('20 aliases (with a mutation inside)', async () => {
        const before = auth.calls.length;
        const aliases = Array.from(
          { length: 20 },
          (_, i) => `a${i}: signUp(email: "al${i}@x.test") { id }`,
        ).join(' ');
        const res = await post(gw, { query: `mutation { ${aliases} }` });
        expect(res.status).toBe(400);
        expect(JSON.stringify(await res.json())).toMatch(/alias/i);
        expect(auth.calls.length).toBe(before);
      });

      it('a body over the size limit, or not JSON, as a GraphQL error', async () => {
        const res = await post(gw, { query: `{ ticketCount }`, variables: { pad: 'x'.repeat(20_000) } });
        expect(res.status).toBe(413);
        expect(await res.json()).toEqual({
          errors: [
            {
              message: 'The request body is larger than 8kb.',
              extensions: { code: 'BAD_USER_INPUT', field: null },
            },
          ],
        });
        const broken = await fetch(gw.graphqlUrl, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: '{"query": "{ ticketCount }',
        });
        expect(broken.status).toBe(400);
        expect(((await broken.json()) as { errors: unknown[] }).errors).toEqual([
          {
            message: 'The request body is not valid JSON.',
            extensions: { code: 'BAD_REQUEST', field: null },
          },
        ]);
      });
    });

    it('shows introspection and suggestions outside production', async () => {
      const res = await post(gw, { query: '{ __schema { queryType { name } } }' });
      expect(((await res.json()) as any).data.__schema.queryType.name).toBe('Query');
      const typo = await post(gw, { query: '{ evnts { id } }' });
      expect(JSON.stringify(await typo.json())).toContain('Did you mean');
    });
  });

  describe('WebSocket subscriptions on /graphql', () => {
    it('forwards a subscription to the owning subgraph and relays every event', async () => {
      const client = wsClient(gw.graphqlUrl, { origin: APP_ORIGIN });
      const results = await collect(client, 'subscription ($n: Int!) { ticks(count: $n) }', { n: 3 });
      await client.dispose();
      expect(results).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }, { data: { ticks: 3 } }]);

      const other = wsClient(gw.graphqlUrl);
      expect(await collect(other, 'subscription { salesUpdated(eventId: "e1") }')).toEqual([
        { data: { salesUpdated: 7 } },
      ]);
      await other.dispose();
    });

    it("passes the connection's cookie and authorization to the subgraph", async () => {
      const client = wsClient(gw.graphqlUrl, { cookie: 'at=access-1', authorization: 'Bearer t0k' });
      const results = await collect(client, 'subscription { whoAmI }');
      await client.dispose();
      expect(results).toEqual([{ data: { whoAmI: 'at=access-1|Bearer t0k' } }]);
      const upgrade = event.upgrades.at(-1)!;
      expect(upgrade['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
      expect(upgrade['x-forwarded-for']).toBe('127.0.0.1');
    });

    it('refuses unknown fields and operations other than subscriptions, without calling a subgraph', async () => {
      const before = event.upgrades.length + ticket.upgrades.length;
      const client = wsClient(gw.graphqlUrl);
      const unknown = await collect(client, 'subscription { nope }');
      expect(unknown[0].errors?.[0].message).toMatch(/Cannot query field "nope"/);
      const query = await collect(client, '{ ticketCount }');
      expect(query[0].errors?.[0].message).toMatch(/Only subscriptions/);
      const aliases = Array.from({ length: 20 }, (_, i) => `t${i}: ticks(count: 1)`).join(' ');
      const tooMany = await collect(client, `subscription { ${aliases} }`);
      expect(tooMany[0].errors?.length).toBeGreaterThan(0);
      await client.dispose();
      expect(event.upgrades.length + ticket.upgrades.length).toBe(before);
    });

    it('answers a document that does not parse on its own id, and the other feeds on the socket go on', async () => {
      const client = wsClient(gw.graphqlUrl);
      // A long feed first, then a broken document on the same socket.
      const feed = collect(client, 'subscription ($n: Int!) { ticks(count: $n) }', { n: 3 });
      const broken = await collect(client, 'subscription { ticks(count: 1) ');
      expect(broken).toEqual([
        { errors: [expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] },
      ]);
      expect(broken[0]!.errors![0]!.message).toMatch(/Syntax Error/);
      const invalid = await collect(client, 'subscription { nope }');
      expect(invalid[0]!.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(await feed).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }, { data: { ticks: 3 } }]);
      // The socket is still open for more.
      expect(await collect(client, 'subscription { ticks(count: 1) }')).toEqual([{ data: { ticks: 1 } }]);
      await client.dispose();
    });

    it('refuses upgrades from foreign origins and on other paths', async () => {
      expect(await upgradeStatus(gw.graphqlUrl, { origin: 'https://evil.test' })).toBe(403);
      expect(await upgradeStatus(`${gw.url}/elsewhere`)).toBe(404);
      expect(await upgradeStatus(gw.graphqlUrl, { origin: APP_ORIGIN })).toBe(101);
    });
  });
});

describe('gateway rate limiting (real Redis)', () => {
  let gw: TestGateway;
  let ticket: FakeSubgraph;

  beforeAll(async () => {
    ticket = await startFakeSubgraph(fixtureSubgraph('ticket').sdl, { ticketCount: () => 1 });
    gw = await startTestGateway({
      SUPERGRAPH_PATH: writeSupergraph([fixtureSubgraph('ticket')]),
      TICKET_URL: ticket.url,
      RATE_LIMIT_PER_MINUTE: '3',
    });
  });

  afterAll(async () => {
    await gw?.close();
    await ticket?.close();
  });

  it('answers 429 with Retry-After once a client address spent its budget, per address', async () => {
    const as = (ip: string) => post(gw, { query: '{ ticketCount }' }, { 'x-forwarded-for': ip });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await as('203.0.113.50')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await as('203.0.113.50');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await as('203.0.113.51')).status).toBe(200);
    expect(await upgradeStatus(gw.graphqlUrl, { 'x-forwarded-for': '203.0.113.50' })).toBe(429);
  });
});

describe('gateway in production mode, every subgraph down', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      NODE_ENV: 'production',
      SUPERGRAPH_PATH: writeSupergraph([
        fixtureSubgraph('auth'),
        fixtureSubgraph('event'),
        fixtureSubgraph('ticket'),
      ]),
      AUTH_URL: 'http://127.0.0.1:9/graphql',
      EVENT_URL: 'http://127.0.0.1:9/graphql',
      TICKET_URL: 'http://127.0.0.1:9/graphql',
    });
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('starts and is ready although no subgraph answers', async () => {
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
  });

  it('hides introspection, suggestions, stack traces and internal addresses', async () => {
    const intro = await post(gw, { query: '{ __schema { types { name } } }' });
    expect(intro.status).toBe(400);
    expect(JSON.stringify(await intro.json())).not.toContain('"Query"');

    const typo = await post(gw, { query: '{ evnts { id } }' });
    const typoText = JSON.stringify(await typo.json());
    expect(typo.status).toBe(400);
    expect(typoText).not.toContain('Did you mean');
    expect(typoText).not.toContain('events');

    const down = await post(gw, { query: '{ ticketCount }' });
    const downText = JSON.stringify(await down.json());
    expect(downText).toContain('SERVICE_UNAVAILABLE');
    expect(downText).not.toMatch(/stacktrace|127\.0\.0\.1|ECONNREFUSED|at [A-Za-z]+ \(/);
  });
});

describe('gateway in development mode (as `make dev` runs it): no stack trace in any answer', () => {
  let event: FakeSubgraph;
  let gw: TestGateway;
  const STACK = /stacktrace|errors\.ts|at badInput|at [A-Za-z.<>]+ \(|node_modules/;
  // What a subgraph in development mode may answer: a refusal carrying its stack in the extensions.
  const devRefusal = () =>
    new GraphQLError('Not a valid email address', {
      extensions: {
        code: 'BAD_USER_INPUT',
        field: 'email',
        stacktrace: [
          'GraphQLError: Not a valid email address',
          '    at badInput (/app/packages/platform/src/graphql/errors.ts:28:10)',
        ],
      },
    });

  beforeAll(async () => {
    event = await startFakeSubgraph(fixtureSubgraph('event').sdl, {
      events: () => {
        throw devRefusal();
      },
      boom: () => {
        throw new Error('kaboom');
      },
      ticks: () => {
        throw devRefusal();
      },
    });
    gw = await startTestGateway({
      NODE_ENV: 'development',
      SUPERGRAPH_PATH: writeSupergraph([fixtureSubgraph('event')]),
      EVENT_URL: event.url,
    });
  });

  afterAll(async () => {
    await gw?.close();
    await event?.close();
  });

  it("a subgraph's refusal keeps its code, field and message, without a stack", async () => {
    const res = await post(gw, { query: '{ events { id } }' });
    const body = (await res.json()) as any;
    expect(body.errors?.[0]?.message).toBe('Not a valid email address');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    expect(JSON.stringify(body)).not.toMatch(STACK);
  });

  it("the gateway's own errors and unexpected ones carry no stack either", async () => {
    const typo = await post(gw, { query: '{ evnts { id } }' });
    const typoText = JSON.stringify(await typo.json());
    expect(typo.status).toBe(400);
    // Still a development answer: the hint stays, only the stack goes.
    expect(typoText).toContain('Did you mean');
    expect(typoText).not.toMatch(STACK);
    const boom = JSON.stringify(await (await post(gw, { query: '{ boom }' })).json());
    expect(boom).toContain('INTERNAL_SERVER_ERROR');
    expect(boom).not.toMatch(STACK);
    expect(boom).not.toContain('kaboom');
  });

  it("a subscription relays a subgraph's error without its stack", async () => {
    const client = wsClient(gw.graphqlUrl);
    const results = await collect(client, 'subscription { ticks(count: 1) }');
    await client.dispose();
    const errors = results.flatMap((r) => r.errors ?? []);
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    expect(JSON.stringify(results)).not.toMatch(STACK);
  });
});

describe('gateway shutdown with a WebSocket peer that never answers', () => {
  it('closes in a few seconds instead of waiting out the close handshake', async () => {
    const gw = await startTestGateway({
      SUPERGRAPH_PATH: writeSupergraph([fixtureSubgraph('auth')]),
      AUTH_URL: 'http://127.0.0.1:9/graphql',
    });
    // A raw upgrade, then silence: the peer never sends a close frame back (a phone that lost its network).
    const { port } = new URL(gw.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    const upgraded = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.write(
      [
        'GET /graphql HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Protocol: graphql-transport-ws',
        '',
        '',
      ].join('\r\n'),
    );
    expect(await upgraded).toMatch(/^HTTP\/1\.1 101/);
    socket.pause(); // reads nothing more, answers nothing

    const started = Date.now();
    await gw.close();
    const took = Date.now() - started;
    expect(took).toBeLessThan(8_000); // ws waits 30 s for the close handshake; the gateway gives it 2 s
    // And the gateway did drop the connection rather than leave it open behind it.
    const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
    socket.resume();
    expect(await closed).toBe(true);
  }, 40_000);
});
