import { ReservationStatusEnum, type Reservation } from './models/reservation.model';
import type { ReservationDoc } from './schemas/reservation.schema';

export function toReservation(doc: ReservationDoc): Reservation {
  const unitPrice = { amount: doc.unitPrice.amount, currency: doc.unitPrice.currency };
  return {
    id: doc._id,
    status: doc.status as ReservationStatusEnum,
    eventId: doc.eventId,
    expiresAt: doc.expiresAt,
    unitPrice,
    total: { amount: unitPrice.amount * doc.quantity, currency: unitPrice.currency },
    lines: [{ ticketTypeId: doc.ticketTypeId, quantity: doc.quantity, seatIds: doc.seatIds, unitPrice }],
    orderId: doc.orderId,
  };
}
