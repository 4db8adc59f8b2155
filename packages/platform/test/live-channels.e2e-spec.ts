import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HealthRegistry } from '../src/health/health-registry';
import { LiveChannels } from '../src/redis/live-channels.module';
import { RedisService, type RedisConfig } from '../src/redis/redis.service';
import { testEnv } from '../src/testing/test-env';

// The shared stack's Redis: the only connection this file kills is one of its own hubs'.
const tag = randomUUID().slice(0, 8);
const prefix = `t-live-${tag}:`;
const services: RedisService[] = [];
const hubs: LiveChannels[] = [];
let admin: Redis;

/** A hub as a service process builds it: LiveChannels over a RedisService of that name. */
function hub(name: string): LiveChannels {
  const config: RedisConfig = {
    REDIS_URL: testEnv().REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SERVICE_NAME: name,
  };
  const redis = new RedisService(config, new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 1_000 }));
  const live = new LiveChannels(redis, config);
  services.push(redis);
  hubs.push(live);
  return live;
}

async function subscribers(channel: string): Promise<number> {
  const [, count] = (await admin.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
}

/** Collects what a stream yields, in the background, until it ends. */
function collect<T>(stream: AsyncIterable<T>): T[] {
  const seen: T[] = [];
  void (async () => {
    for await (const item of stream) seen.push(item);
  })();
  return seen;
}

beforeAll(async () => {
  admin = new Redis(testEnv().REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => undefined);
  await admin.connect();
});

afterAll(async () => {
  for (const live of hubs) live.onApplicationShutdown();
  for (const redis of services) await redis.onApplicationShutdown();
  admin?.disconnect();
});

describe('LiveChannels (real Redis: two hubs, one subscriber connection each)', () => {
  const a = () => hubs[0]!;
  const b = () => hubs[1]!;

  beforeAll(() => {
    hub(`t-live-${tag}-a`);
    hub(`t-live-${tag}-b`);
  });

  it('a publish reaches both hubs: coalesced snapshots on one, every payload in order on the other', async () => {
    const channel = `${prefix}c1`;
    let reads = 0;
    const snapshots = collect(a().snapshots(channel, { minIntervalMs: 200, read: async () => (reads += 1) }));
    const forwarded = b().messages(channel, { parse: (raw) => Number(raw), maxQueued: 100 });
    const payloads = collect(forwarded);
    const second = collect(b().snapshots(channel, { minIntervalMs: 200, read: async () => 'x' }));

    // One SUBSCRIBE per hub, however many streams the hub serves.
    await vi.waitFor(async () => expect(await subscribers(channel)).toBe(2), { timeout: 5_000 });
    expect(snapshots).toEqual([1]);
    expect(second).toEqual(['x']);

    // One burst: ten PUBLISHes in one round trip.
    const burst = admin.pipeline();
    for (let n = 1; n <= 10; n++) burst.publish(channel, String(n));
    await burst.exec();
    await vi.waitFor(() => expect(payloads).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { timeout: 5_000 });
    await vi.waitFor(() => expect(snapshots.length).toBeGreaterThan(1), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Ten messages within a few milliseconds: the first snapshot, then one or two, never ten.
    expect(snapshots.length).toBeLessThanOrEqual(3);

    for (const live of [a(), b()]) expect(live.listenerCount(channel)).toBeGreaterThan(0);
    await forwarded.return();
    expect(b().listenerCount(channel)).toBe(1);
    expect(await subscribers(channel)).toBe(2);
  });

  it('a hub whose connection is killed subscribes again and its snapshots catch up', async () => {
    const channel = `${prefix}c2`;
    let reads = 0;
    const stream = a().snapshots(channel, { minIntervalMs: 100, read: async () => (reads += 1) });
    const snapshots = collect(stream);
    const payloads = collect(b().messages(channel, { parse: (raw) => raw, maxQueued: 100 }));
    // On the killed hub, a message stream gets its catch-up in place of what it missed.
    const caught = a().messages(channel, {
      parse: (raw) => raw,
      maxQueued: 100,
      catchUp: async () => ['missed'],
    });
    const forwarded = collect(caught);
    await vi.waitFor(async () => expect(await subscribers(channel)).toBe(2), { timeout: 5_000 });
    expect(snapshots).toEqual([1]);

    const list = (await admin.client('LIST')) as string;
    const line = list.split('\n').find((l) => l.includes(` name=t-live-${tag}-a:live:${process.pid} `));
    expect(line, list).toBeDefined();
    await admin.client('KILL', 'ID', /\bid=(\d+)\b/.exec(line!)![1]!);

    // Back on every channel it wanted (c1 of the test before too), and a resync read without any publish.
    await vi.waitFor(() => expect(snapshots).toEqual([1, 2]), { timeout: 5_000 });
    expect(await subscribers(channel)).toBe(2);
    expect(await subscribers(`${prefix}c1`)).toBe(2);
    await admin.publish(channel, 'after');
    await vi.waitFor(() => expect(snapshots).toEqual([1, 2, 3]), { timeout: 5_000 });
    expect(payloads).toEqual(['after']);
    await vi.waitFor(() => expect(forwarded).toEqual(['missed', 'after']), { timeout: 5_000 });
    await caught.return();

    await stream.return();
    expect(a().listenerCount(channel)).toBe(0);
    await vi.waitFor(async () => expect(await subscribers(channel)).toBe(1), { timeout: 5_000 });
  });

  it('shutdown ends the open streams and unsubscribes everything', async () => {
    const channel = `${prefix}c3`;
    const stream = b().messages(channel, { parse: (raw) => raw, maxQueued: 10 });
    const pending = stream.next();
    await vi.waitFor(async () => expect(await subscribers(channel)).toBe(1), { timeout: 5_000 });
    b().onApplicationShutdown();
    expect(await pending).toEqual({ done: true, value: undefined });
    await vi.waitFor(async () => expect(await subscribers(channel)).toBe(0), { timeout: 5_000 });
    expect(await subscribers(`${prefix}c1`)).toBe(1);
  });
});
