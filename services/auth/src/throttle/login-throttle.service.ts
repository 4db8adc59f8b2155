import { Injectable, Logger } from '@nestjs/common';
import {
  domainError,
  ErrorCode,
  InjectConfig,
  rateLimited,
  RedisService,
  withTimeout,
} from '@ticketing/platform';
import type { GraphQLError } from 'graphql';
import { createHash } from 'node:crypto';
import type { AuthConfig } from '../config';
import { throttleSubject } from '../auth/client-address';
import { RELEASE_ATTEMPT_SCRIPT, RESERVE_ATTEMPT_SCRIPT, RESERVE_SIGN_UP_SCRIPT } from './login-throttle.lua';

/** Failures are counted per fixed one-hour window, starting at the first failure. */
export const THROTTLE_WINDOW_MS = 3_600_000;

/** A counted attempt; give it back with `release()` when the password was right. */
export interface AttemptReservation {
  accountKey: string;
  addressKey: string;
  accountCount: number;
  addressCount: number;
}

/** Redis client methods the throttle uses (ioredis `eval`). */
interface ScriptRunner {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/** `RATE_LIMITED` with `extensions.retryAfter` in whole seconds (at least 1). */
export function tooManyAttempts(retryAfterMs: number): GraphQLError {
  return rateLimited(
    'Too many sign-in attempts. Try again later.',
    Math.max(1, Math.ceil(retryAfterMs / 1000)),
  );
}

/** `RATE_LIMITED` for sign-ups from one client address. */
export function tooManySignUps(retryAfterMs: number): GraphQLError {
  return rateLimited(
    'Too many accounts created from this network. Try again later.',
    Math.max(1, Math.ceil(retryAfterMs / 1000)),
  );
}

/** Redis could not be asked: sign-in is refused rather than left unthrottled. */
export function throttleUnavailable(): GraphQLError {
  return domainError(
    ErrorCode.SERVICE_UNAVAILABLE,
    'Sign-in is temporarily unavailable. Try again shortly.',
    null,
    {
      retryAfter: 5,
    },
  );
}

/**
 * Sign-in throttling per account and per client address, in Redis. Every attempt is reserved with one
 * atomic script before the password is checked, so attempts that arrive together (aliases in one
 * document, parallel requests) are each counted and each see the others.
 *
 * Soft delay: from the `LOGIN_SOFT_LIMIT`-th attempt on, the next attempt must wait an exponentially
 * growing delay. Lockout: after `LOGIN_MAX_FAILURES_PER_HOUR` (≤ 100) the account is refused until the
 * window ends. A successful sign-in clears the account's counter.
 *
 * Redis unreachable or slow: sign-in is refused (fail closed, `SERVICE_UNAVAILABLE`), never unlimited.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);

  constructor(
    private readonly redis: RedisService,
    @InjectConfig() private readonly config: AuthConfig,
  ) {}

  private get runner(): ScriptRunner {
    return this.redis.client as unknown as ScriptRunner;
  }

  accountKey(email: string): string {
    // Hashed so that addresses do not sit in Redis in clear text.
    const digest = createHash('sha256').update(email, 'utf8').digest('hex').slice(0, 40);
    return this.redis.key('auth', 'login', 'account', digest);
  }

  /** Per client: an IPv4 address, or the /64 of an IPv6 one (see `throttleSubject`). */
  addressKey(address: string): string {
    return this.redis.key('auth', 'login', 'address', safeKeyPart(throttleSubject(address)));
  }

  signUpKey(address: string): string {
    return this.redis.key('auth', 'signup', 'address', safeKeyPart(throttleSubject(address)));
  }

  /**
   * Counts one sign-up from `address` (per fixed hour) or throws `RATE_LIMITED` / `SERVICE_UNAVAILABLE`.
   * Bounds mass account creation, the argon2 work it costs, and probing which addresses are taken.
   */
  async reserveSignUp(address: string): Promise<void> {
    const reply = await this.run(
      RESERVE_SIGN_UP_SCRIPT,
      [this.signUpKey(address)],
      [THROTTLE_WINDOW_MS, this.config.SIGNUP_IP_MAX_PER_HOUR],
    );
    if (!Array.isArray(reply) || reply.length < 2) throw throttleUnavailable();
    const [allowed, value] = reply.map(Number);
    if (allowed !== 1) throw tooManySignUps(value);
  }

  /** Counts one attempt or throws `RATE_LIMITED` (with `retryAfter` seconds) / `SERVICE_UNAVAILABLE`. */
  async reserve(email: string, address: string): Promise<AttemptReservation> {
    const accountKey = this.accountKey(email);
    const addressKey = this.addressKey(address);
    const c = this.config;
    const reply = await this.run(
      RESERVE_ATTEMPT_SCRIPT,
      [accountKey, addressKey],
      [
        THROTTLE_WINDOW_MS,
        c.LOGIN_SOFT_LIMIT,
        c.LOGIN_MAX_FAILURES_PER_HOUR,
        c.LOGIN_DELAY_BASE_MS,
        c.LOGIN_DELAY_MAX_MS,
        c.LOGIN_IP_SOFT_LIMIT,
        c.LOGIN_IP_MAX_FAILURES_PER_HOUR,
        c.LOGIN_DELAY_BASE_MS,
        c.LOGIN_DELAY_MAX_MS,
      ],
    );
    if (!Array.isArray(reply) || reply.length < 3) throw throttleUnavailable();
    const [allowed, a, b] = reply.map(Number);
    if (allowed !== 1) throw tooManyAttempts(a);
    return { accountKey, addressKey, accountCount: a, addressCount: b };
  }

  /**
   * After a correct password: clears the account's failures and returns the address's reservation
   * (at most `LOGIN_IP_MAX_RELEASES_PER_HOUR` times per window and address).
   */
  async release(reservation: AttemptReservation): Promise<void> {
    try {
      await this.run(
        RELEASE_ATTEMPT_SCRIPT,
        [reservation.accountKey, reservation.addressKey],
        [this.config.LOGIN_IP_SOFT_LIMIT, this.config.LOGIN_IP_MAX_RELEASES_PER_HOUR],
      );
    } catch (err) {
      // The user is already authenticated; a stale counter only errs on the safe side.
      this.logger.warn(`could not clear sign-in counters: ${String(err)}`);
    }
  }

  private async run(script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await withTimeout(
        this.runner.eval(script, keys.length, ...keys, ...args),
        this.config.LOGIN_THROTTLE_TIMEOUT_MS,
        'throttle check timed out',
      );
    } catch (err) {
      this.logger.error(`sign-in throttle unavailable, refusing sign-in: ${String(err)}`);
      throw throttleUnavailable();
    }
  }
}

function safeKeyPart(value: string): string {
  return value.replace(/[^0-9A-Za-z.:/_-]/g, '_');
}
