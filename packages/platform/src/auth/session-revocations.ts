import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { getLogger } from '../logging';
import { createRedisClient } from '../redis/redis.service';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';

/** Redis key of one revoked session id (value: when its last access token expires, ms since epoch). */
export const REVOKED_SID_KEY = 'auth:revoked-sid:';
/** Redis channel on which every revocation is announced (`<expiresAtMs> <sid>`). */
export const REVOKED_SID_CHANNEL = 'auth:revoked-sids';

/** What the guard learns about a session id. */
export type RevocationVerdict = 'live' | 'revoked' | 'stale';

/** The check the access-token strategy makes per request: local, no network call. */
export interface RevocationCheck {
  verdict(sid: string, issuedAtMs: number, now?: number): RevocationVerdict;
  /** Calls `listener` once when `sid` is revoked (open WebSockets close then); returns the unsubscribe. */
  watch?(sid: string, listener: () => void): () => void;
}

export interface SessionRevocationOptions {
  redisUrl: string;
  keyPrefix: string;
  /** Name of the Redis connections (`CLIENT LIST` shows `<name>:revocations:<pid>`). */
  connectionName: string;
  /**
   * How long the local set may go unconfirmed (subscriber down, Redis unreachable) before tokens issued
   * earlier than this long ago are refused. Default 5000 ms.
   */
  maxStalenessMs?: number;
  /** How often the subscriber connection is pinged to prove it is alive. Default 1000 ms. */
  heartbeatMs?: number;
}

/**
 * The revoked session ids (`sid` claims) of the whole platform, one copy per process.
 *
 * - Auth calls `revoke(sid, ttlMs)`: `SET <prefix>auth:revoked-sid:<sid> <expiresAt> PX ttl` (the key lives as
 *   long as an access token of that session can), then `PUBLISH <prefix>auth:revoked-sids`.
 * - Every process subscribes to the channel and keeps the ids in memory; the guard asks `verdict()` per
 *   request (a map lookup, no network).
 * - On start and after every reconnect of the subscriber the set is rebuilt from the keys in Redis (SCAN),
 *   merged into what the process already knows (never replaced: an emptied Redis does not forget a
 *   revocation this process has seen).
 * - When the set cannot be confirmed (subscriber disconnected or not answering its heartbeat) for longer
 *   than `maxStalenessMs`, the verdict for tokens issued more than `maxStalenessMs` ago is `stale`: the
 *   guard refuses them as expired, so clients refresh through auth, which checks the session in MongoDB.
 *   A revoked session is therefore refused at most `maxStalenessMs` (+ heartbeat) after its revocation,
 *   whether Redis is reachable or not.
 */
@Injectable()
export class SessionRevocations implements RevocationCheck, OnModuleInit, OnApplicationShutdown {
  private readonly logger = getLogger('SessionRevocations');
  private readonly options: SessionRevocationOptions | undefined;
  private readonly revoked = new Map<string, number>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly maxStalenessMs: number;
  private readonly heartbeatMs: number;
  private subscriber?: Redis;
  private commands?: Redis;
  private timer?: NodeJS.Timeout;
  /** True while subscribed and rebuilt since the subscriber's last (re)connect, and answering pings. */
  private inSync = false;
  /** Last instant the local set was known complete. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private syncing?: Promise<void>;
  private closed = false;

  constructor(@Inject(AUTH_OPTIONS) options: AuthOptions) {
    this.options = options.revocation;
    this.maxStalenessMs = this.options?.maxStalenessMs ?? 5000;
    this.heartbeatMs = this.options?.heartbeatMs ?? 1000;
  }

  private get prefix(): string {
    return this.options?.keyPrefix ?? '';
  }

  private get channel(): string {
    return this.prefix + REVOKED_SID_CHANNEL;
  }

  private keyOf(sid: string): string {
    return this.prefix + REVOKED_SID_KEY + sid;
  }

  /** Connects, subscribes and rebuilds the set (waits up to 3 s; without Redis the process starts stale). */
  async onModuleInit(): Promise<void> {
    if (!this.options) {
      this.logger.warn(
        'no Redis configured for session revocation: every token older than the limit is refused',
      );
      return;
    }
    // The process id tells replicas apart in `CLIENT LIST` (tests kill one process's subscriber by it).
    const name = `${this.options.connectionName}:revocations:${process.pid}`;
    this.subscriber = createRedisClient(this.options.redisUrl, name);
    this.commands = createRedisClient(this.options.redisUrl, name);
    for (const client of [this.subscriber, this.commands]) client.on('error', () => undefined);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.remember(message);
    });
    this.subscriber.on('ready', () => void this.resync());
    this.subscriber.on('close', () => this.lost('subscriber connection closed'));
    this.timer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.timer.unref();

    await Promise.all([
      this.subscriber.connect().catch(() => undefined),
      this.commands.connect().catch(() => undefined),
    ]);
    const first = this.syncing ?? (this.subscriber.status === 'ready' ? this.resync() : undefined);
    if (first) {
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    }
    if (!this.inSync) this.logger.warn('revoked sessions not loaded at start-up; will retry');
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const client of [this.subscriber, this.commands]) client?.disconnect(false);
  }

  /** Per-request check; never touches the network. */
  verdict(sid: string, issuedAtMs: number, now = Date.now()): RevocationVerdict {
    const until = this.revoked.get(sid);
    if (until !== undefined && until > now) return 'revoked';
    if (this.inSync || now - this.confirmedAt <= this.maxStalenessMs) return 'live';
    return issuedAtMs >= now - this.maxStalenessMs ? 'live' : 'stale';
  }

  /** Whether the set is confirmed complete right now (diagnostics and tests). */
  get synchronised(): boolean {
    return this.inSync;
  }

  /** Number of revoked sessions held in memory (diagnostics and tests). */
  get size(): number {
    return this.revoked.size;
  }

  /**
   * Revokes session ids for `ttlMs` (the longest remaining lifetime of their access tokens): written to
   * Redis, announced, and applied locally at once. Rejects when Redis refused the write.
   */
  async revoke(sids: readonly string[], ttlMs: number): Promise<void> {
    if (sids.length === 0) return;
    const expiresAt = Date.now() + ttlMs;
    for (const sid of sids) this.add(sid, expiresAt);
    if (!this.commands) throw new Error('session revocation has no Redis configured');
    const pipeline = this.commands.pipeline();
    for (const sid of sids) {
      pipeline.set(this.keyOf(sid), String(expiresAt), 'PX', ttlMs);
      pipeline.publish(this.channel, `${expiresAt} ${sid}`);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0] as Error;
  }

  /**
   * Re-asserts revocations (auth's repair loop after a Redis outage, restart or flush): each id whose key
   * is missing is written (`SET NX`) and announced again. Returns how many were missing.
   */
  async reassert(entries: ReadonlyArray<{ sid: string; expiresAt: number }>): Promise<number> {
    const now = Date.now();
    const live = entries.filter((entry) => entry.expiresAt > now);
    for (const { sid, expiresAt } of live)
      this.revoked.set(sid, Math.max(this.revoked.get(sid) ?? 0, expiresAt));
    if (!this.commands || live.length === 0) return 0;
    const writes = this.commands.pipeline();
    for (const { sid, expiresAt } of live)
      writes.set(this.keyOf(sid), String(expiresAt), 'PX', expiresAt - now, 'NX');
    const results = (await writes.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0] as Error;
    const missing = live.filter((_, index) => results[index]?.[1] === 'OK');
    if (missing.length > 0) {
      const announcements = this.commands.pipeline();
      for (const { sid, expiresAt } of missing) announcements.publish(this.channel, `${expiresAt} ${sid}`);
      await announcements.exec();
    }
    return missing.length;
  }

  watch(sid: string, listener: () => void): () => void {
    if (this.revoked.has(sid)) {
      listener();
      return () => undefined;
    }
    let listeners = this.watchers.get(sid);
    if (!listeners) this.watchers.set(sid, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.watchers.delete(sid);
    };
  }

  /** Records a revoked id until `expiresAt` and tells its watchers. */
  private add(sid: string, expiresAt: number): void {
    this.revoked.set(sid, Math.max(this.revoked.get(sid) ?? 0, expiresAt));
    const listeners = this.watchers.get(sid);
    if (!listeners) return;
    this.watchers.delete(sid);
    for (const listener of listeners) listener();
  }

  private remember(message: string): void {
    const space = message.indexOf(' ');
    const expiresAt = Number(message.slice(0, space));
    const sid = message.slice(space + 1);
    if (space <= 0 || !Number.isFinite(expiresAt) || !sid) return;
    this.add(sid, expiresAt);
  }

  private lost(reason: string): void {
    if (!this.inSync || this.closed) return;
    this.inSync = false;
    this.logger.warn({ reason }, 'revoked-session set no longer confirmed');
  }

  private resync(): Promise<void> {
    this.syncing ??= this.rebuild()
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'rebuilding the revoked-session set failed; retrying');
      })
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }

  /** Subscribes (so nothing announced from now on is missed), then loads every key still in Redis. */
  private async rebuild(): Promise<void> {
    const subscriber = this.subscriber!;
    const commands = this.commands!;
    if (subscriber.status !== 'ready') return;
    await subscriber.subscribe(this.channel);
    if (commands.status !== 'ready') await readyOrFail(commands, 2000);
    const match = this.prefix.replace(/[*?[\]\\]/g, '\\$&') + REVOKED_SID_KEY + '*';
    const keyStart = (this.prefix + REVOKED_SID_KEY).length;
    let cursor = '0';
    let loaded = 0;
    do {
      const [next, keys] = await commands.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await commands.mget(...keys);
      keys.forEach((key, index) => {
        const expiresAt = Number(values[index]);
        if (!Number.isFinite(expiresAt)) return;
        this.add(key.slice(keyStart), expiresAt);
        loaded += 1;
      });
    } while (cursor !== '0');
    if (subscriber.status !== 'ready') return;
    this.prune();
    this.inSync = true;
    this.confirmedAt = Date.now();
    this.logger.debug({ loaded }, 'revoked-session set rebuilt from Redis');
  }

  private async heartbeat(): Promise<void> {
    if (this.closed || !this.subscriber) return;
    this.prune();
    if (!this.inSync) {
      if (this.subscriber.status === 'ready') await this.resync();
      return;
    }
    try {
      await Promise.race([
        this.subscriber.ping(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('ping timed out')), this.heartbeatMs).unref(),
        ),
      ]);
      if (this.inSync) this.confirmedAt = Date.now();
    } catch (error) {
      this.lost(error instanceof Error ? error.message : String(error));
    }
  }

  private prune(now = Date.now()): void {
    for (const [sid, until] of this.revoked) if (until <= now) this.revoked.delete(sid);
  }
}

/** Resolves when `client` is ready (it connects or reconnects by itself), rejects after `timeoutMs`. */
function readyOrFail(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error('Redis command connection not ready'));
    }, timeoutMs);
    timer.unref();
    client.once('ready', onReady);
  });
}
