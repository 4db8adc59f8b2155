import { Schema } from 'mongoose';

export const SIGNAL_RECEIPT = 'SignalReceipt';

/**
 * The first Kafka record seen carrying an envelope id: `_id` = envelope id, `at` = its position
 * (`<partition key>@<offset>`, see SignalsService). A later record with the same id at another position is a
 * duplicate (an outbox published twice) and is not counted; the same record delivered again (a crash before
 * the commit) has the same position and is left to the buckets' offset guards. `hour` (hours since the epoch
 * of the write) is what the clean-up deletes by, one whole hour at a time (no TTL index).
 */
export interface SignalReceiptDoc {
  _id: string;
  at: string;
  hour: number;
}

export const SignalReceiptSchema = new Schema<SignalReceiptDoc>(
  {
    _id: { type: String, required: true },
    at: { type: String, required: true },
    hour: { type: Number, required: true },
  },
  { collection: 'signal_receipts', versionKey: false },
);
// The hourly clean-up: an equality on one past hour.
SignalReceiptSchema.index({ hour: 1 });
