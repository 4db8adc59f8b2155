import { TOPICS } from '@ticketing/contracts';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  type TestContext,
} from '@ticketing/platform/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_SCHEMA_FILE } from '../src/app.module';
import { startAuth, type RunningAuth } from './support/auth-app';
import { gql } from './support/graphql-client';

// The gateway composes the supergraph from the committed subgraph SDL (with its federation directives,
// exactly as `_service { sdl }` prints it). This fails when the code's schema and the committed file
// differ. To refresh the file: UPDATE_SCHEMA=1 npx vitest run services/auth/test/schema.e2e-spec.ts
const committedPath = resolve(__dirname, '../../..', AUTH_SCHEMA_FILE);
let ctx: TestContext;
let auth: RunningAuth | undefined;

beforeAll(async () => {
  ctx = createTestContext('auth-schema');
  await ensureTopics(ctx, [TOPICS.users]);
  auth = await startAuth(ctx);
});

afterAll(async () => {
  await auth?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('committed subgraph schema', () => {
  it('matches the subgraph SDL the code generates', async () => {
    const result = await gql(auth!.url, '{ _service { sdl } }');
    expect(result.errors).toBeUndefined();
    const generated = `${(result.data._service.sdl as string).trim()}\n`;
    expect(generated).toMatch(/type User\s+@key\(fields: "id"\)/);
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(committedPath, generated);
    expect(readFileSync(committedPath, 'utf8')).toBe(generated);
  });
});
