import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthOptions } from '../src/auth/auth.options';
import { REVOKED_SID_KEY, SessionRevocations } from '../src/auth/session-revocations';
import { startRedisServer, type ThrowawayRedis } from '../src/testing/redis-server';

// A private redis-server: this file stops and restarts it, which the shared stack's Redis must never see.
let redis: ThrowawayRedis;
let admin: Redis;
const prefix = `t-revocations-${randomUUID().slice(0, 8)}:`;
const running: SessionRevocations[] = [];
const MAX_STALENESS_MS = 1500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(name: string): Promise<SessionRevocations> {
  const options: AuthOptions = {
    jwksUrl: 'http://127.0.0.1:9/unused',
    issuer: 'iss',
    audience: 'aud',
    cookieSecure: true,
    clockToleranceSec: 5,
    revocation: {
      redisUrl: redis.url,
      keyPrefix: prefix,
      connectionName: name,
      maxStalenessMs: MAX_STALENESS_MS,
      heartbeatMs: 200,
    },
  };
  const revocations = new SessionRevocations(options);
  running.push(revocations);
  await revocations.onModuleInit();
  return revocations;
}

/** Polls `check` every 20 ms; resolves with the ms it took to become true, or Infinity after `limitMs`. */
async function within(limitMs: number, check: () => boolean): Promise<number> {
  const since = Date.now();
  while (Date.now() - since <= limitMs) {
    if (check()) return Date.now() - since;
    await sleep(20);
  }
  return Number.POSITIVE_INFINITY;
}

/** The connection id of a process's subscriber (`sub=1`) whose connection name starts with `name`. */
async function subscriberId(name: string): Promise<string> {
  const list = (await admin.client('LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=${name}:revocations:`) && /\bsub=1\b/.test(l));
  if (!line) throw new Error(`no subscriber named ${name} in\n${list}`);
  return /\bid=(\d+)\b/.exec(line)![1]!;
}

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => undefined);
  await admin.connect();
}, 30_000);

afterAll(async () => {
  for (const revocations of running) await revocations.onApplicationShutdown();
  admin?.disconnect();
  await redis?.stop();
});

describe('SessionRevocations (real Redis: keys with TTL, pub/sub, local set)', () => {
  let auth: SessionRevocations;
  let replica: SessionRevocations;
  const longAgo = () => Date.now() - 60_000;

  beforeAll(async () => {
    auth = await start('auth');
    replica = await start('replica');
    expect(replica.synchronised).toBe(true);
  });

  it('a revocation reaches another process within a second, with a key living as long as its tokens', async () => {
    const sid = randomUUID();
    expect(replica.verdict(sid, longAgo())).toBe('live');
    let told = 0;
    replica.watch(sid, () => (told += 1));
    await auth.revoke([sid], 900_000);
    expect(await within(1000, () => replica.verdict(sid, longAgo()) === 'revoked')).toBeLessThanOrEqual(1000);
    // Open WebSockets of the session are told (once) and close.
    expect(told).toBe(1);
    const ttl = await admin.pttl(`${prefix}${REVOKED_SID_KEY}${sid}`);
    expect(ttl).toBeGreaterThan(890_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    // Another session of the same process is not affected.
    expect(replica.verdict(randomUUID(), longAgo())).toBe('live');
  });

  it('a process that starts later loads the revocations from Redis', async () => {
    const sid = randomUUID();
    await auth.revoke([sid], 60_000);
    const late = await start('late');
    expect(late.verdict(sid, longAgo())).toBe('revoked');
  });

  it('a reconnecting subscriber rebuilds its set (a key it never heard announced)', async () => {
    const sid = randomUUID();
    await admin.set(`${prefix}${REVOKED_SID_KEY}${sid}`, String(Date.now() + 60_000), 'PX', 60_000);
    await sleep(300);
    expect(replica.verdict(sid, longAgo())).toBe('live');
    await admin.client('KILL', 'ID', await subscriberId('replica'));
    expect(await within(3000, () => replica.verdict(sid, longAgo()) === 'revoked')).toBeLessThanOrEqual(3000);
    // The process whose connection stayed up has not heard of it: the reconnect did it.
    expect(auth.verdict(sid, longAgo())).toBe('live');
  });

  it('Redis down: old tokens turn stale after the limit, fresh ones pass, revoked stay revoked; a restart resurrects nothing', async () => {
    const revoked = randomUUID();
    await auth.revoke([revoked], 600_000);
    expect(await within(1000, () => replica.verdict(revoked, longAgo()) === 'revoked')).toBeLessThanOrEqual(
      1000,
    );

    await redis.stop();
    const down = Date.now();
    // Within the staleness budget nothing changes for live sessions...
    expect(replica.verdict(randomUUID(), longAgo())).toBe('live');
    // ...after it, tokens issued before the budget are refused ("expired": the client refreshes through auth).
    expect(
      await within(MAX_STALENESS_MS + 2000, () => replica.verdict(randomUUID(), longAgo()) === 'stale'),
    ).toBeLessThan(Number.POSITIVE_INFINITY);
    // Counted from the last confirmation (a heartbeat, at most 200 ms before Redis went away).
    expect(Date.now() - down).toBeGreaterThanOrEqual(MAX_STALENESS_MS - 200);
    expect(replica.synchronised).toBe(false);
    expect(replica.verdict(randomUUID(), Date.now() - 100)).toBe('live');
    expect(replica.verdict(revoked, Date.now())).toBe('revoked');
    await expect(auth.revoke([randomUUID()], 60_000)).rejects.toThrow();

    // Restarted empty (no persistence): the replica is in sync again and still refuses the revoked session.
    await redis.start();
    expect(await within(5000, () => replica.synchronised)).toBeLessThanOrEqual(5000);
    expect(replica.verdict(randomUUID(), longAgo())).toBe('live');
    expect(replica.verdict(revoked, longAgo())).toBe('revoked');
    expect(await admin.exists(`${prefix}${REVOKED_SID_KEY}${revoked}`)).toBe(0);

    // Auth's repair loop (from MongoDB) writes it back once; a process started now learns it.
    expect(await auth.reassert([{ sid: revoked, expiresAt: Date.now() + 600_000 }])).toBe(1);
    expect(await auth.reassert([{ sid: revoked, expiresAt: Date.now() + 600_000 }])).toBe(0);
    const fresh = await start('fresh');
    expect(fresh.verdict(revoked, longAgo())).toBe('revoked');
  }, 30_000);
});
