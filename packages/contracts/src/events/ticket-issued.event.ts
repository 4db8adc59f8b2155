import { z } from 'zod';
import { defineEvent } from '../define-event';
import {
  aggregateVersionSchema,
  idSchema,
  instantSchema,
  positiveIntSchema,
  seatIdSchema,
  textSchema,
} from '../primitives';
import { TOPICS } from '../topics';

export const ticketIssuedSchema = z.object({
  ticketId: idSchema,
  eventId: idSchema,
  ticketTypeId: idSchema,
  /** For the scanner's display. */
  ticketTypeName: textSchema(120),
  orderId: idSchema,
  holderId: idSchema,
  /** Shown by the scanner for an ID check. */
  holderName: textSchema(120),
  /** QR generation: a code of a lower generation never admits. Starts at 1. */
  generation: positiveIntSchema,
  seatId: seatIdSchema.optional(),
  issuedAt: instantSchema,
  aggregateVersion: aggregateVersionSchema,
});
export type TicketIssuedData = z.infer<typeof ticketIssuedSchema>;

export const ticketIssuedEvent = defineEvent({
  type: 'ticket.issued',
  version: 1,
  topic: TOPICS.tickets,
  producer: 'ticket',
  schema: ticketIssuedSchema,
  key: (d) => d.eventId,
  description: 'A ticket exists and admits its holder with the given QR generation.',
});
