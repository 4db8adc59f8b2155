import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tryAgainBody } from '@ticketing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureSubgraph } from './support/fixture-subgraphs';
import { startFakeSubgraph, type FakeSubgraph } from './support/fake-subgraph';
import { startTestGateway, writeSupergraph, type TestGateway } from './support/gateway-harness';

// A subgraph that hangs, refuses connections or sheds load must give the client a retryable answer naming it,
// quickly, never INTERNAL_SERVER_ERROR after a long wait.

const SUBGRAPH_TIMEOUT_MS = 400;

interface Answer {
  status: number;
  retryAfter: string | null;
  ms: number;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function ask(gw: TestGateway, query: string): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(gw.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as Answer['body'];
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    ms: performance.now() - started,
    body,
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe.each(['development', 'production'])('gateway with failing subgraphs (%s)', (nodeEnv) => {
  let event: FakeSubgraph;
  let hanging: Server;
  let shedding: Server;
  let gw: TestGateway;
  let shedGw: TestGateway;
  let hung = 0;

  beforeAll(async () => {
    event = await startFakeSubgraph(fixtureSubgraph('event').sdl, {
      events: () => [{ id: 'e1', name: 'Concert' }],
    });
    // Accepts the request and never answers.
    hanging = createServer(() => {
      hung += 1;
    });
    const hangingUrl = await listen(hanging);
    // Answers like a ticket service whose load shedder has no slot (the platform's own refusal body).
    // An operation that selects `tooLarge` is refused as a subgraph refuses a body over its limit (413).
    shedding = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (body.includes('tooLarge')) {
          res.writeHead(413, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              errors: [
                {
                  message: 'The request body is larger than 100kb.',
                  extensions: { code: 'BAD_USER_INPUT', field: null },
                },
              ],
            }),
          );
          return;
        }
        res
          .writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' })
          .end(JSON.stringify(tryAgainBody('ticket', 250)));
      });
    });
    const sheddingUrl = await listen(shedding);
    const supergraphPath = writeSupergraph([
      fixtureSubgraph('auth'),
      fixtureSubgraph('event'),
      fixtureSubgraph('ticket'),
    ]);
    const common = {
      NODE_ENV: nodeEnv,
      SUPERGRAPH_PATH: supergraphPath,
      EVENT_URL: event.url,
      // Nothing listens on port 9: connections are refused.
      AUTH_URL: 'http://127.0.0.1:9/graphql',
      SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS),
      ...(nodeEnv === 'production' ? { COOKIE_SECURE: 'true' } : {}),
    };
    gw = await startTestGateway({ ...common, TICKET_URL: hangingUrl });
    shedGw = await startTestGateway({ ...common, TICKET_URL: sheddingUrl });
  });

  afterAll(async () => {
    await gw?.close();
    await shedGw?.close();
    await event?.close();
    await closeServer(hanging);
    await closeServer(shedding);
  });

  it('a subgraph that hangs is SERVICE_UNAVAILABLE naming it, after the gateway timeout', async () => {
    const before = hung;
    const answer = await ask(gw, '{ ticketCount }');
    expect(hung).toBe(before + 1);
    const error = answer.body.errors?.[0];
    expect(error?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(error?.message).toContain('ticket');
    expect(error?.extensions?.retryAfterMs).toBeGreaterThan(0);
    expect(JSON.stringify(answer.body)).not.toMatch(/INTERNAL_SERVER_ERROR|127\.0\.0\.1/);
    if (nodeEnv === 'production') expect(JSON.stringify(answer.body)).not.toMatch(/stacktrace|serviceName/);
    // Refused as a whole: HTTP says so too, as the gateway's own shedder does.
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('1');
    expect(answer.ms).toBeGreaterThanOrEqual(SUBGRAPH_TIMEOUT_MS - 20);
    expect(answer.ms).toBeLessThan(SUBGRAPH_TIMEOUT_MS + 1_500);
  });

  it('a subgraph that refuses connections is SERVICE_UNAVAILABLE naming it, at once', async () => {
    const answer = await ask(gw, '{ me { id } }');
    const error = answer.body.errors?.[0];
    expect(error?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(error?.message).toContain('auth');
    expect(JSON.stringify(answer.body)).not.toMatch(/INTERNAL_SERVER_ERROR|ECONNREFUSED|127\.0\.0\.1/);
    expect([answer.status, answer.retryAfter]).toEqual([503, '1']);
    expect(answer.ms).toBeLessThan(SUBGRAPH_TIMEOUT_MS);
  });

  it("a subgraph's TRY_AGAIN passes through with its retry hint", async () => {
    const answer = await ask(shedGw, '{ ticketCount }');
    const error = answer.body.errors?.[0];
    expect(error?.extensions?.code).toBe('TRY_AGAIN');
    expect(error?.extensions?.retryAfterMs).toBe(250);
    expect(error?.message).toContain('ticket');
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('1');
    expect(answer.ms).toBeLessThan(SUBGRAPH_TIMEOUT_MS);
  });

  it('a partial answer beside an unavailable subgraph stays 200, with the Retry-After hint', async () => {
    // `me` (nullable) comes from the auth subgraph, which refuses connections; `events` is served.
    const answer = await ask(gw, '{ events { id } me { id } }');
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(answer.body.data).toEqual({ events: [{ id: 'e1' }], me: null });
    expect(answer.status).toBe(200);
    expect(answer.retryAfter).toBe('1');
  });

  it("a subgraph's refusal of the request itself (its body limit, 413) is the client's BAD_USER_INPUT, not a 500", async () => {
    const answer = await ask(shedGw, '{ tooLarge: ticketCount }');
    const error = answer.body.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toBe('The request body is larger than 100kb.');
    expect(JSON.stringify(answer.body)).not.toMatch(/INTERNAL_SERVER_ERROR/);
    expect(answer.retryAfter).toBeNull();
  });

  it('an answer without a refusal carries no Retry-After', async () => {
    const answer = await ask(shedGw, '{ events { id } }');
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.retryAfter).toBeNull();
  });
});
