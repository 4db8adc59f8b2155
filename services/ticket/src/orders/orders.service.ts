import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  appendOutbox,
  type AuthUser,
  domainError,
  ErrorCode,
  forbidden,
  getLogger,
  InjectConfig,
  isEntityId,
  notFound,
  withTimeout,
} from '@ticketing/platform';
import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import { CatalogService } from '../catalog/catalog.service';
import { ticketEnvelope } from '../common/envelopes';
import { isDuplicateKey } from '../common/ids';
import { TicketOutbox } from '../common/ticket-outbox.service';
import type { TicketConfig } from '../config';
import { AvailabilityService } from '../inventory/availability.service';
import { InventoryService } from '../inventory/inventory.service';
import { holdOf, ReservationsService } from '../reservations/reservations.service';
import type { ReservationDoc } from '../reservations/schemas/reservation.schema';
import { displayName, TicketsService, ticketIdsOf } from '../tickets/tickets.service';
import {
  PAYMENT_PROVIDER,
  PaymentProviderError,
  PaymentTimeoutError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
} from './payment/payment-provider';
import { ORDER, type OrderDoc } from './schemas/order.schema';

const SWEEP_BATCH = 100;
/** The retry hint of a checkout whose payment outcome is not known yet (the provider timed out). */
export const PAYMENT_PENDING_RETRY_MS = 2_000;

/**
 * Paying for a hold and turning it into an order with tickets. The order document is the ledger:
 * PENDING → (charge) → PAYMENT_CAPTURED → (sell stock, issue tickets) → CONFIRMED. Every step is guarded
 * and repeatable, and the recovery sweep finishes orders a crash left in PAYMENT_CAPTURED (or settles
 * PENDING ones from the provider's record), so a captured payment always ends in exactly its tickets.
 */
@Injectable()
export class OrdersService {
  private readonly log = getLogger('orders');
  private readonly recoveryAfterMs: number;
  private readonly paymentTimeoutMs: number;

  constructor(
    @InjectModel(ORDER) private readonly orders: Model<OrderDoc>,
    @Inject(PAYMENT_PROVIDER) private readonly payments: PaymentProvider,
    private readonly reservations: ReservationsService,
    private readonly inventory: InventoryService,
    private readonly tickets: TicketsService,
    private readonly catalog: CatalogService,
    private readonly availability: AvailabilityService,
    private readonly outbox: TicketOutbox,
    @InjectConfig() config: TicketConfig,
  ) {
    this.recoveryAfterMs = config.RECOVERY_AFTER_MS;
    this.paymentTimeoutMs = config.PAYMENT_TIMEOUT_MS;
  }

  findById(id: string): Promise<OrderDoc | null> {
    if (!isEntityId(id)) return Promise.resolve(null);
    return this.orders.findById(id).lean<OrderDoc>().exec();
  }

  /** The buyer's own order (or any, for ADMIN); NOT_FOUND otherwise. */
  async findReadable(user: AuthUser, id: string): Promise<OrderDoc> {
    const order = await this.findById(id);
    if (!order || !canReadOrder(user, order)) throw notFound('Order', 'id');
    return order;
  }

  listForBuyer(user: AuthUser, limit = 50): Promise<OrderDoc[]> {
    return this.orders
      .find({ buyerId: user.id })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<OrderDoc[]>()
      .exec();
  }

  /** Pays for a reservation. Returns the confirmed order; throws the error the client should see. */
  async pay(
    user: AuthUser,
    reservationId: string,
    paymentToken: string,
    now = new Date(),
  ): Promise<OrderDoc> {
    // HELD → PAYING and the reservation in one round trip; only a refusal reads it again to say why.
    const reservation = await this.reservations.beginPayment(reservationId, user.id, now);
    if (!reservation) {
      const current = await this.reservations.findById(reservationId);
      if (
        !current ||
        current.buyerId !== user.id ||
        current.status === 'PENDING' ||
        current.status === 'FAILED'
      ) {
        throw notFound('Reservation', 'input.reservationId');
      }
      throw refusalFor(current, now);
    }
    // A fresh read (holds are checked against a cached copy): nobody pays for a cancelled event.
    const event = await this.catalog.findEvent(reservation.eventId);
    if (!event || event.cancelled) {
      await this.reservations.paymentFailed(reservationId);
      throw forbidden('The event is cancelled', 'input.reservationId');
    }

    let order: OrderDoc;
    try {
      order = await this.openAttempt(user, reservation, now);
    } catch (error) {
      await this.reservations.paymentFailed(reservationId);
      throw error;
    }
    if (order.status === 'PAYMENT_CAPTURED' || order.status === 'CONFIRMED')
      return answerPaid(await this.complete(order, reservation, now));

    let result: ChargeResult;
    try {
      result = await this.chargeWithin({
        idempotencyKey: chargeKey(order),
        amount: order.total.amount,
        currency: order.total.currency,
        token: paymentToken,
      });
    } catch (error) {
      if (error instanceof PaymentTimeoutError) {
        // The charge may still land: the order stays PENDING and the reservation PAYING (so the hold cannot
        // expire or be released), and recovery settles it from the provider's record after RECOVERY_AFTER_MS.
        this.log.warn({ orderId: order._id }, 'payment provider timed out; recovery will settle the attempt');
        throw domainError(
          ErrorCode.PAYMENT_PROVIDER_ERROR,
          'The payment provider did not answer in time; the payment may still go through. Retry with the ' +
            'same idempotency key: it returns the order once the payment is settled, and never charges twice',
          null,
          {
            paymentPending: true,
            retryAfterMs: PAYMENT_PENDING_RETRY_MS,
            retryAfter: PAYMENT_PENDING_RETRY_MS / 1000,
          },
        );
      }
      await this.attemptFailed(order);
      await this.reservations.paymentFailed(reservationId);
      if (error instanceof PaymentProviderError) {
        throw domainError(
          ErrorCode.PAYMENT_PROVIDER_ERROR,
          'The payment provider failed; nothing was charged, try again',
        );
      }
      throw error;
    }
    if (result.status === 'DECLINED') {
      await this.attemptFailed(order);
      await this.reservations.paymentFailed(reservationId);
      throw domainError(
        ErrorCode.PAYMENT_DECLINED,
        `Payment declined: ${result.reason}`,
        'input.paymentToken',
      );
    }
    // Captured: straight on to CONFIRMED (the charge id is written with it). No separate "captured" write:
    // a crash from here on leaves the attempt PENDING, and recovery settles it from the provider's record
    // (looked up by the attempt's charge key) after RECOVERY_AFTER_MS, then finishes it like any paid order.
    return answerPaid(
      await this.complete(
        { ...order, status: 'PAYMENT_CAPTURED', chargeId: result.chargeId },
        reservation,
        now,
        {
          confirmFrom: { status: 'PENDING', attempt: order.attempt },
        },
      ),
    );
  }

  /** The provider's answer, or PaymentTimeoutError once PAYMENT_TIMEOUT_MS has passed (the call is abandoned). */
  private chargeWithin(request: ChargeRequest): Promise<ChargeResult> {
    return withTimeout(this.payments.charge(request), this.paymentTimeoutMs, () => new PaymentTimeoutError());
  }

  /**
   * The order of this reservation for a new payment attempt (created on the first one). Its id is derived
   * from the reservation's, so concurrent first attempts meet on the unique `_id` and there is never a
   * second order for one reservation (and finding it is a read by `_id`).
   */
  private async openAttempt(user: AuthUser, reservation: ReservationDoc, now: Date): Promise<OrderDoc> {
    const id = orderIdFor(reservation._id);
    // First attempt (the common case): insert at once; only a duplicate `_id` reads the existing order.
    {
      // The type's name from the per-process sale context (a label on the order, nothing decided by it).
      const type = (await this.catalog.saleContext(reservation.ticketTypeId))?.type;
      const unitPrice = { amount: reservation.unitPrice.amount, currency: reservation.unitPrice.currency };
      const doc: OrderDoc = {
        _id: id,
        reservationId: reservation._id,
        eventId: reservation.eventId,
        buyerId: reservation.buyerId,
        buyerName: displayName(user.name, user.email),
        status: 'PENDING',
        lines: [
          {
            ticketTypeId: reservation.ticketTypeId,
            ticketTypeName: (type?.name ?? 'Ticket').slice(0, 120),
            quantity: reservation.quantity,
            seatIds: reservation.seatIds,
            unitPrice,
          },
        ],
        total: { amount: unitPrice.amount * reservation.quantity, currency: unitPrice.currency },
        ticketIds: ticketIdsOf(id, reservation.quantity),
        attempt: 1,
        chargeId: null,
        confirmedAt: null,
        version: 1,
        outbox: [],
        outboxLeaseUntil: null,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await this.orders.create(doc);
        return doc;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    const existing = await this.findById(id);
    if (!existing) throw new Error(`order ${id} refused as a duplicate but not found`);
    if (existing.status === 'REFUNDING' || existing.status === 'REFUNDED')
      throw refundedForCancellation(existing.status);
    if (existing.status === 'PAYMENT_FAILED' || existing.status === 'ABANDONED') {
      const result = await this.orders
        .updateOne(
          { _id: existing._id, status: existing.status, attempt: existing.attempt },
          { $set: { status: 'PENDING' }, $inc: { attempt: 1 } },
        )
        .exec();
      if (result.modifiedCount !== 1)
        throw domainError(
          ErrorCode.CONFLICT,
          'A payment for this reservation is in progress',
          'input.reservationId',
        );
      return { ...existing, status: 'PENDING', attempt: existing.attempt + 1 };
    }
    return existing;
  }

  private async attemptFailed(order: OrderDoc): Promise<void> {
    await this.orders
      .updateOne(
        { _id: order._id, status: 'PENDING', attempt: order.attempt },
        { $set: { status: 'PAYMENT_FAILED' } },
      )
      .exec();
  }

  /**
   * Finishes a paid order: sells the held stock (once, by its marker), issues the tickets (deterministic
   * ids), then CONFIRMED with order.confirmed and every ticket.issued in the same update. Repeatable at any
   * point (a crash between steps is finished by recovery). `reservation` saves a read when the caller has it.
   *
   * Event cancellation: checked before selling (a cancelled event gets no tickets: refund, hold released)
   * and again after CONFIRMED is written. The cancellation handler writes "cancelled" and then looks for
   * CONFIRMED orders (`refundAllOfEvent`); this writes CONFIRMED and then reads the event, so whichever
   * runs second sees the other: an order confirmed while the event was being cancelled is refunded and its
   * tickets revoked by one side or both (each step is guarded, so twice is harmless).
   */
  async complete(
    order: OrderDoc,
    reservation?: ReservationDoc,
    now = new Date(),
    options: CompleteOptions = {},
  ): Promise<OrderDoc> {
    if (order.status === 'CONFIRMED' || order.status === 'REFUNDING' || order.status === 'REFUNDED')
      return order;
    if (order.status !== 'PAYMENT_CAPTURED')
      throw new Error(`order ${order._id} is ${order.status}, not paid`);
    const from = options.confirmFrom ?? { status: 'PAYMENT_CAPTURED' };
    if (await this.eventCancelled(order.eventId)) return this.refundForCancellation(order, now, from);
    const held = reservation ?? (await this.reservations.findById(order.reservationId))!;
    const hold = holdOf(held);
    await this.inventory.sellHold(hold, order._id, order.total.amount);
    const issued = await this.tickets.issueForOrder(order, now);

    const line = order.lines[0]!;
    const confirmed = ticketEnvelope('order.confirmed', order.eventId, {
      orderId: order._id,
      reservationId: order.reservationId,
      eventId: order.eventId,
      buyerId: order.buyerId,
      lines: order.lines.map((l) => ({
        ticketTypeId: l.ticketTypeId,
        quantity: l.quantity,
        ...(l.seatIds.length > 0 ? { seatIds: [...l.seatIds] } : {}),
        unitPrice: { amount: l.unitPrice.amount, currency: l.unitPrice.currency },
      })),
      total: { amount: order.total.amount, currency: order.total.currency },
      ticketIds: issued.ticketIds,
      confirmedAt: now.toISOString(),
      aggregateVersion: 2,
    });
    const result = await this.orders
      .updateOne(
        { _id: order._id, ...from },
        {
          $set: {
            status: 'CONFIRMED',
            chargeId: order.chargeId,
            ticketIds: issued.ticketIds,
            confirmedAt: now,
            version: 2,
          },
          ...appendOutbox([confirmed, ...issued.events]),
        },
      )
      .exec();
    if (result.modifiedCount !== 1) {
      const current = (await this.findById(order._id))!;
      // Recovery settled this attempt meanwhile (PENDING → PAYMENT_CAPTURED): finish it the ordinary way.
      if (current.status === 'PAYMENT_CAPTURED') return this.complete(current, held, now);
      await this.reservations.markConverted(order.reservationId, order._id);
      if (current.status !== 'REFUNDING' && current.status !== 'REFUNDED') return current;
      // Another caller began the refund while this one issued tickets: none of them may stay valid.
      await this.revokeOrderTickets(current._id, now);
      return this.refundForCancellation(current, now);
    }
    await this.reservations.markConverted(order.reservationId, order._id);
    this.outbox.nudge('orders');
    void this.availability.changed(order.eventId, line.ticketTypeId);
    const done: OrderDoc = {
      ...order,
      status: 'CONFIRMED',
      ticketIds: issued.ticketIds,
      confirmedAt: now,
      version: 2,
      outbox: [],
      updatedAt: now,
    };
    if (await this.eventCancelled(order.eventId)) return this.refundForCancellation(done, now);
    return done;
  }

  private async eventCancelled(eventId: string): Promise<boolean> {
    return (await this.catalog.findEvent(eventId))?.cancelled === true;
  }

  /**
   * The event of a paid order was cancelled: PAYMENT_CAPTURED/CONFIRMED → REFUNDING (guarded, so one
   * caller starts it), then `finishRefund`. Returns the order as it stands afterwards (REFUNDING when the
   * provider failed: recovery retries).
   */
  async refundForCancellation(
    order: OrderDoc,
    now = new Date(),
    from: CompleteOptions['confirmFrom'] = undefined,
  ): Promise<OrderDoc> {
    if (order.status === 'PAYMENT_CAPTURED' || order.status === 'CONFIRMED') {
      // `from`: the state in the database when it differs from `order.status` (checkout's PENDING attempt
      // just paid, whose charge id is written here).
      await this.orders
        .updateOne(
          { _id: order._id, ...(from ?? { status: order.status }) },
          { $set: { status: 'REFUNDING', refundFrom: order.status, chargeId: order.chargeId } },
        )
        .exec();
    }
    const current = (await this.findById(order._id))!;
    if (current.status !== 'REFUNDING') return current;
    try {
      return await this.finishRefund(current, now);
    } catch (error) {
      this.log.warn({ err: error, orderId: order._id }, 'refund failed; recovery will retry');
      return current;
    }
  }

  /**
   * Finishes a REFUNDING order, every step repeatable: revokes its tickets (if any were issued), gives a
   * hold that was never sold back, refunds the charge (idempotent by key), then REFUNDED.
   */
  private async finishRefund(order: OrderDoc, now: Date): Promise<OrderDoc> {
    await this.revokeOrderTickets(order._id, now);
    if (order.refundFrom === 'PAYMENT_CAPTURED') await this.releaseUnsoldHold(order, now);
    const refund = await this.payments.refund({
      idempotencyKey: `refund:${chargeKey(order)}`,
      chargeId: order.chargeId!,
      chargeIdempotencyKey: chargeKey(order),
      amount: order.total.amount,
      currency: order.total.currency,
    });
    await this.orders
      .updateOne(
        { _id: order._id, status: 'REFUNDING' },
        { $set: { status: 'REFUNDED', refundId: refund.refundId, refundedAt: now } },
      )
      .exec();
    return (await this.findById(order._id))!;
  }

  private async revokeOrderTickets(orderId: string, now: Date): Promise<void> {
    for (const ticket of await this.tickets.listOfOrder(orderId)) {
      if (ticket.status === 'VALID') await this.tickets.revokeUntilDone(ticket._id, 'EVENT_CANCELLED', now);
    }
  }

  /** A hold paid for but never sold (the event was cancelled first): PAYING → HELD → RELEASED. */
  private async releaseUnsoldHold(order: OrderDoc, now: Date): Promise<void> {
    await this.reservations.paymentFailed(order.reservationId);
    const reservation = await this.reservations.findById(order.reservationId);
    if (reservation?.status === 'HELD') {
      const event = await this.catalog.findEvent(order.eventId);
      await this.reservations.end(reservation, 'RELEASED', now, event?.organizerId ?? order.buyerId);
    }
  }

  /**
   * Cancellation: refunds every CONFIRMED order of the event (query `{ eventId, status: 'CONFIRMED' }`, index
   * `{ eventId, status }`). Returns how many it started.
   */
  async refundAllOfEvent(eventId: string, now = new Date()): Promise<number> {
    let count = 0;
    for (;;) {
      const batch = await this.orders
        .find({ eventId, status: 'CONFIRMED' })
        .limit(SWEEP_BATCH)
        .lean<OrderDoc[]>()
        .exec();
      if (batch.length === 0) return count;
      for (const order of batch) {
        await this.refundForCancellation(order, now);
        count += 1;
      }
    }
  }

  /**
   * Recovery of refunds a crash or a provider failure left unfinished: REFUNDING orders not touched for
   * RECOVERY_AFTER_MS (query `{ status: 'REFUNDING', updatedAt: { $lte } }`, index `{ status, updatedAt }`).
   */
  async finishDueRefunds(now = new Date()): Promise<number> {
    const due = await this.orders
      .find({ status: 'REFUNDING', updatedAt: { $lte: new Date(now.getTime() - this.recoveryAfterMs) } })
      .limit(SWEEP_BATCH)
      .lean<OrderDoc[]>()
      .exec();
    let finished = 0;
    for (const order of due) {
      try {
        await this.finishRefund(order, now);
        finished += 1;
      } catch (error) {
        this.log.warn({ err: error, orderId: order._id }, 'refund recovery failed; will retry');
      }
    }
    return finished;
  }

  /**
   * Recovery: completes PAYMENT_CAPTURED orders; settles PENDING ones older than RECOVERY_AFTER_MS from the
   * provider's record (captured → complete; otherwise the attempt failed and the hold goes back to HELD);
   * puts reservations left PAYING without a live attempt back to HELD. A PENDING attempt younger than
   * RECOVERY_AFTER_MS is left alone: its provider call may still be running (it is abandoned after
   * PAYMENT_TIMEOUT_MS, which the config keeps well below RECOVERY_AFTER_MS).
   */
  async recover(now = new Date()): Promise<number> {
    let completed = 0;
    const captured = await this.orders
      .find({ status: 'PAYMENT_CAPTURED' })
      .limit(SWEEP_BATCH)
      .lean<OrderDoc[]>()
      .exec();
    for (const order of captured) {
      try {
        await this.complete(order, undefined, now);
        completed += 1;
      } catch (error) {
        this.log.error({ err: error, orderId: order._id }, 'order recovery failed');
      }
    }
    const stale = new Date(now.getTime() - this.recoveryAfterMs);
    const pending = await this.orders
      .find({ status: 'PENDING', updatedAt: { $lte: stale } })
      .limit(SWEEP_BATCH)
      .lean<OrderDoc[]>()
      .exec();
    for (const order of pending) {
      const result = await this.payments.lookup(chargeKey(order));
      if (result?.status === 'CAPTURED') {
        const moved = await this.orders
          .updateOne(
            { _id: order._id, status: 'PENDING', attempt: order.attempt },
            { $set: { status: 'PAYMENT_CAPTURED', chargeId: result.chargeId } },
          )
          .exec();
        if (moved.modifiedCount === 1) {
          await this.complete(
            { ...order, status: 'PAYMENT_CAPTURED', chargeId: result.chargeId },
            undefined,
            now,
          );
          completed += 1;
        }
      } else {
        await this.attemptFailed(order);
        await this.reservations.paymentFailed(order.reservationId);
      }
    }
    for (const reservation of await this.reservations.stalePaying(stale)) {
      const order = await this.findById(orderIdFor(reservation._id));
      if (!order || order.status === 'PAYMENT_FAILED' || order.status === 'ABANDONED') {
        await this.reservations.paymentFailed(reservation._id);
      }
    }
    return completed;
  }
}

export interface CompleteOptions {
  /**
   * The order's state in the database the CONFIRMED update is guarded on. Default PAYMENT_CAPTURED; checkout
   * passes the PENDING attempt it has just been paid for (it writes the capture with the confirmation).
   */
  confirmFrom?: { status: 'PENDING'; attempt: number } | { status: 'PAYMENT_CAPTURED' };
}

export function canReadOrder(user: AuthUser | null | undefined, order: OrderDoc): boolean {
  return !!user && (user.role === 'ADMIN' || order.buyerId === user.id);
}

/** The order of a reservation: derived from its id (24 hex digits, shaped like an ObjectId). */
export function orderIdFor(reservationId: string): string {
  return createHash('sha256').update(`order:${reservationId}`).digest('hex').slice(0, 24);
}

function chargeKey(order: OrderDoc): string {
  return `${order._id}:${order.attempt}`;
}

/** The answer to a checkout whose order ended refunded (the event was cancelled while it was paid). */
function answerPaid(order: OrderDoc): OrderDoc {
  if (order.status === 'REFUNDING' || order.status === 'REFUNDED')
    throw refundedForCancellation(order.status);
  return order;
}

function refundedForCancellation(status: 'REFUNDING' | 'REFUNDED' = 'REFUNDED'): Error {
  return forbidden(
    status === 'REFUNDED'
      ? 'The event was cancelled; the payment is refunded'
      : 'The event was cancelled; the payment is being refunded',
    'input.reservationId',
  );
}

/** Why a reservation cannot be paid now. */
function refusalFor(reservation: ReservationDoc, now: Date): Error {
  switch (reservation.status) {
    case 'CONVERTED':
      return domainError(ErrorCode.CONFLICT, 'This reservation is already paid', 'input.reservationId');
    case 'PAYING':
      return domainError(
        ErrorCode.CONFLICT,
        'A payment for this reservation is in progress',
        'input.reservationId',
      );
    case 'HELD':
      if (reservation.expiresAt > now)
        return domainError(ErrorCode.CONFLICT, 'Try again', 'input.reservationId');
      return domainError(ErrorCode.HOLD_EXPIRED, 'The hold has expired', 'input.reservationId');
    case 'RELEASED':
      return domainError(ErrorCode.HOLD_EXPIRED, 'The hold was released', 'input.reservationId');
    default:
      return domainError(ErrorCode.HOLD_EXPIRED, 'The hold has expired', 'input.reservationId');
  }
}
