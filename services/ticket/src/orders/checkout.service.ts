import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { conflict, domainError, errorCodeOf, ErrorCode, type AuthUser } from '@ticketing/platform';
import { GraphQLError } from 'graphql';
import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../common/ids';
import type { CheckoutInput } from './dto/checkout.input';
import { OrdersService, orderIdFor } from './orders.service';
import {
  IDEMPOTENCY_RECORD,
  type IdempotencyRecordDoc,
  type StoredOutcome,
} from './schemas/idempotency-record.schema';
import type { OrderDoc } from './schemas/order.schema';

/** How long one caller owns a key before another may take over (the owner crashed). */
const LEASE_MS = 30_000;
/** First pause of a replay waiting for the first call of its key; doubled after each look, up to 200 ms. */
const POLL_MS = 25;
const POLL_MAX_MS = 200;
/**
 * How long a replay waits for the first call of its key before answering TRY_AGAIN (the first call is still
 * running: its answer will be there on a later retry). Short, so a replay never holds a slot of an overloaded
 * service or waits into the gateway's timeout; about 8 looks at most.
 */
const REPLAY_WAIT_MS = 1_000;
const REPLAY_RETRY_AFTER_MS = 500;
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
 *
 * A checkout whose answer was lost (timeout, refused retry, dropped connection) is always recoverable: the
 * same key returns the order. A success is not written back to the key (one round trip less per purchase):
 * the key's request names the reservation, whose order id is derived from it, so a replay finds a confirmed
 * order by `_id`. Errors that are the final answer are written back (`DONE`) and replayed as they were. A
 * replay that finds the first call still running waits at most REPLAY_WAIT_MS, then answers TRY_AGAIN. A
 * payment whose outcome is unknown (provider timeout) keeps the key; a run that takes a key over after its
 * lease ran out answers from the payment its key began (TRY_AGAIN, then the order), never CONFLICT.
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
    const claimed = await this.claim(id, hash, input.reservationId);
    if ('replay' in claimed) return this.answer(user, claimed.replay);

    let outcome: StoredOutcome;
    try {
      // Paid: the confirmed order is the key's answer (replays find it by the reservation's order id).
      return await this.orders.pay(user, input.reservationId, input.paymentToken);
    } catch (error) {
      const code = errorCodeOf(error);
      if (claimed.takenOver && code === ErrorCode.CONFLICT) {
        // An earlier run of this very key began paying and its answer was lost (it crashed, or the provider
        // timed out): that payment is this key's, so its order is the answer once confirmed, and until then
        // the buyer is told to retry (the key stays taken by this run's lease).
        const order = await this.orders.findById(orderIdFor(input.reservationId));
        if (order && wasConfirmed(order)) return this.answer(user, { kind: 'order', orderId: order._id });
        throw stillRunning();
      }
      if (isPaymentPending(error)) {
        // The charge may still land (recovery settles it): the key stays bound to this attempt, so a retry
        // with it replays the order once it is confirmed instead of starting a payment of its own.
        throw error;
      }
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
    return this.answer(user, outcome);
  }

  /**
   * The stored outcome to replay, or the key's lease for this caller, who must run: a new key, or
   * `takenOver` from an earlier run of the same request whose lease ran out (it crashed or lost its answer).
   */
  private async claim(
    id: string,
    hash: string,
    reservationId: string,
  ): Promise<{ replay: StoredOutcome } | { takenOver: boolean }> {
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
      return { takenOver: false };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const deadline = now + REPLAY_WAIT_MS;
    let pause = POLL_MS;
    while (Date.now() < deadline) {
      const record = await this.records.findById(id).lean<IdempotencyRecordDoc>().exec();
      if (!record) return this.claim(id, hash, reservationId);
      if (record.requestHash !== hash) {
        throw conflict('This idempotency key was used with a different request', 'input.idempotencyKey');
      }
      if (record.state === 'DONE' && record.outcome) return { replay: record.outcome };
      // The same request hash means the same reservation: its order, once confirmed, is this key's answer.
      const order = await this.orders.findById(orderIdFor(reservationId));
      if (order && wasConfirmed(order)) return { replay: { kind: 'order', orderId: order._id } };
      if (record.leaseUntil.getTime() < Date.now()) {
        const taken = await this.records
          .updateOne(
            { _id: id, state: 'IN_PROGRESS', leaseUntil: record.leaseUntil },
            { $set: { leaseUntil: new Date(Date.now() + LEASE_MS) } },
          )
          .exec();
        if (taken.modifiedCount === 1) return { takenOver: true };
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(POLL_MAX_MS, pause * 2);
    }
    throw stillRunning();
  }

  private async answer(user: AuthUser, outcome: StoredOutcome): Promise<OrderDoc> {
    if (outcome.kind === 'error') throw domainError(outcome.code, outcome.message, outcome.field);
    return this.orders.findReadable(user, outcome.orderId);
  }
}

function stillRunning(): GraphQLError {
  return domainError(
    ErrorCode.TRY_AGAIN,
    'A checkout with this key is still running; retry shortly with the same key',
    'input.idempotencyKey',
    { retryAfterMs: REPLAY_RETRY_AFTER_MS, retryAfter: 1 },
  );
}

/** The provider timed out on this attempt: it may still be charged (see OrdersService.pay). */
function isPaymentPending(error: unknown): boolean {
  return error instanceof GraphQLError && error.extensions.paymentPending === true;
}

/** The order was confirmed (and may since have been refunded because its event was cancelled). */
function wasConfirmed(order: OrderDoc): boolean {
  if (order.status === 'CONFIRMED') return true;
  return (order.status === 'REFUNDING' || order.status === 'REFUNDED') && order.refundFrom === 'CONFIRMED';
}
