import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
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
import { CHECKIN_SCHEMA_FILE } from '../src/app.module';
import { gql } from './support/graphql-client';
import { startCheckin, type RunningCheckin } from './support/checkin-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// The gateway composes the supergraph from the committed SDL; this fails when the code generates another.
// Refresh: UPDATE_SCHEMA=1 npx vitest run services/checkin/test/schema.e2e-spec.ts
const committedPath = resolve(__dirname, '../../..', CHECKIN_SCHEMA_FILE);
let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningCheckin | undefined;

beforeAll(async () => {
  ctx = createTestContext('checkin-schema');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startCheckin(ctx, issuer, 'http://127.0.0.1:9/graphql');
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
    expect(generated).toMatch(/scanTicket\(input: ScanTicketInput!\): ScanOutcome!/);
    expect(generated).toMatch(/attendanceUpdated\(eventId: ID!\): Attendance!/);
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(committedPath, generated);
    expect(readFileSync(committedPath, 'utf8')).toBe(generated);
  });
});
