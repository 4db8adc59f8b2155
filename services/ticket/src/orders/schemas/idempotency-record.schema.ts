import { Schema } from 'mongoose';

export const IDEMPOTENCY_RECORD = 'IdempotencyRecord';

/** The answer a checkout gave, replayed for the same key. */
export type StoredOutcome =
  { kind: 'order'; orderId: string } | { kind: 'error'; code: string; message: string; field: string | null };

/** `_id` = `<userId>:<idempotencyKey>`: a key is unique per user. */
export interface IdempotencyRecordDoc {
  _id: string;
  requestHash: string;
  state: 'IN_PROGRESS' | 'DONE';
  outcome: StoredOutcome | null;
  leaseUntil: Date;
  createdAt: Date;
}

export const IdempotencyRecordSchema = new Schema<IdempotencyRecordDoc>(
  {
    _id: { type: String, required: true },
    requestHash: { type: String, required: true },
    state: { type: String, required: true },
    outcome: { type: Schema.Types.Mixed, default: null },
    leaseUntil: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'idempotency_records', versionKey: false, minimize: false },
);
