import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { EventEnvelope } from '@ticketing/contracts';
import { deleteWholeHours, hourOf, InjectConfig, isDuplicateKeyError } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { TICKET_PRICE, type TicketPriceDoc } from '../catalog/schemas/ticket-price.schema';
import type { PricingConfig } from '../config';
import type { DemandWindow } from '../engine';
import { DEMAND_BUCKET, type DemandBucketDoc } from './schemas/demand-bucket.schema';
import { SIGNAL_RECEIPT, type SignalReceiptDoc } from './schemas/signal-receipt.schema';

/** Largest window read bucket by bucket (`_id` lookups); a longer one is read as a range. */
const MAX_BUCKETS_BY_ID = 120;
/** Attempts of one guarded `$inc` before a fold gives up (each lost attempt means another writer moved the mark). */
const GUARD_ATTEMPTS = 5;
/** How far back (hours) the receipt clean-up walks from its cutoff. */
const RECEIPT_LOOKBACK_HOURS = 7 * 24;

export type SignalCounts = Partial<Pick<DemandBucketDoc, 'views' | 'held' | 'lapsed' | 'sold'>>;
type Totals = Partial<Pick<TicketPriceDoc, 'soldTotal' | 'heldTotal'>>;

/** Where a record sits in Kafka (topic as on the wire). Offsets of one partition only grow. */
export interface SignalPosition {
  topic: string;
  partition: number;
  offset: number;
}

export interface SignalRecord {
  envelope: EventEnvelope;
  position: SignalPosition;
}

export interface FoldResult {
  /** Demand signals in the input (other event types are ignored). */
  signals: number;
  /** Signals whose envelope id was first seen at another position: not counted. */
  duplicates: number;
  /** Ticket types and events whose windows the batch touched (to reprice). */
  ticketTypeIds: string[];
  eventIds: string[];
}

/** A document with offset marks (a window bucket, a ticket type's totals). */
type MarkedModel = Model<{ _id: string; hw?: Record<string, number> }>;

/** One record's contribution to one document. */
interface Entry<I> {
  offset: number;
  inc: I;
}

/** The key under `hw` for a topic-partition: no `.`, never a leading `$` (ARCHITECTURE §7). */
export function partitionKey(topic: string, partition: number): string {
  return `p${partition}_${topic.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

const positionOf = (p: SignalPosition) => `${partitionKey(p.topic, p.partition)}@${p.offset}`;

/**
 * Sliding demand windows as materialised counters: one document per subject (ticket type, or event for
 * views) per time bucket, bumped with `$inc`. A signal lands in the bucket of the time it happened (not of
 * its arrival), so replaying the topics rebuilds the same windows.
 *
 * Counted once, a whole Kafka batch at a time (`fold`):
 * 1. one `insertMany` of receipts (`signal_receipts`, `_id` = envelope id, with the record's position): an id
 *    already received at another position is a duplicate and drops out;
 * 2. per window bucket and per ticket type's totals, ONE `$inc` of everything the batch adds there, guarded
 *    on the highest offset of that partition already counted in that document (`hw.<partition>`, set in the
 *    same update). A record redelivered after a crash has the same offset, so it misses the guard; a guard
 *    that misses reads the mark and retries with only the records above it.
 * Each document's update is atomic on its own, so a crash between two of them heals on redelivery (each
 * document counts what it has not counted yet), and nothing is ever counted twice.
 */
@Injectable()
export class SignalsService {
  private readonly bucketMs: number;
  private readonly windowMs: number;

  constructor(
    @InjectModel(DEMAND_BUCKET) private readonly buckets: Model<DemandBucketDoc>,
    @InjectModel(SIGNAL_RECEIPT) private readonly receipts: Model<SignalReceiptDoc>,
    @InjectModel(TICKET_PRICE) private readonly prices: Model<TicketPriceDoc>,
    @InjectConfig() config: PricingConfig,
  ) {
    this.bucketMs = config.BUCKET_MS;
    this.windowMs = config.DEMAND_WINDOW_MS;
  }

  /** Folds records (in offset order within each partition) into the windows and the types' totals. */
  async fold(records: readonly SignalRecord[]): Promise<FoldResult> {
    const signals = records.filter((r) => isSignal(r.envelope));
    const fresh = await this.receive(signals);
    const buckets = new Map<
      string,
      { subject: string; bucketStart: number; key: string; entries: Entry<SignalCounts>[] }
    >();
    const totals = new Map<string, { ticketTypeId: string; key: string; entries: Entry<Totals>[] }>();
    const ticketTypeIds = new Set<string>();
    const eventIds = new Set<string>();
    const addBucket = (subject: string, at: string, position: SignalPosition, inc: SignalCounts) => {
      const bucketStart = Math.floor(new Date(at).getTime() / this.bucketMs) * this.bucketMs;
      const key = partitionKey(position.topic, position.partition);
      const id = `${subject}:${bucketStart}`;
      const group = buckets.get(`${id}|${key}`) ?? { subject, bucketStart, key, entries: [] };
      group.entries.push({ offset: position.offset, inc });
      buckets.set(`${id}|${key}`, group);
    };
    const addTotals = (ticketTypeId: string, position: SignalPosition, inc: Totals) => {
      const key = partitionKey(position.topic, position.partition);
      const group = totals.get(`${ticketTypeId}|${key}`) ?? { ticketTypeId, key, entries: [] };
      group.entries.push({ offset: position.offset, inc });
      totals.set(`${ticketTypeId}|${key}`, group);
      ticketTypeIds.add(ticketTypeId);
    };
    for (const { envelope, position } of fresh) {
      switch (envelope.type) {
        case 'event.viewed':
          addBucket(envelope.data.eventId, envelope.data.windowEnd, position, { views: envelope.data.count });
          eventIds.add(envelope.data.eventId);
          break;
        case 'reservation.created': {
          const d = envelope.data;
          addBucket(d.ticketTypeId, d.createdAt, position, { held: d.quantity });
          addTotals(d.ticketTypeId, position, { heldTotal: d.quantity });
          break;
        }
        case 'reservation.expired':
        case 'reservation.released': {
          const d = envelope.data;
          addBucket(d.ticketTypeId, 'expiredAt' in d ? d.expiredAt : d.releasedAt, position, {
            lapsed: d.quantity,
          });
          addTotals(d.ticketTypeId, position, { heldTotal: -d.quantity });
          break;
        }
        case 'order.confirmed':
          for (const line of envelope.data.lines) {
            addBucket(line.ticketTypeId, envelope.data.confirmedAt, position, { sold: line.quantity });
            addTotals(line.ticketTypeId, position, { soldTotal: line.quantity, heldTotal: -line.quantity });
          }
          break;
        default:
          break;
      }
    }
    await Promise.all([
      ...[...buckets.values()].map((g) =>
        this.applyGuarded(
          this.buckets as unknown as MarkedModel,
          `${g.subject}:${g.bucketStart}`,
          g.key,
          g.entries,
          {
            subject: g.subject,
            bucketStart: new Date(g.bucketStart),
          },
        ),
      ),
      ...[...totals.values()].map((g) =>
        this.applyGuarded(this.prices as unknown as MarkedModel, g.ticketTypeId, g.key, g.entries),
      ),
    ]);
    return {
      signals: signals.length,
      duplicates: signals.length - fresh.length,
      ticketTypeIds: [...ticketTypeIds],
      eventIds: [...eventIds],
    };
  }

  /**
   * Writes the receipts of a batch in one `insertMany` and returns the records to count: all of them when
   * every receipt is new; else those whose id's receipt names their own position (a redelivery, which the
   * offset guards settle). A record whose id was received at another position is a duplicate.
   */
  private async receive(records: readonly SignalRecord[]): Promise<SignalRecord[]> {
    if (records.length === 0) return [];
    const hour = hourOf(new Date());
    try {
      const docs: SignalReceiptDoc[] = records.map((r) => ({
        _id: r.envelope.id,
        at: positionOf(r.position),
        hour,
      }));
      await this.receipts.collection.insertMany(docs as never[], { ordered: false });
      return [...records];
    } catch (error) {
      const writeErrors = (error as { writeErrors?: Array<{ code?: number }> }).writeErrors;
      const onlyDuplicates =
        isDuplicateKeyError(error) && (!writeErrors || writeErrors.every((e) => e.code === 11000));
      if (!onlyDuplicates) throw error;
    }
    const stored = new Map<string, string>();
    await Promise.all(
      [...new Set(records.map((r) => r.envelope.id))].map(async (id) => {
        const receipt = await this.receipts.findById(id).lean<SignalReceiptDoc>().exec();
        if (receipt) stored.set(id, receipt.at);
      }),
    );
    return records.filter((r) => {
      const at = stored.get(r.envelope.id);
      // No receipt: removed by the clean-up meanwhile; count it (the offset guards still hold).
      return at === undefined || at === positionOf(r.position);
    });
  }

  /**
   * One `$inc` of the entries' sum on one document, guarded on `hw.<key>` being below the first entry's
   * offset, moving it to the last one's. A miss reads the mark and retries with the entries above it.
   */
  private async applyGuarded<I extends Record<string, number | undefined>>(
    model: MarkedModel,
    id: string,
    key: string,
    entries: Entry<I>[],
    onInsert?: Record<string, unknown>,
  ): Promise<void> {
    let pending = [...entries].sort((a, b) => a.offset - b.offset);
    const mark = `hw.${key}`;
    for (let attempt = 0; attempt < GUARD_ATTEMPTS && pending.length > 0; attempt += 1) {
      const inc: Record<string, number> = {};
      for (const { inc: part } of pending) {
        for (const [field, value] of Object.entries(part)) inc[field] = (inc[field] ?? 0) + (value ?? 0);
      }
      try {
        const result = await model
          .updateOne(
            // A missing mark (`$not` matches it) means nothing of this partition was counted here yet.
            { _id: id, [mark]: { $not: { $gte: pending[0].offset } } } as never,
            {
              $inc: inc,
              $set: { [mark]: pending[pending.length - 1].offset },
              ...(onInsert ? { $setOnInsert: onInsert } : {}),
            },
            { upsert: true, setDefaultsOnInsert: false },
          )
          .exec();
        if (result.modifiedCount === 1 || result.upsertedCount === 1) return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error; // the document exists and the guard missed
      }
      const doc = await model.findById(id).lean<{ hw?: Record<string, number> }>().exec();
      const counted = doc?.hw?.[key] ?? -1;
      pending = pending.filter((e) => e.offset > counted);
    }
    if (pending.length > 0)
      throw new Error(`demand fold on ${id} kept losing its guard; the batch is retried`);
  }

  /** Deletes the receipts of every whole hour before `before` (one indexed equality per hour). */
  pruneReceipts(before: Date): Promise<number> {
    return deleteWholeHours(
      (filter) => this.receipts.deleteMany(filter).exec(),
      'hour',
      before,
      RECEIPT_LOOKBACK_HOURS,
    );
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

/** The envelope types that feed the windows. */
export const SIGNAL_TYPES = new Set([
  'event.viewed',
  'reservation.created',
  'reservation.expired',
  'reservation.released',
  'order.confirmed',
]);

function isSignal(envelope: EventEnvelope): boolean {
  return SIGNAL_TYPES.has(envelope.type);
}
