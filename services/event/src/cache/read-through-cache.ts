import { randomUUID } from 'node:crypto';
import type { RedisService } from '@ticketing/platform';

type Redis = RedisService['client'];

export interface ReadThroughOptions {
  /** Extra seconds past freshness during which a stale value is served while one caller refreshes it. */
  staleSeconds: number;
  /** Life of the rebuild lock (ms): bounds how long a crashed holder can block refreshes. */
  lockMs: number;
  /** How long a caller that missed and did not get the lock waits for the holder's value (ms). */
  lockWaitMs: number;
  /** Poll step while waiting (ms). */
  pollMs?: number;
}

export type CacheOutcome = 'hit' | 'stale' | 'miss' | 'waited' | 'bypass' | 'error';

export interface CacheCodec<T> {
  encode(value: T): string;
  decode(raw: string): T;
}

const RELEASE_LOCK =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A read-through Redis cache that protects the database when a hot key expires:
 * - concurrent calls for one key in this process share one promise (request coalescing);
 * - across processes, only the holder of a short Redis lock (`SET NX PX`) rebuilds a key;
 * - a value past its fresh period but inside its stale period is served at once while the lock holder
 *   refreshes it in the background (stale-while-revalidate);
 * - on a cold miss, callers without the lock poll briefly for the holder's value, then read the database
 *   themselves rather than fail;
 * - any Redis error falls back to the loader: Redis down is slower, never an outage.
 * Stored value: `<freshUntilEpochMs>|<payload>` with a hard TTL of fresh + stale seconds.
 * `null` from the loader (not found, not visible) is returned and not stored.
 */
export class ReadThroughCache {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly pollMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: ReadThroughOptions,
    private readonly record: (outcome: CacheOutcome) => void = () => undefined,
    private readonly onError: (error: unknown, key: string) => void = () => undefined,
  ) {
    this.pollMs = options.pollMs ?? 20;
  }

  get<T>(
    key: string,
    ttlSeconds: number,
    load: () => Promise<T | null>,
    codec: CacheCodec<T>,
  ): Promise<T | null> {
    const pending = this.inflight.get(key) as Promise<T | null> | undefined;
    if (pending) return pending;
    const promise = this.resolve(key, ttlSeconds, load, codec).finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private async resolve<T>(
    key: string,
    ttlSeconds: number,
    load: () => Promise<T | null>,
    codec: CacheCodec<T>,
  ): Promise<T | null> {
    let raw: string | null;
    try {
      raw = await this.redis.get(key);
    } catch (error) {
      this.onError(error, key);
      this.record('error');
      return load();
    }
    if (raw !== null) {
      const entry = this.parse(raw, codec);
      if (entry) {
        if (Date.now() < entry.freshUntil) {
          this.record('hit');
          return entry.value;
        }
        this.record('stale');
        void this.refreshInBackground(key, ttlSeconds, load, codec);
        return entry.value;
      }
    }
    const token = await this.tryLock(key);
    if (token) {
      this.record('miss');
      return this.rebuild(key, ttlSeconds, load, codec, token);
    }
    const deadline = Date.now() + this.options.lockWaitMs;
    while (Date.now() < deadline) {
      await sleep(this.pollMs);
      let waitedRaw: string | null = null;
      try {
        waitedRaw = await this.redis.get(key);
      } catch (error) {
        this.onError(error, key);
        break;
      }
      const entry = waitedRaw === null ? undefined : this.parse(waitedRaw, codec);
      if (entry) {
        this.record('waited');
        return entry.value;
      }
    }
    this.record('bypass');
    return load();
  }

  private async refreshInBackground<T>(
    key: string,
    ttlSeconds: number,
    load: () => Promise<T | null>,
    codec: CacheCodec<T>,
  ) {
    const token = await this.tryLock(key);
    if (!token) return;
    try {
      await this.rebuild(key, ttlSeconds, load, codec, token);
    } catch (error) {
      this.onError(error, key);
    }
  }

  private async rebuild<T>(
    key: string,
    ttlSeconds: number,
    load: () => Promise<T | null>,
    codec: CacheCodec<T>,
    token: string,
  ) {
    try {
      const value = await load();
      if (value !== null) {
        const freshUntil = Date.now() + ttlSeconds * 1000;
        const hardTtl = ttlSeconds + this.options.staleSeconds;
        await this.redis
          .set(key, `${freshUntil}|${codec.encode(value)}`, 'EX', hardTtl)
          .catch((error: unknown) => this.onError(error, key));
      }
      return value;
    } finally {
      await this.redis
        .eval(RELEASE_LOCK, 1, `${key}:lock`, token)
        .catch((error: unknown) => this.onError(error, key));
    }
  }

  private async tryLock(key: string): Promise<string | null> {
    const token = randomUUID();
    try {
      const ok = await this.redis.set(`${key}:lock`, token, 'PX', this.options.lockMs, 'NX');
      return ok === 'OK' ? token : null;
    } catch (error) {
      this.onError(error, key);
      // Redis is failing: behave as the lock holder so the caller loads (the write will fail quietly).
      return randomUUID();
    }
  }

  private parse<T>(raw: string, codec: CacheCodec<T>): { freshUntil: number; value: T } | undefined {
    const bar = raw.indexOf('|');
    const freshUntil = Number(raw.slice(0, bar));
    if (bar <= 0 || !Number.isFinite(freshUntil)) return undefined;
    try {
      return { freshUntil, value: codec.decode(raw.slice(bar + 1)) };
    } catch {
      return undefined;
    }
  }
}
