import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PRICING_SCHEMA_FILE } from '../src/app.module';
import { gql } from './support/graphql-client';
import { startPricing, type RunningPricing } from './support/pricing-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// The gateway composes the supergraph from the committed SDL; this fails when it differs from the code's.
// Refresh: UPDATE_SCHEMA=1 npx vitest run services/pricing/test/schema.e2e-spec.ts
const committedPath = resolve(__dirname, '../../..', PRICING_SCHEMA_FILE);
let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningPricing | undefined;

beforeAll(async () => {
  ctx = createTestContext('pricing-schema');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startPricing(ctx, issuer);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('committed subgraph schema', () => {
  it('matches the SDL the code generates', async () => {
    const answer = await gql(svc!.url, '{ _service { sdl } }');
    expect(answer.errors).toBeUndefined();
    const generated = `${(answer.data._service.sdl as string).trim()}\n`;
    expect(generated).toMatch(/type TicketType\s+@key\(fields: "id"\)/);
    expect(generated).toMatch(/price: TicketPrice/);
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(committedPath, generated);
    expect(readFileSync(committedPath, 'utf8')).toBe(generated);
  });
});
