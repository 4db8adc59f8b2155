import { Injectable } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import type { CheckinRecordedData } from '@ticketing/contracts';
import {
  getLogger,
  hourOf,
  InjectConfig,
  isDuplicateKeyError,
  LiveChannels,
  PROCESSED_MESSAGES_COLLECTION,
  RedisService,
} from '@ticketing/platform';
import type { Connection, Model } from 'mongoose';
import type { CheckinConfig } from '../config';
import type { Attendance } from './models/attendance.model';
import { ATTENDANCE, type AttendanceDoc } from './schemas/attendance.schema';

/** A counter key for a gate name (`.` and a leading `$` cannot be in a MongoDB key). */
export function gateKey(gate: string): string {
  return gate.replace(/[.$]/g, '_');
}

/** `m<YYYYMMDDHHmm>` of an instant (UTC). */
export function minuteKey(iso: string): string {
  return `m${iso.slice(0, 16).replace(/[-T:]/g, '')}`;
}

function minuteOf(key: string): Date {
  const d = key.slice(1);
  return new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(8, 10)}:${d.slice(10, 12)}:00.000Z`,
  );
}

/** What one record adds to the counters. */
function addCounts(inc: Record<string, number>, data: CheckinRecordedData): void {
  const add = (key: string) => (inc[key] = (inc[key] ?? 0) + 1);
  if (data.result === 'ADMITTED' && data.reentry) {
    add('reentries');
  } else if (data.result === 'EXITED') {
    add('exits');
  } else if (data.result === 'ADMITTED') {
    add('admitted');
    add(`byGate.${gateKey(data.gate)}`);
    add(`byMinute.${minuteKey(data.at)}`);
  } else if (data.result === 'ALREADY_ADMITTED') {
    add('repeats');
    if (data.offline) add('conflicts');
  } else {
    add('refused');
  }
}

/** An unordered insertMany whose only failures are duplicate keys. */
function isBulkDuplicates(error: unknown): boolean {
  const errors = (error as { writeErrors?: Array<{ code?: number }> } | null)?.writeErrors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => e.code === 11000);
}

/** One checkin.recorded as delivered: envelope id (absent: not de-duplicated by id), offset, data. */
export interface DeliveredRecord {
  id?: string;
  offset: number;
  data: CheckinRecordedData;
}

/** Concurrent folds of one event (a rebalance overlap) retry on a fresh read this many times. */
const MAX_FOLD_TRIES = 20;

/**
 * Attendance counters: folded from checkin.recorded (one guarded `$inc` per event per Kafka batch),
 * read by `attendance`, and pushed to `attendanceUpdated` subscribers through a Redis channel per event,
 * so a scan on any replica reaches a dashboard connected to any other.
 */
@Injectable()
export class AttendanceService {
  private readonly log = getLogger('attendance');

  constructor(
    @InjectModel(ATTENDANCE) private readonly counters: Model<AttendanceDoc>,
    @InjectConnection() private readonly connection: Connection,
    private readonly redis: RedisService,
    private readonly live: LiveChannels,
    @InjectConfig() private readonly config: CheckinConfig,
  ) {}

  /** Folds one record delivered at (partition, offset); false when it was already folded. */
  async fold(data: CheckinRecordedData, partition: number, offset: number): Promise<boolean> {
    return (await this.foldBatch(null, partition, [{ offset, data }])) > 0;
  }

  /**
   * Folds a batch of records from one partition (in offset order) into the counters: per event, one read
   * of its counters and one `$inc` of everything new, guarded by the stored offset of this partition (so a
   * batch redelivered after a crash between this write and the offset commit folds only what is past it).
   * Relay duplicates (the same envelope id at another offset) are skipped: by id within the batch, and
   * against `processed_messages` (group `group`), which records the batch's ids after the fold. Returns
   * how many records changed the counters.
   */
  async foldBatch(
    group: string | null,
    partition: number,
    records: readonly DeliveredRecord[],
  ): Promise<number> {
    if (records.length === 0) return 0;
    const firstById = new Map<string, DeliveredRecord>();
    const unique: DeliveredRecord[] = [];
    for (const record of records) {
      if (record.id === undefined) {
        unique.push(record);
      } else if (!firstById.has(record.id)) {
        firstById.set(record.id, record);
        unique.push(record);
      }
    }
    const processed = this.connection.collection<{ _id: string }>(PROCESSED_MESSAGES_COLLECTION);
    let seen = new Set<string>();
    if (group && firstById.size > 0) {
      const ids = [...firstById.keys()].map((id) => `${group}:${id}`);
      const found = await processed.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
      seen = new Set(found.map((doc) => doc._id.slice(group.length + 1)));
    }
    const byEvent = new Map<string, DeliveredRecord[]>();
    for (const record of unique) {
      if (record.id !== undefined && seen.has(record.id)) continue;
      const list = byEvent.get(record.data.eventId) ?? [];
      list.push(record);
      byEvent.set(record.data.eventId, list);
    }
    let folded = 0;
    for (const [eventId, list] of byEvent) folded += await this.foldEvent(eventId, partition, list);
    if (group && firstById.size > 0) {
      const now = new Date();
      const docs = [...firstById.keys()]
        .filter((id) => !seen.has(id))
        .map((id) => ({ _id: `${group}:${id}`, group, eventId: id, processedAt: now, hour: hourOf(now) }));
      if (docs.length > 0) {
        try {
          await processed.insertMany(docs, { ordered: false });
        } catch (error) {
          // Some were there already (a redelivered batch): the others went in.
          if (!isDuplicateKeyError(error) && !isBulkDuplicates(error)) throw error;
        }
      }
    }
    return folded;
  }

  /** One event's records of a batch: a single `$inc` guarded on the stored offset of `partition`. */
  private async foldEvent(
    eventId: string,
    partition: number,
    records: readonly DeliveredRecord[],
  ): Promise<number> {
    const field = `offsets.p${partition}`;
    for (let attempt = 1; ; attempt++) {
      const doc = await this.counters.findById(eventId).lean<AttendanceDoc>().exec();
      const stored = doc?.offsets?.[`p${partition}`];
      const fresh = records.filter((r) => stored === undefined || r.offset > stored);
      if (fresh.length === 0) return 0;
      const inc: Record<string, number> = {};
      for (const r of fresh) addCounts(inc, r.data);
      const last = fresh[fresh.length - 1]!.offset;
      const guard = stored === undefined ? { [field]: { $exists: false } } : { [field]: stored };
      let changed = false;
      try {
        const result = await this.counters
          .updateOne(
            { _id: eventId, ...guard },
            { $inc: inc, $set: { [field]: last, updatedAt: new Date() } },
            { upsert: true },
          )
          .exec();
        changed = result.modifiedCount === 1 || result.upsertedCount === 1;
      } catch (error) {
        // The document exists and its offset moved (another member folded meanwhile): read again.
        if (!isDuplicateKeyError(error)) throw error;
      }
      if (changed) {
        await this.redis.client
          .publish(this.channel(eventId), '1')
          .catch((error: unknown) => this.log.debug({ err: error }, 'attendance notify failed'));
        return fresh.length;
      }
      if (attempt >= MAX_FOLD_TRIES) throw new Error(`attendance fold of ${eventId} kept racing`);
    }
  }

  async current(eventId: string): Promise<Attendance> {
    const doc = await this.counters.findById(eventId).lean<AttendanceDoc>().exec();
    const byGate = doc?.byGate ?? {};
    const byMinute = doc?.byMinute ?? {};
    return {
      eventId,
      admitted: doc?.admitted ?? 0,
      inside: (doc?.admitted ?? 0) + (doc?.reentries ?? 0) - (doc?.exits ?? 0),
      exits: doc?.exits ?? 0,
      reentries: doc?.reentries ?? 0,
      repeats: doc?.repeats ?? 0,
      conflicts: doc?.conflicts ?? 0,
      refused: doc?.refused ?? 0,
      gates: Object.entries(byGate)
        .map(([gateId, admitted]) => ({ gateId, admitted }))
        .sort((a, b) => a.gateId.localeCompare(b.gateId)),
      perMinute: Object.keys(byMinute)
        .sort()
        .map((key) => ({ minute: minuteOf(key), admitted: byMinute[key]! })),
      updatedAt: doc?.updatedAt ?? null,
    };
  }

  /**
   * The counters now, then after each burst of changes (reads at most every ATTENDANCE_UPDATE_MIN_INTERVAL_MS),
   * until unsubscribed.
   */
  updates(eventId: string): AsyncGenerator<{ attendanceUpdated: Attendance }, void, unknown> {
    return this.live.snapshots(this.channel(eventId), {
      minIntervalMs: this.config.ATTENDANCE_UPDATE_MIN_INTERVAL_MS,
      read: async () => ({ attendanceUpdated: await this.current(eventId) }),
    });
  }

  private channel(eventId: string): string {
    return this.redis.key('checkin', 'attendance', eventId);
  }
}
