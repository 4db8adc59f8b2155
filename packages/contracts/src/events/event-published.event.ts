import { z } from 'zod';
import { defineEvent } from '../define-event';
import { instantSchema } from '../primitives';
import { eventSnapshotFields, refineEventSnapshot } from '../snapshots/event.snapshot';
import { TOPICS } from '../topics';

export const eventPublishedSchema = z
  .object({
    ...eventSnapshotFields,
    status: z.literal('PUBLISHED'),
    publishedAt: instantSchema,
  })
  .superRefine(refineEventSnapshot);
export type EventPublishedData = z.infer<typeof eventPublishedSchema>;

export const eventPublishedEvent = defineEvent({
  type: 'event.published',
  version: 1,
  topic: TOPICS.events,
  producer: 'event',
  schema: eventPublishedSchema,
  key: (d) => d.eventId,
  description: 'An event went on sale: the full event snapshot with every ticket type.',
});
