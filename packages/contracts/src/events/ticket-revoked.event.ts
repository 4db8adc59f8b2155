import { z } from 'zod';
import { defineEvent } from '../define-event';
import { aggregateVersionSchema, idSchema, instantSchema, positiveIntSchema } from '../primitives';
import { TOPICS } from '../topics';

export const REVOCATION_REASONS = ['TRANSFERRED', 'EVENT_CANCELLED', 'REFUNDED', 'ADMIN'] as const;

export const ticketRevokedSchema = z.object({
  ticketId: idSchema,
  eventId: idSchema,
  /**
   * Codes of this generation and older stop admitting. With reason TRANSFERRED a newer generation lives on
   * (see ticket.transferred); with any other reason the ticket as a whole is dead.
   */
  generation: positiveIntSchema,
  reason: z.enum(REVOCATION_REASONS),
  revokedAt: instantSchema,
  aggregateVersion: aggregateVersionSchema,
});
export type TicketRevokedData = z.infer<typeof ticketRevokedSchema>;

export const ticketRevokedEvent = defineEvent({
  type: 'ticket.revoked',
  version: 1,
  topic: TOPICS.tickets,
  producer: 'ticket',
  schema: ticketRevokedSchema,
  key: (d) => d.eventId,
  description: 'A ticket generation no longer admits (transfer, cancelled event, refund, admin action).',
});
