import { createRequire } from 'node:module';
import { newEnvelope } from '@ticketing/contracts';
import type { AuthUser } from '@ticketing/platform';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { INVENTORY, type InventoryDoc } from '../src/inventory/schemas/inventory.schema';
import { InventoryService } from '../src/inventory/inventory.service';
import { CatalogConsumer, LATE_HOLD_PASS_MS } from '../src/messaging/catalog.consumer';
import { SweeperService } from '../src/messaging/sweeper.service';
import { CheckoutService } from '../src/orders/checkout.service';
import { orderIdFor } from '../src/orders/orders.service';
import { SLOW_CHARGE_MS } from '../src/orders/payment/test-payment.provider';
import {
  IDEMPOTENCY_RECORD,
  type IdempotencyRecordDoc,
} from '../src/orders/schemas/idempotency-record.schema';
import { ORDER, type OrderDoc } from '../src/orders/schemas/order.schema';
import { TEST_CHARGE, type TestChargeDoc } from '../src/orders/schemas/test-charge.schema';
import { ReservationsService } from '../src/reservations/reservations.service';
import { RESERVATION, type ReservationDoc } from '../src/reservations/schemas/reservation.schema';
import { TICKET, type TicketDoc } from '../src/tickets/schemas/ticket.schema';
import { ticketIdsOf } from '../src/tickets/tickets.service';
import { TRANSFER, type TransferDoc } from '../src/transfers/schemas/transfer.schema';
import { cancelledEnvelope, eventFixture, user, type EventFixture, asUser } from './support/fixtures';
import { firstError, gql } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// Lifecycle rules around a sale, driven through the service layer and GraphQL of one in-process app.
// Envelopes from other services are applied with CatalogConsumer.apply (the Kafka path itself is covered by
// purchase-flow), so nothing here waits for a consumer group.

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;
const PAYMENT_TIMEOUT_MS = 300;

const model = <T>(name: string) => svc.model<T>(name);
const inventoryOf = async (ticketTypeId: string) =>
  (await model<InventoryDoc>(INVENTORY).findById(ticketTypeId).lean<InventoryDoc>().exec())!;
const reservationOf = async (id: string) =>
  (await model<ReservationDoc>(RESERVATION).findById(id).lean<ReservationDoc>().exec())!;

beforeAll(async () => {
  ctx = createTestContext('ticket-lifecycle');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startTicket(ctx, issuer, { PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS) });
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

async function publish(options: Parameters<typeof eventFixture>[0] = {}): Promise<EventFixture> {
  const fx = eventFixture(options);
  await svc.get(CatalogConsumer).apply(fx.published);
  return fx;
}

async function buy(
  buyer: AuthUser,
  ticketTypeId: string,
  quantity: number,
  key = `k-${buyer.id}-${ticketTypeId}`,
) {
  const reservation = await svc.get(ReservationsService).reserve(buyer, { ticketTypeId, quantity });
  return svc
    .get(CheckoutService)
    .checkout(buyer, { reservationId: reservation._id, paymentToken: 'tok_success', idempotencyKey: key });
}

describe('event.cancelled', () => {
  it('a hold whose request passed its checks before the cancellation landed is released by the late pass', async () => {
    const organizer = user('ORGANIZER');
    const fx = await publish({ organizerId: organizer.id, gaQuantity: 20 });
    const buyer = asUser(user());
    const inventory = svc.get(InventoryService);
    // The request stops right after its PENDING write (event checked, not yet HELD) until the cancellation
    // has been applied and its first release pass has run.
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const claim = inventory.claimBuyerLimit.bind(inventory);
    vi.spyOn(inventory, 'claimBuyerLimit').mockImplementationOnce(async (...args) => {
      await paused;
      return claim(...args);
    });
    const pending = svc.get(ReservationsService).reserve(buyer, { ticketTypeId: fx.gaTypeId, quantity: 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await svc.get(CatalogConsumer).apply(cancelledEnvelope(fx));
    resume();
    const late = await pending;
    expect(late.status).toBe('HELD');
    // Not left HELD on a cancelled event until it expires: the late pass gives it back.
    const started = Date.now();
    while (!(await reservationOf(late._id)).stockReturned && Date.now() - started < LATE_HOLD_PASS_MS + 3_000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await reservationOf(late._id)).toMatchObject({ status: 'RELEASED', stockReturned: true });
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ held: 0, sold: 0, available: 20 });
  });

  it('releases the live holds and revokes every ticket, which the revocation list then carries', async () => {
    const organizer = user('ORGANIZER');
    const fx = await publish({ organizerId: organizer.id, gaQuantity: 20, seats: 4 });
    const holder = asUser(user());
    const buyer = asUser(user());
    const hold = await svc
      .get(ReservationsService)
      .reserve(holder, { ticketTypeId: fx.gaTypeId, quantity: 2 });
    const seatHold = await svc
      .get(ReservationsService)
      .reserve(holder, { ticketTypeId: fx.seatTypeId, seatIds: [fx.seatIds[0]!] });
    const order = await buy(buyer, fx.gaTypeId, 3);

    const cancelled = cancelledEnvelope(fx);
    await svc.get(CatalogConsumer).apply(cancelled);
    // A redelivery changes nothing more.
    await svc.get(CatalogConsumer).apply(cancelled);

    expect(await reservationOf(hold._id)).toMatchObject({ status: 'RELEASED', stockReturned: true });
    expect(await reservationOf(seatHold._id)).toMatchObject({ status: 'RELEASED', stockReturned: true });
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ held: 0, sold: 3, available: 17 });
    const tickets = await model<TicketDoc>(TICKET).find({ orderId: order._id }).lean<TicketDoc[]>().exec();
    expect(tickets).toHaveLength(3);
    for (const ticket of tickets) {
      expect(ticket.status).toBe('REVOKED');
      expect(ticket.revokedGenerations).toEqual([
        expect.objectContaining({ generation: 1, reason: 'EVENT_CANCELLED' }),
      ]);
    }

    const token = await issuer.sign(organizer);
    const list = await gql(
      svc.url,
      `query($e: ID!) { ticketRevocations(eventId: $e) { ticketId generation reason } }`,
      { e: fx.eventId },
      token,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data.ticketRevocations).toHaveLength(3);
    for (const ticket of tickets) {
      expect(list.data.ticketRevocations).toContainEqual({
        ticketId: ticket._id,
        generation: 1,
        reason: 'EVENT_CANCELLED',
      });
    }
    // The organizer's sales view says what was given back: sold stays what was sold, refunds beside it.
    const refundedOrder = await model<OrderDoc>(ORDER).findById(order._id).lean<OrderDoc>().exec();
    expect(refundedOrder?.status).toBe('REFUNDED');
    const summary = await gql(
      svc.url,
      `query($e: ID!) { salesSummary(eventId: $e) { cancelled ticketTypes { ticketTypeId sold refunded
        revenue { amount } refundedRevenue { amount currency } } } }`,
      { e: fx.eventId },
      token,
    );
    expect(summary.errors).toBeUndefined();
    expect(summary.data.salesSummary.cancelled).toBe(true);
    const ga = summary.data.salesSummary.ticketTypes.find(
      (t: { ticketTypeId: string }) => t.ticketTypeId === fx.gaTypeId,
    );
    expect(ga).toMatchObject({
      sold: 3,
      refunded: 3,
      revenue: { amount: order.total.amount },
      refundedRevenue: { amount: order.total.amount, currency: order.total.currency },
    });
    await expect(
      svc.get(ReservationsService).reserve(holder, { ticketTypeId: fx.gaTypeId, quantity: 1 }),
    ).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
  });
});

describe('transfers', () => {
  const OFFER = `mutation($t: ID!, $e: String!) { offerTransfer(ticketId: $t, toEmail: $e) { id status } }`;
  const DECLINE = `mutation($id: ID!) { declineTransfer(transferId: $id) { id status } }`;
  const CANCEL = `mutation($id: ID!) { cancelTransfer(transferId: $id) { id status } }`;
  const ACCEPT = `mutation($id: ID!) { acceptTransfer(transferId: $id) { id status } }`;

  it('a declined or cancelled offer leaves the ticket with its holder, and only the right party may do either', async () => {
    const fx = await publish();
    const holder = user();
    const recipient = user();
    const stranger = user();
    const [holderToken, recipientToken, strangerToken] = await Promise.all(
      [holder, recipient, stranger].map((u) => issuer.sign(u)),
    );
    const order = await buy(asUser(holder), fx.gaTypeId, 1);
    const ticketId = order.ticketIds[0]!;
    const ticketBefore = (await model<TicketDoc>(TICKET).findById(ticketId).lean<TicketDoc>().exec())!;

    const first = await gql(svc.url, OFFER, { t: ticketId, e: recipient.email }, holderToken);
    expect(first.errors).toBeUndefined();
    const firstId = first.data.offerTransfer.id;
    // Neither the holder nor a stranger can decline; a stranger cannot cancel.
    expect(firstError(await gql(svc.url, DECLINE, { id: firstId }, holderToken))?.code).toBe('NOT_FOUND');
    expect(firstError(await gql(svc.url, DECLINE, { id: firstId }, strangerToken))?.code).toBe('NOT_FOUND');
    expect(firstError(await gql(svc.url, CANCEL, { id: firstId }, strangerToken))?.code).toBe('NOT_FOUND');
    const declined = await gql(svc.url, DECLINE, { id: firstId }, recipientToken);
    expect(declined.data.declineTransfer).toEqual({ id: firstId, status: 'DECLINED' });
    expect(firstError(await gql(svc.url, ACCEPT, { id: firstId }, recipientToken))).toMatchObject({
      code: 'CONFLICT',
      field: 'transferId',
    });
    expect(firstError(await gql(svc.url, DECLINE, { id: firstId }, recipientToken))).toMatchObject({
      code: 'CONFLICT',
      field: 'transferId',
    });

    // The ticket is free for a new offer, which its holder then withdraws.
    const second = await gql(svc.url, OFFER, { t: ticketId, e: recipient.email }, holderToken);
    expect(second.errors).toBeUndefined();
    const secondId = second.data.offerTransfer.id;
    expect(firstError(await gql(svc.url, CANCEL, { id: secondId }, recipientToken))?.code).toBe('NOT_FOUND');
    const cancelled = await gql(svc.url, CANCEL, { id: secondId }, holderToken);
    expect(cancelled.data.cancelTransfer).toEqual({ id: secondId, status: 'CANCELLED' });
    expect(firstError(await gql(svc.url, ACCEPT, { id: secondId }, recipientToken))).toMatchObject({
      code: 'CONFLICT',
      field: 'transferId',
    });

    const ticketAfter = (await model<TicketDoc>(TICKET).findById(ticketId).lean<TicketDoc>().exec())!;
    expect(ticketAfter).toMatchObject({
      holderId: holder.id,
      // Same generation: the same derived display-code secret.
      generation: ticketBefore.generation,
      pendingTransferId: null,
      status: 'VALID',
      revokedGenerations: [],
    });
    const transfers = await model<TransferDoc>(TRANSFER)
      .find({ ticketId })
      .sort({ createdAt: 1 })
      .lean<TransferDoc[]>()
      .exec();
    expect(transfers.map((t) => t.status)).toEqual(['DECLINED', 'CANCELLED']);
    const recipientView = await gql(svc.url, '{ myTickets { id } }', {}, recipientToken);
    expect(recipientView.data.myTickets).toEqual([]);
  });
});

describe('price.changed', () => {
  const priceChanged = (fx: EventFixture, amount: number, priceVersion: number, previous: number | null) =>
    newEnvelope(
      'price.changed',
      fx.eventId,
      {
        ticketTypeId: fx.gaTypeId,
        eventId: fx.eventId,
        price: { amount, currency: 'EUR' },
        previous: previous === null ? null : { amount: previous, currency: 'EUR' },
        reason: 'DEMAND',
        effectiveAt: new Date(Date.now() - 1000).toISOString(),
        priceVersion,
      },
      { source: 'pricing' },
    );

  it('quotes new holds at the new price, keeps existing holds at theirs, and ignores a stale priceVersion', async () => {
    const fx = await publish({ basePrice: 4500 });
    const early = asUser(user());
    const late = asUser(user());
    const reservations = svc.get(ReservationsService);
    const before = await reservations.reserve(early, { ticketTypeId: fx.gaTypeId, quantity: 2 });
    expect(before.unitPrice).toEqual({ amount: 4500, currency: 'EUR' });

    await svc.get(CatalogConsumer).apply(priceChanged(fx, 6000, 2, 4500));
    const after = await reservations.reserve(late, { ticketTypeId: fx.gaTypeId, quantity: 1 });
    expect(after.unitPrice).toEqual({ amount: 6000, currency: 'EUR' });

    // Arriving late, version 1 is older than what the replica holds: no effect.
    await svc.get(CatalogConsumer).apply(priceChanged(fx, 3000, 1, null));
    const again = await reservations.reserve(asUser(user()), { ticketTypeId: fx.gaTypeId, quantity: 1 });
    expect(again.unitPrice).toEqual({ amount: 6000, currency: 'EUR' });

    // The early hold is paid at the quote it was given.
    const paid = await svc.get(CheckoutService).checkout(early, {
      reservationId: before._id,
      paymentToken: 'tok_success',
      idempotencyKey: 'price-early',
    });
    expect(paid.total).toEqual({ amount: 9000, currency: 'EUR' });
    expect(paid.lines[0]!.unitPrice).toEqual({ amount: 4500, currency: 'EUR' });
    expect((await reservationOf(before._id)).unitPrice).toEqual({ amount: 4500, currency: 'EUR' });
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ revenue: 9000 });
  });
});

describe('capacity from ticket-type.upserted', () => {
  it('moves capacity but never below sold + held, and ignores a stale snapshot', async () => {
    const fx = await publish({ gaQuantity: 10, perOrderMax: 4, perBuyerMax: 10 });
    const upsert = (quantity: number, aggregateVersion: number) =>
      newEnvelope(
        'ticket-type.upserted',
        fx.eventId,
        { ...fx.gaType, quantity, aggregateVersion },
        { source: 'event' },
      );
    const buyer = asUser(user());
    await svc.get(ReservationsService).reserve(buyer, { ticketTypeId: fx.gaTypeId, quantity: 3 });
    await buy(asUser(user()), fx.gaTypeId, 2);
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ capacity: 10, held: 3, sold: 2, available: 5 });

    await svc.get(CatalogConsumer).apply(upsert(2, 2));
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({
      capacity: 5,
      requestedCapacity: 2,
      held: 3,
      sold: 2,
      available: 0,
    });
    await expect(
      svc.get(ReservationsService).reserve(asUser(user()), { ticketTypeId: fx.gaTypeId, quantity: 1 }),
    ).rejects.toMatchObject({
      extensions: { code: 'SOLD_OUT' },
    });

    await svc.get(CatalogConsumer).apply(upsert(20, 3));
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({
      capacity: 20,
      requestedCapacity: 20,
      held: 3,
      sold: 2,
      available: 15,
    });
    // Version 2 again (redelivered late): the replica holds version 3, the inventory stays.
    await svc.get(CatalogConsumer).apply(upsert(1, 2));
    const inventory = await inventoryOf(fx.gaTypeId);
    expect(inventory).toMatchObject({ capacity: 20, available: 15 });
    expect(inventory.available + inventory.held + inventory.sold).toBe(inventory.capacity);
  });
});

describe('order recovery', () => {
  it('finishes an order a crash left in PAYMENT_CAPTURED: exactly its tickets, stock sold once', async () => {
    const fx = await publish({ gaQuantity: 10 });
    const buyer = asUser(user());
    const reservations = svc.get(ReservationsService);
    const reservation = await reservations.reserve(buyer, { ticketTypeId: fx.gaTypeId, quantity: 2 });
    // The state the checkout leaves when the process dies right after recording the capture.
    expect(await reservations.beginPayment(reservation._id, buyer.id, new Date())).toMatchObject({
      status: 'PAYING',
    });
    const orderId = orderIdFor(reservation._id);
    const now = new Date();
    await model<TestChargeDoc>(TEST_CHARGE).create({
      _id: `${orderId}:1`,
      chargeId: 'ch_crash',
      amount: 9000,
      currency: 'EUR',
      status: 'CAPTURED',
      createdAt: now,
    });
    await model<OrderDoc>(ORDER).create({
      _id: orderId,
      reservationId: reservation._id,
      eventId: fx.eventId,
      buyerId: buyer.id,
      buyerName: 'Test Buyer',
      status: 'PAYMENT_CAPTURED',
      lines: [
        {
          ticketTypeId: fx.gaTypeId,
          ticketTypeName: 'Standing',
          quantity: 2,
          seatIds: [],
          unitPrice: { amount: 4500, currency: 'EUR' },
        },
      ],
      total: { amount: 9000, currency: 'EUR' },
      ticketIds: ticketIdsOf(orderId, 2),
      attempt: 1,
      chargeId: 'ch_crash',
      confirmedAt: null,
      version: 1,
      outbox: [],
      outboxLeaseUntil: null,
    });

    // Two replicas' sweepers at once.
    const sweeper = svc.get(SweeperService);
    await Promise.all([sweeper.sweepOnce(), sweeper.sweepOnce()]);

    const order = (await model<OrderDoc>(ORDER).findById(orderId).lean<OrderDoc>().exec())!;
    expect(order.status).toBe('CONFIRMED');
    const tickets = await model<TicketDoc>(TICKET).find({ orderId }).lean<TicketDoc[]>().exec();
    expect(tickets.map((t) => t._id).sort()).toEqual([...order.ticketIds].sort());
    expect(tickets).toHaveLength(2);
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ sold: 2, held: 0, available: 8, revenue: 9000 });
    expect(await reservationOf(reservation._id)).toMatchObject({ status: 'CONVERTED', orderId });
    // Paying that reservation again is refused: one charge only.
    await expect(
      svc.get(CheckoutService).checkout(buyer, {
        reservationId: reservation._id,
        paymentToken: 'tok_success',
        idempotencyKey: 'after-crash',
      }),
    ).rejects.toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.reservationId' } });
    expect(
      await model<TestChargeDoc>(TEST_CHARGE)
        .countDocuments({ _id: { $regex: `^${orderId}:` } })
        .exec(),
    ).toBe(1);
  });

  it('a provider call that times out keeps the hold (never released in flight) until recovery settles it', async () => {
    const fx = await publish({ gaQuantity: 10 });
    const buyer = asUser(user());
    const reservations = svc.get(ReservationsService);
    const reservation = await reservations.reserve(buyer, { ticketTypeId: fx.gaTypeId, quantity: 1 });
    const started = Date.now();
    const slow = { reservationId: reservation._id, paymentToken: 'tok_slow', idempotencyKey: 'slow-1' };
    await expect(svc.get(CheckoutService).checkout(buyer, slow)).rejects.toMatchObject({
      extensions: { code: 'PAYMENT_PROVIDER_ERROR', paymentPending: true, retryAfterMs: 2_000 },
    });
    expect(Date.now() - started).toBeLessThan(SLOW_CHARGE_MS);
    // Retrying with the same key while the outcome is unknown: told to retry (never a payment of its own,
    // never CONFLICT), both within the key's lease and after it ran out (the retry takes the key over).
    await expect(svc.get(CheckoutService).checkout(buyer, slow)).rejects.toMatchObject({
      extensions: { code: 'TRY_AGAIN', field: 'input.idempotencyKey' },
    });
    const keys = model<IdempotencyRecordDoc>(IDEMPOTENCY_RECORD);
    const leaseOver = () =>
      keys
        .updateOne({ _id: `${buyer.id}:slow-1` }, { $set: { leaseUntil: new Date(Date.now() - 1) } })
        .exec();
    await leaseOver();
    await expect(svc.get(CheckoutService).checkout(buyer, slow)).rejects.toMatchObject({
      extensions: { code: 'TRY_AGAIN', field: 'input.idempotencyKey' },
    });

    // Past the hold's expiry but inside the recovery window: nothing may give the stock back.
    const sweeper = svc.get(SweeperService);
    const pastExpiry = new Date(Date.now() + 3600_000);
    await reservations.sweep(pastExpiry);
    expect(await reservationOf(reservation._id)).toMatchObject({ status: 'PAYING' });
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ held: 1, available: 9 });

    // The slow charge lands; once the recovery window has passed, recovery completes the order from it.
    await vi.waitFor(
      async () =>
        expect(
          await model<TestChargeDoc>(TEST_CHARGE)
            .countDocuments({
              status: 'CAPTURED',
              amount: 4500,
              _id: { $regex: `^${orderIdFor(reservation._id)}:` },
            })
            .exec(),
        ).toBe(1),
      {
        timeout: SLOW_CHARGE_MS * 4,
        interval: 100,
      },
    );
    await sweeper.sweepOnce(new Date(Date.now() + svc.config.RECOVERY_AFTER_MS + 1000));
    expect(await reservationOf(reservation._id)).toMatchObject({ status: 'CONVERTED' });
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ held: 0, sold: 1, available: 9 });
    expect(
      await model<TicketDoc>(TICKET)
        .countDocuments({ orderId: orderIdFor(reservation._id) })
        .exec(),
    ).toBe(1);
    // The lost answer is recovered with the same key, within its lease and after it ran out again.
    const recovered = await svc.get(CheckoutService).checkout(buyer, slow);
    expect(recovered).toMatchObject({ _id: orderIdFor(reservation._id), status: 'CONFIRMED' });
    await leaseOver();
    expect(await svc.get(CheckoutService).checkout(buyer, slow)).toMatchObject({
      _id: orderIdFor(reservation._id),
      status: 'CONFIRMED',
    });
    // Another key for the paid hold is still refused: one charge only, and only its own key replays it.
    await expect(
      svc.get(CheckoutService).checkout(buyer, { ...slow, idempotencyKey: 'slow-2' }),
    ).rejects.toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.reservationId' } });
    expect(
      await model<TestChargeDoc>(TEST_CHARGE)
        .countDocuments({ _id: { $regex: `^${orderIdFor(reservation._id)}:` } })
        .exec(),
    ).toBe(1);
  });
});

describe('salesUpdated subscription', () => {
  it('delivers the summary at once and an update within a second of a sale', async () => {
    const organizer = user('ORGANIZER');
    const fx = await publish({ organizerId: organizer.id, gaQuantity: 30 });
    const token = await issuer.sign(organizer);
    const client = createClient({
      url: svc.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const seen: Array<{ at: number; sold: number }> = [];
    const iterator = client.iterate<{
      salesUpdated: { ticketTypes: Array<{ ticketTypeId: string; sold: number }> };
    }>({
      query: `subscription($e: ID!) { salesUpdated(eventId: $e) { ticketTypes { ticketTypeId sold held remaining } } }`,
      variables: { e: fx.eventId },
    });
    const reading = (async () => {
      for await (const result of iterator) {
        expect(result.errors).toBeUndefined();
        const ga = result.data!.salesUpdated.ticketTypes.find((t) => t.ticketTypeId === fx.gaTypeId)!;
        seen.push({ at: Date.now(), sold: ga.sold });
        if (ga.sold === 2) break;
      }
    })();
    try {
      await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0), { timeout: 5000, interval: 20 });
      expect(seen[0]!.sold).toBe(0);
      const buyer = asUser(user());
      const reservation = await svc
        .get(ReservationsService)
        .reserve(buyer, { ticketTypeId: fx.gaTypeId, quantity: 2 });
      await svc.get(CheckoutService).checkout(buyer, {
        reservationId: reservation._id,
        paymentToken: 'tok_success',
        idempotencyKey: 'sub-sale',
      });
      const soldAt = Date.now();
      await vi.waitFor(() => expect(seen.at(-1)!.sold).toBe(2), { timeout: 5000, interval: 10 });
      expect(seen.at(-1)!.at - soldAt).toBeLessThan(1000);
      await reading;
    } finally {
      await iterator.return?.();
      await client.dispose();
    }
  });

  it('refuses a subscriber who is not the organizer', async () => {
    const fx = await publish();
    const token = await issuer.sign(user());
    const client = createClient({
      url: svc.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    try {
      const codes: unknown[] = [];
      try {
        for await (const result of client.iterate({
          query: `subscription($e: ID!) { salesUpdated(eventId: $e) { eventId } }`,
          variables: { e: fx.eventId },
        })) {
          codes.push(result.errors?.[0]?.extensions?.code);
          break;
        }
      } catch (errors) {
        codes.push((errors as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code);
      }
      expect(codes).toEqual(['FORBIDDEN']);
    } finally {
      await client.dispose();
    }
  });
});
