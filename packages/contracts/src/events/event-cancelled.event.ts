import { z } from 'zod';
import { defineEvent } from '../define-event';
import { aggregateVersionSchema, idSchema, instantSchema, textSchema } from '../primitives';
import { TOPICS } from '../topics';

export const eventCancelledSchema = z.object({
  eventId: idSchema,
  organizerId: idSchema,
  title: textSchema(200),
  reason: textSchema(500),
  /** The organizer or admin who cancelled it. */
  cancelledBy: idSchema,
  cancelledAt: instantSchema,
  aggregateVersion: aggregateVersionSchema,
});
export type EventCancelledData = z.infer<typeof eventCancelledSchema>;

export const eventCancelledEvent = defineEvent({
  type: 'event.cancelled',
  version: 1,
  topic: TOPICS.events,
  producer: 'event',
  schema: eventCancelledSchema,
  key: (d) => d.eventId,
  description: 'An event was cancelled: sales stop, every ticket is revoked, no entry is admitted.',
});
