import { resolve } from 'node:path';
import { TOPICS, type EventEnvelope } from '@ticketing/contracts';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  freePort,
  startService,
  type RunningService,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { createClient } from 'graphql-ws';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pricedEvent, reservationCreated, user } from './support/fixtures';
import { gql } from './support/graphql-client';
import { FAST_WINDOWS } from './support/pricing-app';

// The built pricing, ticket and gateway services as child processes on the real stack, pricing and ticket
// talking only through Kafka: purchases in ticket move the DEMAND price in pricing, the gateway streams the
// change, and ticket quotes new holds at the new price while an earlier hold keeps its quote. Then pricing is
// killed mid-burst and resumes with the same windows.

const ROOT = resolve(__dirname, '../../..');
/** Boot allowance per process: the shared 2-core machine can be very busy. */
const READY_MS = 60_000;
let ctx: TestContext;
let issuer: TestIssuer;
let producer: Producer;
let db: Connection;
let pricing: RunningService | undefined;
let ticket: RunningService | undefined;
let gateway: RunningService | undefined;
/** Pricing's own database (ticket keeps the context's). */
let pricingDb = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * A call to the ticket service as a client makes it: refused `TRY_AGAIN` (its load shedder, on a loaded
 * machine), it is sent again after the hint, a few times (a checkout with the same idempotency key).
 */
async function ticketCall(...args: Parameters<typeof gql>): ReturnType<typeof gql> {
  for (let tries = 1; ; tries++) {
    const answer = await gql(...args);
    const refusal = answer.errors?.[0]?.extensions as { code?: string; retryAfterMs?: number } | undefined;
    if (refusal?.code !== 'TRY_AGAIN' || tries >= 5) return answer;
    await sleep(refusal.retryAfterMs ?? 200);
  }
}

function pricingEnv(): Record<string, string> {
  return {
    ...ctx.env,
    MONGO_DB: pricingDb,
    AUTH_JWKS_URL: issuer.jwksUrl,
    ...FAST_WINDOWS,
    // Signals count by the time they happened: a window this long keeps them however slow the machine is.
    BUCKET_MS: '1000',
    DEMAND_WINDOW_MS: '120000',
    REPRICE_INTERVAL_MS: '500',
    DEFAULT_MIN_INTERVAL_SECONDS: '0',
    DEFAULT_SENSITIVITY_PCT: '100',
  };
}

function startPricingProcess(): Promise<RunningService> {
  return startService(resolve(ROOT, 'services/pricing'), pricingEnv(), { readyTimeoutMs: READY_MS });
}

async function send(envelopes: EventEnvelope[], topic: string): Promise<void> {
  await producer.send({
    topic: ctx.topicPrefix + topic,
    messages: envelopes.map((e) => ({ key: e.key, value: JSON.stringify(e) })),
  });
}

const PRICE = `query($id: ID!) { _entities(representations: [{ __typename: "TicketType", id: $id }]) {
  ... on TicketType { price { amount version } } } }`;
const priceOf = async (id: string): Promise<{ amount: number; version: number } | null> =>
  (await gql(pricing!.url, PRICE, { id })).data?._entities?.[0]?.price ?? null;

const RESERVE = `mutation($t: ID!, $q: Int!) { reserveTickets(input: { ticketTypeId: $t, quantity: $q }) {
  id unitPrice { amount } } }`;
const CHECKOUT = `mutation($r: ID!, $k: String!) { checkout(input: { reservationId: $r, paymentToken: "tok_success",
  idempotencyKey: $k }) { id total { amount } } }`;

beforeAll(async () => {
  ctx = createTestContext('pricing-propagation');
  pricingDb = `${ctx.dbName}_pricing`.slice(0, 60);
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  const kafka = new Kafka({
    clientId: 'pricing-test',
    brokers: ctx.env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  producer = kafka.producer();
  await producer.connect();
  db = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: pricingDb }).asPromise();
  const [pricingPort, ticketPort, closedPort] = [await freePort(), await freePort(), await freePort()];
  [pricing, ticket, gateway] = await Promise.all([
    startService(resolve(ROOT, 'services/pricing'), pricingEnv(), {
      port: pricingPort,
      readyTimeoutMs: READY_MS,
    }),
    startService(
      resolve(ROOT, 'services/ticket'),
      {
        ...ctx.env,
        AUTH_JWKS_URL: issuer.jwksUrl,
        CATALOG_CACHE_MS: '0',
      },
      { port: ticketPort, readyTimeoutMs: READY_MS },
    ),
    // Only pricing and ticket run: the other subgraph URLs point at a closed port.
    startService(
      resolve(ROOT, 'services/gateway'),
      {
        ...ctx.env,
        AUTH_JWKS_URL: issuer.jwksUrl,
        AUTH_URL: `http://127.0.0.1:${closedPort}/graphql`,
        EVENT_URL: `http://127.0.0.1:${closedPort}/graphql`,
        CHECKIN_URL: `http://127.0.0.1:${closedPort}/graphql`,
        TICKET_URL: `http://127.0.0.1:${ticketPort}/graphql`,
        PRICING_URL: `http://127.0.0.1:${pricingPort}/graphql`,
        RATE_LIMIT_PER_MINUTE: '0',
      },
      { readyTimeoutMs: READY_MS },
    ),
  ]);
}, 150_000);

afterAll(async () => {
  await Promise.all([pricing?.stop(), ticket?.stop(), gateway?.stop()]);
  await producer?.disconnect();
  await db?.close();
  await issuer?.close();
  if (ctx) {
    await dropTestContext(ctx);
    await dropTestContext({ ...ctx, dbName: pricingDb }, { kafka: false, redis: false });
  }
}, 60_000);

describe('price propagation between pricing and ticket over Kafka', () => {
  it('a burst of purchases raises the DEMAND price; the next hold pays it, an earlier hold keeps its quote', async () => {
    const organizer = user('ORGANIZER');
    const fx = pricedEvent({
      organizerId: organizer.id,
      basePrice: 5000,
      policy: {
        kind: 'DEMAND',
        floor: { amount: 4000, currency: 'EUR' },
        ceiling: { amount: 6000, currency: 'EUR' },
        maxStepPct: 10,
        hysteresisPct: 1,
      },
    });
    await send([fx.published], TOPICS.events);
    const first = await until('the initial price', () => priceOf(fx.typeId));
    expect(first).toEqual({ amount: 5000, version: 1 });

    const early = user();
    const earlyToken = await issuer.sign(early);
    const hold = await until('ticket to know the type', async () => {
      const answer = await ticketCall(ticket!.url, RESERVE, { t: fx.typeId, q: 1 }, earlyToken);
      return answer.data?.reserveTickets as { id: string; unitPrice: { amount: number } } | undefined;
    });
    expect(hold.unitPrice.amount).toBe(5000);

    // The organizer watches prices live through the gateway.
    const live: Array<{ ticketTypeId: string; price: { amount: number }; version: number }> = [];
    const client = createClient({
      url: `${gateway!.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await issuer.sign(organizer)}` },
    });
    const unsubscribe = client.subscribe(
      {
        query:
          'subscription($e: ID!) { priceChanged(eventId: $e) { ticketTypeId price { amount } version } }',
        variables: { e: fx.eventId },
      },
      {
        next: (m) => live.push((m.data as { priceChanged: (typeof live)[number] }).priceChanged),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await sleep(500);

    // The burst: 12 buyers hold and pay.
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const buyer = user();
        const token = await issuer.sign(buyer);
        const r = await ticketCall(ticket!.url, RESERVE, { t: fx.typeId, q: 1 }, token);
        expect(r.errors).toBeUndefined();
        const paid = await ticketCall(
          ticket!.url,
          CHECKOUT,
          { r: r.data.reserveTickets.id, k: `burst-key-${i}` },
          token,
        );
        expect(paid.errors).toBeUndefined();
      }),
    );
    const raised = await until('the price to rise', async () => {
      const p = await priceOf(fx.typeId);
      return p && p.amount > 5000 ? p : undefined;
    });
    expect(raised.amount).toBeLessThanOrEqual(6000);
    const streamed = await until('the change on the gateway subscription', async () =>
      live.find((u) => u.version === raised.version),
    );
    expect(streamed).toEqual({
      ticketTypeId: fx.typeId,
      price: { amount: raised.amount },
      version: raised.version,
    });
    unsubscribe();
    await client.dispose();
    // And the organizer reads it through the gateway.
    const read = await gql(
      gateway!.url,
      'query($t: ID!) { pricingSettings(ticketTypeId: $t) { kind price { amount } } }',
      { t: fx.typeId },
      await issuer.sign(organizer),
    );
    expect(read.errors).toBeUndefined();
    expect(read.data.pricingSettings.kind).toBe('DEMAND');
    expect(read.data.pricingSettings.price.amount).toBeGreaterThanOrEqual(raised.amount);

    // Ticket applies price.changed: a new hold is quoted what pricing says now.
    const late = user();
    const lateToken = await issuer.sign(late);
    const lateHold = await until('ticket to quote the new price', async () => {
      const r = await ticketCall(ticket!.url, RESERVE, { t: fx.typeId, q: 1 }, lateToken);
      const held = r.data?.reserveTickets as { id: string; unitPrice: { amount: number } } | undefined;
      if (held && held.unitPrice.amount > 5000) return held;
      if (held)
        await gql(
          ticket!.url,
          `mutation($id: ID!) { releaseReservation(id: $id) { id } }`,
          { id: held.id },
          lateToken,
        );
      return undefined;
    });
    const now = await priceOf(fx.typeId);
    expect(lateHold.unitPrice.amount).toBeGreaterThan(5000);
    expect(lateHold.unitPrice.amount).toBeLessThanOrEqual(now!.amount);

    // The early hold still pays its quote.
    const paid = await ticketCall(ticket!.url, CHECKOUT, { r: hold.id, k: 'early-hold-key' }, earlyToken);
    expect(paid.errors).toBeUndefined();
    expect(paid.data.checkout.total.amount).toBe(5000);
  }, 90_000);

  it('a pricing process killed mid-burst resumes with the same windows', async () => {
    const fx = pricedEvent({
      basePrice: 5000,
      policy: {
        kind: 'DEMAND',
        floor: { amount: 4000, currency: 'EUR' },
        ceiling: { amount: 9000, currency: 'EUR' },
        maxStepPct: 10,
      },
    });
    await send([fx.published], TOPICS.events);
    await until('the initial price', () => priceOf(fx.typeId));
    const holds = Array.from({ length: 60 }, () => reservationCreated(fx, 1));
    const heldCounted = async () => {
      const docs = await db.collection('demand_buckets').find({ subject: fx.typeId }).toArray();
      return docs.reduce((sum, d) => sum + (d.held as number), 0);
    };

    await send(holds.slice(0, 30), TOPICS.reservations);
    await until('some holds counted', async () => (await heldCounted()) > 0);
    pricing!.child.kill('SIGKILL');
    await until(
      'the process to die',
      async () => pricing!.child.exitCode !== null || pricing!.child.signalCode !== null,
    );
    // More of the burst, plus redeliveries of what was sent before the kill.
    await send([...holds.slice(30), ...holds.slice(0, 10)], TOPICS.reservations);
    pricing = await startPricingProcess();

    await until('all 60 holds counted', async () => (await heldCounted()) === 60, 30_000);
    await sleep(1_500); // anything still in flight would show up as over-counting
    expect(await heldCounted()).toBe(60);
    const state = await db.collection('ticket_prices').findOne({ _id: fx.typeId as never });
    // Each document's update carries its own offset mark, so a kill between the bucket update and the totals
    // update heals on redelivery: the totals are exact too.
    expect(state!.heldTotal).toBe(60);
    // The restarted process prices from the same windows: 60 holds far above pace raise the price.
    const raised = await until('the price to rise', async () => {
      const p = await priceOf(fx.typeId);
      return p && p.amount > 5000 ? p : undefined;
    });
    expect(raised.amount).toBeLessThanOrEqual(9000);
  }, 120_000);
});
