import { randomUUID } from 'node:crypto';
import { createRedisClient } from '@ticketing/platform';
import { testEnv } from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadThroughCache, type CacheCodec, type CacheOutcome } from '../src/cache/read-through-cache';

const codec: CacheCodec<{ n: number }> = { encode: JSON.stringify, decode: JSON.parse };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ReadThroughCache against a real Redis', () => {
  const prefix = `t:event-cache-${randomUUID()}:`;
  const clients = [createRedisClient(testEnv().REDIS_URL), createRedisClient(testEnv().REDIS_URL)];

  beforeAll(async () => {
    await Promise.all(clients.map((c) => c.connect()));
  });

  afterAll(async () => {
    const keys = await clients[0]!.keys(`${prefix}*`);
    if (keys.length > 0) await clients[0]!.del(...keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('rebuilds a cold hot key once across two processes and 60 concurrent callers', async () => {
    const outcomes: CacheOutcome[] = [];
    // Two cache instances stand for two replicas: only the Redis lock can coordinate them.
    const caches = clients.map(
      (c) =>
        new ReadThroughCache(c, { staleSeconds: 30, lockMs: 3000, lockWaitMs: 2000 }, (o) =>
          outcomes.push(o),
        ),
    );
    let loads = 0;
    const load = async () => {
      loads += 1;
      await sleep(150);
      return { n: 42 };
    };
    const key = `${prefix}hot`;
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => caches[i % 2]!.get(key, 60, load, codec)),
    );
    expect(loads).toBe(1);
    expect(results.every((r) => r?.n === 42)).toBe(true);
    expect(outcomes.filter((o) => o === 'miss')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'bypass')).toHaveLength(0);
  });

  it('serves a stale value at once while exactly one caller refreshes it', async () => {
    const cache = new ReadThroughCache(clients[0]!, { staleSeconds: 30, lockMs: 3000, lockWaitMs: 200 });
    const key = `${prefix}stale`;
    let version = 1;
    let loads = 0;
    const load = async () => {
      loads += 1;
      await sleep(200);
      return { n: version };
    };
    expect(await cache.get(key, 1, load, codec)).toEqual({ n: 1 });
    version = 2;
    await sleep(1100);
    const started = Date.now();
    const stale = await Promise.all(Array.from({ length: 20 }, () => cache.get(key, 1, load, codec)));
    expect(Date.now() - started).toBeLessThan(150);
    expect(stale.every((r) => r?.n === 1)).toBe(true);
    await sleep(400);
    expect(loads).toBe(2);
    expect(await cache.get(key, 1, load, codec)).toEqual({ n: 2 });
  });

  it('falls back to the loader when Redis cannot be reached', async () => {
    const dead = createRedisClient('redis://127.0.0.1:1');
    dead.on('error', () => undefined);
    const outcomes: CacheOutcome[] = [];
    const cache = new ReadThroughCache(dead, { staleSeconds: 0, lockMs: 1000, lockWaitMs: 100 }, (o) =>
      outcomes.push(o),
    );
    expect(await cache.get(`${prefix}dead`, 10, async () => ({ n: 7 }), codec)).toEqual({ n: 7 });
    expect(outcomes).toEqual(['error']);
    dead.disconnect();
  });

  it('does not store a null (not found or not visible) result', async () => {
    const cache = new ReadThroughCache(clients[0]!, { staleSeconds: 0, lockMs: 1000, lockWaitMs: 100 });
    const key = `${prefix}missing`;
    expect(await cache.get(key, 10, async () => null, codec)).toBeNull();
    expect(await clients[0]!.exists(key)).toBe(0);
  });
});
