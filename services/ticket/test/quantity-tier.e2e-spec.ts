import { createRequire } from 'node:module';
import { newEnvelope, type PriceStepData } from '@ticketing/contracts';
import { RedisService, type AuthUser } from '@ticketing/platform';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AvailabilityGate } from '../src/inventory/availability-gate.service';
import { InventoryService } from '../src/inventory/inventory.service';
import { INVENTORY, type InventoryDoc } from '../src/inventory/schemas/inventory.schema';
import { CatalogConsumer } from '../src/messaging/catalog.consumer';
import { ORDER, type OrderDoc } from '../src/orders/schemas/order.schema';
import { ReservationsService } from '../src/reservations/reservations.service';
import { RESERVATION, type ReservationDoc } from '../src/reservations/schemas/reservation.schema';
import { eventFixture, user, type EventFixture, asUser } from './support/fixtures';
import { gql } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// A TIERED policy's by-quantity tier is a stock of cheap tickets enforced at hold time: pricing's
// price.changed carries the cap (`untilSold`), and each hold's price is decided by its place in the atomic
// stock claim, whatever the concurrency (before: every hold of a burst was quoted the tier price, because
// pricing moves to the next tier only after the sales were folded and published back).

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;

const TIER = 1000;
const NEXT = 2000;
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const model = <T>(name: string) => svc.model<T>(name);
const reservationOf = async (id: string) =>
  (await model<ReservationDoc>(RESERVATION).findById(id).lean<ReservationDoc>().exec())!;
const inventoryOf = async (id: string) =>
  (await model<InventoryDoc>(INVENTORY).findById(id).lean<InventoryDoc>().exec())!;

beforeAll(async () => {
  ctx = createTestContext('ticket-quantity-tier');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startTicket(ctx, issuer);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

/** Pricing's first price of a type, capped by a quantity ladder (a TIERED policy's early-bird tier). */
function tieredPrice(fx: EventFixture, ticketTypeId: string, steps: PriceStepData[], amount = TIER) {
  return newEnvelope(
    'price.changed',
    fx.eventId,
    {
      ticketTypeId,
      eventId: fx.eventId,
      price: eur(amount),
      previous: null,
      reason: 'INITIAL',
      effectiveAt: new Date(Date.now() - 1000).toISOString(),
      priceVersion: 1,
      untilSold: steps,
    },
    { source: 'pricing' },
  );
}

/** A published event whose GA type (50, base 20.00) and seat type (10 seats) carry the given ladders. */
async function publishTiered(ga: PriceStepData[], seats?: PriceStepData[]): Promise<EventFixture> {
  const fx = eventFixture({ gaQuantity: 50, basePrice: NEXT, seats: 10 });
  await svc.get(CatalogConsumer).apply(fx.published);
  await svc.get(CatalogConsumer).apply(tieredPrice(fx, fx.gaTypeId, ga));
  if (seats) await svc.get(CatalogConsumer).apply(tieredPrice(fx, fx.seatTypeId, seats));
  return fx;
}

const hold = (buyer: AuthUser, ticketTypeId: string, quantity: number) =>
  svc.get(ReservationsService).reserve(buyer, { ticketTypeId, quantity });
/** The buyer gives the hold back (released: its units return to stock). */
const release = (h: ReservationDoc) =>
  svc.get(ReservationsService).release(asUser({ ...user(), id: h.buyerId }), h._id);

describe('a quantity tier at hold time', () => {
  it('quotes exactly the tier size at the tier price under concurrent holds, and gives freed places back', async () => {
    const fx = await publishTiered([{ count: 3, next: eur(NEXT) }]);
    const buyers = Array.from({ length: 8 }, () => asUser(user()));
    const holds = await Promise.all(buyers.map((buyer) => hold(buyer, fx.gaTypeId, 1)));
    const byPrice = (amount: number) => holds.filter((h) => h.unitPrice.amount === amount);
    expect(byPrice(TIER)).toHaveLength(3);
    expect(byPrice(NEXT)).toHaveLength(5);
    // What the buyer was told is what the reservation stores (reservation.created is built from it).
    for (const h of holds) {
      expect(await reservationOf(h._id)).toMatchObject({ status: 'HELD', unitPrice: h.unitPrice });
    }

    // The five dearer holds go: 3 units taken, all at the tier price; the cap is full.
    for (const h of byPrice(NEXT)) await release(h);
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ held: 3, available: 47 });
    const full = await hold(asUser(user()), fx.gaTypeId, 1);
    expect(full.unitPrice).toEqual(eur(NEXT));
    await release(full);

    // A tier hold given back frees its place: the next hold gets the tier price again, and only that one.
    const [first, second] = byPrice(TIER);
    await release(first!);
    const again = await hold(asUser(user()), fx.gaTypeId, 1);
    expect(again.unitPrice).toEqual(eur(TIER));
    const after = await hold(asUser(user()), fx.gaTypeId, 1);
    expect(after.unitPrice).toEqual(eur(NEXT));
    await release(after);

    // Two places left (1 unit taken): a hold of 3 does not fit and is wholly at the next price; one of 2 fits.
    await release(second!);
    await release(again);
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ held: 1, available: 49 });
    const three = await hold(asUser(user()), fx.gaTypeId, 3);
    expect(three.unitPrice).toEqual(eur(NEXT));
    await release(three);
    const two = await hold(asUser(user()), fx.gaTypeId, 2);
    expect(two.unitPrice).toEqual(eur(TIER));
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ held: 3, available: 47 });
  });

  it('charges the price the hold was quoted, over GraphQL too', async () => {
    const fx = await publishTiered([{ count: 1, next: eur(NEXT) }]);
    const cheap = user();
    const dear = user();
    const reserve = async (buyer: ReturnType<typeof user>) => {
      const answer = await gql(
        svc.url,
        `mutation($i: ReserveTicketsInput!) { reserveTickets(input: $i) {
          id unitPrice { amount } total { amount } lines { unitPrice { amount } } } }`,
        { i: { ticketTypeId: fx.gaTypeId, quantity: 1 } },
        await issuer.sign(buyer),
      );
      expect(answer.errors).toBeUndefined();
      return answer.data.reserveTickets as { id: string; unitPrice: { amount: number } };
    };
    const first = await reserve(cheap);
    const second = await reserve(dear);
    expect([first.unitPrice.amount, second.unitPrice.amount]).toEqual([TIER, NEXT]);
    expect(second).toMatchObject({ total: { amount: NEXT }, lines: [{ unitPrice: { amount: NEXT } }] });

    for (const [buyer, reservation, amount] of [
      [cheap, first, TIER],
      [dear, second, NEXT],
    ] as const) {
      const paid = await gql(
        svc.url,
        `mutation($i: CheckoutInput!) { checkout(input: $i) { id total { amount } lines { unitPrice { amount } } } }`,
        {
          i: {
            reservationId: reservation.id,
            paymentToken: 'tok_success',
            idempotencyKey: `tier-${buyer.id}`,
          },
        },
        await issuer.sign(buyer),
      );
      expect(paid.errors).toBeUndefined();
      expect(paid.data.checkout).toMatchObject({ total: { amount }, lines: [{ unitPrice: { amount } }] });
      const order = await model<OrderDoc>(ORDER).findById(paid.data.checkout.id).lean<OrderDoc>().exec();
      expect(order?.total).toEqual(eur(amount));
    }
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ sold: 2, revenue: TIER + NEXT });
  });

  it('follows every step of a ladder, and decides alone when the Redis gate and the hints are lost', async () => {
    const fx = await publishTiered([
      { count: 3, next: eur(1500) },
      { count: 5, next: eur(NEXT) },
    ]);
    const holds = await Promise.all(Array.from({ length: 8 }, () => hold(asUser(user()), fx.gaTypeId, 1)));
    const amounts = holds.map((h) => h.unitPrice.amount).sort((a, b) => a - b);
    expect(amounts).toEqual([TIER, TIER, TIER, 1500, 1500, NEXT, NEXT, NEXT]);

    // Back to 2 units taken; then Redis loses the gate and this process its hints (as a fresh replica
    // would): MongoDB's claim alone still gives each place once.
    const keep = holds.filter((h) => h.unitPrice.amount === TIER).slice(0, 2);
    for (const h of holds.filter((h) => !keep.includes(h))) await release(h);
    await svc.get(RedisService).client.del(svc.get(AvailabilityGate).key(fx.gaTypeId));
    (svc.get(InventoryService) as unknown as { ladderHints: Map<string, unknown> }).ladderHints.clear();
    const more = await Promise.all(Array.from({ length: 6 }, () => hold(asUser(user()), fx.gaTypeId, 1)));
    expect(more.map((h) => h.unitPrice.amount).sort((a, b) => a - b)).toEqual([
      TIER,
      1500,
      1500,
      NEXT,
      NEXT,
      NEXT,
    ]);
    expect(await inventoryOf(fx.gaTypeId)).toMatchObject({ held: 8, available: 42 });
  });

  it('applies to reserved seating: a seat hold gets the price of its place', async () => {
    const fx = await publishTiered([{ count: 1, next: eur(NEXT) }], [{ count: 3, next: eur(NEXT) }]);
    const holds = await Promise.all(
      fx.seatIds
        .slice(0, 6)
        .map((seat) =>
          svc
            .get(ReservationsService)
            .reserve(asUser(user()), { ticketTypeId: fx.seatTypeId, seatIds: [seat] }),
        ),
    );
    expect(holds.filter((h) => h.unitPrice.amount === TIER)).toHaveLength(3);
    expect(holds.filter((h) => h.unitPrice.amount === NEXT)).toHaveLength(3);
    const pair = await svc
      .get(ReservationsService)
      .reserve(asUser(user()), { ticketTypeId: fx.seatTypeId, seatIds: fx.seatIds.slice(6, 8) });
    expect(pair.unitPrice).toEqual(eur(NEXT));
  });

  it('an older price.changed without a ladder, or a later price that no quantity ends, caps nothing', async () => {
    const fx = await publishTiered([{ count: 1, next: eur(NEXT) }]);
    const uncapped = newEnvelope(
      'price.changed',
      fx.eventId,
      {
        ticketTypeId: fx.gaTypeId,
        eventId: fx.eventId,
        price: eur(1200),
        previous: eur(TIER),
        reason: 'TIER',
        effectiveAt: new Date(Date.now() - 1000).toISOString(),
        priceVersion: 2,
      },
      { source: 'pricing' },
    );
    await svc.get(CatalogConsumer).apply(uncapped);
    const holds = await Promise.all(Array.from({ length: 3 }, () => hold(asUser(user()), fx.gaTypeId, 1)));
    expect(holds.map((h) => h.unitPrice)).toEqual([eur(1200), eur(1200), eur(1200)]);
  });
});
