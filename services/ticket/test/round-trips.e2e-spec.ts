import { createRequire } from 'node:module';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CatalogConsumer } from '../src/messaging/catalog.consumer';
import { eventFixture, user, type EventFixture } from './support/fixtures';
import { gql } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// What one purchase costs the database, in round trips: every command the driver sends (its command monitoring,
// so inserts, updates, findAndModify and reads alike). Left out: the outbox relays' own work (counted per relay
// round, not per request: any command whose filter names an outbox field), the built-in test payment provider's
// record (a real provider is an HTTP call, not this database) and driver housekeeping. Fails when a change adds a
// round trip to the hot path.

const RESERVE = `mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id status } }`;
const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { id status tickets { id } } }`;
const READS = new Set(['find', 'aggregate', 'count', 'distinct', 'getMore']);
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);
const RELAY_KEYS = ['outboxPending', 'outboxLeaseUntil', 'outbox.0.id', 'outbox'];
const PROVIDER_COLLECTIONS = new Set(['test_payment_charges']);

/** The part of the driver's command-started event read here. */
interface CommandStartedEvent {
  commandName: string;
  command: unknown;
}

interface Op {
  collection: string;
  method: string;
}

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;
let fx: EventFixture;

beforeAll(async () => {
  ctx = createTestContext('ticket-round-trips');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  const url = ctx.env.MONGO_URL;
  svc = await startTicket(ctx, issuer, {
    MONGO_URL: `${url}${url.includes('?') ? '&' : '?'}monitorCommands=true`,
    // A sale keeps the per-process sale context warm; make that so here whatever the machine's speed.
    CATALOG_CACHE_MS: '60000',
  });
  fx = eventFixture({ gaQuantity: 20 });
  await svc.get(CatalogConsumer).apply(fx.published);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

/** The filters a command carries (find, update statements, findAndModify, delete statements). */
function filtersOf(command: Record<string, unknown>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const key of ['filter', 'query']) if (command[key]) out.push(command[key] as Record<string, unknown>);
  for (const key of ['updates', 'deletes'])
    for (const statement of (command[key] as Array<{ q?: Record<string, unknown> }> | undefined) ?? [])
      if (statement.q) out.push(statement.q);
  return out;
}

/** Runs `work` and returns the database commands it sent (relay and provider work excluded). */
async function opsOf(work: () => Promise<void>): Promise<{ reads: Op[]; writes: Op[] }> {
  const client = svc.get<Connection>(getConnectionToken()).getClient();
  const ops: Op[] = [];
  const listener = (event: CommandStartedEvent) => {
    const method = event.commandName;
    if (!READS.has(method) && !WRITES.has(method)) return;
    const command = event.command as Record<string, unknown>;
    const collection = String(command[method === 'getMore' ? 'collection' : method]);
    if (PROVIDER_COLLECTIONS.has(collection)) return;
    if (filtersOf(command).some((filter) => RELAY_KEYS.some((key) => key in filter))) return;
    ops.push({ collection, method });
  };
  client.on('commandStarted', listener);
  try {
    await work();
  } finally {
    client.off('commandStarted', listener);
  }
  return {
    reads: ops.filter((op) => READS.has(op.method)),
    writes: ops.filter((op) => WRITES.has(op.method)),
  };
}

const show = (ops: Op[]) => ops.map((op) => `${op.collection}.${op.method}`);

describe('database round trips per purchase', () => {
  it('a hold and a checkout cost what the README states', async () => {
    const buyer = user('ATTENDEE', 'Counted Buyer');
    const token = await issuer.sign(buyer);
    // Warm the per-process sale context (a flash sale asks the same ticket type thousands of times).
    const warm = await gql(svc.url, RESERVE, { input: { ticketTypeId: fx.gaTypeId, quantity: 1 } }, token);
    expect(warm.errors).toBeUndefined();

    let reservationId = '';
    const hold = await opsOf(async () => {
      const answer = await gql(
        svc.url,
        RESERVE,
        { input: { ticketTypeId: fx.gaTypeId, quantity: 1 } },
        token,
      );
      expect(answer.errors).toBeUndefined();
      reservationId = answer.data.reserveTickets.id as string;
    });

    const pay = await opsOf(async () => {
      const answer = await gql(
        svc.url,
        CHECKOUT,
        { input: { reservationId, paymentToken: 'tok_success', idempotencyKey: `count-${reservationId}` } },
        token,
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data.checkout.status).toBe('CONFIRMED');
      expect(answer.data.checkout.tickets).toHaveLength(1);
    });

    // A replay of the same checkout (the answer was lost) finds the order without paying again.
    const replay = await opsOf(async () => {
      const answer = await gql(
        svc.url,
        CHECKOUT,
        { input: { reservationId, paymentToken: 'tok_success', idempotencyKey: `count-${reservationId}` } },
        token,
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data.checkout.status).toBe('CONFIRMED');
    });

    const summary = {
      holdWrites: show(hold.writes),
      holdReads: show(hold.reads),
      checkoutWrites: show(pay.writes),
      checkoutReads: show(pay.reads),
      replayWrites: show(replay.writes),
      replayReads: show(replay.reads),
    };
    // The ticket README's "Performance" section states these counts (before this change: checkout 9 writes
    // and 6 reads, plus the answer's tickets).
    expect(summary).toEqual({
      // PENDING (the crash log) → buyer counter → stock → HELD + reservation.created.
      holdWrites: ['reservations.insert', 'buyer_limits.update', 'inventory.update', 'reservations.update'],
      // Ticket type, event and price come from the per-process sale context.
      holdReads: [],
      checkoutWrites: [
        'idempotency_records.insert', // the key
        'reservations.findAndModify', // HELD → PAYING, returning the reservation
        'orders.insert', // the PENDING attempt (before the charge: recovery settles it from the provider)
        'inventory.update', // held → sold, once (marker)
        'tickets.insert', // deterministic ids
        'orders.update', // PENDING → CONFIRMED + charge id + order.confirmed + every ticket.issued
        'reservations.update', // PAYING → CONVERTED
      ],
      checkoutReads: [
        'event_replicas.find', // fresh, before charging: nobody pays for a cancelled event
        'event_replicas.find', // fresh, before selling: cancelled during the charge → refund, hold released
        'event_replicas.find', // fresh, after CONFIRMED: a cancellation in between is refunded
        'tickets.find', // the answer's `tickets` field
      ],
      // The key is taken: the replay finds the order (derived from the reservation id) without paying again.
      replayWrites: ['idempotency_records.insert'],
      replayReads: ['idempotency_records.find', 'orders.find', 'orders.find', 'tickets.find'],
    });
  });
});
