import { createRequire } from 'node:module';
import type { AuthUser } from '@ticketing/platform';
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
import { TICKET, type TicketDoc } from '../src/tickets/schemas/ticket.schema';
import { TRANSFER, type TransferDoc } from '../src/transfers/schemas/transfer.schema';
import { eventFixture, user, type EventFixture, asUser } from './support/fixtures';
import { gql } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// A transfer offer says who sends it and what it is (the recipient must be able to tell a stranger's offer
// apart): the sender's name as on the ticket, the ticket type, the seat. Only the two sides see it.
// One in-process app on the real stack (MongoDB, Redis, Kafka topics).

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;
let fx: EventFixture;

const model = <T>(name: string) => svc.model<T>(name);

beforeAll(async () => {
  ctx = createTestContext('ticket-offer-details');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startTicket(ctx, issuer);
  fx = eventFixture({ gaQuantity: 20, seats: 10 });
  await svc.get(CatalogConsumer).apply(fx.published);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

/** One paid ticket for `buyer`: general admission, or the given seat. */
async function buyOne(buyer: AuthUser, seatId?: string): Promise<string> {
  const reservation = await svc
    .get(ReservationsService)
    .reserve(
      buyer,
      seatId
        ? { ticketTypeId: fx.seatTypeId, seatIds: [seatId] }
        : { ticketTypeId: fx.gaTypeId, quantity: 1 },
    );
  const order = await svc.get(CheckoutService).checkout(buyer, {
    reservationId: reservation._id,
    paymentToken: 'tok_success',
    idempotencyKey: `k-${reservation._id}`,
  });
  return order.ticketIds[0]!;
}

const FIELDS = 'id ticketId fromHolderId fromHolderName ticketTypeName seatId toEmail status';
const OFFER = `mutation($t: ID!, $e: String!) { offerTransfer(ticketId: $t, toEmail: $e) { ${FIELDS} } }`;
const ACCEPT = `mutation($id: ID!) { acceptTransfer(transferId: $id) { ${FIELDS} } }`;
const MY_TRANSFERS = `{ myTransfers { ${FIELDS} } }`;

interface Listed {
  id: string;
  fromHolderName: string | null;
  ticketTypeName: string | null;
  seatId: string | null;
  toEmail: string;
  status: string;
}

async function listed(token: string, transferId: string): Promise<Listed | undefined> {
  const answer = await gql(svc.url, MY_TRANSFERS, {}, token);
  expect(answer.errors).toBeUndefined();
  return (answer.data.myTransfers as Listed[]).find((t) => t.id === transferId);
}

/** A holder named Alice with one ticket (GA or the seat), offered to Bob; an unrelated Carl. */
async function offered(seatId?: string) {
  const alice = user('ATTENDEE', 'Alice Attendee');
  const bob = user('ATTENDEE', 'Bob Buyer');
  const carl = user('ATTENDEE', 'Carl Curious');
  const ticketId = await buyOne(asUser(alice), seatId);
  const tokens = {
    alice: await issuer.sign(alice),
    bob: await issuer.sign(bob),
    carl: await issuer.sign(carl),
  };
  const answer = await gql(svc.url, OFFER, { t: ticketId, e: bob.email }, tokens.alice);
  expect(answer.errors).toBeUndefined();
  return { alice, bob, carl, ticketId, tokens, offer: answer.data.offerTransfer as Listed };
}

describe('a transfer offer names its sender, its ticket type and its seat', () => {
  it('general admission: the recipient and the sender see who and what, no seat; an unrelated user sees nothing', async () => {
    const { alice, bob, tokens, offer } = await offered();
    const expected = {
      id: offer.id,
      fromHolderName: 'Alice Attendee',
      ticketTypeName: 'Standing',
      seatId: null,
      toEmail: bob.email,
      status: 'PENDING',
    };
    expect(offer).toMatchObject({ ...expected, fromHolderId: alice.id });
    expect(await listed(tokens.bob, offer.id)).toMatchObject(expected);
    expect(await listed(tokens.alice, offer.id)).toMatchObject(expected);
    expect(await listed(tokens.carl, offer.id)).toBeUndefined();
  });

  it('reserved seating: the seat is named, and the offer keeps saying who sent it after the ticket is re-keyed', async () => {
    const seat = fx.seatIds[3]!;
    const { bob, ticketId, tokens, offer } = await offered(seat);
    const expected = { fromHolderName: 'Alice Attendee', ticketTypeName: 'Balcony', seatId: seat };
    expect(offer).toMatchObject(expected);
    expect(await listed(tokens.bob, offer.id)).toMatchObject(expected);
    expect(await listed(tokens.carl, offer.id)).toBeUndefined();

    const accepted = await gql(svc.url, ACCEPT, { id: offer.id }, tokens.bob);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.acceptTransfer).toMatchObject({ status: 'ACCEPTED', ...expected });
    // The ticket now carries Bob's name; the offer still says Alice sent it.
    const ticket = await model<TicketDoc>(TICKET).findById(ticketId).lean<TicketDoc>().exec();
    expect(ticket?.holderName).toBe(bob.name);
    expect(await listed(tokens.bob, offer.id)).toMatchObject({ status: 'ACCEPTED', ...expected });
    expect(await listed(tokens.alice, offer.id)).toMatchObject({ status: 'ACCEPTED', ...expected });
  });

  it('an offer stored before these were kept reads them from its ticket; the sender only while they still hold it', async () => {
    const seat = fx.seatIds[5]!;
    const { tokens, offer } = await offered(seat);
    // As an offer written by the previous version: none of the three fields.
    await model<TransferDoc>(TRANSFER)
      .updateOne({ _id: offer.id }, { $unset: { fromHolderName: 1, ticketTypeName: 1, seatId: 1 } })
      .exec();
    const stored = await model<TransferDoc>(TRANSFER).findById(offer.id).lean<TransferDoc>().exec();
    expect(stored).not.toHaveProperty('ticketTypeName');

    const fromTicket = { fromHolderName: 'Alice Attendee', ticketTypeName: 'Balcony', seatId: seat };
    expect(await listed(tokens.bob, offer.id)).toMatchObject(fromTicket);
    expect(await listed(tokens.alice, offer.id)).toMatchObject(fromTicket);
    expect(await listed(tokens.carl, offer.id)).toBeUndefined();

    // Accepted, the ticket names Bob: an old offer cannot tell who sent it any more, so it says nothing.
    const accepted = await gql(svc.url, ACCEPT, { id: offer.id }, tokens.bob);
    expect(accepted.errors).toBeUndefined();
    const afterAccept = { fromHolderName: null, ticketTypeName: 'Balcony', seatId: seat };
    expect(accepted.data.acceptTransfer).toMatchObject({ status: 'ACCEPTED', ...afterAccept });
    expect(await listed(tokens.bob, offer.id)).toMatchObject(afterAccept);
  });
});
