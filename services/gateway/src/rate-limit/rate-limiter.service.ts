import { Injectable } from '@nestjs/common';
import { getLogger, InjectConfig, RedisService, withTimeout } from '@ticketing/platform';
import type { GatewayConfig } from '../config';

export const RATE_WINDOW_MS = 60_000;

export type RateDecision =
  | { allowed: true; limit: number; remaining: number; resetMs: number }
  | { allowed: false; limit: number; remaining: 0; resetMs: number; retryAfterSeconds: number };

/**
 * One atomic step of a fixed window counter: count this hit and return the count with the key's remaining time.
 * The window index is part of the key, so every window starts from zero without any cleanup.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

/**
 * Per-client-address request budget shared by every gateway replica (Redis). `RATE_LIMIT_PER_MINUTE=0` turns it
 * off. When Redis does not answer in time the request passes (`RATE_LIMIT_FAIL_OPEN=true`, the default: Redis
 * is a fast gate, and login throttling lives in auth) or is refused.
 */
@Injectable()
export class RateLimiterService {
  private readonly log = getLogger('rate-limit');

  constructor(
    @InjectConfig() private readonly config: GatewayConfig,
    private readonly redis: RedisService,
  ) {}

  get enabled(): boolean {
    return this.config.RATE_LIMIT_PER_MINUTE > 0;
  }

  async hit(clientAddress: string, now: number = Date.now()): Promise<RateDecision | 'unavailable'> {
    const limit = this.config.RATE_LIMIT_PER_MINUTE;
    const window = Math.floor(now / RATE_WINDOW_MS);
    const resetMs = (window + 1) * RATE_WINDOW_MS - now;
    const key = this.redis.key('gateway', 'rl', clientAddress, window);
    let count: number;
    try {
      count = Number(
        await withTimeout(
          this.redis.client.eval(HIT_SCRIPT, 1, key, String(RATE_WINDOW_MS * 2)),
          this.config.RATE_LIMIT_TIMEOUT_MS,
          'rate-limit store timed out',
        ),
      );
    } catch (err) {
      this.log.warn({ err }, 'rate-limit check failed');
      return 'unavailable';
    }
    if (count <= limit) return { allowed: true, limit, remaining: limit - count, resetMs };
    return {
      allowed: false,
      limit,
      remaining: 0,
      resetMs,
      retryAfterSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
    };
  }
}
