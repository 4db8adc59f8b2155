import { z } from 'zod';
import { defineEvent } from '../define-event';
import { instantSchema } from '../primitives';
import { eventSnapshotFields, refineEventSnapshot } from '../snapshots/event.snapshot';
import { TOPICS } from '../topics';

export const eventUpdatedSchema = z
  .object({
    ...eventSnapshotFields,
    status: z.enum(['PUBLISHED', 'ENDED']),
    /** Top-level snapshot fields that changed (for logs and dashboards; the snapshot is authoritative). */
    changedFields: z.array(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/)).min(1),
    updatedAt: instantSchema,
  })
  .superRefine(refineEventSnapshot);
export type EventUpdatedData = z.infer<typeof eventUpdatedSchema>;

export const eventUpdatedEvent = defineEvent({
  type: 'event.updated',
  version: 1,
  topic: TOPICS.events,
  producer: 'event',
  schema: eventUpdatedSchema,
  key: (d) => d.eventId,
  description:
    'A published event changed (or ended): the full new snapshot; apply when aggregateVersion is newer.',
});
