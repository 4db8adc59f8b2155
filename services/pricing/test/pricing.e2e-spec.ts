import { getModelToken } from '@nestjs/mongoose';
import { MAX_PRICE_MINOR, newEnvelope } from '@ticketing/contracts';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { createClient } from 'graphql-ws';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { TICKET_PRICE, type TicketPriceDoc } from '../src/catalog/schemas/ticket-price.schema';
import { PricingConsumer } from '../src/messaging/pricing.consumer';
import { Repricer } from '../src/repricing/repricer.service';
import { DEMAND_BUCKET, type DemandBucketDoc } from '../src/signals/schemas/demand-bucket.schema';
import {
  eventCancelled,
  orderConfirmed,
  type PricedEvent,
  pricedEvent,
  reservationCreated,
  user,
} from './support/fixtures';
import { firstError, gql } from './support/graphql-client';
import { startPricing, type RunningPricing } from './support/pricing-app';

// The pricing service in-process against the real stack. Envelopes from other services are applied with
// PricingConsumer.apply and repricing is driven by hand (the Kafka path and the timer are covered by
// propagation.e2e-spec.ts), so every step is deterministic.

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningPricing;
const organizer = user('ORGANIZER');
const stranger = user('ORGANIZER');
const admin = user('ADMIN');
const tokens: Record<string, string> = {};

const model = <T>(name: string) => svc.get<Model<T>>(getModelToken(name));
const stateOf = async (id: string) =>
  (await model<TicketPriceDoc>(TICKET_PRICE).findById(id).lean<TicketPriceDoc>().exec())!;
const apply = (envelope: Parameters<PricingConsumer['apply']>[0]) => svc.get(PricingConsumer).apply(envelope);
const reprice = (id: string) => svc.get(Repricer).reprice(id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function publish(options: Parameters<typeof pricedEvent>[0] = {}): Promise<PricedEvent> {
  const fx = pricedEvent({ organizerId: organizer.id, ...options });
  await apply(fx.published);
  return fx;
}

const SET_POLICY = `mutation($id: ID!, $input: SetPricingPolicyInput!) {
  setPricingPolicy(ticketTypeId: $id, input: $input) {
    kind floor ceiling maxStepPct minIntervalSeconds priceEnding tiers { amount untilSold until }
    price { amount currency version }
  }
}`;
const HISTORY = `query($id: ID!, $from: DateTime, $to: DateTime) {
  priceHistory(ticketTypeId: $id, from: $from, to: $to) {
    version reason price { amount } previous { amount } factors { name value detail } at
  }
}`;
const ENTITY_PRICE = `query($id: ID!) {
  _entities(representations: [{ __typename: "TicketType", id: $id }]) {
    ... on TicketType { price { amount currency version nextTier { price { amount } startsAt afterSold } } }
  }
}`;

const DEMAND_INPUT = {
  kind: 'DEMAND',
  currency: 'EUR',
  floor: 4000,
  ceiling: 6000,
  maxStepPct: 10,
  minIntervalSeconds: 0,
  sensitivity: 1,
  hysteresisPct: 1,
  priceEnding: 0,
};

beforeAll(async () => {
  ctx = createTestContext('pricing');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startPricing(ctx, issuer);
  // Signals schedule no repricing within a test: each test reprices by hand.
  vi.spyOn(svc.get(Repricer), 'schedule').mockImplementation(() => undefined);
  for (const u of [organizer, stranger, admin]) tokens[u.id] = await issuer.sign(u);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('FIXED', () => {
  it('publishes the base price once and never changes it, whatever the demand', async () => {
    const fx = await publish({ basePrice: 5000 });
    const first = await stateOf(fx.typeId);
    expect(first.price).toBe(5000);
    expect(first.version).toBe(1);
    expect(first.lastChange?.reason).toBe('INITIAL');
    for (let i = 0; i < 20; i += 1) {
      await apply(reservationCreated(fx, 2));
      await apply(orderConfirmed(fx, 2));
    }
    expect((await reprice(fx.typeId)).status).toBe('unchanged');
    await svc.get(Repricer).sweep();
    const after = await stateOf(fx.typeId);
    expect(after.price).toBe(5000);
    expect(after.version).toBe(1);
    const history = await gql(svc.url, HISTORY, { id: fx.typeId }, tokens[organizer.id]);
    expect(history.data.priceHistory).toHaveLength(1);
  });
});

describe('TIERED', () => {
  it('switches at its quantity and at its date, and shows the next tier', async () => {
    const until = new Date(Date.now() + 2_500);
    const fx = await publish({
      policy: {
        kind: 'TIERED',
        tiers: [
          { price: { amount: 3900, currency: 'EUR' }, untilSold: 3 },
          { price: { amount: 4900, currency: 'EUR' }, until: until.toISOString() },
          { price: { amount: 5900, currency: 'EUR' } },
        ],
      },
    });
    let answer = await gql(svc.url, ENTITY_PRICE, { id: fx.typeId });
    expect(answer.errors).toBeUndefined();
    expect(answer.data._entities[0].price).toMatchObject({
      amount: 3900,
      currency: 'EUR',
      version: 1,
      nextTier: { price: { amount: 4900 }, startsAt: null, afterSold: 3 },
    });

    await apply(orderConfirmed(fx, 2));
    expect((await reprice(fx.typeId)).status).toBe('unchanged');
    await apply(orderConfirmed(fx, 1));
    await reprice(fx.typeId);
    let state = await stateOf(fx.typeId);
    expect(state.price).toBe(4900);
    expect(state.lastChange?.reason).toBe('TIER');
    answer = await gql(svc.url, ENTITY_PRICE, { id: fx.typeId });
    expect(answer.data._entities[0].price.nextTier).toEqual({
      price: { amount: 5900 },
      startsAt: until.toISOString(),
      afterSold: null,
    });

    await sleep(until.getTime() - Date.now() + 50);
    expect(await svc.get(Repricer).sweep()).toBeGreaterThanOrEqual(1);
    state = await stateOf(fx.typeId);
    expect(state.price).toBe(5900);
    expect(state.version).toBe(3);
    answer = await gql(svc.url, ENTITY_PRICE, { id: fx.typeId });
    expect(answer.data._entities[0].price.nextTier).toBeNull();
  });
});

describe('TIERED quantity caps in price.changed', () => {
  /** The price.changed envelopes the repricer writes into the outbox while `run` runs. */
  async function published(run: () => Promise<unknown>) {
    const spy = vi.spyOn(model<TicketPriceDoc>(TICKET_PRICE), 'updateOne');
    try {
      await run();
      return spy.mock.calls
        .map(
          ([, update]) =>
            (update as { $push?: { outbox?: { $each: Array<{ type: string; data: any }> } } })?.$push,
        )
        .flatMap((push) => push?.outbox?.$each ?? [])
        .filter((envelope) => envelope.type === 'price.changed')
        .map((envelope) => envelope.data);
    } finally {
      spy.mockRestore();
    }
  }
  const eur = (amount: number) => ({ amount, currency: 'EUR' });

  it('carries the ladder of a tier that ends on a quantity, and none for a tier that ends on a date', async () => {
    let fx!: PricedEvent;
    let events = await published(async () => {
      fx = await publish({
        policy: {
          kind: 'TIERED',
          tiers: [
            { price: eur(3900), untilSold: 3 },
            { price: eur(4900), untilSold: 10 },
            { price: eur(5900) },
          ],
        },
      });
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      price: eur(3900),
      priceVersion: 1,
      untilSold: [
        { count: 3, next: eur(4900) },
        { count: 10, next: eur(5900) },
      ],
    });
    expect((await stateOf(fx.typeId)).untilSold).toEqual([
      { count: 3, next: 4900 },
      { count: 10, next: 5900 },
    ]);

    // Past the first cap: the next tier's price, with what is left of the ladder.
    await apply(orderConfirmed(fx, 3));
    events = await published(() => reprice(fx.typeId));
    expect(events).toEqual([
      expect.objectContaining({
        price: eur(4900),
        reason: 'TIER',
        untilSold: [{ count: 10, next: eur(5900) }],
      }),
    ]);
    // Past the last cap: an open-ended price, no ladder.
    await apply(orderConfirmed(fx, 7));
    events = await published(() => reprice(fx.typeId));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ price: eur(5900) });
    expect(events[0]).not.toHaveProperty('untilSold');
    expect((await stateOf(fx.typeId)).untilSold).toBeNull();

    const dated = await published(() =>
      publish({
        policy: {
          kind: 'TIERED',
          tiers: [
            { price: eur(3900), until: new Date(Date.now() + 3_600_000).toISOString() },
            { price: eur(5900) },
          ],
        },
      }),
    );
    expect(dated).toHaveLength(1);
    expect(dated[0]).toMatchObject({ price: eur(3900) });
    expect(dated[0]).not.toHaveProperty('untilSold');
  });

  it('publishes a ladder that moved even when the price stays (a later tier ended on its date)', async () => {
    const until = new Date(Date.now() + 1_500);
    const fx = await publish({
      policy: {
        kind: 'TIERED',
        tiers: [
          { price: eur(3900), untilSold: 3 },
          { price: eur(4900), untilSold: 10, until: until.toISOString() },
          { price: eur(5900) },
        ],
      },
    });
    expect((await stateOf(fx.typeId)).untilSold).toEqual([
      { count: 3, next: 4900 },
      { count: 10, next: 5900 },
    ]);
    expect((await reprice(fx.typeId)).status).toBe('unchanged');
    await sleep(until.getTime() - Date.now() + 50);
    const events = await published(() => reprice(fx.typeId));
    expect(events).toEqual([
      expect.objectContaining({
        price: eur(3900),
        previous: eur(3900),
        reason: 'TIER',
        priceVersion: 2,
        untilSold: [{ count: 3, next: eur(5900) }],
      }),
    ]);
  });
});

describe('TIERED dates and the event end', () => {
  it("refuses tier dates after the event's end (the event service's rule too), and follows a moved end", async () => {
    const fx = await publish({ basePrice: 5000 });
    const HOUR = 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const endsAt = Date.parse(fx.published.data.endsAt);
    const tiered = (untils: number[]) => ({
      kind: 'TIERED',
      currency: 'EUR',
      tiers: [...untils.map((until, i) => ({ amount: 3000 + i * 100, until: iso(until) })), { amount: 5000 }],
    });
    const set = (input: Record<string, unknown>) =>
      gql(svc.url, SET_POLICY, { id: fx.typeId, input }, tokens[organizer.id]);
    const before = await stateOf(fx.typeId);
    for (const [input, field] of [
      [tiered([endsAt + 1_000]), 'input.tiers.0.until'],
      [tiered([endsAt - 24 * HOUR, endsAt + HOUR]), 'input.tiers.1.until'],
    ] as const) {
      expect(firstError(await set(input)), JSON.stringify(input)).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    const unchanged = await stateOf(fx.typeId);
    expect(unchanged.policy).toEqual(before.policy);
    expect(unchanged.version).toBe(before.version);

    // A tier ending exactly when the event ends is accepted.
    const atEnd = await set(tiered([endsAt - 24 * HOUR, endsAt]));
    expect(atEnd.errors).toBeUndefined();
    expect(atEnd.data.setPricingPolicy.tiers[1].until).toBe(iso(endsAt));

    // The event moves earlier (event.updated): the new end bounds the tiers set from then on.
    const startsAt = endsAt - 10 * 24 * HOUR;
    const movedEnd = startsAt + 3 * HOUR;
    const { status: _status, publishedAt: _publishedAt, ...snapshot } = fx.published.data;
    await apply(
      newEnvelope(
        'event.updated',
        fx.eventId,
        {
          ...snapshot,
          startsAt: iso(startsAt),
          endsAt: iso(movedEnd),
          status: 'PUBLISHED',
          changedFields: ['startsAt', 'endsAt'],
          updatedAt: iso(Date.now()),
          aggregateVersion: 2,
        },
        { source: 'event' },
      ),
    );
    expect(firstError(await set(tiered([movedEnd + HOUR])))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.tiers.0.until',
    });
    expect((await set(tiered([movedEnd]))).errors).toBeUndefined();
  });
});

describe('policies that could never apply', () => {
  it('refuses a tier already over (keeping one the stored policy has) and any policy once the event is cancelled', async () => {
    const fx = await publish({ basePrice: 5000 });
    const iso = (ms: number) => new Date(ms).toISOString();
    const set = (input: Record<string, unknown>) =>
      gql(svc.url, SET_POLICY, { id: fx.typeId, input }, tokens[organizer.id]);
    const tiered = (...untils: number[]) => ({
      kind: 'TIERED',
      currency: 'EUR',
      tiers: [...untils.map((until, i) => ({ amount: 3000 + i * 100, until: iso(until) })), { amount: 5000 }],
    });
    expect(firstError(await set(tiered(Date.now() - 60_000)))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.tiers.0.until',
    });
    // An early tier that ends in a moment is stored; once it has ended, the form re-sending it still saves.
    const soon = Date.now() + 1_500;
    const later = Date.now() + 24 * 3_600_000;
    expect((await set(tiered(soon, later))).errors).toBeUndefined();
    await sleep(1_600);
    expect((await set(tiered(soon, later))).errors).toBeUndefined();

    await apply(eventCancelled(fx, 'Storm'));
    const before = await stateOf(fx.typeId);
    expect(firstError(await set({ kind: 'FIXED', currency: 'EUR' }))).toEqual({
      code: 'CONFLICT',
      field: 'ticketTypeId',
    });
    const after = await stateOf(fx.typeId);
    expect(after.policy).toEqual(before.policy);
    expect(after.version).toBe(before.version);
  });
});

describe('DEMAND', () => {
  it('a burst raises the price within its bounds one step at a time; a quiet period brings it back to base', async () => {
    const fx = await publish({ basePrice: 5000 });
    const set = await gql(svc.url, SET_POLICY, { id: fx.typeId, input: DEMAND_INPUT }, tokens[organizer.id]);
    expect(set.errors).toBeUndefined();
    expect(set.data.setPricingPolicy).toMatchObject({ kind: 'DEMAND', floor: 4000, ceiling: 6000 });
    expect(set.data.setPricingPolicy.price).toEqual({ amount: 5000, currency: 'EUR', version: 2 });

    for (let i = 0; i < 40; i += 1) await apply(orderConfirmed(fx, 1));
    await reprice(fx.typeId);
    expect((await stateOf(fx.typeId)).price).toBe(5500); // at most 10 % per change, ending .00
    await reprice(fx.typeId);
    expect((await stateOf(fx.typeId)).price).toBe(6000); // the ceiling
    expect((await reprice(fx.typeId)).status).toBe('unchanged');

    const history = await gql(svc.url, HISTORY, { id: fx.typeId }, tokens[organizer.id]);
    expect(history.errors).toBeUndefined();
    const changes = history.data.priceHistory;
    expect(changes.map((c: { reason: string }) => c.reason)).toEqual([
      'INITIAL',
      'POLICY_CHANGED',
      'DEMAND',
      'DEMAND',
    ]);
    const burst = changes[2];
    expect(burst.previous.amount).toBe(5000);
    const factor = (name: string) => burst.factors.find((f: { name: string }) => f.name === name);
    expect(factor('PACE').value).toBeGreaterThan(0);
    expect(factor('STEP_LIMIT').value).toBe(10);
    expect(factor('TARGET').value).toBe(6000);

    // The window (3 s) empties: the price steps back down to base.
    await sleep(3_600);
    const seen: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      await reprice(fx.typeId);
      seen.push((await stateOf(fx.typeId)).price!);
    }
    expect(seen[0]).toBe(5400);
    expect(seen.at(-1)).toBe(5000);
    for (const price of seen) expect(price).toBeGreaterThanOrEqual(5000);
  });

  it('refuses bad policies with a code and field, and changes nothing', async () => {
    const fx = await publish({ basePrice: 5000 });
    const before = await stateOf(fx.typeId);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ floor: 7000 }, 'input.floor'],
      [{ floor: 0 }, 'input.floor'],
      [{ ceiling: -5 }, 'input.ceiling'],
      [{ maxStepPct: 0 }, 'input.maxStepPct'],
      [{ maxStepPct: 150 }, 'input.maxStepPct'],
      [{ currency: 'USD' }, 'input.currency'],
      [{ priceEnding: 100 }, 'input.priceEnding'],
      // floor ≤ base (5000) ≤ ceiling, as the event service requires of the same bounds.
      [{ floor: 5001, ceiling: 9000 }, 'input.floor'],
      [{ floor: 1000, ceiling: 4999 }, 'input.ceiling'],
      [{ floor: 4500, ceiling: 4500 }, 'input.ceiling'],
      // No price above MAX_PRICE_MINOR (1,000,000.00 EUR): sums of many tickets stay exact.
      [{ ceiling: 2_147_483_647 }, 'input.ceiling'],
      [{ ceiling: MAX_PRICE_MINOR + 1 }, 'input.ceiling'],
      [{ floor: 2_147_483_647, ceiling: 2_147_483_647 }, 'input.floor'],
    ];
    for (const [change, field] of cases) {
      const answer = await gql(
        svc.url,
        SET_POLICY,
        { id: fx.typeId, input: { ...DEMAND_INPUT, ...change } },
        tokens[organizer.id],
      );
      expect(firstError(answer), JSON.stringify(change)).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    const tiered = (tiers: unknown[]) => ({ kind: 'TIERED', currency: 'EUR', tiers });
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const earlier = new Date(Date.now() + 3_600_000).toISOString();
    const tierCases: Array<[Record<string, unknown>, string]> = [
      [
        tiered([{ amount: 3000, untilSold: 10 }, { amount: 4000, untilSold: 5 }, { amount: 5000 }]),
        'input.tiers.1.untilSold',
      ],
      [
        tiered([{ amount: 3000, until: later }, { amount: 4000, until: earlier }, { amount: 5000 }]),
        'input.tiers.1.until',
      ],
      [tiered([{ amount: 3000 }, { amount: 5000 }]), 'input.tiers.0'],
      [tiered([{ amount: 0, untilSold: 3 }, { amount: 5000 }]), 'input.tiers.0.amount'],
      [tiered([{ amount: 3000, untilSold: 3 }]), 'input.tiers.0'],
      // More sales than the type has tickets (1000), as the event service refuses too.
      [tiered([{ amount: 3000, untilSold: 1001 }, { amount: 5000 }]), 'input.tiers.0.untilSold'],
      [
        tiered([{ amount: 3000, untilSold: 5 }, { amount: 4000, untilSold: 2_000_000 }, { amount: 5000 }]),
        'input.tiers.1.untilSold',
      ],
      [{ kind: 'FIXED', currency: 'EUR', floor: 10 }, 'input.floor'],
      [tiered([{ amount: 2_147_483_647, untilSold: 3 }, { amount: 5000 }]), 'input.tiers.0.amount'],
      [tiered([{ amount: 3000, untilSold: 3 }, { amount: MAX_PRICE_MINOR + 1 }]), 'input.tiers.1.amount'],
    ];
    for (const [input, field] of tierCases) {
      const answer = await gql(svc.url, SET_POLICY, { id: fx.typeId, input }, tokens[organizer.id]);
      expect(firstError(answer), JSON.stringify(input)).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    const after = await stateOf(fx.typeId);
    expect(after.policy).toEqual(before.policy);
    expect(after.version).toBe(before.version);
    expect(after.price).toBe(before.price);
  });

  it("refuses someone else's ticket type, an unknown one and anonymous callers", async () => {
    const fx = await publish();
    const before = await stateOf(fx.typeId);
    const input = DEMAND_INPUT;
    expect(
      firstError(await gql(svc.url, SET_POLICY, { id: fx.typeId, input }, tokens[stranger.id]))?.code,
    ).toBe('FORBIDDEN');
    expect(firstError(await gql(svc.url, SET_POLICY, { id: fx.typeId, input }))?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect(firstError(await gql(svc.url, HISTORY, { id: fx.typeId }, tokens[stranger.id]))?.code).toBe(
      'FORBIDDEN',
    );
    expect(
      firstError(await gql(svc.url, SET_POLICY, { id: pricedEvent().typeId, input }, tokens[organizer.id])),
    ).toEqual({ code: 'NOT_FOUND', field: 'ticketTypeId' });
    expect((await stateOf(fx.typeId)).version).toBe(before.version);
    // ADMIN may.
    const byAdmin = await gql(svc.url, SET_POLICY, { id: fx.typeId, input }, tokens[admin.id]);
    expect(byAdmin.errors).toBeUndefined();
    expect((await stateOf(fx.typeId)).version).toBe(before.version + 1);
  });

  it('resolves a TicketType representation whose id is not a string to null, not an internal error', async () => {
    const fx = await publish();
    const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on TicketType { id price { amount } } } }`;
    for (const id of [{ $ne: null }, { $gt: '' }, ['x'], null, 7]) {
      const answer = await gql(svc.url, ENTITIES, {
        r: [
          { __typename: 'TicketType', id },
          { __typename: 'TicketType', id: fx.typeId },
        ],
      });
      expect(answer.errors, JSON.stringify(id)).toBeUndefined();
      expect(answer.data._entities[0]).toBeNull();
      expect(answer.data._entities[1]).toMatchObject({ id: fx.typeId });
    }
  });
});

describe('events', () => {
  it('a redelivered signal or a stale snapshot changes nothing', async () => {
    const fx = await publish({ basePrice: 5000 });
    const order = orderConfirmed(fx, 3);
    await apply(order);
    await apply(order);
    const buckets = await model<DemandBucketDoc>(DEMAND_BUCKET).find({ subject: fx.typeId }).lean().exec();
    expect(buckets.reduce((sum, b) => sum + b.sold, 0)).toBe(3);
    expect((await stateOf(fx.typeId)).soldTotal).toBe(3);

    const stale = newEnvelope(
      'ticket-type.upserted',
      fx.eventId,
      { ...fx.type, basePrice: { amount: 9900, currency: 'EUR' }, aggregateVersion: 1 },
      { source: 'event' },
    );
    await apply(stale);
    let state = await stateOf(fx.typeId);
    expect(state.basePrice).toBe(5000);
    expect(state.price).toBe(5000);
    expect(state.version).toBe(1);

    const newer = newEnvelope(
      'ticket-type.upserted',
      fx.eventId,
      { ...fx.type, basePrice: { amount: 5500, currency: 'EUR' }, aggregateVersion: 2 },
      { source: 'event' },
    );
    await apply(newer);
    await apply(newer);
    state = await stateOf(fx.typeId);
    expect(state.price).toBe(5500);
    expect(state.version).toBe(2);
    expect(state.lastChange?.reason).toBe('BASE_PRICE_CHANGED');
  });

  it('streams priceChanged(eventId) over graphql-ws and drains the outbox to Kafka', async () => {
    const fx = await publish({ basePrice: 5000 });
    const client = createClient({
      url: svc.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      lazy: false,
    });
    const received: Array<{ price: { amount: number }; reason: string; version: number }> = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe(
        {
          query: `subscription($e: ID!) { priceChanged(eventId: $e) { ticketTypeId price { amount } reason version } }`,
          variables: { e: fx.eventId },
        },
        {
          next: (msg) => {
            received.push((msg.data as { priceChanged: (typeof received)[number] }).priceChanged);
            resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await sleep(300); // the subscription is registered
    const set = await gql(svc.url, SET_POLICY, { id: fx.typeId, input: DEMAND_INPUT }, tokens[organizer.id]);
    expect(set.errors).toBeUndefined();
    await Promise.race([done, sleep(5_000)]);
    await client.dispose();
    expect(received).toEqual([
      { ticketTypeId: fx.typeId, price: { amount: 5000 }, reason: 'POLICY_CHANGED', version: 2 },
    ]);

    for (let i = 0; i < 50 && (await stateOf(fx.typeId)).outbox.length > 0; i += 1) await sleep(100);
    expect((await stateOf(fx.typeId)).outbox).toEqual([]);
  });

  it('refuses priceChanged for a malformed or unknown event, and waits briefly for one published a moment ago', async () => {
    const client = createClient({
      url: svc.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      lazy: false,
    });
    type Outcome = { errors?: Array<{ extensions?: Record<string, unknown> }>; data?: unknown };
    const first = (eventId: string) =>
      new Promise<Outcome>((resolve) => {
        client.subscribe(
          {
            query: `subscription($e: ID!) { priceChanged(eventId: $e) { ticketTypeId price { amount } } }`,
            variables: { e: eventId },
          },
          {
            next: (msg) => resolve(msg as Outcome),
            error: (errors) => resolve({ errors: errors as Outcome['errors'] }),
            complete: () => undefined,
          },
        );
      });
    try {
      const malformed = await first('not-an-id');
      expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventId' });
      const unknown = await first(pricedEvent({ organizerId: organizer.id }).eventId);
      expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'eventId' });

      // Subscribed before pricing hears of the event: the feed waits for it instead of refusing.
      const fx = pricedEvent({ organizerId: organizer.id, basePrice: 5000 });
      const update = first(fx.eventId);
      await sleep(300);
      await apply(fx.published);
      await sleep(600); // the subscription is registered
      const set = await gql(
        svc.url,
        SET_POLICY,
        { id: fx.typeId, input: DEMAND_INPUT },
        tokens[organizer.id],
      );
      expect(set.errors).toBeUndefined();
      expect(await update).toMatchObject({ data: { priceChanged: { ticketTypeId: fx.typeId } } });
    } finally {
      await client.dispose();
    }
  });
});

// Last: it moves the clock past every type's end of sales.
describe('repricing timer', () => {
  it('the repricing timer lets a type whose sales ended leave its set, and reprices only what is on sale', async () => {
    const fx = await publish({ basePrice: 5000 });
    const set = await gql(svc.url, SET_POLICY, { id: fx.typeId, input: DEMAND_INPUT }, tokens[organizer.id]);
    expect(set.errors).toBeUndefined();
    const prices = model<TicketPriceDoc>(TICKET_PRICE);
    expect((await prices.findById(fx.typeId).lean<TicketPriceDoc>())!.dynamic).toBe(true);
    const repricer = svc.get(Repricer);
    const spy = vi.spyOn(repricer, 'reprice');
    try {
      await repricer.sweep(Date.now());
      expect(spy.mock.calls.map((c) => c[0])).toContain(fx.typeId);
      spy.mockClear();
      // After the end of its sales (30 days ahead in the fixture) the timer unmarks it instead of repricing it,
      await repricer.sweep(Date.now() + 31 * 24 * 3600_000);
      expect(spy.mock.calls.map((c) => c[0])).not.toContain(fx.typeId);
      expect((await prices.findById(fx.typeId).lean<TicketPriceDoc>())!.dynamic).toBe(false);
      // and later sweeps no longer find it at all.
      spy.mockClear();
      await repricer.sweep(Date.now());
      expect(spy.mock.calls.map((c) => c[0])).not.toContain(fx.typeId);
    } finally {
      spy.mockRestore();
    }
  });
});
