import { newEnvelope, type EventEnvelope, type TicketTypeSnapshot } from '@ticketing/contracts';
import type { AuthUser } from '@ticketing/platform';
import type { TestTokenUser } from '@ticketing/platform/testing';
import { Types } from 'mongoose';

export const oid = (): string => new Types.ObjectId().toHexString();

export function user(
  role: 'ATTENDEE' | 'ORGANIZER' | 'STAFF' | 'ADMIN' = 'ATTENDEE',
  name = 'Test Buyer',
): TestTokenUser {
  const id = oid();
  return { id, email: `${role.toLowerCase()}-${id}@example.test`, role, name };
}

/** A test user as the services' code sees the caller (what a resolver hands a service method). */
export const asUser = (u: TestTokenUser): AuthUser => ({ ...u, role: u.role as AuthUser['role'] });

export interface EventFixture {
  eventId: string;
  organizerId: string;
  gaTypeId: string;
  seatTypeId: string;
  seatIds: string[];
  published: EventEnvelope<'event.published'>;
  gaType: TicketTypeSnapshot;
}

export interface EventFixtureOptions {
  organizerId?: string;
  gaQuantity?: number;
  seats?: number;
  perOrderMax?: number;
  perBuyerMax?: number;
  basePrice?: number;
  transferAllowed?: boolean;
  salesStart?: Date;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A published event with one general-admission type and one reserved-seating type, on sale now. */
export function eventFixture(options: EventFixtureOptions = {}): EventFixture {
  const eventId = oid();
  const organizerId = options.organizerId ?? oid();
  const gaTypeId = oid();
  const seatTypeId = oid();
  const now = Date.now();
  const seats = options.seats ?? 10;
  const seatIds = Array.from({ length: seats }, (_, i) => `A:${Math.floor(i / 20) + 1}:${(i % 20) + 1}`);
  const salesStart = iso(options.salesStart?.getTime() ?? now - 3600_000);
  const salesEnd = iso(now + 30 * 24 * 3600_000);
  const common = {
    eventId,
    basePrice: { amount: options.basePrice ?? 4500, currency: 'EUR' },
    perOrderMax: options.perOrderMax ?? 4,
    perBuyerMax: options.perBuyerMax ?? 6,
    salesStart,
    salesEnd,
    pricingPolicy: { kind: 'FIXED' as const },
    aggregateVersion: 1,
  };
  const gaType: TicketTypeSnapshot = {
    ...common,
    ticketTypeId: gaTypeId,
    name: 'Standing',
    kind: 'GENERAL_ADMISSION',
    quantity: options.gaQuantity ?? 100,
  };
  const seatType: TicketTypeSnapshot = {
    ...common,
    ticketTypeId: seatTypeId,
    name: 'Balcony',
    kind: 'RESERVED',
    quantity: seats,
    seatIds,
  };
  const published = newEnvelope(
    'event.published',
    eventId,
    {
      eventId,
      organizerId,
      title: 'Test Concert',
      category: 'music',
      startsAt: iso(now + 40 * 24 * 3600_000),
      endsAt: iso(now + 40 * 24 * 3600_000 + 3 * 3600_000),
      timezone: 'Europe/Berlin',
      venue: { name: 'Hall', city: 'Berlin', capacity: 100_000 },
      salesStart,
      salesEnd,
      transferPolicy: { allowed: options.transferAllowed ?? true, deadline: null },
      ticketTypes: [gaType, seatType],
      status: 'PUBLISHED',
      publishedAt: iso(now),
      aggregateVersion: 1,
    },
    { source: 'event' },
  );
  return { eventId, organizerId, gaTypeId, seatTypeId, seatIds, published, gaType };
}

/** The event service's `event.cancelled` for a fixture (by its organizer). */
export function cancelledEnvelope(fx: EventFixture, aggregateVersion = 2): EventEnvelope {
  return newEnvelope(
    'event.cancelled',
    fx.eventId,
    {
      eventId: fx.eventId,
      organizerId: fx.organizerId,
      title: 'Test Concert',
      reason: 'Storm',
      cancelledBy: fx.organizerId,
      cancelledAt: new Date().toISOString(),
      aggregateVersion,
    },
    { source: 'event' },
  );
}

/**
 * An `event.updated` moving the fixture's event to start and end at the given times (still PUBLISHED, as
 * before the event service's sweeper announces ENDED); its ticket types keep their own sales end.
 */
export function rescheduledEnvelope(
  fx: EventFixture,
  startsAt: Date,
  endsAt: Date,
  aggregateVersion = 2,
): EventEnvelope {
  const { publishedAt: _publishedAt, ...published } = fx.published.data;
  return newEnvelope(
    'event.updated',
    fx.eventId,
    {
      ...published,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      changedFields: ['startsAt', 'endsAt'],
      updatedAt: new Date().toISOString(),
      aggregateVersion,
    },
    { source: 'event' },
  );
}
