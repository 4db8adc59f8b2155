import { withOutbox, type OutboxFields } from '@ticketing/platform';
import { Schema } from 'mongoose';
import { MoneySchema, type MoneyValue } from '../../catalog/schemas/ticket-type-replica.schema';

export const RESERVATION = 'Reservation';

/**
 * PENDING   stock being claimed (never seen by clients; rolled back by the sweeper if the request died)
 * HELD      stock held until expiresAt
 * PAYING    a checkout is charging it (the sweeper leaves it alone; order recovery settles it)
 * CONVERTED sold: an order exists
 * EXPIRED / RELEASED  stock given back (stockReturned says whether that step finished)
 * FAILED    the claim was refused or rolled back
 */
export type ReservationStatus =
  'PENDING' | 'HELD' | 'PAYING' | 'CONVERTED' | 'EXPIRED' | 'RELEASED' | 'FAILED';

export interface ReservationDoc extends OutboxFields {
  _id: string;
  status: ReservationStatus;
  eventId: string;
  ticketTypeId: string;
  kind: 'GENERAL_ADMISSION' | 'RESERVED';
  buyerId: string;
  quantity: number;
  seatIds: string[];
  unitPrice: MoneyValue;
  expiresAt: Date;
  orderId: string | null;
  /**
   * null while there is nothing to give back (PENDING, HELD, PAYING, CONVERTED); false once the reservation
   * ended and its stock is on the way back; true when it is back. The sweeper finds unfinished returns by
   * `stockReturned: false` alone, a set as small as the returns in flight.
   */
  stockReturned: boolean | null;
  endedAt: Date | null;
  /** Counts changes; carried as aggregateVersion by reservation.* events. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export const ReservationSchema = withOutbox(
  new Schema<ReservationDoc>(
    {
      _id: { type: String, required: true },
      status: { type: String, required: true },
      eventId: { type: String, required: true },
      ticketTypeId: { type: String, required: true },
      kind: { type: String, required: true },
      buyerId: { type: String, required: true },
      quantity: { type: Number, required: true },
      seatIds: { type: [String], default: [] },
      unitPrice: { type: MoneySchema, required: true },
      expiresAt: { type: Date, required: true },
      orderId: { type: String, default: null },
      stockReturned: { type: Boolean, default: null },
      endedAt: { type: Date, default: null },
      version: { type: Number, required: true, default: 0 },
    },
    { collection: 'reservations', versionKey: false, timestamps: true },
  ),
);
ReservationSchema.index({ status: 1, expiresAt: 1 });
ReservationSchema.index({ stockReturned: 1, updatedAt: 1 });
ReservationSchema.index({ buyerId: 1, createdAt: -1 });
ReservationSchema.index({ eventId: 1, status: 1 });
