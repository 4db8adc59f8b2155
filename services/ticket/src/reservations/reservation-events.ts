import type { EventData } from '@ticketing/contracts';
import type { ReservationDoc } from './schemas/reservation.schema';

type ReservationFields = Omit<EventData<'reservation.created'>, 'createdAt'>;

/** The fields every reservation.* event carries, at the given aggregate version. */
export function reservationFields(doc: ReservationDoc, aggregateVersion: number): ReservationFields {
  return {
    reservationId: doc._id,
    eventId: doc.eventId,
    ticketTypeId: doc.ticketTypeId,
    buyerId: doc.buyerId,
    quantity: doc.quantity,
    ...(doc.kind === 'RESERVED' ? { seatIds: [...doc.seatIds] } : {}),
    unitPrice: { amount: doc.unitPrice.amount, currency: doc.unitPrice.currency },
    expiresAt: doc.expiresAt.toISOString(),
    aggregateVersion,
  };
}
