// The state of an event that consumers replicate (ticket: inventory and rules; pricing: price state;
// checkin: the events it admits to). Carried whole by `event.published` and `event.updated`.
import { z } from 'zod';
import {
  aggregateVersionSchema,
  idSchema,
  instantSchema,
  isBefore,
  positiveIntSchema,
  textSchema,
  timeZoneSchema,
} from '../primitives';
import { ticketTypeSnapshotSchema } from './ticket-type.snapshot';

export const EVENT_STATUSES = ['DRAFT', 'PUBLISHED', 'CANCELLED', 'ENDED'] as const;

export const venueSchema = z.object({
  name: textSchema(200),
  address: textSchema(300).optional(),
  city: textSchema(120),
  capacity: positiveIntSchema,
});

export const transferPolicySchema = z.object({
  allowed: z.boolean(),
  /** Last instant a transfer may be accepted; null for "until the event starts". */
  deadline: instantSchema.nullable(),
});

/** Fields of the snapshot; the event schemas add `status` and their own timestamp, then `refineEventSnapshot`. */
export const eventSnapshotFields = {
  eventId: idSchema,
  organizerId: idSchema,
  title: textSchema(200),
  category: textSchema(64),
  startsAt: instantSchema,
  endsAt: instantSchema,
  /** IANA zone the event is held in, for display; all instants are UTC. */
  timezone: timeZoneSchema,
  venue: venueSchema,
  salesStart: instantSchema,
  salesEnd: instantSchema,
  transferPolicy: transferPolicySchema,
  /** Every ticket type of the event, each with its own aggregateVersion. */
  ticketTypes: z.array(ticketTypeSnapshotSchema).min(1).max(100),
  /**
   * Most tickets of the whole event one buyer may hold, across its ticket types (each type has its own
   * `perBuyerMax` too). Null or absent: no event-wide limit. Added later: older producers leave it out.
   */
  perBuyerMax: positiveIntSchema.nullable().optional(),
  /**
   * When the gates open (on or before `startsAt`). Null or absent: the check-in service's default (its
   * DOORS_OPEN_MINUTES before `startsAt`). Added later: older producers leave it out.
   */
  doorsOpenAt: instantSchema.nullable().optional(),
  /** Whether a ticket holder may leave and come back in (exit and re-entry scans). Absent: false. Added later. */
  allowReentry: z.boolean().optional(),
  /** Version of the event (not of its ticket types or staff list), counted by the event service. */
  aggregateVersion: aggregateVersionSchema,
};

type EventSnapshotShape = {
  eventId: string;
  startsAt: string;
  endsAt: string;
  doorsOpenAt?: string | null;
  salesStart: string;
  salesEnd: string;
  venue: { capacity: number };
  ticketTypes: Array<{
    ticketTypeId: string;
    eventId: string;
    quantity: number;
    kind: string;
    seatIds?: string[];
  }>;
};

/** Cross-field rules every event snapshot obeys. */
export function refineEventSnapshot(e: EventSnapshotShape, ctx: z.RefinementCtx): void {
  if (!isBefore(e.startsAt, e.endsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'The event must end after it starts' });
  }
  if (e.doorsOpenAt && isBefore(e.startsAt, e.doorsOpenAt)) {
    ctx.addIssue({
      code: 'custom',
      path: ['doorsOpenAt'],
      message: 'Doors must open on or before the start',
    });
  }
  if (!isBefore(e.salesStart, e.salesEnd)) {
    ctx.addIssue({ code: 'custom', path: ['salesEnd'], message: 'Sales must end after they start' });
  }
  const typeIds = new Set<string>();
  const seats = new Set<string>();
  let total = 0;
  e.ticketTypes.forEach((t, i) => {
    if (t.eventId !== e.eventId) {
      ctx.addIssue({
        code: 'custom',
        path: ['ticketTypes', i, 'eventId'],
        message: 'Ticket type belongs to another event',
      });
    }
    if (typeIds.has(t.ticketTypeId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ticketTypes', i, 'ticketTypeId'],
        message: 'Duplicate ticket type id',
      });
    }
    typeIds.add(t.ticketTypeId);
    for (const seat of t.seatIds ?? []) {
      if (seats.has(seat)) {
        ctx.addIssue({
          code: 'custom',
          path: ['ticketTypes', i, 'seatIds'],
          message: `Seat ${seat} is in two ticket types`,
        });
      }
      seats.add(seat);
    }
    total += t.quantity;
  });
  if (total > e.venue.capacity) {
    ctx.addIssue({
      code: 'custom',
      path: ['ticketTypes'],
      message: `Ticket quantities (${total}) exceed venue capacity (${e.venue.capacity})`,
    });
  }
}
