import { createRequire } from 'node:module';
import { createPublicKey } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@ticketing/contracts';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TICKET, type TicketDoc } from '../src/tickets/schemas/ticket.schema';
import { deriveDisplaySecret, verifyDisplayCode } from '../src/tickets/qr/display-code';
import { verifyTicketToken } from '../src/tickets/qr/ticket-token';
import { eventFixture, user, type EventFixture } from './support/fixtures';
import { firstError, gql } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

// Nest and graphql-ws load graphql's CommonJS build; serve the same one to this file (one graphql realm).
vi.mock('graphql', () => createRequire(__filename)('graphql'));

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;
let fx: EventFixture;
const buyer = user('ATTENDEE', 'Mara Buyer');
const other = user('ATTENDEE', 'Otto Other');
const recipient = user('ATTENDEE', 'Rita Recipient');
const organizerUser = user('ORGANIZER', 'Olga Organizer');
const admin = user('ADMIN', 'Ada Admin');
const tokens: Record<string, string> = {};

const RESERVE = `mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) {
  id status expiresAt unitPrice { amount currency } total { amount currency } lines { ticketTypeId quantity seatIds } } }`;
const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) {
  id status total { amount currency } tickets { id generation status holderId qrToken qrSvg qrPngDataUrl } } }`;

async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  ctx = createTestContext('ticket-flow');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startTicket(ctx, issuer);
  fx = eventFixture({ organizerId: organizerUser.id, gaQuantity: 50, seats: 6 });
  for (const u of [buyer, other, recipient, organizerUser, admin]) tokens[u.id] = await issuer.sign(u);

  // The event arrives the real way: on Kafka, from "the event service".
  const kafka = new Kafka({
    clientId: 'ticket-flow-test',
    brokers: ctx.env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: ctx.topicPrefix + TOPICS.events,
    messages: [{ key: fx.eventId, value: JSON.stringify(fx.published) }],
  });
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('purchase flow over GraphQL', () => {
  let reservationId = '';
  let orderId = '';
  let ticketIds: string[] = [];
  let firstToken = '';

  it('builds the inventory from event.published and serves TicketType.availability', async () => {
    const availability = await waitFor(async () => {
      const answer = await gql(
        svc.url,
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on TicketType { id availability { capacity remaining held sold } } } }`,
        { reps: [{ __typename: 'TicketType', id: fx.gaTypeId }] },
      );
      // The inventory document is created first (capacity 0), then given its capacity: wait for that.
      const value = answer.data?._entities?.[0]?.availability;
      return value?.capacity > 0 ? value : undefined;
    });
    expect(availability).toEqual({ capacity: 50, remaining: 50, held: 0, sold: 0 });
  });

  it('refuses bad input with a code and a field, changing nothing', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ticketTypeId: fx.gaTypeId, quantity: 0 }, 'BAD_USER_INPUT', 'input.quantity'],
      [{ ticketTypeId: fx.gaTypeId, quantity: 5 }, 'BAD_USER_INPUT', 'input.quantity'],
      [
        { ticketTypeId: fx.gaTypeId, quantity: 1, seatIds: [fx.seatIds[0]] },
        'BAD_USER_INPUT',
        'input.quantity',
      ],
      [{ ticketTypeId: fx.seatTypeId, seatIds: ['Z:9:9'] }, 'BAD_USER_INPUT', 'input.seatIds'],
      [{ ticketTypeId: 'not-an-id', quantity: 1 }, 'BAD_USER_INPUT', 'input.ticketTypeId'],
    ];
    for (const [input, code, field] of cases) {
      const answer = await gql(svc.url, RESERVE, { input }, tokens[buyer.id]);
      expect(firstError(answer), JSON.stringify(input)).toMatchObject({ code, field });
    }
    const anonymous = await gql(svc.url, RESERVE, { input: { ticketTypeId: fx.gaTypeId, quantity: 1 } });
    expect(firstError(anonymous)?.code).toBe('UNAUTHENTICATED');
    const summary = await gql(
      svc.url,
      `query($e: ID!) { salesSummary(eventId: $e) { ticketTypes { ticketTypeId held sold remaining } } }`,
      { e: fx.eventId },
      tokens[organizerUser.id],
    );
    expect(
      summary.data.salesSummary.ticketTypes.find((t: any) => t.ticketTypeId === fx.gaTypeId),
    ).toMatchObject({ held: 0, sold: 0, remaining: 50 });
  });

  it('holds stock at the quoted price', async () => {
    const answer = await gql(
      svc.url,
      RESERVE,
      { input: { ticketTypeId: fx.gaTypeId, quantity: 2 } },
      tokens[buyer.id],
    );
    expect(answer.errors).toBeUndefined();
    const reservation = answer.data.reserveTickets;
    expect(reservation).toMatchObject({
      status: 'HELD',
      unitPrice: { amount: 4500, currency: 'EUR' },
      total: { amount: 9000 },
    });
    expect(new Date(reservation.expiresAt).getTime()).toBeGreaterThan(Date.now() + 500_000);
    reservationId = reservation.id;
  });

  it('keeps the hold after a decline, then confirms exactly once and replays the same key', async () => {
    const declined = await gql(
      svc.url,
      CHECKOUT,
      { input: { reservationId, paymentToken: 'tok_decline', idempotencyKey: 'flow-key-0001' } },
      tokens[buyer.id],
    );
    expect(firstError(declined)).toMatchObject({ code: 'PAYMENT_DECLINED', field: 'input.paymentToken' });
    const replayedDecline = await gql(
      svc.url,
      CHECKOUT,
      { input: { reservationId, paymentToken: 'tok_decline', idempotencyKey: 'flow-key-0001' } },
      tokens[buyer.id],
    );
    expect(firstError(replayedDecline)).toEqual(firstError(declined));
    const still = await gql(
      svc.url,
      `query($id: ID!) { reservation(id: $id) { status } }`,
      { id: reservationId },
      tokens[buyer.id],
    );
    expect(still.data.reservation.status).toBe('HELD');

    const paid = await gql(
      svc.url,
      CHECKOUT,
      { input: { reservationId, paymentToken: 'tok_success', idempotencyKey: 'flow-key-0002' } },
      tokens[buyer.id],
    );
    expect(paid.errors).toBeUndefined();
    const order = paid.data.checkout;
    expect(order.status).toBe('CONFIRMED');
    expect(order.tickets).toHaveLength(2);
    for (const t of order.tickets) {
      expect(t).toMatchObject({ generation: 1, status: 'VALID', holderId: buyer.id });
      expect(t.qrToken).toMatch(/^T1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(t.qrSvg).toContain('<svg');
      expect(t.qrPngDataUrl).toMatch(/^data:image\/png;base64,/);
    }
    orderId = order.id;
    ticketIds = order.tickets.map((t: any) => t.id);
    firstToken = order.tickets[0].qrToken;

    const again = await gql(
      svc.url,
      CHECKOUT,
      { input: { reservationId, paymentToken: 'tok_success', idempotencyKey: 'flow-key-0002' } },
      tokens[buyer.id],
    );
    expect(again.data.checkout.id).toBe(orderId);
    const mismatch = await gql(
      svc.url,
      CHECKOUT,
      { input: { reservationId, paymentToken: 'tok_success_other', idempotencyKey: 'flow-key-0002' } },
      tokens[buyer.id],
    );
    expect(firstError(mismatch)).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });

    const summary = await gql(
      svc.url,
      `query($e: ID!) { salesSummary(eventId: $e) { ticketTypes { ticketTypeId held sold remaining capacity revenue { amount currency } } } }`,
      { e: fx.eventId },
      tokens[organizerUser.id],
    );
    expect(summary.data.salesSummary.ticketTypes.find((t: any) => t.ticketTypeId === fx.gaTypeId)).toEqual({
      ticketTypeId: fx.gaTypeId,
      held: 0,
      sold: 2,
      remaining: 48,
      capacity: 50,
      revenue: { amount: 9000, currency: 'EUR' },
    });
  });

  it('signs QR tokens verifiable with the published key alone', async () => {
    const response = await fetch(`${svc.url}/.well-known/ticket-keys.json`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(keys[0]!.d).toBeUndefined();
    const publicKey = createPublicKey({ key: keys[0] as any, format: 'jwk' });
    const claims = verifyTicketToken(firstToken, new Map([[keys[0]!.kid!, publicKey]]));
    expect(claims).toMatchObject({
      ticketId: ticketIds[0],
      eventId: fx.eventId,
      holderId: buyer.id,
      generation: 1,
    });
    const viaGraphql = await gql(svc.url, '{ ticketVerificationKeys { kid x } }');
    expect(viaGraphql.data.ticketVerificationKeys[0]).toEqual({ kid: keys[0]!.kid, x: keys[0]!.x });
  });

  it('serves a rotating display code to the holder only', async () => {
    const answer = await gql(
      svc.url,
      `query($id: ID!) { ticketDisplayCode(id: $id) { code scanCode stepSeconds validFrom validUntil } }`,
      { id: ticketIds[0] },
      tokens[buyer.id],
    );
    expect(answer.errors).toBeUndefined();
    const tickets = svc.get<Model<TicketDoc>>(getModelToken(TICKET));
    const doc = (await tickets.findById(ticketIds[0]).lean<TicketDoc>().exec())!;
    expect(answer.data.ticketDisplayCode.stepSeconds).toBe(15);
    // The secret is derived from the master key, the ticket id and its generation: nothing stored.
    const secret = deriveDisplaySecret(svc.config.DISPLAY_CODE_MASTER_KEY, doc._id, doc.generation);
    expect(verifyDisplayCode(secret, answer.data.ticketDisplayCode.code, Date.now())).toBe(true);
    expect(answer.data.ticketDisplayCode.scanCode).toBe(
      `D1.${doc._id}.${doc.generation}.${answer.data.ticketDisplayCode.code as string}`,
    );
    const foreign = await gql(
      svc.url,
      `query($id: ID!) { ticketDisplayCode(id: $id) { code } }`,
      { id: ticketIds[0] },
      tokens[other.id],
    );
    expect(firstError(foreign)?.code).toBe('NOT_FOUND');
  });

  it("lets nobody read someone else's orders or tickets (root fields, nested fields, _entities)", async () => {
    const t = tokens[other.id];
    // NOT_FOUND names the argument (`id`), as for an id that does not exist.
    expect(
      firstError(await gql(svc.url, `query($id: ID!) { order(id: $id) { id } }`, { id: orderId }, t)),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    expect(
      firstError(await gql(svc.url, `query($id: ID!) { ticket(id: $id) { id } }`, { id: ticketIds[0] }, t))
        ?.code,
    ).toBe('NOT_FOUND');
    expect(
      firstError(
        await gql(svc.url, `query($id: ID!) { reservation(id: $id) { id } }`, { id: reservationId }, t),
      ),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    expect((await gql(svc.url, '{ myOrders { id } myTickets { id } }', {}, t)).data).toEqual({
      myOrders: [],
      myTickets: [],
    });
    const entities = await gql(
      svc.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { id tickets { id qrToken } } ... on Ticket { id qrToken } } }`,
      {
        reps: [
          { __typename: 'Order', id: orderId },
          { __typename: 'Ticket', id: ticketIds[0] },
        ],
      },
      t,
    );
    expect(entities.data._entities).toEqual([null, null]);
    const anonymous = await gql(
      svc.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Ticket { id holderId } } }`,
      { reps: [{ __typename: 'Ticket', id: ticketIds[0] }] },
    );
    expect(anonymous.data?._entities ?? [null]).toEqual([null]);
    // The organizer reads the ticket but never its QR; the buyer's own entity reference resolves.
    const asOrganizer = await gql(
      svc.url,
      `query($id: ID!) { ticket(id: $id) { id holderId qrToken } }`,
      { id: ticketIds[0] },
      tokens[organizerUser.id],
    );
    expect(asOrganizer.data.ticket).toEqual({ id: ticketIds[0], holderId: buyer.id, qrToken: null });
    const own = await gql(
      svc.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { id tickets { id } } } }`,
      { reps: [{ __typename: 'Order', id: orderId }] },
      tokens[buyer.id],
    );
    expect(own.data._entities[0].tickets).toHaveLength(2);
    expect(
      firstError(
        await gql(svc.url, `query($e: ID!) { salesSummary(eventId: $e) { eventId } }`, { e: fx.eventId }, t),
      )?.code,
    ).toBe('FORBIDDEN');
  });

  it('transfers a ticket once under concurrent accepts, re-keys it and revokes the old code', async () => {
    const offer = await gql(
      svc.url,
      `mutation($t: ID!, $e: String!) { offerTransfer(ticketId: $t, toEmail: $e) { id status } }`,
      { t: ticketIds[0], e: recipient.email.toUpperCase() },
      tokens[buyer.id],
    );
    expect(offer.errors).toBeUndefined();
    const transferId = offer.data.offerTransfer.id;
    const second = await gql(
      svc.url,
      `mutation($t: ID!, $e: String!) { offerTransfer(ticketId: $t, toEmail: $e) { id } }`,
      { t: ticketIds[0], e: other.email },
      tokens[buyer.id],
    );
    expect(firstError(second)?.code).toBe('CONFLICT');
    const stranger = await gql(
      svc.url,
      `mutation($id: ID!) { acceptTransfer(transferId: $id) { id } }`,
      { id: transferId },
      tokens[other.id],
    );
    expect(firstError(stranger)?.code).toBe('NOT_FOUND');

    const accepts = await Promise.all(
      [0, 1, 2].map(() =>
        gql(
          svc.url,
          `mutation($id: ID!) { acceptTransfer(transferId: $id) { id status } }`,
          { id: transferId },
          tokens[recipient.id],
        ),
      ),
    );
    expect(accepts.filter((a) => a.data?.acceptTransfer?.status === 'ACCEPTED')).toHaveLength(1);
    expect(accepts.filter((a) => firstError(a)?.code === 'CONFLICT')).toHaveLength(2);

    const mine = await gql(
      svc.url,
      '{ myTickets { id generation holderId qrToken } }',
      {},
      tokens[recipient.id],
    );
    expect(mine.data.myTickets).toHaveLength(1);
    expect(mine.data.myTickets[0]).toMatchObject({ id: ticketIds[0], generation: 2, holderId: recipient.id });
    expect(mine.data.myTickets[0].qrToken).not.toBe(firstToken);
    const buyerView = await gql(
      svc.url,
      `query($id: ID!) { ticket(id: $id) { id } }`,
      { id: ticketIds[0] },
      tokens[buyer.id],
    );
    expect(firstError(buyerView)?.code).toBe('NOT_FOUND');

    const revocations = await gql(
      svc.url,
      `query($e: ID!) { ticketRevocations(eventId: $e) { ticketId generation reason } }`,
      { e: fx.eventId },
      tokens[organizerUser.id],
    );
    expect(revocations.data.ticketRevocations).toContainEqual({
      ticketId: ticketIds[0],
      generation: 1,
      reason: 'TRANSFERRED',
    });
    expect(
      firstError(
        await gql(
          svc.url,
          `query($e: ID!) { ticketRevocations(eventId: $e) { ticketId } }`,
          { e: fx.eventId },
          tokens[other.id],
        ),
      )?.code,
    ).toBe('FORBIDDEN');

    const tickets = svc.get<Model<TicketDoc>>(getModelToken(TICKET));
    // The relay publishes ticket.transferred and ticket.revoked: the outbox drains.
    await waitFor(async () =>
      (await tickets.findById(ticketIds[0]).lean<TicketDoc>().exec())!.outbox.length === 0 ? true : undefined,
    );
    const doc = (await tickets.findById(ticketIds[0]).lean<TicketDoc>().exec())!;
    expect(doc.history.map((h) => h.action)).toEqual(['ISSUED', 'TRANSFERRED']);
  });
});
