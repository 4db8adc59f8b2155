import { withOutbox, type OutboxFields } from '@ticketing/platform';
import { Schema } from 'mongoose';
import { MoneySchema, type MoneyValue } from '../../catalog/schemas/ticket-type-replica.schema';

export const ORDER = 'Order';

/**
 * PENDING           created, payment being attempted (attempt counts tries)
 * PAYMENT_FAILED    last attempt declined; the hold stays until it expires, a new attempt may follow
 * PAYMENT_CAPTURED  money taken: the order MUST end CONFIRMED (the recovery sweep finishes it)
 * CONFIRMED         stock sold, tickets issued, order.confirmed in the outbox
 * ABANDONED         no payment and the hold is gone
 * REFUNDING         the event was cancelled: its tickets are revoked and the charge is being refunded
 *                   (recovery finishes it: `OrdersService.finishDueRefunds`)
 * REFUNDED          the charge was refunded (refundId)
 */
export type OrderStatus =
  'PENDING' | 'PAYMENT_FAILED' | 'PAYMENT_CAPTURED' | 'CONFIRMED' | 'ABANDONED' | 'REFUNDING' | 'REFUNDED';

export interface OrderLineValue {
  ticketTypeId: string;
  ticketTypeName: string;
  quantity: number;
  seatIds: string[];
  unitPrice: MoneyValue;
}

export interface OrderDoc extends OutboxFields {
  _id: string;
  reservationId: string;
  eventId: string;
  buyerId: string;
  buyerName: string;
  status: OrderStatus;
  lines: OrderLineValue[];
  total: MoneyValue;
  ticketIds: string[];
  attempt: number;
  chargeId: string | null;
  confirmedAt: Date | null;
  /** Whether tickets were issued before the refund began (REFUNDING/REFUNDED only). */
  refundFrom?: 'PAYMENT_CAPTURED' | 'CONFIRMED' | null;
  refundId?: string | null;
  refundedAt?: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const OrderLineSchema = new Schema<OrderLineValue>(
  {
    ticketTypeId: { type: String, required: true },
    ticketTypeName: { type: String, required: true },
    quantity: { type: Number, required: true },
    seatIds: { type: [String], default: [] },
    unitPrice: { type: MoneySchema, required: true },
  },
  { _id: false },
);

export const OrderSchema = withOutbox(
  new Schema<OrderDoc>(
    {
      _id: { type: String, required: true },
      reservationId: { type: String, required: true },
      eventId: { type: String, required: true },
      buyerId: { type: String, required: true },
      buyerName: { type: String, required: true },
      status: { type: String, required: true },
      lines: { type: [OrderLineSchema], required: true },
      total: { type: MoneySchema, required: true },
      ticketIds: { type: [String], default: [] },
      attempt: { type: Number, default: 1 },
      chargeId: { type: String, default: null },
      confirmedAt: { type: Date, default: null },
      refundFrom: { type: String, default: null },
      refundId: { type: String, default: null },
      refundedAt: { type: Date, default: null },
      version: { type: Number, default: 1 },
    },
    { collection: 'orders', versionKey: false, timestamps: true },
  ),
);
// One order per reservation: the last line of defence against a second order for the same hold.
OrderSchema.index({ reservationId: 1 }, { unique: true });
OrderSchema.index({ buyerId: 1, createdAt: -1 });
OrderSchema.index({ status: 1, updatedAt: 1 });
// Orders of a cancelled event to refund: { eventId, status: 'CONFIRMED' }.
OrderSchema.index({ eventId: 1, status: 1 });
