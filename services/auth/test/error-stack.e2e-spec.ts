import { TOPICS } from '@ticketing/contracts';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  type TestContext,
} from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type RunningAuth } from './support/auth-app';
import { gql } from './support/graphql-client';

// `make dev` runs every service with NODE_ENV=development: its answers must carry no stack trace either
// (stacks stay in the logs), while a refusal keeps its code, field and message.
const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { user { id } } }`;
const STACK = /stacktrace|\.ts:\d+|node_modules|at [A-Za-z.<>]+ \(/;

let ctx: TestContext;
let auth: RunningAuth | undefined;

beforeAll(async () => {
  ctx = createTestContext('auth-error-stack');
  await ensureTopics(ctx, [TOPICS.users]);
  auth = await startAuth(ctx, { NODE_ENV: 'development' });
});

afterAll(async () => {
  await auth?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('errors in development mode', () => {
  it('a refusal carries its code and field, and no stack trace', async () => {
    const input = { email: 'x@y.z', password: 'violet-harbour-lantern-42', name: 'Probe' };
    const result = await gql(auth!.url, SIGN_UP, { input });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(JSON.stringify(result.errors)).not.toMatch(STACK);
  });

  it("graphql-js's own refusals (an unknown field) carry no stack trace either", async () => {
    const result = await gql(auth!.url, '{ mee { id } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(result.errors)).not.toMatch(STACK);
  });
});
