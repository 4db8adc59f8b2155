import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthRegistry } from '../src/health/health-registry';
import { EventFence } from '../src/redis/event-fence';
import { RedisService, type RedisConfig } from '../src/redis/redis.service';
import { testEnv } from '../src/testing/test-env';

// The shared stack's Redis, under a key prefix of this file's own.
const prefix = `t-fence-${randomUUID().slice(0, 8)}:`;
const services: RedisService[] = [];

async function fenceOver(url: string, name: string): Promise<EventFence> {
  const config: RedisConfig = { REDIS_URL: url, REDIS_KEY_PREFIX: prefix, SERVICE_NAME: name };
  const redis = new RedisService(config, new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 1_000 }));
  services.push(redis);
  await redis.onModuleInit();
  return new EventFence(redis);
}

let writer: EventFence;
let reader: EventFence;

beforeAll(async () => {
  writer = await fenceOver(testEnv().REDIS_URL, 'event');
  reader = await fenceOver(testEnv().REDIS_URL, 'checkin');
});

afterAll(async () => {
  for (const redis of services) {
    const keys = await redis.client.keys(`${prefix}*`).catch(() => []);
    if (keys.length > 0) await redis.client.del(...keys);
    await redis.onApplicationShutdown();
  }
});

type Row = { version: number };
const version = (row: Row) => row.version;

describe('EventFence (real Redis, a writer and a reader process)', () => {
  it('only rises: an older version raised late does not lower it', async () => {
    const id = randomUUID();
    expect(await reader.version(id)).toBe(0);
    await writer.raise(id, 3);
    await writer.raise(id, 2);
    expect(await reader.version(id)).toBe(3);
    await writer.raise(id, 5);
    expect(await reader.version(id)).toBe(5);
  });

  it('a reader at or past the fence acts at once on what it has, without re-reading', async () => {
    const id = randomUUID();
    await writer.raise(id, 4);
    let reloads = 0;
    const reload = async () => ((reloads += 1), { version: 9 });
    expect(await reader.settle(id, { version: 4 }, version, reload)).toEqual({ version: 4 });
    expect(await reader.settle(randomUUID(), { version: 1 }, version, reload)).toEqual({ version: 1 });
    expect(reloads).toBe(0);
  });

  it('a reader behind the fence waits for its replica to catch up, and gets the new row', async () => {
    const id = randomUUID();
    await writer.raise(id, 7);
    let replica: Row | null = { version: 6 };
    // The change lands 150 ms later (Kafka delivering it).
    setTimeout(() => (replica = { version: 7 }), 150);
    const started = Date.now();
    const row = await reader.settle(id, replica, version, async () => replica);
    expect(row).toEqual({ version: 7 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    // An event this replica has never seen is waited for as well.
    const unseen = randomUUID();
    await writer.raise(unseen, 1);
    let row2: Row | null = null;
    setTimeout(() => (row2 = { version: 1 }), 100);
    expect(await reader.settle(unseen, null, version, async () => row2)).toEqual({ version: 1 });
  });

  it('gives up after the bounded wait and answers with the replica as it stands', async () => {
    const id = randomUUID();
    await writer.raise(id, 2);
    const started = Date.now();
    expect(await reader.settle(id, { version: 1 }, version, async () => ({ version: 1 }), 300)).toEqual({
      version: 1,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    // The next action does not wait again for the same missing change; a newer fence is waited for anew.
    const again = Date.now();
    expect(await reader.settle(id, { version: 1 }, version, async () => ({ version: 1 }), 300)).toEqual({
      version: 1,
    });
    expect(Date.now() - again).toBeLessThan(100);
    await writer.raise(id, 3);
    const newer = Date.now();
    await reader.settle(id, { version: 1 }, version, async () => ({ version: 1 }), 300);
    expect(Date.now() - newer).toBeGreaterThanOrEqual(250);
  });

  it('without Redis, readers act on their replicas and writers do not fail', async () => {
    const down = await fenceOver('redis://127.0.0.1:1', 'down');
    const id = randomUUID();
    await expect(down.raise(id, 3)).resolves.toBeUndefined();
    expect(await down.version(id)).toBe(0);
    expect(await down.settle(id, { version: 1 }, version, async () => ({ version: 1 }))).toEqual({
      version: 1,
    });
  });
});
