import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  appendOutbox,
  domainError,
  ErrorCode,
  getLogger,
  InjectConfig,
  notFound,
  OutboxRelay,
  type AuthUser,
} from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CatalogService } from '../catalog/catalog.service';
import { ticketEnvelope } from '../common/envelopes';
import { isDuplicateKey, isEntityId, newObjectId } from '../common/ids';
import type { TicketConfig } from '../config';
import { AvailabilityService } from '../inventory/availability.service';
import { InventoryService } from '../inventory/inventory.service';
import { holdOf, ReservationsService } from '../reservations/reservations.service';
import type { ReservationDoc } from '../reservations/schemas/reservation.schema';
import { displayName, TicketsService, ticketIdsOf } from '../tickets/tickets.service';
import { PAYMENT_PROVIDER, PaymentProviderError, type PaymentProvider } from './payment/payment-provider';
import { ORDER, type OrderDoc } from './schemas/order.schema';

const SWEEP_BATCH = 100;

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

  constructor(
    @InjectModel(ORDER) private readonly orders: Model<OrderDoc>,
    @Inject(PAYMENT_PROVIDER) private readonly payments: PaymentProvider,
    private readonly reservations: ReservationsService,
    private readonly inventory: InventoryService,
    private readonly tickets: TicketsService,
    private readonly catalog: CatalogService,
    private readonly availability: AvailabilityService,
    private readonly relay: OutboxRelay,
    @InjectConfig() config: TicketConfig,
  ) {
    this.recoveryAfterMs = config.RECOVERY_AFTER_MS;
  }

  findById(id: string): Promise<OrderDoc | null> {
    if (!isEntityId(id)) return Promise.resolve(null);
    return this.orders.findById(id).lean<OrderDoc>().exec();
  }

  /** The buyer's own order (or any, for ADMIN); NOT_FOUND otherwise. */
  async findReadable(user: AuthUser, id: string): Promise<OrderDoc> {
    const order = await this.findById(id);
    if (!order || !canReadOrder(user, order)) throw notFound('Order');
    return order;
  }

  listForBuyer(user: AuthUser, limit = 50): Promise<OrderDoc[]> {
    return this.orders.find({ buyerId: user.id }).sort({ createdAt: -1 }).limit(limit).lean<OrderDoc[]>().exec();
  }

  /** Pays for a reservation. Returns the confirmed order; throws the error the client should see. */
  async pay(user: AuthUser, reservationId: string, paymentToken: string, now = new Date()): Promise<OrderDoc> {
    const reservation = await this.reservations.findById(reservationId);
    if (!reservation || reservation.buyerId !== user.id || reservation.status === 'PENDING' || reservation.status === 'FAILED') {
      throw notFound('Reservation', 'input.reservationId');
    }
    if (!(await this.reservations.beginPayment(reservationId, user.id, now))) {
      throw refusalFor((await this.reservations.findById(reservationId))!, now);
    }

    let order: OrderDoc;
    try {
      order = await this.openAttempt(user, reservation);
    } catch (error) {
      await this.reservations.paymentFailed(reservationId);
      throw error;
    }
    if (order.status === 'PAYMENT_CAPTURED' || order.status === 'CONFIRMED') return this.complete(order._id);

    let result;
    try {
      result = await this.payments.charge({
        idempotencyKey: chargeKey(order),
        amount: order.total.amount,
        currency: order.total.currency,
        token: paymentToken,
      });
    } catch (error) {
      await this.attemptFailed(order);
      await this.reservations.paymentFailed(reservationId);
      if (error instanceof PaymentProviderError) {
        throw domainError('PAYMENT_PROVIDER_ERROR', 'The payment provider failed; nothing was charged, try again');
      }
      throw error;
    }
    if (result.status === 'DECLINED') {
      await this.attemptFailed(order);
      await this.reservations.paymentFailed(reservationId);
      throw domainError(ErrorCode.PAYMENT_DECLINED, `Payment declined: ${result.reason}`, 'input.paymentToken');
    }
    await this.orders
      .updateOne({ _id: order._id, status: 'PENDING', attempt: order.attempt }, { $set: { status: 'PAYMENT_CAPTURED', chargeId: result.chargeId } })
      .exec();
    return this.complete(order._id);
  }

  /** The order of this reservation for a new payment attempt (created on the first one). */
  private async openAttempt(user: AuthUser, reservation: ReservationDoc): Promise<OrderDoc> {
    const existing = await this.orders.findOne({ reservationId: reservation._id }).lean<OrderDoc>().exec();
    if (!existing) {
      const type = await this.catalog.findTicketType(reservation.ticketTypeId);
      const id = newObjectId();
      const unitPrice = { amount: reservation.unitPrice.amount, currency: reservation.unitPrice.currency };
      const doc: Omit<OrderDoc, 'createdAt' | 'updatedAt'> = {
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
      };
      try {
        await this.orders.create(doc);
        return (await this.findById(id))!;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return this.openAttempt(user, reservation);
      }
    }
    if (existing.status === 'PAYMENT_FAILED' || existing.status === 'ABANDONED') {
      const result = await this.orders
        .updateOne(
          { _id: existing._id, status: existing.status, attempt: existing.attempt },
          { $set: { status: 'PENDING' }, $inc: { attempt: 1 } },
        )
        .exec();
      if (result.modifiedCount !== 1) throw domainError(ErrorCode.CONFLICT, 'A payment for this reservation is in progress', 'input.reservationId');
      return (await this.findById(existing._id))!;
    }
    return existing;
  }

  private async attemptFailed(order: OrderDoc): Promise<void> {
    await this.orders
      .updateOne({ _id: order._id, status: 'PENDING', attempt: order.attempt }, { $set: { status: 'PAYMENT_FAILED' } })
      .exec();
  }

  /**
   * Finishes a paid order: sells the held stock (once, by its marker), issues the tickets (deterministic
   * ids), then CONFIRMED with order.confirmed in the same update. Repeatable at any point.
   */
  async complete(orderId: string, now = new Date()): Promise<OrderDoc> {
    const order = (await this.findById(orderId))!;
    if (order.status === 'CONFIRMED') return order;
    if (order.status !== 'PAYMENT_CAPTURED') throw new Error(`order ${orderId} is ${order.status}, not paid`);
    const reservation = (await this.reservations.findById(order.reservationId))!;
    const hold = holdOf(reservation);
    await this.inventory.sellHold(hold, order._id, order.total.amount);
    await this.inventory.settleBuyerLimit(hold);
    const ticketIds = await this.tickets.issueForOrder(order, now);

    const line = order.lines[0]!;
    const envelope = ticketEnvelope('order.confirmed', order.eventId, {
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
      ticketIds,
      confirmedAt: now.toISOString(),
      aggregateVersion: 2,
    });
    await this.orders
      .updateOne(
        { _id: order._id, status: 'PAYMENT_CAPTURED' },
        { $set: { status: 'CONFIRMED', ticketIds, confirmedAt: now, version: 2 }, ...appendOutbox([envelope]) },
      )
      .exec();
    await this.reservations.markConverted(order.reservationId, order._id);
    this.relay.nudge();
    void this.availability.changed(order.eventId, line.ticketTypeId);
    return (await this.findById(order._id))!;
  }

  /**
   * Recovery: completes PAYMENT_CAPTURED orders; settles PENDING ones older than RECOVERY_AFTER_MS from the
   * provider's record (captured → complete; otherwise the attempt failed and the hold goes back to HELD);
   * puts reservations left PAYING without a live attempt back to HELD.
   */
  async recover(now = new Date()): Promise<number> {
    let completed = 0;
    const captured = await this.orders.find({ status: 'PAYMENT_CAPTURED' }).limit(SWEEP_BATCH).lean<OrderDoc[]>().exec();
    for (const order of captured) {
      await this.complete(order._id, now).catch((error: unknown) => this.log.error({ err: error, orderId: order._id }, 'order recovery failed'));
      completed += 1;
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
        await this.orders
          .updateOne({ _id: order._id, status: 'PENDING', attempt: order.attempt }, { $set: { status: 'PAYMENT_CAPTURED', chargeId: result.chargeId } })
          .exec();
        await this.complete(order._id, now);
        completed += 1;
      } else {
        await this.attemptFailed(order);
        await this.reservations.paymentFailed(order.reservationId);
      }
    }
    for (const reservation of await this.reservations.stalePaying(stale)) {
      const order = await this.orders.findOne({ reservationId: reservation._id }).lean<OrderDoc>().exec();
      if (!order || order.status === 'PAYMENT_FAILED' || order.status === 'ABANDONED') {
        await this.reservations.paymentFailed(reservation._id);
      }
    }
    return completed;
  }
}

export function canReadOrder(user: AuthUser | null | undefined, order: OrderDoc): boolean {
  return !!user && (user.role === 'ADMIN' || order.buyerId === user.id);
}

function chargeKey(order: OrderDoc): string {
  return `${order._id}:${order.attempt}`;
}

/** Why a reservation cannot be paid now. */
function refusalFor(reservation: ReservationDoc, now: Date): Error {
  switch (reservation.status) {
    case 'CONVERTED':
      return domainError(ErrorCode.CONFLICT, 'This reservation is already paid', 'input.reservationId');
    case 'PAYING':
      return domainError(ErrorCode.CONFLICT, 'A payment for this reservation is in progress', 'input.reservationId');
    case 'HELD':
      if (reservation.expiresAt > now) return domainError(ErrorCode.CONFLICT, 'Try again', 'input.reservationId');
      return domainError(ErrorCode.HOLD_EXPIRED, 'The hold has expired', 'input.reservationId');
    default:
      return domainError(ErrorCode.HOLD_EXPIRED, 'The hold has expired', 'input.reservationId');
  }
}
