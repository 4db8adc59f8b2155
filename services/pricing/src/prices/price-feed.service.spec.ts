import { HealthRegistry, LiveChannels, RedisService, type RedisConfig } from '@ticketing/platform';
import { createTestContext, dropTestContext, type TestContext } from '@ticketing/platform/testing';
import Redis from 'ioredis';
import mongoose, { type Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TICKET_PRICE, TicketPriceSchema, type TicketPriceDoc } from '../catalog/schemas/ticket-price.schema';
import { newerOnly, PriceFeed, type PriceUpdateMessage } from './price-feed.service';

const update = (ticketTypeId: string, version: number, amount = 1000 + version): PriceUpdateMessage => ({
  ticketTypeId,
  eventId: 'e1',
  amount,
  previous: null,
  currency: 'EUR',
  version,
  reason: 'DEMAND',
  at: new Date(0).toISOString(),
});

describe('newerOnly', () => {
  it('passes each ticket type forward only: a repeated or older version is dropped', () => {
    const fresh = newerOnly();
    const passed = [
      update('a', 2),
      update('a', 2),
      update('b', 1),
      update('a', 1),
      update('a', 4),
      update('a', 3),
      update('b', 2),
    ].filter(fresh);
    expect(passed.map((m) => `${m.ticketTypeId}${m.version}`)).toEqual(['a2', 'b1', 'a4', 'b2']);
  });
});

// Real Redis and MongoDB of the shared stack, under this file's own database and key prefix.
describe('PriceFeed (real Redis and MongoDB)', () => {
  let ctx: TestContext;
  let connection: mongoose.Connection;
  let prices: Model<TicketPriceDoc>;
  let redis: RedisService;
  let live: LiveChannels;
  let feed: PriceFeed;
  let admin: Redis;
  const serviceName = `t-price-feed-${process.pid}`;

  beforeAll(async () => {
    ctx = createTestContext('price-feed');
    connection = await mongoose
      .createConnection(ctx.env.MONGO_URL!, { dbName: ctx.dbName, serverSelectionTimeoutMS: 5_000 })
      .asPromise();
    prices = connection.model<TicketPriceDoc>(TICKET_PRICE, TicketPriceSchema);
    const config: RedisConfig = {
      REDIS_URL: ctx.env.REDIS_URL!,
      REDIS_KEY_PREFIX: ctx.redisPrefix,
      SERVICE_NAME: serviceName,
    };
    redis = new RedisService(config, new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 1_000 }));
    await redis.onModuleInit();
    live = new LiveChannels(redis, config);
    feed = new PriceFeed(redis, live, prices);
    admin = new Redis(ctx.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
  });

  afterAll(async () => {
    live?.onApplicationShutdown();
    await redis?.onApplicationShutdown();
    admin?.disconnect();
    await connection?.close();
    if (ctx) await dropTestContext(ctx, { kafka: false });
  });

  /** Stores a type's price state as the repricer leaves it, without announcing it. */
  async function store(
    eventId: string,
    ticketTypeId: string,
    version: number,
    amount: number,
  ): Promise<void> {
    await prices.collection.updateOne(
      { _id: ticketTypeId as never },
      {
        $set: {
          eventId,
          currency: 'EUR',
          price: amount,
          version,
          lastChange: {
            version,
            price: amount,
            previous: null,
            reason: 'DEMAND',
            factors: [],
            at: new Date(0),
          },
        },
      },
      { upsert: true },
    );
  }

  async function subscribed(channel: string): Promise<void> {
    await vi.waitFor(
      async () => {
        const [, count] = (await admin.pubsub('NUMSUB', channel)) as [string, number];
        expect(Number(count)).toBe(1);
      },
      { timeout: 5_000 },
    );
  }

  /** Collects what a stream yields, in the background, until it ends. */
  function collect(stream: AsyncIterable<PriceUpdateMessage>): string[] {
    const seen: string[] = [];
    void (async () => {
      for await (const m of stream) seen.push(`${m.ticketTypeId}@${m.version}:${m.amount}`);
    })();
    return seen;
  }

  it('delivers each change of the event once, in order, and drops stale, repeated and unreadable ones', async () => {
    const eventId = 'e-order';
    const stream = feed.updates(eventId);
    const seen = collect(stream);
    await subscribed(feed.channel(eventId));

    await feed.publish({ ...update('a', 1, 5000), eventId });
    await feed.publish({ ...update('a', 2, 5100), eventId });
    await feed.publish({ ...update('a', 2, 5100), eventId });
    await feed.publish({ ...update('a', 1, 5000), eventId });
    await admin.publish(feed.channel(eventId), 'not json');
    await admin.publish(feed.channel(eventId), '{"amount":1}');
    await feed.publish({ ...update('b', 1, 700), eventId });
    await feed.publish({ ...update('a', 3, 5200), eventId });
    await feed.publish({ ...update('a', 1, 1), eventId: 'other-event' });

    await vi.waitFor(() => expect(seen).toHaveLength(4), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual(['a@1:5000', 'a@2:5100', 'b@1:700', 'a@3:5200']);
    await stream.return();
  });

  it('after a Redis reconnect sends the last change of each type it missed, read from MongoDB', async () => {
    const eventId = 'e-resync';
    await store(eventId, 'r-a', 1, 5000);
    await store(eventId, 'r-b', 3, 800);
    await store('e-elsewhere', 'r-c', 9, 1);
    const stream = feed.updates(eventId);
    const seen = collect(stream);
    await subscribed(feed.channel(eventId));

    // r-b's change reaches the subscriber; r-a's two next changes happen while it is not listening.
    await feed.publish({ ...update('r-b', 3, 800), eventId });
    await vi.waitFor(() => expect(seen).toEqual(['r-b@3:800']), { timeout: 5_000 });
    await store(eventId, 'r-a', 3, 5400);

    const clients = (await admin.client('LIST')) as string;
    const line = clients.split('\n').find((l) => l.includes(` name=${serviceName}:live:${process.pid} `));
    expect(line, clients).toBeDefined();
    await admin.client('KILL', 'ID', /\bid=(\d+)\b/.exec(line!)![1]!);

    // r-a's latest only (its version 2 is gone for good); r-b not again; then live messages go on.
    await vi.waitFor(() => expect(seen).toEqual(['r-b@3:800', 'r-a@3:5400']), { timeout: 5_000 });
    await subscribed(feed.channel(eventId));
    await feed.publish({ ...update('r-a', 3, 5400), eventId });
    await feed.publish({ ...update('r-a', 4, 5500), eventId });
    await vi.waitFor(() => expect(seen).toEqual(['r-b@3:800', 'r-a@3:5400', 'r-a@4:5500']), {
      timeout: 5_000,
    });
    await stream.return();
  });

  it('shapes each update for its consumer, and a return() on a quiet event unsubscribes at once', async () => {
    const eventId = 'e-shaped';
    const channel = feed.channel(eventId);
    const stream = feed.updates(eventId, (m) => ({ priceChanged: { id: m.ticketTypeId, amount: m.amount } }));
    const first = stream.next();
    await subscribed(channel);
    await feed.publish({ ...update('s', 1, 900), eventId });
    expect(await first).toEqual({ done: false, value: { priceChanged: { id: 's', amount: 900 } } });

    const waiting = stream.next();
    await stream.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    await vi.waitFor(
      async () => expect(Number(((await admin.pubsub('NUMSUB', channel)) as [string, number])[1])).toBe(0),
      { timeout: 5_000 },
    );
  });

  it('shutdown ends a waiting subscriber', async () => {
    const eventId = 'e-shutdown';
    const stream = feed.updates(eventId);
    const pending = stream.next();
    await subscribed(feed.channel(eventId));
    live.onApplicationShutdown();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});
