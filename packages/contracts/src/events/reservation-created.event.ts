import { z } from 'zod';
import { defineEvent } from '../define-event';
import { instantSchema } from '../primitives';
import { refineReservation, reservationFields } from '../snapshots/reservation.snapshot';
import { TOPICS } from '../topics';

export const reservationCreatedSchema = z
  .object({ ...reservationFields, createdAt: instantSchema })
  .superRefine(refineReservation);
export type ReservationCreatedData = z.infer<typeof reservationCreatedSchema>;

export const reservationCreatedEvent = defineEvent({
  type: 'reservation.created',
  version: 1,
  topic: TOPICS.reservations,
  producer: 'ticket',
  schema: reservationCreatedSchema,
  key: (d) => d.eventId,
  description: 'Stock is held for a buyer at a locked unit price until expiresAt.',
});
