import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../src/testing/test-issuer';
import { calls, resetCalls } from './graphql-fixture/test-subgraph.module';
import { gql, startTestSubgraph, type TestApp } from './graphql-fixture/test-app';

// A subgraph sits behind the gateway, which caps bodies at 5mb. With the platform's default BODY_LIMIT a big but
// otherwise ordinary request the gateway let through meets the field's own rule (BAD_USER_INPUT with the field),
// not a second, smaller body limit with no field ("The request body is larger than 100kb.").

describe('subgraph body limit (platform default)', () => {
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

  it('is the gateway’s 5mb', () => {
    expect(subgraph.config.BODY_LIMIT).toBe('5mb');
  });

  it('lets validation answer a 1,000,000-character value with its field', async () => {
    resetCalls();
    const answer = await gql(subgraph.url, 'mutation($input: RegisterInput!) { register(input: $input) }', {
      variables: { input: { email: 'big@x.test', name: 'x'.repeat(1_000_000), quantity: 1 } },
    });
    expect(answer.body.errors?.[0]).toMatchObject({
      message: 'Name must be at most 50 characters long',
      extensions: { code: 'BAD_USER_INPUT', field: 'input.name' },
    });
    expect(calls.register).toBe(0);
  });

  it('still answers a body over the limit with 413, as a GraphQL error', async () => {
    const answer = await gql(subgraph.url, '{ __typename }', { variables: { pad: 'x'.repeat(5_300_000) } });
    expect(answer.status).toBe(413);
    expect(answer.body.errors?.[0]).toEqual({
      message: 'The request body is larger than 5mb.',
      extensions: { code: 'BAD_USER_INPUT', field: null },
    });
  });
});
