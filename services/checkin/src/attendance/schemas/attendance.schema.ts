import { Schema } from 'mongoose';

export const ATTENDANCE = 'Attendance';

/**
 * The attendance counters of one event, folded from checkin.recorded with `$inc`. `offsets.p<partition>`
 * is the last Kafka offset folded in: an event's records all travel on one partition (keyed by event id),
 * so the fold is guarded by "offset above the stored one" in the same update, and a record redelivered
 * after a crash between this write and the offset commit changes nothing.
 */
export interface AttendanceDoc {
  _id: string;
  admitted: number;
  /** Scans of an already admitted ticket (online repeats and offline conflicts). */
  repeats: number;
  /** Offline scans uploaded after another scan of the same ticket had won. */
  conflicts: number;
  /** Scans refused for any other reason (invalid, revoked, wrong event, doors closed, exits refused). */
  refused: number;
  /** Exits, and returns after an exit (inside = admitted + reentries − exits). */
  exits: number;
  reentries: number;
  /** gate → admitted. */
  byGate: Record<string, number>;
  /** `m<YYYYMMDDHHmm>` (UTC) → admitted. */
  byMinute: Record<string, number>;
  offsets: Record<string, number>;
  updatedAt: Date;
}

export const AttendanceSchema = new Schema<AttendanceDoc>(
  {
    _id: { type: String, required: true },
    admitted: { type: Number, default: 0 },
    repeats: { type: Number, default: 0 },
    conflicts: { type: Number, default: 0 },
    refused: { type: Number, default: 0 },
    exits: { type: Number, default: 0 },
    reentries: { type: Number, default: 0 },
    byGate: { type: Schema.Types.Mixed, default: {} },
    byMinute: { type: Schema.Types.Mixed, default: {} },
    offsets: { type: Schema.Types.Mixed, default: {} },
    updatedAt: { type: Date },
  },
  { collection: 'attendance', versionKey: false, minimize: false },
);
