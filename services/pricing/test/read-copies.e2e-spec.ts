import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import { newEnvelope } from '@ticketing/contracts';
import { RedisService } from '@ticketing/platform';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  recordQueries,
  startRedisServer,
  type TestContext,
  type TestIssuer,
  type ThrowawayRedis,
} from '@ticketing/platform/testing';
import type { Connection, Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CatalogService } from '../src/catalog/catalog.service';
import { EVENT_OWNER, type EventOwnerDoc } from '../src/catalog/schemas/event-owner.schema';
import { TICKET_PRICE, type TicketPriceDoc } from '../src/catalog/schemas/ticket-price.schema';
import { ReadCopies, type PriceReadState } from '../src/common/read-copies.service';
import { PricingConsumer } from '../src/messaging/pricing.consumer';
import { Repricer } from '../src/repricing/repricer.service';
import { eventCancelled, orderConfirmed, type PricedEvent, pricedEvent, user } from './support/fixtures';
import { firstError, gql } from './support/graphql-client';
import { startPricing, type RunningPricing } from './support/pricing-app';

// The Redis read copies behind `TicketType.price` and `pricingSettings`, in-process against the real MongoDB
// and a private redis-server (so FLUSHDB and a stopped Redis touch nobody else). Repricing is driven by hand.

let ctx: TestContext;
let issuer: TestIssuer;
let redis: ThrowawayRedis;
let svc: RunningPricing;
const organizer = user('ORGANIZER');
const stranger = user('ORGANIZER');
const tokens: Record<string, string> = {};

const SETTINGS = 'query($id: ID!) { pricingSettings(ticketTypeId: $id) { kind price { amount version } } }';
const BASE_PRICE = 'query($id: ID!) { pricingSettings(ticketTypeId: $id) { basePrice } }';
const ENTITY_PRICE = `query($id: ID!) {
  _entities(representations: [{ __typename: "TicketType", id: $id }]) {
    ... on TicketType { price { amount version nextTier { price { amount } afterSold } } }
  }
}`;
const HISTORY = 'query($id: ID!) { priceHistory(ticketTypeId: $id) { version } }';
/** Two tiers, the first ending after one unit: one sale moves the price 5000 → 6000. */
const TIERED = {
  kind: 'TIERED' as const,
  tiers: [
    { price: { amount: 5000, currency: 'EUR' }, untilSold: 1 },
    { price: { amount: 6000, currency: 'EUR' } },
  ],
};

const apply = (envelope: Parameters<PricingConsumer['apply']>[0]) => svc.get(PricingConsumer).apply(envelope);
const reprice = (id: string) => svc.get(Repricer).reprice(id);
const copies = () => svc.get(ReadCopies);
const catalog = () => svc.get(CatalogService);
const typeDoc = async (id: string) =>
  (await svc
    .get<Model<TicketPriceDoc>>(getModelToken(TICKET_PRICE))
    .findById(id)
    .lean<TicketPriceDoc>()
    .exec())!;
const ownerDoc = async (id: string) =>
  (await svc
    .get<Model<EventOwnerDoc>>(getModelToken(EVENT_OWNER))
    .findById(id)
    .lean<EventOwnerDoc>()
    .exec())!;
const client = () => svc.get(RedisService).client;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function publishTiered(): Promise<PricedEvent> {
  const fx = pricedEvent({ organizerId: organizer.id, policy: TIERED });
  await apply(fx.published);
  return fx;
}

/** MongoDB lookups of a type or an owner sent while `read` runs (the outbox relay's writes are not lookups). */
async function lookupsDuring(read: () => Promise<unknown>): Promise<string[]> {
  const audit = recordQueries(svc.get<Connection>(getConnectionToken()));
  try {
    await read();
    return audit.queries
      .filter((q) => q.collection === 'ticket_prices' || q.collection === 'event_owners')
      .filter((q) => q.method === 'findOne' || q.method === 'find')
      .map((q) => `${q.collection}.${q.method}`);
  } finally {
    audit.stop();
  }
}

const settingsOf = async (fx: PricedEvent, token = tokens[organizer.id]) =>
  (await gql(svc.url, SETTINGS, { id: fx.typeId }, token)).data?.pricingSettings?.price;
const publicPriceOf = async (fx: PricedEvent) =>
  (await gql(svc.url, ENTITY_PRICE, { id: fx.typeId })).data?._entities?.[0]?.price;

beforeAll(async () => {
  ctx = createTestContext('pricing-read-copies');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  redis = await startRedisServer();
  svc = await startPricing(ctx, issuer, { REDIS_URL: redis.url });
  // Signals schedule no repricing within a test: each test reprices by hand.
  vi.spyOn(svc.get(Repricer), 'schedule').mockImplementation(() => undefined);
  for (const u of [organizer, stranger]) tokens[u.id] = await issuer.sign(u);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await redis?.stop();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('read copies', () => {
  it('a read after a reprice returns the new price from the copy, without a MongoDB lookup', async () => {
    const fx = await publishTiered();
    await apply(orderConfirmed(fx, 1));
    expect((await reprice(fx.typeId)).status).toBe('changed');

    let settings: unknown;
    let publicPrice: unknown;
    const lookups = await lookupsDuring(async () => {
      settings = await settingsOf(fx);
      publicPrice = await publicPriceOf(fx);
    });
    expect(settings).toEqual({ amount: 6000, version: 2 });
    expect(publicPrice).toEqual({ amount: 6000, version: 2, nextTier: null });
    expect(lookups).toEqual([]);
    // Written in the repricing's step (no read needed to fill it).
    expect(await client().hmget(copies().typeKey(fx.typeId), 'v', 's')).toEqual(['2', '1']);
  });

  it('after FLUSHDB a read still returns the right price from MongoDB, and copies it again', async () => {
    const fx = await publishTiered();
    await apply(orderConfirmed(fx, 1));
    await reprice(fx.typeId);
    await client().flushdb();

    let settings: unknown;
    const lookups = await lookupsDuring(async () => {
      settings = await settingsOf(fx);
    });
    expect(settings).toEqual({ amount: 6000, version: 2 });
    expect(new Set(lookups)).toEqual(new Set(['event_owners.findOne', 'ticket_prices.findOne']));
    expect(await publicPriceOf(fx)).toEqual({ amount: 6000, version: 2, nextTier: null });

    // The miss wrote both copies back (without the read waiting for it): the next read skips MongoDB.
    await catalog().refilled();
    expect(await lookupsDuring(() => settingsOf(fx))).toEqual([]);
    expect(await client().ttl(copies().typeKey(fx.typeId))).toBeGreaterThan(0);
  });

  it('a refill racing a newer write and a FLUSHDB still ends on the newer copy', async () => {
    const fx = await publishTiered();
    // A read missed and found version 1 (and the first owner); then, before its copy is written, the price
    // and the owner move and a FLUSHDB erases their fresh copies.
    const staleType = await typeDoc(fx.typeId);
    const staleOwner = await ownerDoc(fx.eventId);
    await apply(orderConfirmed(fx, 1));
    expect((await reprice(fx.typeId)).status).toBe('changed');
    const { publishedAt: _publishedAt, ...snapshot } = fx.published.data;
    await apply(
      newEnvelope(
        'event.updated',
        fx.eventId,
        {
          ...snapshot,
          organizerId: stranger.id,
          aggregateVersion: 2,
          changedFields: ['organizerId'],
          updatedAt: new Date().toISOString(),
        },
        { source: 'event' },
      ),
    );
    await client().flushdb();

    await catalog().refillType(staleType);
    await catalog().refillOwner(staleOwner);
    expect(await client().hmget(copies().typeKey(fx.typeId), 'v', 's')).toEqual(['2', '1']);
    expect((await copies().owner(fx.eventId))?.organizerId).toBe(stranger.id);
    expect(await lookupsDuring(() => settingsOf(fx, tokens[stranger.id]))).toEqual([]);
    expect(await settingsOf(fx, tokens[stranger.id])).toEqual({ amount: 6000, version: 2 });
    expect(firstError(await gql(svc.url, SETTINGS, { id: fx.typeId }, tokens[organizer.id]))?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('a snapshot that moves no price still reaches the copy (a cancelled event’s new base price)', async () => {
    const fx = await publishTiered();
    expect(await settingsOf(fx)).toEqual({ amount: 5000, version: 1 }); // copied
    await apply(eventCancelled(fx));
    await apply(
      newEnvelope(
        'ticket-type.upserted',
        fx.eventId,
        { ...fx.type, basePrice: { amount: 5500, currency: 'EUR' }, aggregateVersion: 2 },
        { source: 'event' },
      ),
    );
    expect((await typeDoc(fx.typeId)).version).toBe(1); // cancelled: the price no longer moves
    const lookups = await lookupsDuring(async () => {
      const body = await gql(svc.url, BASE_PRICE, { id: fx.typeId }, tokens[organizer.id]);
      expect(body.data?.pricingSettings?.basePrice).toBe(5500);
    });
    expect(lookups).toEqual([]);
  });

  it('an out-of-order older version never replaces a newer copy', async () => {
    const fx = await publishTiered();
    const stale: PriceReadState = (await svc
      .get<Model<TicketPriceDoc>>(getModelToken(TICKET_PRICE))
      .findById(fx.typeId)
      .lean<TicketPriceDoc>()
      .exec())!;
    expect(stale.version).toBe(1);
    await apply(orderConfirmed(fx, 1));
    await reprice(fx.typeId);

    // A read that missed before the repricing and repopulates after it, or a write delivered late.
    await copies().putType(stale);
    expect(await settingsOf(fx)).toEqual({ amount: 6000, version: 2 });
    expect(await client().hmget(copies().typeKey(fx.typeId), 'v')).toEqual(['2']);
    // Same version: only more units sold replace it (the tier in force follows the totals).
    const current = (await copies().type(fx.typeId))!;
    await copies().putType({ ...current, soldTotal: 0 });
    expect((await copies().type(fx.typeId))!.soldTotal).toBe(1);
    await copies().putType({ ...current, soldTotal: 2 });
    expect((await copies().type(fx.typeId))!.soldTotal).toBe(2);

    // An event's owner: an older aggregateVersion never replaces the newer one.
    await copies().putOwner({ _id: fx.eventId, organizerId: stranger.id, aggregateVersion: 0 });
    expect(firstError(await gql(svc.url, SETTINGS, { id: fx.typeId }, tokens[stranger.id]))?.code).toBe(
      'FORBIDDEN',
    );
    expect(await settingsOf(fx)).toEqual({ amount: 6000, version: 2 });
  });

  it('authorization is unchanged: the copy serves the public price, settings and history stay the organizer’s', async () => {
    const fx = await publishTiered();
    await settingsOf(fx); // both copies present
    expect(await publicPriceOf(fx)).toMatchObject({ amount: 5000, version: 1 });
    expect(firstError(await gql(svc.url, SETTINGS, { id: fx.typeId }))?.code).toBe('UNAUTHENTICATED');
    expect(firstError(await gql(svc.url, SETTINGS, { id: fx.typeId }, tokens[stranger.id]))?.code).toBe(
      'FORBIDDEN',
    );
    expect(firstError(await gql(svc.url, HISTORY, { id: fx.typeId }, tokens[stranger.id]))?.code).toBe(
      'FORBIDDEN',
    );

    // The event changes hands: the owner copy follows the applied event at once.
    const { publishedAt: _publishedAt, ...snapshot } = fx.published.data;
    await apply(
      newEnvelope(
        'event.updated',
        fx.eventId,
        {
          ...snapshot,
          organizerId: stranger.id,
          aggregateVersion: 2,
          changedFields: ['organizerId'],
          updatedAt: new Date().toISOString(),
        },
        { source: 'event' },
      ),
    );
    expect(firstError(await gql(svc.url, SETTINGS, { id: fx.typeId }))?.code).toBe('UNAUTHENTICATED');
    expect(firstError(await gql(svc.url, SETTINGS, { id: fx.typeId }, tokens[organizer.id]))?.code).toBe(
      'FORBIDDEN',
    );
    expect(await settingsOf(fx, tokens[stranger.id])).toEqual({ amount: 5000, version: 1 });
  });

  it('a copy that could not be written is deleted at once, so a read never keeps the older price', async () => {
    const fx = await publishTiered();
    expect(await settingsOf(fx)).toEqual({ amount: 5000, version: 1 });
    const evalSpy = vi.spyOn(client(), 'eval').mockRejectedValueOnce(new Error('script timed out'));
    try {
      await apply(orderConfirmed(fx, 1));
      expect((await reprice(fx.typeId)).status).toBe('changed'); // MongoDB has version 2, the copy failed
    } finally {
      evalSpy.mockRestore();
    }
    expect(await client().exists(copies().typeKey(fx.typeId))).toBe(0);
    expect(await settingsOf(fx)).toEqual({ amount: 6000, version: 2 });
  });

  it('when the delete fails too, the key is deleted once Redis answers', async () => {
    const fx = await publishTiered();
    expect(await settingsOf(fx)).toEqual({ amount: 5000, version: 1 });
    const evalSpy = vi.spyOn(client(), 'eval').mockRejectedValueOnce(new Error('Redis away'));
    const delSpy = vi.spyOn(client(), 'del').mockRejectedValueOnce(new Error('Redis away'));
    try {
      await apply(orderConfirmed(fx, 1));
      expect((await reprice(fx.typeId)).status).toBe('changed');
      expect(await client().hmget(copies().typeKey(fx.typeId), 'v')).toEqual(['1']); // stale, for now
    } finally {
      evalSpy.mockRestore();
      delSpy.mockRestore();
    }
    let price: unknown;
    for (let i = 0; i < 60; i++) {
      price = await settingsOf(fx);
      if ((price as { version: number }).version === 2) break;
      await sleep(50);
    }
    expect(price).toEqual({ amount: 6000, version: 2 });
  });

  it('with Redis down, reads and repricing go on from MongoDB', async () => {
    const fx = await publishTiered();
    await redis.stop();
    try {
      expect(await settingsOf(fx)).toEqual({ amount: 5000, version: 1 });
      await apply(orderConfirmed(fx, 1));
      expect((await reprice(fx.typeId)).status).toBe('changed');
      expect(await settingsOf(fx)).toEqual({ amount: 6000, version: 2 });
      expect(await publicPriceOf(fx)).toMatchObject({ amount: 6000, version: 2 });
    } finally {
      await redis.start();
    }
    // Back (empty): the first read copies from MongoDB again.
    for (let i = 0; i < 100 && client().status !== 'ready'; i++) await sleep(50);
    expect(await settingsOf(fx)).toEqual({ amount: 6000, version: 2 });
  });
});
