import { createRequire } from 'node:module';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  recordQueries,
  unindexedQueries,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CatalogConsumer } from '../src/messaging/catalog.consumer';
import { SweeperService } from '../src/messaging/sweeper.service';
import { ORDER, type OrderDoc } from '../src/orders/schemas/order.schema';
import { ReservationsService } from '../src/reservations/reservations.service';
import { RESERVATION, type ReservationDoc } from '../src/reservations/schemas/reservation.schema';
import { TICKET, type TicketDoc } from '../src/tickets/schemas/ticket.schema';
import { TRANSFER } from '../src/transfers/schemas/transfer.schema';
import { eventFixture, user } from './support/fixtures';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// "Nothing costs at rest": what the ticket service does in the background (sweeper, outbox relays) must
// find its work through indexes, however many finished reservations, orders and tickets are stored.

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;

beforeAll(async () => {
  ctx = createTestContext('ticket-background');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startTicket(ctx, issuer, { HOLD_TTL_SECONDS: '60' });
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('background work on a collection that grew with the business', () => {
  it('reads only what is due, through indexes', { timeout: 180_000 }, async () => {
    const model = <T>(name: string) => svc.model<T>(name);
    const reservations = model<ReservationDoc>(RESERVATION);
    const orders = model<OrderDoc>(ORDER);
    const tickets = model<TicketDoc>(TICKET);
    const now = new Date();
    const money = { amount: 1000, currency: 'EUR' };
    // 2,000 finished purchases, in the service's own shapes.
    await reservations.insertMany(
      Array.from({ length: 2000 }, (_, i) => ({
        _id: `r-${i}`,
        status: 'CONVERTED',
        eventId: 'e',
        ticketTypeId: 't',
        kind: 'GENERAL_ADMISSION',
        buyerId: `b-${i}`,
        quantity: 1,
        seatIds: [],
        unitPrice: money,
        expiresAt: now,
        orderId: `o-${i}`,
        stockReturned: null,
        endedAt: null,
        version: 2,
      })),
    );
    await orders.insertMany(
      Array.from({ length: 2000 }, (_, i) => ({
        _id: `o-${i}`,
        reservationId: `r-${i}`,
        eventId: 'e',
        buyerId: `b-${i}`,
        buyerName: 'B',
        status: 'CONFIRMED',
        lines: [{ ticketTypeId: 't', ticketTypeName: 'T', quantity: 1, seatIds: [], unitPrice: money }],
        total: money,
        ticketIds: [`k-${i}`],
        confirmedAt: now,
      })),
    );
    await tickets.insertMany(
      Array.from({ length: 2000 }, (_, i) => ({
        _id: `k-${i}`,
        orderId: `o-${i}`,
        eventId: 'e',
        ticketTypeId: 't',
        ticketTypeName: 'T',
        seatKey: `k-${i}`,
        holderId: `b-${i}`,
        holderName: 'B',
        generation: 1,
        status: 'VALID',
        aggregateVersion: 1,
        issuedAt: now,
      })),
    );

    // Live work among them: a hold that is due to expire.
    const fx = eventFixture({ gaQuantity: 10 });
    await svc.get(CatalogConsumer).apply(fx.published);
    const buyer = user();
    const hold = await svc
      .get(ReservationsService)
      .reserve({ ...buyer, role: 'ATTENDEE' } as never, { ticketTypeId: fx.gaTypeId, quantity: 2 });

    const connection = svc.get<Connection>(getConnectionToken());
    const recording = recordQueries(connection);
    try {
      // Past the hold's expiry and the recovery window: the sweep has real work and looks for all of it.
      const later = new Date(Date.now() + 120_000);
      const swept = await svc.get(SweeperService).sweepOnce(later);
      expect(swept.expired).toBe(1);
      // The relays publish what the sweep queued (reservation.expired) and poll the other collections.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      recording.stop();
    }
    const expired = await reservations.findById(hold._id).lean<ReservationDoc>();
    expect(expired).toMatchObject({ status: 'EXPIRED', stockReturned: true });

    const background = recording.queries.filter((q) =>
      ['reservations', 'orders', 'tickets', 'transfers'].includes(q.collection),
    );
    expect(background.length).toBeGreaterThan(3);
    const problems = await unindexedQueries(connection, background, [
      reservations as never,
      orders as never,
      tickets as never,
      model(TRANSFER) as never,
    ]);
    expect(problems).toEqual([]);
  });
});
