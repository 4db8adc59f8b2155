import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { CheckinRecordedData } from '@ticketing/contracts';
import { getLogger, isDuplicateKeyError, RedisService } from '@ticketing/platform';
import type Redis from 'ioredis';
import type { Model } from 'mongoose';
import { EventEmitter } from 'node:events';
import type { Attendance } from './models/attendance.model';
import { ATTENDANCE, type AttendanceDoc } from './schemas/attendance.schema';

/** Bursts of scans reach a subscriber as one update at most this often. */
const UPDATE_EVERY_MS = 250;

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

/**
 * Attendance counters: folded from checkin.recorded (one guarded `$inc` per record, see the schema),
 * read by `attendance`, and pushed to `attendanceUpdated` subscribers through a Redis channel per event,
 * so a scan on any replica reaches a dashboard connected to any other.
 */
@Injectable()
export class AttendanceService implements OnApplicationShutdown {
  private readonly log = getLogger('attendance');
  private subscriber?: Redis;
  private readonly bus = new EventEmitter().setMaxListeners(0);
  private readonly channels = new Map<string, number>();

  constructor(
    @InjectModel(ATTENDANCE) private readonly counters: Model<AttendanceDoc>,
    private readonly redis: RedisService,
  ) {}

  /** Folds one record delivered at (partition, offset); false when it was already folded. */
  async fold(data: CheckinRecordedData, partition: number, offset: number): Promise<boolean> {
    const inc: Record<string, number> = {};
    if (data.result === 'ADMITTED') {
      inc.admitted = 1;
      inc[`byGate.${gateKey(data.gate)}`] = 1;
      inc[`byMinute.${minuteKey(data.at)}`] = 1;
    } else if (data.result === 'ALREADY_ADMITTED') {
      inc.repeats = 1;
      if (data.offline) inc.conflicts = 1;
    } else {
      inc.refused = 1;
    }
    const field = `offsets.p${partition}`;
    let changed = false;
    try {
      const result = await this.counters
        .updateOne(
          { _id: data.eventId, $or: [{ [field]: { $lt: offset } }, { [field]: { $exists: false } }] },
          { $inc: inc, $set: { [field]: offset, updatedAt: new Date() } },
          { upsert: true },
        )
        .exec();
      changed = result.modifiedCount === 1 || result.upsertedCount === 1;
    } catch (error) {
      // The document exists and already holds this offset: folded before.
      if (!isDuplicateKeyError(error)) throw error;
    }
    if (changed) {
      await this.redis.client
        .publish(this.channel(data.eventId), '1')
        .catch((error: unknown) => this.log.debug({ err: error }, 'attendance notify failed'));
    }
    return changed;
  }

  async current(eventId: string): Promise<Attendance> {
    const doc = await this.counters.findById(eventId).lean<AttendanceDoc>().exec();
    const byGate = doc?.byGate ?? {};
    const byMinute = doc?.byMinute ?? {};
    return {
      eventId,
      admitted: doc?.admitted ?? 0,
      inside: doc?.admitted ?? 0,
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

  /** The counters now, then after each burst of changes (at most every 250 ms), until unsubscribed. */
  async *updates(eventId: string): AsyncGenerator<{ attendanceUpdated: Attendance }> {
    const channel = this.channel(eventId);
    let dirty = true;
    let wake: (() => void) | undefined;
    const onMessage = () => {
      dirty = true;
      wake?.();
    };
    this.bus.on(channel, onMessage);
    try {
      await this.listen(channel);
      for (;;) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        dirty = false;
        yield { attendanceUpdated: await this.current(eventId) };
        await new Promise((resolve) => setTimeout(resolve, UPDATE_EVERY_MS));
      }
    } finally {
      this.bus.off(channel, onMessage);
      await this.unlisten(channel);
    }
  }

  private channel(eventId: string): string {
    return this.redis.key('checkin', 'attendance', eventId);
  }

  private async listen(channel: string): Promise<void> {
    const count = this.channels.get(channel) ?? 0;
    this.channels.set(channel, count + 1);
    if (count > 0) return;
    if (!this.subscriber) {
      const subscriber = this.redis.client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      subscriber.on('error', (error: Error) => this.log.debug({ err: error }, 'attendance subscriber error'));
      subscriber.on('message', (name: string) => this.bus.emit(name));
      this.subscriber = subscriber;
    }
    await this.subscriber.subscribe(channel);
  }

  private async unlisten(channel: string): Promise<void> {
    const count = (this.channels.get(channel) ?? 1) - 1;
    if (count > 0) {
      this.channels.set(channel, count);
      return;
    }
    this.channels.delete(channel);
    await this.subscriber?.unsubscribe(channel).catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
