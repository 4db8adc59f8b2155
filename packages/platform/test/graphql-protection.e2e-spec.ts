import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../src/testing/test-issuer';
import { calls, resetCalls } from './graphql-fixture/test-subgraph.module';
import {
  gql,
  probeQueryOfDepth,
  probeQueryWithAliases,
  startTestSubgraph,
  type TestApp,
} from './graphql-fixture/test-app';

let issuer: TestIssuer;
let dev: TestApp;
let prod: TestApp;

beforeAll(async () => {
  issuer = await createTestIssuer();
  dev = await startTestSubgraph(issuer, { NODE_ENV: 'development' });
  prod = await startTestSubgraph(issuer, { NODE_ENV: 'production' });
});

afterAll(async () => {
  await dev?.close();
  await prod?.close();
  await issuer?.close();
});

beforeEach(() => resetCalls());

describe('document limits (HTTP 400 before any resolver runs)', () => {
  it('accepts depth 7 and refuses depth 8', async () => {
    const ok = await gql(dev.url, probeQueryOfDepth(7));
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    expect(calls.probe).toBe(1);

    const deep = await gql(dev.url, probeQueryOfDepth(8));
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0]?.message).toMatch(/depth limit of 7/i);
    expect(deep.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(calls.probe).toBe(1);
  });

  it('accepts 15 aliases and refuses 20', async () => {
    const ok = await gql(dev.url, probeQueryWithAliases(15));
    expect(ok.status).toBe(200);
    expect(calls.probe).toBe(15);

    const many = await gql(dev.url, probeQueryWithAliases(20));
    expect(many.status).toBe(400);
    expect(many.body.errors?.[0]?.message).toMatch(/aliases limit of 15/i);
    expect(calls.probe).toBe(15);
  });

  it('refuses a document over 1000 tokens at parse time', async () => {
    const fields = Array.from({ length: 1000 }, () => 'message').join(' ');
    const response = await gql(dev.url, `{ probe { ${fields} } }`);
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.body.errors?.[0]?.message).toMatch(/tokens/i);
    expect(calls.probe).toBe(0);
  });

  it('refuses a document over the cost limit', async () => {
    // Each aliased `probe(first)` is not a list here, so build cost from nested objects instead.
    const nested = probeQueryOfDepth(7).replace('{ probe', 'probe').replace(/ }$/, '');
    const aliases = Array.from({ length: 15 }, (_, index) => `p${index}: ${nested}`).join(' ');
    const fragment = `fragment F on Probe { ${Array.from({ length: 120 }, () => 'message').join(' ')} child { message } }`;
    const query = `{ ${aliases.replace(/message/g, '...F')} } ${fragment}`;
    const response = await gql(dev.url, query);
    expect(response.status).toBe(400);
    expect(response.body.errors?.map((error) => error.message).join(' ')).toMatch(/cost limit of 5000/i);
    expect(calls.probe).toBe(0);
  });

  it('refuses more than 50 directives', async () => {
    const fields = Array.from({ length: 51 }, (_, index) => `m${index}: message @include(if: true)`).join(
      ' ',
    );
    const response = await gql(dev.url, `{ probe { ${fields} } }`);
    expect(response.status).toBe(400);
    expect(response.body.errors?.map((error) => error.message).join(' ')).toMatch(/directives limit of 50/i);
    expect(calls.probe).toBe(0);
  });

  it('refuses a batched JSON array', async () => {
    const response = await fetch(dev.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ probe { message } }' }, { query: '{ probe { message } }' }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/batch/i);
    expect(calls.probe).toBe(0);
  });

  it('refuses a text/plain POST without a preflight header (CSRF), accepts it with one', async () => {
    const body = JSON.stringify({ query: '{ probe { message } }' });
    const simple = await fetch(dev.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/i);

    const form = await fetch(`${dev.url}?query=${encodeURIComponent('{ probe { message } }')}`, {
      method: 'GET',
    });
    expect(form.status).toBe(400);
    expect(calls.probe).toBe(0);

    const withHeader = await fetch(`${dev.url}?query=${encodeURIComponent('{ probe { message } }')}`, {
      method: 'GET',
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(withHeader.status).toBe(200);
    expect(calls.probe).toBe(1);
  });
});

describe('operation metrics', () => {
  it('records graphql_operation_duration_seconds with operation, type and outcome', async () => {
    await gql(dev.url, 'query ProbeMetrics { probe { message } }');
    await gql(dev.url, 'query BoomMetrics { boom }');
    await gql(dev.url, probeQueryOfDepth(8));
    const text = await (await fetch(dev.url.replace(/\/graphql$/, '/metrics'))).text();
    const count = (labels: string) =>
      Number(
        new RegExp(`graphql_operation_duration_seconds_count\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0,
      );
    expect(count('operation="ProbeMetrics",type="query",outcome="success"')).toBeGreaterThanOrEqual(1);
    expect(count('operation="BoomMetrics",type="query",outcome="error"')).toBeGreaterThanOrEqual(1);
    expect(count('operation="anonymous",type="unknown",outcome="rejected"')).toBeGreaterThanOrEqual(1);
  });
});

describe('production mode', () => {
  it('refuses introspection in production but not in development', async () => {
    const query = '{ __schema { queryType { name } } }';
    const devAnswer = await gql(dev.url, query);
    expect(devAnswer.status).toBe(200);
    expect(devAnswer.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });

    const prodAnswer = await gql(prod.url, query);
    expect(prodAnswer.status).toBe(400);
    expect(prodAnswer.body.data).toBeUndefined();
    expect(prodAnswer.body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('hides "Did you mean" suggestions in production only', async () => {
    const devAnswer = await gql(dev.url, '{ probe { mesage } }');
    expect(devAnswer.body.errors?.[0]?.message).toMatch(/Did you mean "message"/);

    const prodAnswer = await gql(prod.url, '{ probe { mesage } }');
    expect(prodAnswer.status).toBe(400);
    expect(prodAnswer.body.errors?.[0]?.message).toBe('Cannot query field "mesage" on type "Probe".');
    expect(JSON.stringify(prodAnswer.body)).not.toMatch(/Did you mean/);
    expect(prodAnswer.body.errors?.[0]?.message).not.toContain('"message"');

    const enumLike = await gql(prod.url, 'query { probx { message } }');
    expect(JSON.stringify(enumLike.body)).not.toMatch(/Did you mean/);
  });

  it('answers unexpected errors with a generic message and the trace id, no stack trace, in every mode', async () => {
    for (const url of [prod.url, dev.url]) {
      const answer = await gql(url, '{ boom }');
      expect(answer.body.errors).toHaveLength(1);
      const [error] = answer.body.errors!;
      expect(error!.message).toMatch(/^Internal server error \(trace [\w.-]+\)$/);
      expect(error!.extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        field: null,
        traceId: expect.any(String),
      });
      expect(error!.message).toContain(error!.extensions!.traceId as string);
      expect(error!.path).toEqual(['boom']);
      expect(JSON.stringify(answer.body)).not.toMatch(/hunter2|stacktrace|at .*\.ts/);
    }
    expect(calls.boom).toBe(2);
  });

  it('keeps code and field of expected errors in production', async () => {
    const answer = await gql(
      prod.url,
      'mutation { register(input: { email: "nope", name: "A", quantity: 1 }) }',
    );
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.email' });
  });
});
