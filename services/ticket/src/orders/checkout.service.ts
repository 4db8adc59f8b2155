import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { conflict, domainError, errorCodeOf, ErrorCode, type AuthUser } from '@ticketing/platform';
import { GraphQLError } from 'graphql';
import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../common/ids';
import type { CheckoutInput } from './dto/checkout.input';
import { OrdersService } from './orders.service';
import {
  IDEMPOTENCY_RECORD,
  type IdempotencyRecordDoc,
  type StoredOutcome,
} from './schemas/idempotency-record.schema';
import type { OrderDoc } from './schemas/order.schema';

/** How long one caller owns a key before another may take over (the owner crashed). */
const LEASE_MS = 30_000;
const POLL_MS = 25;
/** Errors that are the final answer for a key; anything else (provider failure, crash) may be retried. */
const FINAL_CODES = new Set<string>([
  ErrorCode.PAYMENT_DECLINED,
  ErrorCode.HOLD_EXPIRED,
  ErrorCode.NOT_FOUND,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.FORBIDDEN,
]);

export function requestHash(input: Pick<CheckoutInput, 'reservationId' | 'paymentToken'>): string {
  return createHash('sha256')
    .update(JSON.stringify([input.reservationId, input.paymentToken]))
    .digest('hex');
}

/**
 * `checkout` with an idempotency key (unique per user): the first call records the request's hash and
 * runs; concurrent and later calls with the same key wait for and replay its final answer (the same
 * order, or the same error); the same key with a different request is CONFLICT.
 */
@Injectable()
export class CheckoutService {
  constructor(
    @InjectModel(IDEMPOTENCY_RECORD) private readonly records: Model<IdempotencyRecordDoc>,
    private readonly orders: OrdersService,
  ) {}

  async checkout(user: AuthUser, input: CheckoutInput): Promise<OrderDoc> {
    const id = `${user.id}:${input.idempotencyKey}`;
    const hash = requestHash(input);
    const replay = await this.claim(id, hash);
    if (replay) return this.answer(user, replay);

    let outcome: StoredOutcome;
    let order: OrderDoc | undefined;
    try {
      order = await this.orders.pay(user, input.reservationId, input.paymentToken);
      outcome = { kind: 'order', orderId: order._id };
    } catch (error) {
      const code = errorCodeOf(error);
      if (!code || !FINAL_CODES.has(code)) {
        // Not a final answer: free the key so a retry runs again.
        await this.records.deleteOne({ _id: id, state: 'IN_PROGRESS', requestHash: hash }).exec();
        throw error;
      }
      const gqlError = error as GraphQLError;
      outcome = {
        kind: 'error',
        code,
        message: gqlError.message,
        field: typeof gqlError.extensions.field === 'string' ? gqlError.extensions.field : null,
      };
    }
    await this.records.updateOne({ _id: id, requestHash: hash }, { $set: { state: 'DONE', outcome } }).exec();
    // This call produced the order: answer with it (replays read it back).
    return order ?? this.answer(user, outcome);
  }

  /** Returns the stored outcome to replay, or null when this caller owns the key and must run. */
  private async claim(id: string, hash: string): Promise<StoredOutcome | null> {
    const now = Date.now();
    try {
      await this.records.create({
        _id: id,
        requestHash: hash,
        state: 'IN_PROGRESS',
        outcome: null,
        leaseUntil: new Date(now + LEASE_MS),
        createdAt: new Date(now),
      });
      return null;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const deadline = now + LEASE_MS + 5_000;
    while (Date.now() < deadline) {
      const record = await this.records.findById(id).lean<IdempotencyRecordDoc>().exec();
      if (!record) return this.claim(id, hash);
      if (record.requestHash !== hash) {
        throw conflict('This idempotency key was used with a different request', 'input.idempotencyKey');
      }
      if (record.state === 'DONE' && record.outcome) return record.outcome;
      if (record.leaseUntil.getTime() < Date.now()) {
        const taken = await this.records
          .updateOne(
            { _id: id, state: 'IN_PROGRESS', leaseUntil: record.leaseUntil },
            { $set: { leaseUntil: new Date(Date.now() + LEASE_MS) } },
          )
          .exec();
        if (taken.modifiedCount === 1) return null;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw domainError(
      ErrorCode.CONFLICT,
      'A checkout with this key is still running; retry later',
      'input.idempotencyKey',
    );
  }

  private async answer(user: AuthUser, outcome: StoredOutcome): Promise<OrderDoc> {
    if (outcome.kind === 'error') throw domainError(outcome.code, outcome.message, outcome.field);
    return this.orders.findReadable(user, outcome.orderId);
  }
}
