import { createHash } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { getLogger, InjectConfig, MetricsService, RedisService } from '@ticketing/platform';
import { ReadThroughCache, type CacheCodec, type CacheOutcome } from '../cache/read-through-cache';
import type { EventConfig } from '../config';
import { deserializeView, serializeView } from './event-view';

/** Generation keys outlive every data key by far, so one expiring (after a quiet day) cannot resurrect old data. */
const GENERATION_TTL_SECONDS = 86_400;
const RETRY_INVALIDATION_MS = 1000;

const jsonCodec = <T>(): CacheCodec<T> => ({
  encode: serializeView,
  decode: (raw) => deserializeView<T>(raw),
});

/**
 * Listing pages and event details in Redis, invalidated by this service's own writes.
 *
 * Keys carry a generation: listings `event:list:<gen>:<hash>` under one counter `event:list-gen`, details
 * `event:detail:<id>:<gen>` under `event:detail-gen:<id>`. A reader reads the generation BEFORE loading
 * from Mongo; a writer bumps it AFTER its Mongo write. So a reader racing a write can only store old data
 * under the old generation, which nobody reads any more: the first read after a write is always fresh.
 * If Redis is unreachable when a write bumps the generations, the bump is retried every second until it
 * lands (entries written meanwhile expire with their TTL in any case).
 */
@Injectable()
export class EventCacheService implements OnModuleDestroy {
  private readonly log = getLogger('event-cache');
  private readonly cache: ReadThroughCache;
  private readonly pendingIds = new Set<string>();
  private pendingListing = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    @InjectConfig() private readonly config: EventConfig,
    metrics: MetricsService,
  ) {
    const counter = metrics.counter('event_cache_requests_total', 'Event cache lookups by outcome', [
      'outcome',
    ]);
    this.cache = new ReadThroughCache(
      redis.client,
      {
        staleSeconds: config.EVENT_CACHE_STALE_SECONDS,
        lockMs: config.EVENT_CACHE_LOCK_MS,
        lockWaitMs: config.EVENT_CACHE_LOCK_WAIT_MS,
      },
      (outcome: CacheOutcome) => counter.inc({ outcome }),
      (error, key) => this.log.debug({ err: error, key }, 'cache operation failed; serving from Mongo'),
    );
  }

  get enabled(): boolean {
    return this.config.EVENT_CACHE_ENABLED;
  }

  async listing<T>(query: unknown, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return load();
    const gen = await this.generation(this.redis.key('event', 'list-gen'));
    if (gen === undefined) return load();
    const hash = createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 32);
    const key = this.redis.key('event', 'list', gen, hash);
    const value = await this.cache.get<T>(
      key,
      this.config.EVENT_CACHE_LIST_TTL_SECONDS,
      load,
      jsonCodec<T>(),
    );
    return value as T;
  }

  async detail<T>(eventId: string, load: () => Promise<T | null>): Promise<T | null> {
    if (!this.enabled) return load();
    const gen = await this.generation(this.redis.key('event', 'detail-gen', eventId));
    if (gen === undefined) return load();
    const key = this.redis.key('event', 'detail', eventId, gen);
    return this.cache.get<T>(key, this.config.EVENT_CACHE_DETAIL_TTL_SECONDS, load, jsonCodec<T>());
  }

  /** Called after every successful write of an event: the next read of any listing or of that event is fresh. */
  async invalidate(eventId: string): Promise<void> {
    this.pendingIds.add(eventId);
    this.pendingListing = true;
    await this.flushInvalidations();
  }

  onModuleDestroy(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private async flushInvalidations(): Promise<void> {
    const ids = [...this.pendingIds];
    const listing = this.pendingListing;
    if (ids.length === 0 && !listing) return;
    const pipeline = this.redis.client.multi();
    if (listing) pipeline.incr(this.redis.key('event', 'list-gen'));
    for (const id of ids) {
      const genKey = this.redis.key('event', 'detail-gen', id);
      pipeline.incr(genKey).expire(genKey, GENERATION_TTL_SECONDS);
    }
    try {
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
      for (const id of ids) this.pendingIds.delete(id);
      if (listing) this.pendingListing = false;
    } catch (error) {
      this.log.warn({ err: error, pending: this.pendingIds.size }, 'cache invalidation failed; retrying');
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flushInvalidations();
    }, RETRY_INVALIDATION_MS);
    this.retryTimer.unref();
  }

  /** The current generation, or undefined when Redis cannot answer (callers then read Mongo). */
  private async generation(key: string): Promise<string | undefined> {
    if (this.pendingListing || this.pendingIds.size > 0) {
      // An invalidation has not reached Redis yet: cached entries may be stale, so skip the cache.
      return undefined;
    }
    try {
      return (await this.redis.client.get(key)) ?? '0';
    } catch (error) {
      this.log.debug({ err: error }, 'cache generation unavailable; serving from Mongo');
      return undefined;
    }
  }
}
