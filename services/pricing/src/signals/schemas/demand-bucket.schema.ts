import { Schema } from 'mongoose';

export const DEMAND_BUCKET = 'DemandBucket';

/**
 * Demand counted in one time bucket for one subject (a ticket type; an event for views). `_id` =
 * `<subject>:<bucketStart ms>`; `ids` lists the signals already counted, so a redelivered one changes
 * nothing (the guard and the `$inc` are one update).
 */
export interface DemandBucketDoc {
  _id: string;
  subject: string;
  bucketStart: Date;
  views: number;
  held: number;
  lapsed: number;
  sold: number;
  ids: string[];
}

export const DemandBucketSchema = new Schema<DemandBucketDoc>(
  {
    _id: { type: String, required: true },
    subject: { type: String, required: true },
    bucketStart: { type: Date, required: true },
    views: { type: Number, default: 0 },
    held: { type: Number, default: 0 },
    lapsed: { type: Number, default: 0 },
    sold: { type: Number, default: 0 },
    ids: { type: [String], default: [] },
  },
  { collection: 'demand_buckets', versionKey: false },
);
// The window read: one subject's buckets since a time.
DemandBucketSchema.index({ subject: 1, bucketStart: 1 });
