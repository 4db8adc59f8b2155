import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from '../mongo/mongo-errors';
import { deleteWholeHours, hourOf } from '../scheduling/hour-buckets';

/**
 * Remembers which envelope ids a consumer group has already handled, so a redelivered message (a retry
 * after a crash, a rebalance, an outbox duplicate) is skipped. Entries are written after the handler
 * succeeded; a crash between the two means the handler runs again, which is why handlers stay idempotent.
 */
export interface ProcessedMessageStore {
  readonly kind: 'mongo' | 'redis';
  has(group: string, eventId: string): Promise<boolean>;
  mark(group: string, eventId: string): Promise<void>;
  /** Drops entries older than `before`; returns how many went. */
  prune(before: Date): Promise<number>;
}

export const PROCESSED_MESSAGES_COLLECTION = 'processed_messages';

interface ProcessedMessageDoc {
  _id: string;
  group: string;
  eventId: string;
  processedAt: Date;
  /** The hour it was processed in (hours since the epoch): what `prune` deletes by, one hour at a time. */
  hour: number;
}

/**
 * Durable store: collection `processed_messages`, `_id` = `group:eventId`. Lookups are by `_id`; pruning
 * deletes whole hours by an indexed equality on `hour` (never a range scan over the whole collection),
 * walking back `lookbackHours` from the cutoff, so entries survive at most the retention plus that.
 */
export class MongoProcessedMessageStore implements ProcessedMessageStore {
  readonly kind = 'mongo' as const;
  private indexed?: Promise<unknown>;

  constructor(
    private readonly connection: Connection,
    private readonly lookbackHours = 14 * 24,
  ) {}

  private get collection() {
    return this.connection.collection<ProcessedMessageDoc>(PROCESSED_MESSAGES_COLLECTION);
  }

  async has(group: string, eventId: string): Promise<boolean> {
    const found = await this.collection.findOne({ _id: `${group}:${eventId}` }, { projection: { _id: 1 } });
    return found !== null;
  }

  async mark(group: string, eventId: string): Promise<void> {
    // An index on the hour serves `prune` (no TTL index: it is outside the supported subset).
    this.indexed ??= this.collection.createIndex({ hour: 1 }).catch(() => (this.indexed = undefined));
    const now = new Date();
    try {
      await this.collection.insertOne({
        _id: `${group}:${eventId}`,
        group,
        eventId,
        processedAt: now,
        hour: hourOf(now),
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // already there: a concurrent duplicate
    }
  }

  /** Deletes the entries of every whole hour before `before`, back to `lookbackHours` earlier. */
  async prune(before: Date): Promise<number> {
    return deleteWholeHours(
      (filter) => this.collection.deleteMany(filter),
      'hour',
      before,
      this.lookbackHours,
    );
  }
}

/** The bits of `RedisService` the fallback store needs. */
export interface RedisLike {
  client: {
    exists(key: string): Promise<number>;
    set(key: string, value: string, ex: 'EX', seconds: number, nx: 'NX'): Promise<string | null>;
  };
  key(...parts: string[]): string;
}

/**
 * Fallback for services without MongoDB: `SET key 1 EX ttl NX` in Redis. Redis is a cache (ARCHITECTURE
 * invariant 6), so after a flush duplicates get through to the handler, which must then be idempotent on
 * its own; entries expire after `ttlSeconds`.
 */
export class RedisProcessedMessageStore implements ProcessedMessageStore {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: RedisLike,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {}

  async has(group: string, eventId: string): Promise<boolean> {
    return (await this.redis.client.exists(this.redis.key('processed', group, eventId))) === 1;
  }

  async mark(group: string, eventId: string): Promise<void> {
    await this.redis.client.set(
      this.redis.key('processed', group, eventId),
      '1',
      'EX',
      this.ttlSeconds,
      'NX',
    );
  }

  async prune(): Promise<number> {
    return 0; // keys expire on their own
  }
}
