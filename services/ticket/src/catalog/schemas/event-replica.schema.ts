import { Schema } from 'mongoose';

export const EVENT_REPLICA = 'EventReplica';

/** What the ticket service knows of an event, from event.published / updated / cancelled / staff-changed. */
export interface EventReplicaDoc {
  _id: string;
  organizerId: string;
  title: string;
  status: 'PUBLISHED' | 'ENDED';
  /** Set by event.cancelled and never cleared: a cancelled event stays cancelled. */
  cancelled: boolean;
  startsAt: Date;
  endsAt: Date;
  salesStart: Date;
  salesEnd: Date;
  transferAllowed: boolean;
  /** Last instant a transfer may be accepted; null: until the event starts. */
  transferDeadline: Date | null;
  /** Most tickets of the whole event one buyer may hold (across its types); null: per-type limits only. */
  perBuyerMax?: number | null;
  staff: Array<{ userId: string | null; email: string }>;
  staffVersion: number;
  aggregateVersion: number;
}

export const EventReplicaSchema = new Schema<EventReplicaDoc>(
  {
    _id: { type: String, required: true },
    organizerId: { type: String },
    title: { type: String },
    status: { type: String },
    cancelled: { type: Boolean, default: false },
    startsAt: { type: Date },
    endsAt: { type: Date },
    salesStart: { type: Date },
    salesEnd: { type: Date },
    transferAllowed: { type: Boolean, default: false },
    transferDeadline: { type: Date, default: null },
    perBuyerMax: { type: Number, default: null },
    staff: { type: [{ userId: { type: String, default: null }, email: String, _id: false }], default: [] },
    staffVersion: { type: Number, default: 0 },
    aggregateVersion: { type: Number, default: 0 },
  },
  { collection: 'event_replicas', versionKey: false, timestamps: true },
);
EventReplicaSchema.index({ organizerId: 1 });
