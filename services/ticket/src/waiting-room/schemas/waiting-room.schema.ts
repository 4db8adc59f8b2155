import { Schema } from 'mongoose';

export const WAITING_ROOM = 'WaitingRoom';

/** Tuning an organizer may set; anything unset takes the service default. */
export interface WaitingRoomTuning {
  /** Lifetime of an admission pass. */
  passTtlSeconds: number;
  /** Outstanding passes the limiter starts from, and its bounds. */
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  /** Reservation latency above which the limiter backs off. */
  targetLatencyMs: number;
}

/** One event's waiting room (the source of truth; Redis keeps a copy). `_id` is the event id. */
export interface WaitingRoomDoc extends WaitingRoomTuning {
  _id: string;
  enabled: boolean;
  /** Counts changes (the Redis copy and per-process caches compare it). */
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export const WaitingRoomSchema = new Schema<WaitingRoomDoc>(
  {
    _id: { type: String, required: true },
    enabled: { type: Boolean, required: true },
    passTtlSeconds: { type: Number, required: true },
    initialLimit: { type: Number, required: true },
    minLimit: { type: Number, required: true },
    maxLimit: { type: Number, required: true },
    targetLatencyMs: { type: Number, required: true },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'waiting_rooms', versionKey: false },
);
