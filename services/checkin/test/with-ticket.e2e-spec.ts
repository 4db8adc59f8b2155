import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  startService,
  type RunningService,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReplicaService } from '../src/replica/replica.service';
import { startCheckin, type RunningCheckin } from './support/checkin-app';
import {
  eventFixture,
  nonce,
  staffChanged,
  TestPublisher,
  user,
  waitFor,
  type EventFixture,
} from './support/fixtures';
import { gql } from './support/graphql-client';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// The real ticket service (from its dist/) sells the tickets, signs their QR and shows their display code;
// check-in verifies both from its own replica and key cache, also once the ticket service is stopped.

const SCAN = `mutation($input: ScanTicketInput!) { scanTicket(input: $input) { result reason holderName method } }`;

let ctx: TestContext;
let ticketDb: TestContext;
let issuer: TestIssuer;
let publisher: TestPublisher;
let ticket: RunningService | undefined;
let checkin: RunningCheckin;
const organizer = user('ORGANIZER', 'Olga Organizer');
const staff = user('STAFF', 'Sam Staff');
const buyer = user('ATTENDEE', 'Bea Buyer');
const recipient = user('ATTENDEE', 'Rita Recipient');
/** ARCHITECTURE.md §3 and issue 10: a transferred ticket's old code is dead at the gates within a second. */
const TRANSFER_TO_REVOKED_MS = 1_000;
const tokens: Record<string, string> = {};
let fx: EventFixture;

beforeAll(async () => {
  ctx = createTestContext('checkin-with-ticket');
  ticketDb = { ...ctx, dbName: `${ctx.dbName}_ticket`.slice(0, 60) };
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  for (const u of [organizer, staff, buyer, recipient]) tokens[u.id] = await issuer.sign(u);
  publisher = new TestPublisher(ctx);
  await publisher.connect();
  fx = eventFixture(organizer.id);
  await publisher.publish(fx.published, staffChanged(fx, [{ userId: staff.id, email: staff.email }]));
  ticket = await startService(join(__dirname, '..', '..', 'ticket'), {
    ...ctx.env,
    MONGO_DB: ticketDb.dbName,
    AUTH_JWKS_URL: issuer.jwksUrl,
  });
  checkin = await startCheckin(ctx, issuer, `${ticket.url}/graphql`);
}, 90_000);

afterAll(async () => {
  await ticket?.stop();
  await checkin?.close();
  await publisher?.disconnect();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
  if (ticketDb) await dropTestContext(ticketDb, { kafka: false, redis: false });
}, 60_000);

describe('with the real ticket service', () => {
  const buy = async (quantity: number) => {
    const reserved = await waitFor(async () => {
      const answer = await gql(
        ticket!.url,
        'mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id status } }',
        { input: { ticketTypeId: fx.typeId, quantity } },
        tokens[buyer.id],
      );
      return answer.data?.reserveTickets?.status === 'HELD' ? answer.data.reserveTickets : undefined;
    });
    const paid = await gql(
      ticket!.url,
      `mutation($input: CheckoutInput!) { checkout(input: $input) { status tickets { id qrToken } } }`,
      {
        input: { reservationId: reserved.id, paymentToken: 'tok_success', idempotencyKey: `key-${nonce()}` },
      },
      tokens[buyer.id],
    );
    expect(paid.errors).toBeUndefined();
    return paid.data.checkout.tickets as Array<{ id: string; qrToken: string }>;
  };
  const scan = (code: string, direction: 'ENTRY' | 'EXIT' = 'ENTRY') =>
    gql(
      checkin.url,
      SCAN,
      {
        input: {
          eventId: fx.eventId,
          code,
          gateId: 'Main',
          deviceId: 'scanner-1',
          nonce: nonce(),
          direction,
        },
      },
      tokens[staff.id],
    );

  it('after a transfer is accepted the old code answers REVOKED within a second, the new one ACCEPTED', async () => {
    const [bought] = await buy(1);
    const replica = checkin.get(ReplicaService);
    await waitFor(async () => (await replica.findTicket(bought!.id))?.holderName);
    const offer = await gql(
      ticket!.url,
      'mutation($id: ID!, $to: String!) { offerTransfer(ticketId: $id, toEmail: $to) { id status } }',
      { id: bought!.id, to: recipient.email },
      tokens[buyer.id],
    );
    expect(offer.errors).toBeUndefined();
    const accepted = await gql(
      ticket!.url,
      'mutation($id: ID!) { acceptTransfer(transferId: $id) { status generation } }',
      { id: offer.data.offerTransfer.id },
      tokens[recipient.id],
    );
    const acceptedAt = Date.now();
    expect(accepted.data?.acceptTransfer).toMatchObject({ status: 'ACCEPTED' });

    // ticket.transferred reaches check-in over Kafka. Polled with EXIT scans, which cannot admit anyone (this
    // event has no re-entry: a valid code answers REENTRY_NOT_ALLOWED), so the old code's first ENTRY below is
    // still its first.
    let answer: { result: string; reason: string | null };
    do {
      answer = (await scan(bought!.qrToken, 'EXIT')).data.scanTicket;
    } while (answer.result === 'REENTRY_NOT_ALLOWED' && Date.now() - acceptedAt < 10_000);
    const waited = Date.now() - acceptedAt;
    expect(answer).toMatchObject({ result: 'REVOKED', reason: 'OLD_GENERATION' });
    expect(waited, `REVOKED ${waited} ms after acceptTransfer answered`).toBeLessThanOrEqual(
      TRANSFER_TO_REVOKED_MS,
    );
    expect((await scan(bought!.qrToken)).data.scanTicket).toMatchObject({
      result: 'REVOKED',
      reason: 'OLD_GENERATION',
    });
    const mine = await gql(
      ticket!.url,
      'query($id: ID!) { ticket(id: $id) { generation qrToken } }',
      { id: bought!.id },
      tokens[recipient.id],
    );
    expect(mine.data.ticket.generation).toBe(2);
    expect((await scan(mine.data.ticket.qrToken)).data.scanTicket).toMatchObject({
      result: 'ACCEPTED',
      holderName: 'Rita Recipient',
    });
  });

  const OFFER =
    'mutation($id: ID!, $to: String!) { offerTransfer(ticketId: $id, toEmail: $to) { id status } }';
  const offer = async (ticketId: string) => {
    const answer = await gql(ticket!.url, OFFER, { id: ticketId, to: recipient.email }, tokens[buyer.id]);
    expect(answer.errors).toBeUndefined();
    return answer.data.offerTransfer.id as string;
  };

  it('a ticket on offer is held at the gate within a second of offerTransfer, and admits again once cancelled', async () => {
    const [bought] = await buy(1);
    const replica = checkin.get(ReplicaService);
    await waitFor(async () => (await replica.findTicket(bought!.id))?.holderName);
    const transferId = await offer(bought!.id);
    const offeredAt = Date.now();
    // Waited on the replica, not on ENTRY scans (one that came before the hold would rightly admit).
    await waitFor(async () => (await replica.findTicket(bought!.id))?.heldBy ?? undefined, 5_000);
    const waited = Date.now() - offeredAt;
    expect(waited, `held ${waited} ms after offerTransfer answered`).toBeLessThanOrEqual(
      TRANSFER_TO_REVOKED_MS,
    );
    expect((await scan(bought!.qrToken)).data.scanTicket).toMatchObject({
      result: 'REVOKED',
      reason: 'TRANSFER_PENDING',
    });
    const bundle = await gql(
      checkin.url,
      'query($id: ID!) { offlineBundle(eventId: $id) { tickets { ticketId transferPending } } }',
      { id: fx.eventId },
      tokens[staff.id],
    );
    expect(bundle.data.offlineBundle.tickets).toContainEqual({ ticketId: bought!.id, transferPending: true });

    const cancelled = await gql(
      ticket!.url,
      'mutation($id: ID!) { cancelTransfer(transferId: $id) { status } }',
      { id: transferId },
      tokens[buyer.id],
    );
    expect(cancelled.data?.cancelTransfer).toMatchObject({ status: 'CANCELLED' });
    await waitFor(async () => ((await replica.findTicket(bought!.id))?.heldBy ? undefined : true), 5_000);
    expect((await scan(bought!.qrToken)).data.scanTicket).toMatchObject({
      result: 'ACCEPTED',
      holderName: 'Bea Buyer',
    });
  });

  it('a scan racing acceptTransfer never lets the old code in, and the recipient gets an unused ticket', async () => {
    const [bought] = await buy(1);
    const replica = checkin.get(ReplicaService);
    await waitFor(async () => (await replica.findTicket(bought!.id))?.holderName);
    const transferId = await offer(bought!.id);
    await waitFor(async () => (await replica.findTicket(bought!.id))?.heldBy ?? undefined, 5_000);

    // The old holder at the gate and the recipient's accept at the same instant, then the old code again
    // and again while ticket.transferred travels: not one of those scans admits.
    const accepting = gql(
      ticket!.url,
      'mutation($id: ID!) { acceptTransfer(transferId: $id) { status generation } }',
      { id: transferId },
      tokens[recipient.id],
    );
    const racing = await Promise.all([scan(bought!.qrToken), scan(bought!.qrToken)]);
    const accepted = await accepting;
    expect(accepted.data?.acceptTransfer).toMatchObject({ status: 'ACCEPTED' });
    const after: Array<{ result: string; reason: string | null }> = [];
    const until = Date.now() + 400;
    while (Date.now() < until) after.push((await scan(bought!.qrToken)).data.scanTicket);
    for (const answer of [...racing.map((r) => r.data.scanTicket), ...after]) {
      expect(answer.result).toBe('REVOKED');
      expect(['TRANSFER_PENDING', 'OLD_GENERATION']).toContain(answer.reason);
    }

    // The recipient's code admits once check-in has the transfer (polled with EXIT scans, which cannot admit).
    const mine = await gql(
      ticket!.url,
      'query($id: ID!) { ticket(id: $id) { generation checkedIn qrToken } }',
      { id: bought!.id },
      tokens[recipient.id],
    );
    expect(mine.data.ticket).toMatchObject({ generation: 2, checkedIn: false });
    await waitFor(
      async () => ((await replica.findTicket(bought!.id))?.generation === 2 ? true : undefined),
      5_000,
    );
    expect((await scan(mine.data.ticket.qrToken)).data.scanTicket).toMatchObject({
      result: 'ACCEPTED',
      holderName: 'Rita Recipient',
    });
  });

  it('a scan at the instant of offerTransfer admits, and an immediate accept is refused: nobody gets a used ticket', async () => {
    const [bought] = await buy(1);
    const replica = checkin.get(ReplicaService);
    await waitFor(async () => (await replica.findTicket(bought!.id))?.holderName);
    // The holder is scanned in while offering the ticket: the gate cannot have heard of the offer yet, and the
    // ticket service has not heard of the check-in yet, so both succeed ...
    const [scanned, transferId] = await Promise.all([scan(bought!.qrToken), offer(bought!.id)]);
    expect(scanned.data.scanTicket).toMatchObject({ result: 'ACCEPTED', holderName: 'Bea Buyer' });
    // ... and the recipient accepts at once. The accept waits for the offer to settle, by when the check-in
    // has ended the offer: the recipient is told, and the ticket stays the holder's, used.
    const accepted = await gql(
      ticket!.url,
      'mutation($id: ID!) { acceptTransfer(transferId: $id) { status generation } }',
      { id: transferId },
      tokens[recipient.id],
    );
    expect(accepted.data?.acceptTransfer ?? null).toBeNull();
    expect(accepted.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/cancelled/),
      extensions: { code: 'CONFLICT', field: 'transferId' },
    });
    const theirs = await gql(
      ticket!.url,
      'query { myTransfers { id status reason } }',
      {},
      tokens[recipient.id],
    );
    expect(theirs.data.myTransfers).toContainEqual({
      id: transferId,
      status: 'CANCELLED',
      reason: 'TICKET_CHECKED_IN',
    });
    const held = await gql(
      ticket!.url,
      'query($id: ID!) { ticket(id: $id) { generation checkedIn } }',
      { id: bought!.id },
      tokens[buyer.id],
    );
    expect(held.data.ticket).toEqual({ generation: 1, checkedIn: true });
  });

  it('admits a bought ticket by its QR and by its display code, and keeps scanning with ticket stopped', async () => {
    const [first, second] = await buy(2);
    const display = await gql(
      ticket!.url,
      'query($id: ID!) { ticketDisplayCode(id: $id) { scanCode } }',
      { id: second!.id },
      tokens[buyer.id],
    );
    const scanCode = display.data.ticketDisplayCode.scanCode as string;
    expect(scanCode).toMatch(new RegExp(`^D1\\.${second!.id}\\.1\\.\\d{8}$`));

    // ticket.issued reaches check-in's replica through Kafka (each ticket on its own partition: wait for both).
    const replica = checkin.get(ReplicaService);
    for (const bought of [first!, second!]) {
      await waitFor(async () => (await replica.findTicket(bought.id))?.holderName);
    }
    expect((await scan(first!.qrToken)).data.scanTicket).toMatchObject({
      result: 'ACCEPTED',
      holderName: 'Bea Buyer',
      method: 'QR',
    });

    await ticket!.stop();
    ticket = undefined;
    // Nothing is asked of the stopped service: the display code is derived, the key set cached.
    expect((await scan(scanCode)).data.scanTicket).toMatchObject({
      result: 'ACCEPTED',
      holderName: 'Bea Buyer',
      method: 'ROTATING_CODE',
    });
    expect((await scan(first!.qrToken)).data.scanTicket.result).toBe('ALREADY_CHECKED_IN');
  });
});
