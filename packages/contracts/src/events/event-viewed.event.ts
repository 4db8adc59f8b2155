import { z } from 'zod';
import { defineEvent } from '../define-event';
import { idSchema, instantSchema, isBefore, positiveIntSchema } from '../primitives';
import { TOPICS } from '../topics';

export const eventViewedSchema = z
  .object({
    eventId: idSchema,
    /** Views counted in the window (batched, so browsing does not flood Kafka). */
    count: positiveIntSchema,
    windowStart: instantSchema,
    windowEnd: instantSchema,
  })
  .superRefine((d, ctx) => {
    if (!isBefore(d.windowStart, d.windowEnd)) {
      ctx.addIssue({ code: 'custom', path: ['windowEnd'], message: 'The window must end after it starts' });
    }
  });
export type EventViewedData = z.infer<typeof eventViewedSchema>;

export const eventViewedEvent = defineEvent({
  type: 'event.viewed',
  version: 1,
  topic: TOPICS.eventViews,
  producer: 'event',
  schema: eventViewedSchema,
  key: (d) => d.eventId,
  description: 'Demand signal: how often an event was viewed in a time window.',
});
