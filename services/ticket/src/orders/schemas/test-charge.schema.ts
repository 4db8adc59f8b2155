import { Schema } from 'mongoose';

export const TEST_CHARGE = 'TestCharge';

/** A charge the built-in test provider made; `_id` is the charge's idempotency key (one charge per key). */
export interface TestChargeDoc {
  _id: string;
  chargeId: string;
  amount: number;
  currency: string;
  status: 'CAPTURED' | 'DECLINED';
  createdAt: Date;
  /** Set once the charge was refunded (the status stays CAPTURED: it was captured). */
  refundId?: string | null;
  refundedAt?: Date | null;
}

export const TestChargeSchema = new Schema<TestChargeDoc>(
  {
    _id: { type: String, required: true },
    chargeId: { type: String, required: true },
    amount: { type: Number, required: true },
    currency: { type: String, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    refundId: { type: String, default: null },
    refundedAt: { type: Date, default: null },
  },
  { collection: 'test_payment_charges', versionKey: false },
);
