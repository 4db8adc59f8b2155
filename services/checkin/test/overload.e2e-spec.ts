import { createRequire } from 'node:module';
import { LOAD_SHEDDER, type Admission, type LoadShedder } from '@ticketing/platform';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCheckin, type RunningCheckin } from './support/checkin-app';
import { TicketKeyServer, user } from './support/fixtures';
import { gql } from './support/graphql-client';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// Check-in sheds load like ticket and the gateway: when every slot is taken, a scan is refused with the
// retryable TRY_AGAIN (and its hint) instead of waiting behind the others; health is never shed.

let ctx: TestContext;
let issuer: TestIssuer;
let keyServer: TicketKeyServer;
let svc: RunningCheckin;
let token: string;

const SCAN = `mutation($input: ScanTicketInput!) { scanTicket(input: $input) { result reason } }`;
const input = {
  eventId: 'evt-overload',
  code: 'T1.not-a-token',
  gateId: 'north',
  deviceId: 'device-1',
  nonce: 'nonce-overload-1',
};

beforeAll(async () => {
  ctx = createTestContext('checkin-overload');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  keyServer = new TicketKeyServer();
  await keyServer.start();
  svc = await startCheckin(ctx, issuer, keyServer.ticketUrl, {
    // A fixed limit of one slot and no queue, so the test is exact.
    OVERLOAD_MAX_INFLIGHT: '1',
    OVERLOAD_MIN_INFLIGHT: '1',
    OVERLOAD_INITIAL_INFLIGHT: '1',
    OVERLOAD_QUEUE_SIZE: '0',
  });
  token = await issuer.sign(user('STAFF', 'Busy Gate'));
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await keyServer?.stop();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('load shedding at the check-in subgraph', () => {
  it('refuses a scan with TRY_AGAIN while every slot is taken, keeps health answering, and serves again once free', async () => {
    const shedder = svc.get<LoadShedder>(LOAD_SHEDDER);
    expect(shedder, 'check-in mounts the platform load shedder').toBeTruthy();
    const slot = shedder.acquire() as Admission;
    expect(slot.admitted).toBe(true);
    try {
      const refused = await gql(svc.url, SCAN, { input }, token);
      expect(refused.status).toBe(503);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'TRY_AGAIN' });
      expect((refused.errors?.[0]?.extensions as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
      const health = await fetch(`${svc.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      slot.release();
    }
    // Free again: the same scan is answered (an unknown event for this staff member: a definite refusal).
    const answered = await gql(svc.url, SCAN, { input }, token);
    expect(answered.status).not.toBe(503);
    expect(answered.errors?.[0]?.extensions?.code ?? answered.data?.scanTicket?.result).not.toBe('TRY_AGAIN');
  });
});
