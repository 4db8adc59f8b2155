import { Schema } from 'mongoose';

export const EVENT_REPLICA = 'CheckinEventReplica';

export interface StaffMember {
  userId: string | null;
  /** Lower case. */
  email: string;
}

/** What check-in knows of an event, from event.published / updated / cancelled / staff-changed. */
export interface EventReplicaDoc {
  _id: string;
  organizerId?: string;
  title?: string;
  status?: 'PUBLISHED' | 'ENDED';
  /** Set by event.cancelled and never cleared. */
  cancelled: boolean;
  startsAt?: Date;
  endsAt?: Date;
  /** The event's own doors-open instant; null/absent: `startsAt − DOORS_OPEN_MINUTES`. */
  doorsOpenAt?: Date | null;
  /** Exit and re-entry scans allowed (absent: false). */
  allowReentry?: boolean;
  staff: StaffMember[];
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
    doorsOpenAt: { type: Date, default: null },
    allowReentry: { type: Boolean, default: false },
    staff: { type: [{ userId: { type: String, default: null }, email: String, _id: false }], default: [] },
    staffVersion: { type: Number, default: 0 },
    aggregateVersion: { type: Number, default: 0 },
  },
  { collection: 'event_replicas', versionKey: false, timestamps: true },
);
