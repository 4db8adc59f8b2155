import { z } from 'zod';
import { defineEvent } from '../define-event';
import { aggregateVersionSchema, emailSchema, idSchema, instantSchema } from '../primitives';
import { TOPICS } from '../topics';

export const staffMemberSchema = z.object({
  /** Null while no account with this email exists yet; consumers then match the signed-in user's email. */
  userId: idSchema.nullable(),
  email: emailSchema,
});

export const eventStaffChangedSchema = z
  .object({
    eventId: idSchema,
    organizerId: idSchema,
    /** The complete staff list after the change (replace, do not merge). */
    staff: z.array(staffMemberSchema).max(1000),
    changedAt: instantSchema,
    /** Version of the event's staff list. */
    aggregateVersion: aggregateVersionSchema,
  })
  .superRefine((d, ctx) => {
    const emails = d.staff.map((s) => s.email.toLowerCase());
    if (new Set(emails).size !== emails.length) {
      ctx.addIssue({ code: 'custom', path: ['staff'], message: 'A staff email is listed twice' });
    }
  });
export type EventStaffChangedData = z.infer<typeof eventStaffChangedSchema>;

export const eventStaffChangedEvent = defineEvent({
  type: 'event.staff-changed',
  version: 1,
  topic: TOPICS.events,
  producer: 'event',
  schema: eventStaffChangedSchema,
  key: (d) => d.eventId,
  description: 'The venue staff allowed to scan for an event changed: the full list.',
});
