import { describe, expect, it } from 'vitest';
import { REDIS_RECONNECT_MAX_MS, redisReconnectDelay } from './redis.constants';

describe('redisReconnectDelay', () => {
  it('backs off exponentially and caps the delay', () => {
    expect([1, 2, 3, 4].map(redisReconnectDelay)).toEqual([100, 200, 400, 800]);
    expect(redisReconnectDelay(50)).toBe(REDIS_RECONNECT_MAX_MS);
  });
});
