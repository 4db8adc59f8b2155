import type { z } from 'zod';
import { defineEvent } from '../define-event';
import { ticketTypeSnapshotSchema } from '../snapshots/ticket-type.snapshot';
import { TOPICS } from '../topics';

/** The full ticket type, versioned by its own aggregateVersion. */
export const ticketTypeUpsertedSchema = ticketTypeSnapshotSchema;
export type TicketTypeUpsertedData = z.infer<typeof ticketTypeUpsertedSchema>;

export const ticketTypeUpsertedEvent = defineEvent({
  type: 'ticket-type.upserted',
  version: 1,
  topic: TOPICS.events,
  producer: 'event',
  schema: ticketTypeUpsertedSchema,
  key: (d) => d.eventId,
  description: 'A ticket type of a published event was added or changed: the whole ticket type.',
});
