import { z } from 'zod';
import { defineEvent } from '../define-event';
import { idSchema, instantSchema } from '../primitives';
import { refineReservation, reservationFields } from '../snapshots/reservation.snapshot';
import { TOPICS } from '../topics';

export const reservationReleasedSchema = z
  .object({
    ...reservationFields,
    releasedAt: instantSchema,
    /** The user who let the hold go (the buyer, or an admin). */
    releasedBy: idSchema,
  })
  .superRefine(refineReservation);
export type ReservationReleasedData = z.infer<typeof reservationReleasedSchema>;

export const reservationReleasedEvent = defineEvent({
  type: 'reservation.released',
  version: 1,
  topic: TOPICS.reservations,
  producer: 'ticket',
  schema: reservationReleasedSchema,
  key: (d) => d.eventId,
  description: 'A hold was given up before it expired and its stock went back on sale.',
});
