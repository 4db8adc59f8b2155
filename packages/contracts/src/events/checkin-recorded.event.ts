import { z } from 'zod';
import { defineEvent } from '../define-event';
import { idSchema, instantSchema, positiveIntSchema, textSchema } from '../primitives';
import { TOPICS } from '../topics';

export const CHECKIN_RESULTS = [
  'ADMITTED',
  'ALREADY_ADMITTED',
  'REVOKED',
  'INVALID_CODE',
  'WRONG_EVENT',
  'EVENT_CANCELLED',
  /** Added in place (additive): a genuine ticket scanned before the event's doors open. */
  'NOT_YET_OPEN',
  /** Added in place (additive, with re-entry): an exit scan let a ticket that was inside out. */
  'EXITED',
  /** An exit (or a return after an exit) at an event that does not allow re-entry. */
  'REENTRY_NOT_ALLOWED',
  /** An exit scan of a ticket that is not inside (never admitted, or already out). */
  'NOT_INSIDE',
] as const;
export const CHECKIN_METHODS = ['QR', 'ROTATING_CODE'] as const;
export const CHECKIN_DIRECTIONS = ['ENTRY', 'EXIT'] as const;

export const checkinRecordedSchema = z
  .object({
    checkinId: idSchema,
    /** Null only when the code could not be read as a genuine ticket (result INVALID_CODE). */
    ticketId: idSchema.nullable(),
    /** The event being scanned for. */
    eventId: idSchema,
    /** QR generation presented, when the code was genuine. */
    generation: positiveIntSchema.nullable(),
    gate: textSchema(64),
    /** The staff member who scanned. */
    scannedBy: idSchema,
    at: instantSchema,
    method: z.enum(CHECKIN_METHODS),
    result: z.enum(CHECKIN_RESULTS),
    /** The scanning device (optional, added later). */
    deviceId: textSchema(64).optional(),
    /** True when the scan was made offline and uploaded later by syncScans (optional, added later). */
    offline: z.boolean().optional(),
    /** Entry or exit scan (optional, added with re-entry; absent: ENTRY). */
    direction: z.enum(CHECKIN_DIRECTIONS).optional(),
    /** On ADMITTED: true when the ticket came back in after an exit (optional, added with re-entry). */
    reentry: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.result !== 'INVALID_CODE' && c.ticketId === null) {
      ctx.addIssue({ code: 'custom', path: ['ticketId'], message: `A ${c.result} scan names its ticket` });
    }
  });
export type CheckinRecordedData = z.infer<typeof checkinRecordedSchema>;

export const checkinRecordedEvent = defineEvent({
  type: 'checkin.recorded',
  version: 1,
  topic: TOPICS.checkins,
  producer: 'checkin',
  schema: checkinRecordedSchema,
  key: (d) => d.eventId,
  description: 'A scan at a gate and its outcome (admitted or why not); feeds attendance counters.',
});
