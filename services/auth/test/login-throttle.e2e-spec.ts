import { RedisService } from '@ticketing/platform';
import { createTestContext, dropTestContext, type TestContext } from '@ticketing/platform/testing';
import type { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../src/config';
import { LoginThrottle } from '../src/throttle/login-throttle.service';

// The throttle's Redis scripts against the real local Redis (the full sign-in path is in auth.e2e-spec.ts).
let ctx: TestContext;
let client: Redis;

const base = {
  LOGIN_SOFT_LIMIT: 3,
  LOGIN_MAX_FAILURES_PER_HOUR: 6,
  LOGIN_DELAY_BASE_MS: 300,
  LOGIN_DELAY_MAX_MS: 60_000,
  LOGIN_IP_SOFT_LIMIT: 1000,
  LOGIN_IP_MAX_FAILURES_PER_HOUR: 1000,
  LOGIN_IP_MAX_RELEASES_PER_HOUR: 100,
  SIGNUP_IP_MAX_PER_HOUR: 1000,
  LOGIN_THROTTLE_TIMEOUT_MS: 1000,
} as AuthConfig;

function throttle(config: Partial<AuthConfig> = {}): LoginThrottle {
  const redis = { client, key: (...parts: Array<string | number>) => ctx.redisPrefix + parts.join(':') };
  return new LoginThrottle(redis as unknown as RedisService, { ...base, ...config } as AuthConfig);
}

async function refused(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return (err as GraphQLError).extensions;
  }
  throw new Error('expected the attempt to be refused');
}

const email = () => `throttle-${randomBytes(4).toString('hex')}@example.com`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  ctx = createTestContext('auth-throttle');
  client = new Redis(ctx.env.REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  client?.disconnect();
  if (ctx) await dropTestContext(ctx);
});

describe('LoginThrottle on Redis', () => {
  it('lets attempts through up to the soft limit, then demands a growing delay', async () => {
    const t = throttle();
    const account = email();
    for (let i = 1; i <= 3; i += 1) expect((await t.reserve(account, '198.51.100.1')).accountCount).toBe(i);
    const ext = await refused(t.reserve(account, '198.51.100.1'));
    expect(ext).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    await sleep(350);
    expect((await t.reserve(account, '198.51.100.1')).accountCount).toBe(4);
    // The delay doubled (600 ms): refused at once, and told to wait at least as long as the first time.
    expect((await refused(t.reserve(account, '198.51.100.1'))).code).toBe('RATE_LIMITED');
    const lock = Number(await client.hget(t.accountKey(account), 'lockUntil'));
    const [seconds, micros] = await client.time();
    const remaining = lock - (Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
    expect(remaining).toBeGreaterThan(300);
    expect(remaining).toBeLessThanOrEqual(600);
    await sleep(remaining + 50);
    expect((await t.reserve(account, '198.51.100.1')).accountCount).toBe(5);
  });

  it('locks the account for the rest of the window after the hard limit, from any address', async () => {
    const t = throttle({ LOGIN_SOFT_LIMIT: 1000 });
    const account = email();
    for (let i = 0; i < 6; i += 1) await t.reserve(account, `203.0.113.${i}`);
    const ext = await refused(t.reserve(account, '203.0.113.99'));
    expect(ext.code).toBe('RATE_LIMITED');
    expect(ext.retryAfter).toBeGreaterThan(3500);
    expect(ext.retryAfter).toBeLessThanOrEqual(3600);
  });

  it('counts parallel attempts one by one (no lost updates)', async () => {
    const t = throttle({ LOGIN_SOFT_LIMIT: 1000, LOGIN_MAX_FAILURES_PER_HOUR: 100 });
    const account = email();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => t.reserve(account, '192.0.2.7')),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const counts = results.map(
      (r) => (r as PromiseFulfilledResult<{ accountCount: number }>).value.accountCount,
    );
    expect(new Set(counts).size).toBe(30);
    expect(await client.hget(t.accountKey(account), 'count')).toBe('30');
  });

  it('throttles a client address across many accounts', async () => {
    const t = throttle({
      LOGIN_SOFT_LIMIT: 1000,
      LOGIN_IP_SOFT_LIMIT: 1000,
      LOGIN_IP_MAX_FAILURES_PER_HOUR: 4,
    });
    const address = `192.0.2.${Math.floor(Math.random() * 200) + 20}`;
    for (let i = 0; i < 4; i += 1) await t.reserve(email(), address);
    expect((await refused(t.reserve(email(), address))).code).toBe('RATE_LIMITED');
    await expect(t.reserve(email(), '192.0.2.250')).resolves.toBeTruthy();
  });

  it('a successful sign-in clears the account counter and returns the address reservation', async () => {
    const t = throttle();
    const account = email();
    await t.reserve(account, '198.51.100.50');
    const ok = await t.reserve(account, '198.51.100.50');
    await t.release(ok);
    expect(await client.exists(t.accountKey(account))).toBe(0);
    expect(await client.hget(t.addressKey('198.51.100.50'), 'count')).toBe('1');
  });

  it('bounds what successful sign-ins give back, so interleaving them with guesses does not reset the address', async () => {
    const t = throttle({ LOGIN_IP_MAX_FAILURES_PER_HOUR: 4, LOGIN_IP_MAX_RELEASES_PER_HOUR: 2 });
    const address = `198.51.100.${Math.floor(Math.random() * 100) + 100}`;
    const own = email();
    let guesses = 0;
    const attempt = async () => {
      await t.reserve(email(), address); // a guess at someone else's account
      guesses += 1;
      await t.release(await t.reserve(own, address)); // then a good sign-in to the attacker's own account
    };
    let ext: Record<string, unknown> | undefined;
    for (let i = 0; i < 20 && ext === undefined; i += 1)
      ext = await attempt().then(
        () => undefined,
        (e: GraphQLError) => e.extensions,
      );
    expect(ext?.code).toBe('RATE_LIMITED');
    // 4 counted attempts per hour plus at most 2 given back: the 20 rounds stop well before the end.
    expect(guesses).toBeLessThanOrEqual(4);
    expect(await client.hget(t.addressKey(address), 'released')).toBe('2');
  });

  it('counts an IPv6 client by its /64', async () => {
    const t = throttle({ LOGIN_SOFT_LIMIT: 1000, LOGIN_IP_MAX_FAILURES_PER_HOUR: 3 });
    const prefix = `2001:db8:${randomBytes(2).toString('hex')}:1`;
    for (let i = 1; i <= 3; i += 1) await t.reserve(email(), `${prefix}:${i}:0:0:${i}`);
    expect((await refused(t.reserve(email(), `${prefix}::beef`))).code).toBe('RATE_LIMITED');
    await expect(t.reserve(email(), `${prefix.slice(0, -1)}2::1`)).resolves.toBeTruthy();
  });

  it('limits sign-ups per client address and hour', async () => {
    const t = throttle({ SIGNUP_IP_MAX_PER_HOUR: 3 });
    const address = `203.0.113.${Math.floor(Math.random() * 100) + 100}`;
    for (let i = 0; i < 3; i += 1) await t.reserveSignUp(address);
    const ext = await refused(t.reserveSignUp(address));
    expect(ext.code).toBe('RATE_LIMITED');
    expect(ext.retryAfter).toBeGreaterThan(3500);
    await expect(t.reserveSignUp('203.0.113.1')).resolves.toBeUndefined();
  });
});
