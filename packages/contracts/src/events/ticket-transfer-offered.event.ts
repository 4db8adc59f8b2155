import { z } from 'zod';
import { defineEvent } from '../define-event';
import { aggregateVersionSchema, idSchema, instantSchema, positiveIntSchema } from '../primitives';
import { TOPICS } from '../topics';

export const ticketTransferOfferedSchema = z.object({
  ticketId: idSchema,
  eventId: idSchema,
  transferId: idSchema,
  /** The generation on offer. While the offer is pending, codes of this generation do not admit. */
  generation: positiveIntSchema,
  offeredAt: instantSchema,
  aggregateVersion: aggregateVersionSchema,
});
export type TicketTransferOfferedData = z.infer<typeof ticketTransferOfferedSchema>;

export const ticketTransferOfferedEvent = defineEvent({
  type: 'ticket.transfer-offered',
  version: 1,
  topic: TOPICS.tickets,
  producer: 'ticket',
  schema: ticketTransferOfferedSchema,
  key: (d) => d.eventId,
  description:
    'A holder offered a ticket to someone: its code is held at the gate until the offer is withdrawn or accepted.',
});
