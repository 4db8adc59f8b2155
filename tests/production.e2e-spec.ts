import { join } from 'node:path';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  startService,
  type TestContext,
} from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphql, STRONG_PASSWORD, uniqueEmail } from './support/graphql-client';
import { REPO_ROOT, startStack, type Stack } from './support/stack';

const INTROSPECTION = '{ __schema { queryType { name } types { name } } }';
const TYPO = '{ evnts { edges { node { id } } } }';
/** A request every mode refuses with a BAD_USER_INPUT from the auth subgraph (weak password). */
const BAD_SIGN_UP = (email: string) =>
  `mutation { signUp(input: { email: "${email}", password: "short", name: "X" }) { user { id } } }`;

/** What a client learns from one stack about its schema and internals. */
async function probe(stack: Stack) {
  const introspection = await postGraphql(stack.graphqlUrl, INTROSPECTION);
  const typo = await postGraphql(stack.graphqlUrl, TYPO);
  const badInput = await postGraphql(stack.graphqlUrl, BAD_SIGN_UP(uniqueEmail('prod')));
  const directTypo = await postGraphql(`${stack.event.url}/graphql`, TYPO, undefined, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  return { introspection, typo, badInput, directTypo };
}

describe('production mode hides introspection, suggestions and stack traces (gateway and subgraphs)', () => {
  let dev: Stack;
  let prod: Stack;

  beforeAll(async () => {
    dev = await startStack('prod-contrast-dev', { nodeEnv: 'development' });
    prod = await startStack('prod-mode', { nodeEnv: 'production' });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([dev?.stop(), prod?.stop()]);
  }, 60_000);

  it('development shows them (the contrast that proves the production checks can fail)', async () => {
    const { introspection, typo, badInput } = await probe(dev);
    expect(introspection.body.data?.__schema.queryType.name).toBe('Query');
    expect(JSON.stringify(typo.body)).toContain('Did you mean');
    expect(badInput.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // Internal details (which subgraph answered) are visible outside production only.
    expect(badInput.body.errors?.[0].extensions?.serviceName).toBe('auth');
  });

  it('production refuses introspection at the gateway and at a subgraph reached directly', async () => {
    const { introspection } = await probe(prod);
    expect(introspection.status).toBe(400);
    expect(introspection.body.data).toBeUndefined();
    for (const subgraph of [prod.auth, prod.ticket!]) {
      const direct = await postGraphql(`${subgraph.url}/graphql`, INTROSPECTION, undefined, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(direct.status, subgraph.url).toBe(400);
      expect(JSON.stringify(direct.body)).not.toContain('"Query"');
    }
  });

  it('production gives no field suggestions, at the gateway or a subgraph', async () => {
    const { typo, directTypo } = await probe(prod);
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean|"events"/);
    expect(directTypo.status).toBe(400);
    expect(JSON.stringify(directTypo.body)).not.toMatch(/Did you mean|"events"/);
  });

  it('production errors carry a code and a field but no stack trace or exception details', async () => {
    const { badInput } = await probe(prod);
    const error = badInput.body.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.password' });
    const text = JSON.stringify(badInput.body);
    expect(text).not.toMatch(/stacktrace|exception|originalError|node_modules|\.ts:\d+/);
    // The production stack itself works: a valid sign-up goes through.
    const ok = await postGraphql(
      prod.graphqlUrl,
      `mutation { signUp(input: { email: "${uniqueEmail('prod-ok')}", password: "${STRONG_PASSWORD}", name: "X" }) { user { id } } }`,
    );
    expect(ok.body.errors).toBeUndefined();
  });

  it('a stopped subgraph is a retryable SERVICE_UNAVAILABLE naming it, with no internals in any mode', async () => {
    const query = '{ events { edges { node { id } } } }';
    await Promise.all([dev.event.stop(10_000), prod.event.stop(10_000)]);

    for (const stack of [dev, prod]) {
      const answer = await postGraphql(stack.graphqlUrl, query);
      const error = answer.body.errors?.[0];
      expect(error?.message).toMatch(/^The event service is unavailable/);
      expect(error?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(answer.body)).not.toMatch(
        /stacktrace|127\.0\.0\.1|ECONNREFUSED|fetch failed|node_modules/,
      );
    }
  });

  it('the gateway and a subgraph that served requests exit 0 within seconds of SIGTERM, in every mode', async () => {
    // Apollo Server's own SIGTERM handler once raced the platform's shutdown in the gateway: the process hung
    // until its 25 s budget ran out and exited 1 (a rolling update waited that long for every pod).
    for (const stack of [dev, prod]) {
      const started = Date.now();
      const [gateway, auth] = await Promise.all([stack.gateway.stop(20_000), stack.auth.stop(20_000)]);
      expect({ gateway, auth }).toEqual({ gateway: 0, auth: 0 });
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  }, 60_000);
});

describe('production refuses cookies without Secure unless the plain-HTTP flag is set by name', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = createTestContext('prod-cookies');
    await ensureTopics(ctx);
  });

  afterAll(async () => {
    if (ctx) await dropTestContext(ctx);
  });

  const boot = (extra: Record<string, string>) =>
    startService(join(REPO_ROOT, 'services', 'event'), {
      ...ctx.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      COOKIE_SECURE: 'false',
      ...extra,
    });

  it('exits at boot naming COOKIE_SECURE; with ALLOW_INSECURE_COOKIES=true it starts and warns', async () => {
    await expect(boot({})).rejects.toThrow(/COOKIE_SECURE \(must be true when NODE_ENV=production/);
    const allowed = await boot({ ALLOW_INSECURE_COOKIES: 'true' });
    try {
      expect(allowed.output()).toContain('COOKIE_SECURE=false in production');
    } finally {
      await allowed.stop();
    }
  }, 90_000);
});
