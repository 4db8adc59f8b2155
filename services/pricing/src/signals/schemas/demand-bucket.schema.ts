import { Schema } from 'mongoose';

export const DEMAND_BUCKET = 'DemandBucket';

/**
 * Demand counted in one time bucket for one subject (a ticket type; an event for views). `_id` =
 * `<subject>:<bucketStart ms>`. `hw` maps each Kafka topic-partition that fed the bucket to the highest
 * offset already counted in it (see SignalsService.fold): the guard of every `$inc`, one key per partition,
 * so the document stays the same size however many signals it counts.
 */
export interface DemandBucketDoc {
  _id: string;
  subject: string;
  bucketStart: Date;
  views: number;
  held: number;
  lapsed: number;
  sold: number;
  hw?: Record<string, number>;
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
    hw: { type: Schema.Types.Mixed },
  },
  { collection: 'demand_buckets', versionKey: false, minimize: false },
);
// The window read: one subject's buckets since a time.
DemandBucketSchema.index({ subject: 1, bucketStart: 1 });
