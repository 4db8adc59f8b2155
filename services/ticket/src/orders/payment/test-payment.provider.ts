import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKey, newObjectId } from '../../common/ids';
import { TEST_CHARGE, type TestChargeDoc } from '../schemas/test-charge.schema';
import {
  PaymentProviderError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
} from './payment-provider';

/**
 * Documented tokens of the built-in test provider:
 * - `tok_success` (or any `tok_success_*`): captured
 * - `tok_decline` (or `tok_decline_*`): declined, nothing charged
 * - `tok_error`   (or `tok_error_*`): the provider fails (PaymentProviderError), nothing charged
 * - `tok_slow`    (or `tok_slow_*`): captured, but only after SLOW_CHARGE_MS (longer than any sensible
 *   PAYMENT_TIMEOUT_MS in tests): the charge lands after checkout gave up waiting
 * Anything else is declined as an unknown token. `refund` marks a captured charge refunded (once: a repeat
 * answers with the same refund id). Charges are recorded in `test_payment_charges`, one per
 * idempotency key (the unique `_id`), so a retried charge never takes money twice and answers as the first.
 */
export const TEST_TOKENS = {
  success: 'tok_success',
  decline: 'tok_decline',
  error: 'tok_error',
  slow: 'tok_slow',
} as const;

export const SLOW_CHARGE_MS = 1_500;

@Injectable()
export class TestPaymentProvider implements PaymentProvider {
  constructor(@InjectModel(TEST_CHARGE) private readonly charges: Model<TestChargeDoc>) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (matches(request.token, TEST_TOKENS.error)) {
      const existing = await this.lookup(request.idempotencyKey);
      if (existing) return existing;
      throw new PaymentProviderError('Test provider error');
    }
    if (matches(request.token, TEST_TOKENS.slow))
      await new Promise((resolve) => setTimeout(resolve, SLOW_CHARGE_MS));
    const captured = matches(request.token, TEST_TOKENS.success) || matches(request.token, TEST_TOKENS.slow);
    const doc: TestChargeDoc = {
      _id: request.idempotencyKey,
      chargeId: `ch_${newObjectId()}`,
      amount: request.amount,
      currency: request.currency,
      status: captured ? 'CAPTURED' : 'DECLINED',
      createdAt: new Date(),
    };
    try {
      // Insert first: the unique `_id` answers "already charged" (then the first answer is returned).
      await this.charges.create(doc);
    } catch (error) {
      if (!isDuplicateKey(error)) throw new PaymentProviderError((error as Error).message);
      return (await this.lookup(request.idempotencyKey))!;
    }
    return toResult(doc);
  }

  async lookup(idempotencyKey: string): Promise<ChargeResult | null> {
    const doc = await this.charges.findById(idempotencyKey).lean<TestChargeDoc>().exec();
    return doc ? toResult(doc) : null;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const refundId = `re_${newObjectId()}`;
    await this.charges
      .updateOne(
        { _id: request.chargeIdempotencyKey, chargeId: request.chargeId, status: 'CAPTURED', refundId: null },
        { $set: { refundId, refundedAt: new Date() } },
      )
      .exec();
    const charge = await this.charges.findById(request.chargeIdempotencyKey).lean<TestChargeDoc>().exec();
    if (!charge || charge.chargeId !== request.chargeId || !charge.refundId)
      throw new PaymentProviderError('Test provider: no captured charge to refund');
    return { status: 'REFUNDED', refundId: charge.refundId };
  }

  /** Captured charges that were not refunded (tests count them). */
  countUnrefunded(filter: Partial<TestChargeDoc> = {}): Promise<number> {
    return this.charges.countDocuments({ ...filter, status: 'CAPTURED', refundId: null }).exec();
  }

  /** Captured charges (tests count them). */
  countCaptured(filter: Partial<TestChargeDoc> = {}): Promise<number> {
    return this.charges.countDocuments({ ...filter, status: 'CAPTURED' }).exec();
  }
}

function matches(token: string, base: string): boolean {
  return token === base || token.startsWith(`${base}_`);
}

function toResult(doc: TestChargeDoc): ChargeResult {
  return doc.status === 'CAPTURED'
    ? { status: 'CAPTURED', chargeId: doc.chargeId }
    : { status: 'DECLINED', reason: 'Card declined' };
}
