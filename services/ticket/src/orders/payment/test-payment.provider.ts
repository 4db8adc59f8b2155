import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKey, newObjectId } from '../../common/ids';
import { TEST_CHARGE, type TestChargeDoc } from '../schemas/test-charge.schema';
import { PaymentProviderError, type ChargeRequest, type ChargeResult, type PaymentProvider } from './payment-provider';

/**
 * Documented tokens of the built-in test provider:
 * - `tok_success` (or any `tok_success_*`): captured
 * - `tok_decline` (or `tok_decline_*`): declined, nothing charged
 * - `tok_error`   (or `tok_error_*`): the provider fails (PaymentProviderError), nothing charged
 * Anything else is declined as an unknown token. Charges are recorded in `test_payment_charges`, one per
 * idempotency key (the unique `_id`), so a retried charge never takes money twice.
 */
export const TEST_TOKENS = { success: 'tok_success', decline: 'tok_decline', error: 'tok_error' } as const;

@Injectable()
export class TestPaymentProvider implements PaymentProvider {
  constructor(@InjectModel(TEST_CHARGE) private readonly charges: Model<TestChargeDoc>) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const existing = await this.lookup(request.idempotencyKey);
    if (existing) return existing;
    if (matches(request.token, TEST_TOKENS.error)) throw new PaymentProviderError('Test provider error');
    const captured = matches(request.token, TEST_TOKENS.success);
    const doc: TestChargeDoc = {
      _id: request.idempotencyKey,
      chargeId: `ch_${newObjectId()}`,
      amount: request.amount,
      currency: request.currency,
      status: captured ? 'CAPTURED' : 'DECLINED',
      createdAt: new Date(),
    };
    try {
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
