import { z } from 'zod';
import { defineEvent } from '../define-event';
import { aggregateVersionSchema, idSchema, instantSchema, positiveIntSchema } from '../primitives';
import { TOPICS } from '../topics';

/** Why a pending offer ended without a transfer. */
export const TRANSFER_WITHDRAWAL_REASONS = [
  'DECLINED',
  'CANCELLED',
  'EVENT_CANCELLED',
  'TICKET_REVOKED',
  'TICKET_CHECKED_IN',
  'TICKET_CHANGED',
  'DEADLINE_PASSED',
] as const;

export const ticketTransferWithdrawnSchema = z.object({
  ticketId: idSchema,
  eventId: idSchema,
  transferId: idSchema,
  /** The generation that was on offer; its codes admit again (unless revoked for another reason). */
  generation: positiveIntSchema,
  reason: z.enum(TRANSFER_WITHDRAWAL_REASONS),
  withdrawnAt: instantSchema,
  aggregateVersion: aggregateVersionSchema,
});
export type TicketTransferWithdrawnData = z.infer<typeof ticketTransferWithdrawnSchema>;

export const ticketTransferWithdrawnEvent = defineEvent({
  type: 'ticket.transfer-withdrawn',
  version: 1,
  topic: TOPICS.tickets,
  producer: 'ticket',
  schema: ticketTransferWithdrawnSchema,
  key: (d) => d.eventId,
  description: 'A pending transfer offer ended without a transfer: the ticket admits its holder again.',
});
