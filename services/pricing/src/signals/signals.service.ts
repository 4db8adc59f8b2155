import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { InjectConfig, isDuplicateKeyError } from '@ticketing/platform';
import type { Model } from 'mongoose';
import type { PricingConfig } from '../config';
import type { DemandWindow } from '../engine';
import { DEMAND_BUCKET, type DemandBucketDoc } from './schemas/demand-bucket.schema';

/** Largest window read bucket by bucket (`_id` lookups); a longer one is read as a range. */
const MAX_BUCKETS_BY_ID = 120;

export type SignalCounts = Partial<Pick<DemandBucketDoc, 'views' | 'held' | 'lapsed' | 'sold'>>;

/**
 * Sliding demand windows as materialised counters: one document per subject (ticket type, or event for
 * views) per time bucket, bumped with `$inc`. A signal lands in the bucket of the time it happened (not of
 * its arrival), so replaying the topics into an empty collection rebuilds the same windows.
 */
@Injectable()
export class SignalsService {
  private readonly bucketMs: number;
  private readonly windowMs: number;

  constructor(
    @InjectModel(DEMAND_BUCKET) private readonly buckets: Model<DemandBucketDoc>,
    @InjectConfig() config: PricingConfig,
  ) {
    this.bucketMs = config.BUCKET_MS;
    this.windowMs = config.DEMAND_WINDOW_MS;
  }

  /**
   * Counts one signal once: the guard on `ids` and the `$inc` are one update; a repeat either misses the
   * guard (the upsert's insert then collides on `_id`) or finds nothing to do. Returns whether it counted.
   */
  async record(subject: string, at: Date, counts: SignalCounts, signalId: string): Promise<boolean> {
    const bucketStart = Math.floor(at.getTime() / this.bucketMs) * this.bucketMs;
    try {
      const result = await this.buckets
        .updateOne(
          { _id: `${subject}:${bucketStart}`, ids: { $ne: signalId } },
          {
            $inc: counts,
            $push: { ids: signalId },
            $setOnInsert: { subject, bucketStart: new Date(bucketStart) },
          },
          { upsert: true, setDefaultsOnInsert: false },
        )
        .exec();
      return result.modifiedCount === 1 || result.upsertedCount === 1;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * The window ending at `now`: a ticket type's buckets plus its event's views. The buckets are read by their
   * `_id`s (one per bucket of the window), so the read never grows with how long the type has been on sale;
   * only a window of more than MAX_BUCKETS_BY_ID buckets falls back to the `{ subject, bucketStart }` range.
   */
  async window(ticketTypeId: string, eventId: string, now: number): Promise<DemandWindow> {
    const [own, views] = await Promise.all([this.bucketsOf(ticketTypeId, now), this.bucketsOf(eventId, now)]);
    const sum = (docs: DemandBucketDoc[], key: 'views' | 'held' | 'lapsed' | 'sold') =>
      docs.reduce((total, doc) => total + (doc[key] ?? 0), 0);
    return {
      windowMs: this.windowMs,
      views: sum(views, 'views'),
      held: sum(own, 'held'),
      lapsed: sum(own, 'lapsed'),
      sold: sum(own, 'sold'),
    };
  }

  private async bucketsOf(subject: string, now: number): Promise<DemandBucketDoc[]> {
    const since = now - this.windowMs;
    const first = Math.floor(since / this.bucketMs) * this.bucketMs;
    const starts: number[] = [];
    for (let start = first; start <= now && starts.length <= MAX_BUCKETS_BY_ID; start += this.bucketMs) {
      if (start + this.bucketMs > since) starts.push(start);
    }
    if (starts.length > MAX_BUCKETS_BY_ID) {
      return this.buckets
        .find({ subject, bucketStart: { $gte: new Date(since) } })
        .lean<DemandBucketDoc[]>()
        .exec();
    }
    const docs = await Promise.all(
      starts.map((start) => this.buckets.findById(`${subject}:${start}`).lean<DemandBucketDoc>().exec()),
    );
    // Same membership as the range read: buckets that start inside the window.
    return docs.filter((d): d is DemandBucketDoc => d !== null && d.bucketStart.getTime() >= since);
  }
}
