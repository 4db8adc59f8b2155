import { Schema } from 'mongoose';

export const EVENT_OWNER = 'EventOwner';

/**
 * Who organizes an event (from event.* topics): the one user besides ADMIN who may set its policies; and when
 * it ends (from event.published/updated), which bounds the dates of its price tiers.
 */
export interface EventOwnerDoc {
  _id: string;
  organizerId: string;
  cancelled: boolean;
  aggregateVersion: number;
  /** The event's end as last announced; absent for an event only known from before this was kept. */
  endsAt?: Date | null;
}

export const EventOwnerSchema = new Schema<EventOwnerDoc>(
  {
    _id: { type: String, required: true },
    organizerId: { type: String, required: true },
    cancelled: { type: Boolean, default: false },
    aggregateVersion: { type: Number, required: true },
    endsAt: { type: Date },
  },
  { collection: 'event_owners', versionKey: false },
);
