import { createRequire } from 'node:module';
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
import { CheckoutService } from '../src/orders/checkout.service';
import { ReservationsService } from '../src/reservations/reservations.service';
import { eventFixture, user, asUser } from './support/fixtures';
import { gql } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// TicketType.takenSeats: what the seat picker greys out. Public (no token), seat ids only, held and sold seats,
// nothing for general admission or a type the service does not know.

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;

beforeAll(async () => {
  ctx = createTestContext('ticket-taken-seats');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startTicket(ctx, issuer);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

async function taken(...ids: string[]): Promise<unknown[]> {
  const answer = await gql(
    svc.url,
    `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on TicketType { id takenSeats } } }`,
    { reps: ids.map((id) => ({ __typename: 'TicketType', id })) },
  );
  expect(answer.errors).toBeUndefined();
  return (answer.data!._entities as { takenSeats: string[] }[]).map((e) => e.takenSeats);
}

describe('TicketType.takenSeats', () => {
  it('lists held and sold seats without a token, and nothing for general admission', async () => {
    const fx = eventFixture({ seats: 4 });
    await svc.get(CatalogConsumer).apply(fx.published);
    expect(await taken(fx.seatTypeId, fx.gaTypeId)).toEqual([[], []]);

    const holder = asUser(user());
    const buyer = asUser(user());
    const reservations = svc.get(ReservationsService);
    const hold = await reservations.reserve(holder, {
      ticketTypeId: fx.seatTypeId,
      seatIds: [fx.seatIds[2]!],
    });
    const bought = await reservations.reserve(buyer, {
      ticketTypeId: fx.seatTypeId,
      seatIds: [fx.seatIds[0]!],
    });
    await svc.get(CheckoutService).checkout(buyer, {
      reservationId: bought._id,
      paymentToken: 'tok_success',
      idempotencyKey: `taken-${buyer.id}`,
    });
    await reservations.reserve(buyer, { ticketTypeId: fx.gaTypeId, quantity: 2 });

    expect(await taken(fx.seatTypeId, fx.gaTypeId)).toEqual([[fx.seatIds[0], fx.seatIds[2]].sort(), []]);

    // A released hold frees its seat; the sold one stays taken.
    await reservations.release(holder, hold._id);
    expect(await taken(fx.seatTypeId)).toEqual([[fx.seatIds[0]]]);
  });

  it('answers an empty list for a ticket type it does not know', async () => {
    expect(await taken('no-such-type')).toEqual([[]]);
  });
});
