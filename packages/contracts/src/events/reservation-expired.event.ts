import { z } from 'zod';
import { defineEvent } from '../define-event';
import { instantSchema } from '../primitives';
import { refineReservation, reservationFields } from '../snapshots/reservation.snapshot';
import { TOPICS } from '../topics';

export const reservationExpiredSchema = z
  .object({ ...reservationFields, expiredAt: instantSchema })
  .superRefine(refineReservation);
export type ReservationExpiredData = z.infer<typeof reservationExpiredSchema>;

export const reservationExpiredEvent = defineEvent({
  type: 'reservation.expired',
  version: 1,
  topic: TOPICS.reservations,
  producer: 'ticket',
  schema: reservationExpiredSchema,
  key: (d) => d.eventId,
  description: 'An unpaid hold ran out and its stock went back on sale (published once per hold).',
});
