import type { RedisService } from '@ticketing/platform';
import { GraphQLError } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import type { AuthConfig } from '../config';
import { LoginThrottle } from './login-throttle.service';

const config = {
  LOGIN_SOFT_LIMIT: 5,
  LOGIN_MAX_FAILURES_PER_HOUR: 100,
  LOGIN_DELAY_BASE_MS: 1000,
  LOGIN_DELAY_MAX_MS: 900_000,
  LOGIN_IP_SOFT_LIMIT: 20,
  LOGIN_IP_MAX_FAILURES_PER_HOUR: 500,
  LOGIN_IP_MAX_RELEASES_PER_HOUR: 100,
  SIGNUP_IP_MAX_PER_HOUR: 100,
  LOGIN_THROTTLE_TIMEOUT_MS: 100,
} as AuthConfig;

function throttleWith(evalImpl: (...args: unknown[]) => Promise<unknown>) {
  const evalFn = vi.fn(evalImpl);
  const redis = { client: { eval: evalFn }, key: (...parts: string[]) => `p:${parts.join(':')}` };
  return { throttle: new LoginThrottle(redis as unknown as RedisService, config), evalFn };
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: unknown; retryAfter: unknown }> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GraphQLError);
    const ext = (err as GraphQLError).extensions;
    return { code: ext.code, retryAfter: ext.retryAfter };
  }
  throw new Error('expected a rejection');
}

describe('LoginThrottle', () => {
  it('reserves with hashed account and sanitised address keys, passing both limit sets', async () => {
    const { throttle, evalFn } = throttleWith(async () => [1, 3, 7]);
    const reservation = await throttle.reserve('ada@example.com', '203.0.113.9');
    expect(reservation).toMatchObject({ accountCount: 3, addressCount: 7 });
    const [, numKeys, accountKey, addressKey, ...args] = evalFn.mock.calls[0];
    expect(numKeys).toBe(2);
    expect(accountKey).toMatch(/^p:auth:login:account:[0-9a-f]{40}$/);
    expect(accountKey).not.toContain('ada');
    expect(addressKey).toBe('p:auth:login:address:203.0.113.9');
    expect(args).toEqual([3_600_000, 5, 100, 1000, 900_000, 20, 500, 1000, 900_000]);
  });

  it('answers RATE_LIMITED with retryAfter in whole seconds when the script refuses', async () => {
    const { throttle } = throttleWith(async () => [0, 2500, 1]);
    expect(await codeOf(throttle.reserve('ada@example.com', '::1'))).toEqual({
      code: 'RATE_LIMITED',
      retryAfter: 3,
    });
  });

  it('fails closed when Redis errors', async () => {
    const { throttle } = throttleWith(async () => {
      throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    });
    expect((await codeOf(throttle.reserve('ada@example.com', '::1'))).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('fails closed when Redis does not answer in time', async () => {
    const { throttle } = throttleWith(() => new Promise(() => undefined));
    const started = Date.now();
    expect((await codeOf(throttle.reserve('ada@example.com', '::1'))).code).toBe('SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not fail a successful sign-in when clearing the counters fails', async () => {
    const { throttle } = throttleWith(async () => {
      throw new Error('down');
    });
    await expect(
      throttle.release({ accountKey: 'a', addressKey: 'b', accountCount: 1, addressCount: 1 }),
    ).resolves.toBeUndefined();
  });
});
