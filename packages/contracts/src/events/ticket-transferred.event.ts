import { z } from 'zod';
import { defineEvent } from '../define-event';
import {
  aggregateVersionSchema,
  idSchema,
  instantSchema,
  positiveIntSchema,
  textSchema,
} from '../primitives';
import { TOPICS } from '../topics';

export const ticketTransferredSchema = z
  .object({
    ticketId: idSchema,
    eventId: idSchema,
    ticketTypeId: idSchema,
    transferId: idSchema,
    fromHolderId: idSchema,
    toHolderId: idSchema,
    toHolderName: textSchema(120),
    /** The new QR generation; every code of an older generation is revoked. */
    generation: positiveIntSchema,
    previousGeneration: positiveIntSchema,
    transferredAt: instantSchema,
    aggregateVersion: aggregateVersionSchema,
  })
  .superRefine((t, ctx) => {
    if (t.generation <= t.previousGeneration) {
      ctx.addIssue({
        code: 'custom',
        path: ['generation'],
        message: 'The new generation must exceed the previous one',
      });
    }
    if (t.fromHolderId === t.toHolderId) {
      ctx.addIssue({
        code: 'custom',
        path: ['toHolderId'],
        message: 'A ticket cannot be transferred to its holder',
      });
    }
  });
export type TicketTransferredData = z.infer<typeof ticketTransferredSchema>;

export const ticketTransferredEvent = defineEvent({
  type: 'ticket.transferred',
  version: 1,
  topic: TOPICS.tickets,
  producer: 'ticket',
  schema: ticketTransferredSchema,
  key: (d) => d.eventId,
  description: 'A ticket changed holder and was re-keyed: new generation, the old QR no longer admits.',
});
