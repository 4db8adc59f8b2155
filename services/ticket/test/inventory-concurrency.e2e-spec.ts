import { createRequire } from 'node:module';
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  startRedisServer,
  type TestContext,
  type TestIssuer,
  type ThrowawayRedis,
} from '@ticketing/platform/testing';
import Redis from 'ioredis';
import type { Connection, Model } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AvailabilityGate, type GateDecision } from '../src/inventory/availability-gate.service';
import { INVENTORY, type InventoryDoc } from '../src/inventory/schemas/inventory.schema';
import { SEAT, type SeatDoc } from '../src/inventory/schemas/seat.schema';
import { CatalogConsumer } from '../src/messaging/catalog.consumer';
import { CheckoutService } from '../src/orders/checkout.service';
import { ORDER, type OrderDoc } from '../src/orders/schemas/order.schema';
import { TEST_CHARGE, type TestChargeDoc } from '../src/orders/schemas/test-charge.schema';
import { ReservationsService } from '../src/reservations/reservations.service';
import { RESERVATION, type ReservationDoc } from '../src/reservations/schemas/reservation.schema';
import { TICKET, type TicketDoc } from '../src/tickets/schemas/ticket.schema';
import { eventFixture, user, asUser } from './support/fixtures';
import { firstError, gql } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// The 1,000-buyer runs call the service layer directly (ReservationsService.reserve + CheckoutService
// .checkout, all started at once in this process); the 10-way idempotency race goes through GraphQL.
// Redis is a private redis-server (startRedisServer) so FLUSHALL in the middle of a run touches nobody else.

let ctx: TestContext;
let issuer: TestIssuer;
let redis: ThrowawayRedis;
let svc: RunningTicket;

beforeAll(async () => {
  ctx = createTestContext('ticket-concurrency');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  redis = await startRedisServer();
  svc = await startTicket(ctx, issuer, { REDIS_URL: redis.url, MONGO_POOL_SIZE: '40' });
}, 60_000);

// Each run starts from empty collections: on the local MongoDB-compatible server an update costs time in
// proportion to its collection's size, so leftovers of earlier runs would only make later ones slower.
beforeEach(async () => {
  const db = svc.get<Connection>(getConnectionToken());
  const collections = await db.db!.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(
    collections
      .filter((c) => !['ticket_signing_keys', 'processed_messages'].includes(c.name))
      .map((c) => db.db!.collection(c.name).deleteMany({})),
  );
});

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  await redis?.stop();
  if (ctx) await dropTestContext(ctx, { redis: false });
});

interface SaleOutcome {
  sold: number;
  refusals: Record<string, number>;
}

/** Buyers arrive in waves (an open model squeezed into a fifth of a second), not all in one tick. */
const WAVE = 50;
const WAVE_EVERY_MS = 10;

type Attempt = (i: number) => Promise<void>;

/**
 * Flushes the sale's Redis the moment the gate has admitted `admissions` requests, while those holds are
 * still on their way to MongoDB: the admitted requests are held back (after the gate, before MongoDB) until
 * the flush has happened, so however fast the database is, the gate is rebuilt from MongoDB's stale count
 * (GA) or has lost its seat markers (seats). It then lets more buyers through than there is stock, and only
 * MongoDB's guarded updates stand between them and an oversell. The gate's calls go through unchanged.
 */
function flushRedisAfter(admissions: number): { flushed: () => Promise<boolean>; restore: () => void } {
  const gate = svc.get(AvailabilityGate);
  let admitted = 0;
  let flush: Promise<boolean> | undefined;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const onDecision = async (decision: GateDecision): Promise<GateDecision> => {
    if (decision === 'admitted' && ++admitted <= admissions) {
      if (admitted === admissions) {
        const client = new Redis(redis.url);
        flush = client.flushall().then(
          () => (client.disconnect(), true),
          () => (client.disconnect(), false),
        );
        release();
      }
      await released;
      await flush;
    }
    return decision;
  };
  const take = gate.take.bind(gate);
  const takeSeats = gate.takeSeats.bind(gate);
  const spies = [
    vi.spyOn(gate, 'take').mockImplementation(async (...args) => onDecision(await take(...args))),
    vi.spyOn(gate, 'takeSeats').mockImplementation(async (...args) => onDecision(await takeSeats(...args))),
  ];
  return {
    flushed: async () => (await flush) ?? false,
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** 1,000 buyers arrive within ~200 ms; each reserves and, when held, pays. */
async function flashSale(buyers: number, attempt: Attempt): Promise<SaleOutcome> {
  const refusals: Record<string, number> = {};
  let sold = 0;
  const runs: Array<Promise<void>> = [];
  for (let i = 0; i < buyers; i++) {
    if (i > 0 && i % WAVE === 0) await new Promise((resolve) => setTimeout(resolve, WAVE_EVERY_MS));
    runs.push(
      attempt(i).then(
        () => {
          sold += 1;
        },
        (error: unknown) => {
          const code = String(
            (error as { extensions?: { code?: string } }).extensions?.code ?? (error as Error).message,
          );
          refusals[code] = (refusals[code] ?? 0) + 1;
        },
      ),
    );
  }
  await Promise.all(runs);
  return { sold, refusals };
}

async function buyGeneral(ticketTypeId: string, i: number, tag: string): Promise<void> {
  const buyer = asUser(user());
  const reservation = await svc.get(ReservationsService).reserve(buyer, { ticketTypeId, quantity: 1 });
  await svc.get(CheckoutService).checkout(buyer, {
    reservationId: reservation._id,
    paymentToken: 'tok_success',
    idempotencyKey: `${tag}-${i}-key`,
  });
}

async function buySeat(ticketTypeId: string, seatId: string, i: number, tag: string): Promise<void> {
  const buyer = asUser(user());
  const reservation = await svc.get(ReservationsService).reserve(buyer, { ticketTypeId, seatIds: [seatId] });
  await svc.get(CheckoutService).checkout(buyer, {
    reservationId: reservation._id,
    paymentToken: 'tok_success',
    idempotencyKey: `${tag}-${i}-key`,
  });
}

/** Reservations MongoDB refused after the Redis gate had let them through (the gate was wrong). */
async function refusedByMongo(ticketTypeId: string): Promise<number> {
  return svc
    .get<Model<ReservationDoc>>(getModelToken(RESERVATION))
    .countDocuments({ ticketTypeId, status: 'FAILED' })
    .exec();
}

async function publish(options: Parameters<typeof eventFixture>[0]) {
  const fx = eventFixture(options);
  await svc.get(CatalogConsumer).apply(fx.published);
  return fx;
}

async function assertGeneral(ticketTypeId: string, capacity: number): Promise<void> {
  const inventory = (await svc
    .get<Model<InventoryDoc>>(getModelToken(INVENTORY))
    .findById(ticketTypeId)
    .lean<InventoryDoc>()
    .exec())!;
  const tickets = await svc
    .get<Model<TicketDoc>>(getModelToken(TICKET))
    .find({ ticketTypeId })
    .lean<TicketDoc[]>()
    .exec();
  expect(inventory.sold).toBe(capacity);
  expect(inventory.held).toBe(0);
  expect(inventory.available).toBe(0);
  expect(inventory.sold + inventory.held + inventory.available).toBe(inventory.capacity);
  expect(tickets).toHaveLength(capacity);
  expect(new Set(tickets.map((t) => t._id)).size).toBe(capacity);
  expect(Object.keys(inventory.holds)).toEqual([]);
}

async function assertSeats(ticketTypeId: string, seats: number): Promise<void> {
  // What the sweeper does after RECOVERY_AFTER_MS: finish rollbacks a transient database error interrupted.
  await svc.get(ReservationsService).sweep(new Date(Date.now() + svc.config.RECOVERY_AFTER_MS + 1000));
  const seatDocs = await svc
    .get<Model<SeatDoc>>(getModelToken(SEAT))
    .find({ ticketTypeId })
    .lean<SeatDoc[]>()
    .exec();
  const tickets = await svc
    .get<Model<TicketDoc>>(getModelToken(TICKET))
    .find({ ticketTypeId })
    .lean<TicketDoc[]>()
    .exec();
  const inventory = (await svc
    .get<Model<InventoryDoc>>(getModelToken(INVENTORY))
    .findById(ticketTypeId)
    .lean<InventoryDoc>()
    .exec())!;
  expect(seatDocs.filter((s) => s.state === 'SOLD')).toHaveLength(seats);
  expect(tickets).toHaveLength(seats);
  // No seat on two tickets, and every ticket's seat is a SOLD seat of its own order.
  expect(new Set(tickets.map((t) => t.seatId)).size).toBe(seats);
  const seatOrder = new Map(seatDocs.map((s) => [s.seatId, s.orderId]));
  for (const t of tickets) expect(seatOrder.get(t.seatId!)).toBe(t.orderId);
  expect(inventory).toMatchObject({ sold: seats, held: 0, available: 0, capacity: seats });
}

describe('1,000 concurrent buyers', () => {
  it('general admission: 100 tickets → exactly 100 sold, no duplicate ticket, counters add up', async () => {
    const fx = await publish({ gaQuantity: 100, seats: 1 });
    const outcome = await flashSale(1000, (i) => buyGeneral(fx.gaTypeId, i, 'ga'));
    expect(outcome.sold).toBe(100);
    expect(outcome.refusals).toEqual({ SOLD_OUT: 900 });
    await assertGeneral(fx.gaTypeId, 100);
  }, 120_000);

  it('general admission with Redis flushed mid-sale', async () => {
    const fx = await publish({ gaQuantity: 100, seats: 1 });
    const fault = flushRedisAfter(100);
    const outcome = await flashSale(1000, (i) => buyGeneral(fx.gaTypeId, i, 'gaflush')).finally(
      fault.restore,
    );
    expect(await fault.flushed()).toBe(true);
    expect(outcome.sold).toBe(100);
    expect(outcome.refusals).toEqual({ SOLD_OUT: 900 });
    // The flush did let surplus buyers past the gate, and MongoDB refused them.
    expect(await refusedByMongo(fx.gaTypeId)).toBeGreaterThan(0);
    await assertGeneral(fx.gaTypeId, 100);
  }, 120_000);

  it('reserved seating: 100 seats, 10 buyers per seat → each seat sold once', async () => {
    const fx = await publish({ gaQuantity: 1, seats: 100 });
    const outcome = await flashSale(1000, (i) => buySeat(fx.seatTypeId, fx.seatIds[i % 100]!, i, 'seat'));
    expect(outcome.sold).toBe(100);
    expect(outcome.refusals).toEqual({ SOLD_OUT: 900 });
    await assertSeats(fx.seatTypeId, 100);
  }, 120_000);

  it('reserved seating with Redis flushed mid-sale', async () => {
    const fx = await publish({ gaQuantity: 1, seats: 100 });
    const fault = flushRedisAfter(100);
    const outcome = await flashSale(1000, (i) =>
      buySeat(fx.seatTypeId, fx.seatIds[i % 100]!, i, 'seatflush'),
    ).finally(fault.restore);
    expect(await fault.flushed()).toBe(true);
    expect(outcome.sold).toBe(100);
    expect(outcome.refusals).toEqual({ SOLD_OUT: 900 });
    expect(await refusedByMongo(fx.seatTypeId)).toBeGreaterThan(0);
    await assertSeats(fx.seatTypeId, 100);
  }, 120_000);
});

describe('checkout idempotency', () => {
  it('10 parallel calls with one key → one order, one charge, identical answers', async () => {
    const fx = await publish({ gaQuantity: 10, seats: 1 });
    const buyer = user();
    const token = await issuer.sign(buyer);
    const reserved = await gql(
      svc.url,
      `mutation($i: ReserveTicketsInput!) { reserveTickets(input: $i) { id } }`,
      { i: { ticketTypeId: fx.gaTypeId, quantity: 2 } },
      token,
    );
    const reservationId = reserved.data.reserveTickets.id;
    const input = { reservationId, paymentToken: 'tok_success', idempotencyKey: 'same-key-10x' };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        gql(
          svc.url,
          `mutation($i: CheckoutInput!) { checkout(input: $i) { id status total { amount } tickets { id } } }`,
          { i: input },
          token,
        ),
      ),
    );
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    expect(new Set(answers.map((a) => JSON.stringify(a.data))).size).toBe(1);
    expect(answers[0]!.data.checkout).toMatchObject({ status: 'CONFIRMED', total: { amount: 9000 } });
    const orders = await svc
      .get<Model<OrderDoc>>(getModelToken(ORDER))
      .find({ reservationId })
      .lean<OrderDoc[]>()
      .exec();
    expect(orders).toHaveLength(1);
    const charges = await svc
      .get<Model<TestChargeDoc>>(getModelToken(TEST_CHARGE))
      .find({ _id: { $regex: `^${orders[0]!._id}:` } })
      .lean<TestChargeDoc[]>()
      .exec();
    expect(charges.filter((c) => c.status === 'CAPTURED')).toHaveLength(1);
    const tickets = await svc
      .get<Model<TicketDoc>>(getModelToken(TICKET))
      .find({ orderId: orders[0]!._id })
      .lean<TicketDoc[]>()
      .exec();
    expect(tickets).toHaveLength(2);
    const other = await gql(
      svc.url,
      `mutation($i: CheckoutInput!) { checkout(input: $i) { id } }`,
      { i: { ...input, paymentToken: 'tok_decline' } },
      token,
    );
    expect(firstError(other)).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
  }, 60_000);
});

describe('hold expiry', () => {
  it('returns the stock of an expired hold exactly once; checkout afterwards is refused', async () => {
    const fx = await publish({ gaQuantity: 5, seats: 3 });
    const buyer = asUser(user());
    const reservations = svc.get(ReservationsService);
    const ga = await reservations.reserve(buyer, { ticketTypeId: fx.gaTypeId, quantity: 3 });
    const seat = await reservations.reserve(buyer, {
      ticketTypeId: fx.seatTypeId,
      seatIds: [fx.seatIds[0]!, fx.seatIds[1]!],
    });
    const inventory = svc.get<Model<InventoryDoc>>(getModelToken(INVENTORY));
    expect(await inventory.findById(fx.gaTypeId).lean<InventoryDoc>().exec()).toMatchObject({
      available: 2,
      held: 3,
    });

    // Five sweepers race (as five replicas would), all past the expiry.
    const later = new Date(Date.now() + 3600_000);
    const expired = await Promise.all(Array.from({ length: 5 }, () => reservations.sweep(later)));
    expect(expired.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    await reservations.sweep(later);

    expect(await inventory.findById(fx.gaTypeId).lean<InventoryDoc>().exec()).toMatchObject({
      available: 5,
      held: 0,
      sold: 0,
      holds: {},
    });
    expect(await inventory.findById(fx.seatTypeId).lean<InventoryDoc>().exec()).toMatchObject({
      available: 3,
      held: 0,
      sold: 0,
    });
    const seats = await svc
      .get<Model<SeatDoc>>(getModelToken(SEAT))
      .find({ ticketTypeId: fx.seatTypeId })
      .lean<SeatDoc[]>()
      .exec();
    expect(seats.every((s) => s.state === 'AVAILABLE' && s.reservationId === null)).toBe(true);

    const docs = await svc
      .get<Model<ReservationDoc>>(getModelToken(RESERVATION))
      .find({ _id: { $in: [ga._id, seat._id] } })
      .lean<ReservationDoc[]>()
      .exec();
    for (const doc of docs) {
      expect(doc).toMatchObject({ status: 'EXPIRED', stockReturned: true, version: 2 });
    }
    await expect(
      svc.get(CheckoutService).checkout(buyer, {
        reservationId: ga._id,
        paymentToken: 'tok_success',
        idempotencyKey: 'after-expiry-1',
      }),
    ).rejects.toMatchObject({ extensions: { code: 'HOLD_EXPIRED', field: 'input.reservationId' } });
  }, 60_000);
});
