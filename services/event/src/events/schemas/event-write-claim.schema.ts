import { Schema } from 'mongoose';

export const EVENT_WRITE_CLAIM_MODEL = 'EventWriteClaim';
export const EVENT_WRITE_CLAIMS_COLLECTION = 'event_write_claims';

/**
 * A writer's claim on the next version of one event: `_id` is `<eventId>:<version>`, so the unique `_id`
 * lets exactly one writer produce each version. MongoDB already makes the version-guarded `updateOne`
 * atomic; the claim makes it hold on the local MongoDB-compatible server too, whose updates are a read
 * then a whole-document write (two guarded updates can both succeed there), while its unique-key insert
 * is atomic. Only the latest claim per event is kept.
 */
export interface EventWriteClaim {
  _id: string;
  eventId: string;
  version: number;
  at: Date;
}

export const EventWriteClaimSchema = new Schema<EventWriteClaim>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    version: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: EVENT_WRITE_CLAIMS_COLLECTION, versionKey: false },
);
