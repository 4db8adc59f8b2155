import { createRequire } from 'node:module';
import { LOAD_SHEDDER, type LoadShedder } from '@ticketing/platform';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CatalogConsumer } from '../src/messaging/catalog.consumer';
import { eventFixture, user, type EventFixture } from './support/fixtures';
import { firstError, gql } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// Fast, honest refusals: a ticket service with no free slot answers TRY_AGAIN (with a retry hint) within
// milliseconds instead of letting the request wait behind the slow one until the caller gives up.

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;
let fx: EventFixture;
const buyer = user('ATTENDEE', 'Busy Buyer');
let token: string;

const RESERVE = `mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id status } }`;
const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { id status } }`;
const MINE = `{ myReservations { id status } }`;
const LIGHT = { 'x-shed-lane': 'light' };

beforeAll(async () => {
  ctx = createTestContext('ticket-overload');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startTicket(ctx, issuer, {
    // One operation at a time, one may wait 30 ms: a fixed limit (min = max) so the test is exact.
    OVERLOAD_MAX_INFLIGHT: '1',
    OVERLOAD_MIN_INFLIGHT: '1',
    OVERLOAD_INITIAL_INFLIGHT: '1',
    OVERLOAD_QUEUE_SIZE: '1',
    OVERLOAD_QUEUE_TIMEOUT_MS: '30',
    PAYMENT_TIMEOUT_MS: '5000',
    RECOVERY_AFTER_MS: '20000',
  });
  fx = eventFixture({ gaQuantity: 10 });
  await svc.get(CatalogConsumer).apply(fx.published);
  token = await issuer.sign(buyer);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('load shedding at the ticket subgraph', () => {
  it('refuses what cannot start soon with TRY_AGAIN in under 100 ms, and serves again once free', async () => {
    const held = await gql(svc.url, RESERVE, { input: { ticketTypeId: fx.gaTypeId, quantity: 1 } }, token);
    expect(held.errors).toBeUndefined();
    const reservationId = held.data.reserveTickets.id as string;

    // tok_slow: the provider answers after 1.5 s, so this checkout holds the only slot that long.
    const slow = gql(
      svc.url,
      CHECKOUT,
      { input: { reservationId, paymentToken: 'tok_slow', idempotencyKey: 'slow-one' } },
      token,
    );
    // Wait until the slow checkout holds the slot (on a loaded machine it may take a moment to arrive).
    const shedder = svc.get<LoadShedder>(LOAD_SHEDDER);
    await vi.waitFor(() => expect(shedder.stats().inFlight).toBe(1), { timeout: 5_000, interval: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Five refusals one after another (the first pays for a new connection and a cold code path).
    const timings: number[] = [];
    let refused = await gql(svc.url, MINE, {}, token);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      refused = await gql(svc.url, MINE, {}, token);
      timings.push(performance.now() - started);
      expect(refused.status).toBe(503);
    }
    const elapsed = timings.sort((a, b) => a - b)[2]!;
    expect(refused.status).toBe(503);
    expect(firstError(refused)?.code).toBe('TRY_AGAIN');
    const retryAfterMs = (refused.errors?.[0]?.extensions as { retryAfterMs?: number }).retryAfterMs;
    expect(retryAfterMs).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(100);

    // Health is never shed.
    const health = await fetch(`${svc.url}/healthz`);
    expect(health.status).toBe(200);

    // The waiting room's front door has a lane of its own: with the only purchase slot taken, a join or a
    // status read in the light lane is served; the same join without the header is refused.
    const JOIN = `mutation($e: ID!) { joinWaitingRoom(eventId: $e) { state } }`;
    const STATUS = `query($e: ID!) { waitingRoomStatus(eventId: $e) { state } }`;
    for (const query of [JOIN, STATUS]) {
      const served = await gql(svc.url, query, { e: fx.eventId }, token, LIGHT);
      expect(served.errors, query).toBeUndefined();
      expect(served.status).toBe(200);
    }
    expect(firstError(await gql(svc.url, JOIN, { e: fx.eventId }, token))?.code).toBe('TRY_AGAIN');
    // The lane serves only those: anything else asking for it is refused before it runs, nothing held.
    const smuggled = await gql(
      svc.url,
      RESERVE,
      { input: { ticketTypeId: fx.gaTypeId, quantity: 1 } },
      token,
      LIGHT,
    );
    expect(firstError(smuggled)?.code).toBe('BAD_REQUEST');
    const mixed = await gql(
      svc.url,
      `query($e: ID!) { waitingRoomStatus(eventId: $e) { state } myReservations { id } }`,
      { e: fx.eventId },
      token,
      LIGHT,
    );
    expect(firstError(mixed)?.code).toBe('BAD_REQUEST');
    expect(shedder.stats().inFlight).toBe(1);

    const paid = await slow;
    expect(paid.errors).toBeUndefined();
    expect(paid.data.checkout.status).toBe('CONFIRMED');

    // The slot is free again: the same query is served.
    const served = await gql(svc.url, MINE, {}, token);
    expect(served.status).toBe(200);
    expect(served.errors).toBeUndefined();
    expect(served.data.myReservations[0].status).toBe('CONVERTED');
  });
});
