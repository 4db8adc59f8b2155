import { Schema } from 'mongoose';

export const EVENT_OWNER = 'EventOwner';

/** Who organizes an event (from event.* topics): the one user besides ADMIN who may set its policies. */
export interface EventOwnerDoc {
  _id: string;
  organizerId: string;
  cancelled: boolean;
  aggregateVersion: number;
}

export const EventOwnerSchema = new Schema<EventOwnerDoc>(
  {
    _id: { type: String, required: true },
    organizerId: { type: String, required: true },
    cancelled: { type: Boolean, default: false },
    aggregateVersion: { type: Number, required: true },
  },
  { collection: 'event_owners', versionKey: false },
);
