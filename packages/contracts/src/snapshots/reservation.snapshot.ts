// Fields every reservation.* event carries, so a consumer never needs the ticket service to read one.
import { z } from 'zod';
import {
  aggregateVersionSchema,
  idSchema,
  instantSchema,
  moneySchema,
  positiveIntSchema,
  seatIdsSchema,
} from '../primitives';

export const reservationFields = {
  reservationId: idSchema,
  eventId: idSchema,
  ticketTypeId: idSchema,
  buyerId: idSchema,
  quantity: positiveIntSchema,
  /** Reserved seating only: the held seats, one per unit. */
  seatIds: seatIdsSchema.optional(),
  /** The price quote locked for this hold, per unit. */
  unitPrice: moneySchema,
  expiresAt: instantSchema,
  /** Version of the reservation document, counted by the ticket service. */
  aggregateVersion: aggregateVersionSchema,
};

export function refineReservation(r: { quantity: number; seatIds?: string[] }, ctx: z.RefinementCtx): void {
  if (r.seatIds && r.seatIds.length !== r.quantity) {
    ctx.addIssue({ code: 'custom', path: ['seatIds'], message: 'Expected one seat per unit' });
  }
}
