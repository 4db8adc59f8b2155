import {
  newEnvelope,
  type EventEnvelope,
  type PricingPolicy,
  type TicketTypeSnapshot,
} from '@ticketing/contracts';
import type { TestTokenUser } from '@ticketing/platform/testing';
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';

export const oid = (): string => new Types.ObjectId().toHexString();
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 24 * 3600_000;

export function user(role: 'ATTENDEE' | 'ORGANIZER' | 'ADMIN' = 'ATTENDEE'): TestTokenUser {
  const id = oid();
  return { id, email: `${role.toLowerCase()}-${id}@example.test`, role, name: `Test ${role}` };
}

export interface PricedEvent {
  eventId: string;
  organizerId: string;
  typeId: string;
  type: TicketTypeSnapshot;
  published: EventEnvelope<'event.published'>;
}

/** A published event on sale now with one general-admission type under `policy`. */
export function pricedEvent(
  options: { organizerId?: string; policy?: PricingPolicy; basePrice?: number; quantity?: number } = {},
): PricedEvent {
  const eventId = oid();
  const organizerId = options.organizerId ?? oid();
  const typeId = oid();
  const now = Date.now();
  const type: TicketTypeSnapshot = {
    ticketTypeId: typeId,
    eventId,
    name: 'Standing',
    kind: 'GENERAL_ADMISSION',
    quantity: options.quantity ?? 1000,
    basePrice: { amount: options.basePrice ?? 5000, currency: 'EUR' },
    perOrderMax: 10,
    perBuyerMax: 10,
    salesStart: iso(now - 3600_000),
    salesEnd: iso(now + 30 * DAY),
    pricingPolicy: options.policy ?? { kind: 'FIXED' },
    aggregateVersion: 1,
  };
  const published = newEnvelope(
    'event.published',
    eventId,
    {
      eventId,
      organizerId,
      title: 'Pricing Test Night',
      category: 'music',
      startsAt: iso(now + 40 * DAY),
      endsAt: iso(now + 40 * DAY + 3 * 3600_000),
      timezone: 'Europe/Berlin',
      venue: { name: 'Hall', city: 'Berlin', capacity: 100_000 },
      salesStart: type.salesStart,
      salesEnd: type.salesEnd,
      transferPolicy: { allowed: true, deadline: null },
      ticketTypes: [type],
      status: 'PUBLISHED',
      publishedAt: iso(now),
      aggregateVersion: 1,
    },
    { source: 'event' },
  );
  return { eventId, organizerId, typeId, type, published };
}

/** An order.confirmed of `quantity` units of one type, confirmed now. */
/** The event of `fx` cancelled by its organizer, now (version 2). */
export function eventCancelled(fx: PricedEvent, reason = 'Venue closed'): EventEnvelope<'event.cancelled'> {
  return newEnvelope(
    'event.cancelled',
    fx.eventId,
    {
      eventId: fx.eventId,
      organizerId: fx.organizerId,
      title: fx.published.data.title,
      reason,
      cancelledBy: fx.organizerId,
      cancelledAt: new Date().toISOString(),
      aggregateVersion: 2,
    },
    { source: 'event' },
  );
}

export function orderConfirmed(fx: PricedEvent, quantity = 1): EventEnvelope<'order.confirmed'> {
  const unitPrice = { amount: fx.type.basePrice.amount, currency: 'EUR' };
  return newEnvelope(
    'order.confirmed',
    fx.eventId,
    {
      orderId: oid(),
      reservationId: randomUUID(),
      eventId: fx.eventId,
      buyerId: oid(),
      lines: [{ ticketTypeId: fx.typeId, quantity, unitPrice }],
      total: { amount: unitPrice.amount * quantity, currency: 'EUR' },
      ticketIds: Array.from({ length: quantity }, () => oid()),
      confirmedAt: new Date().toISOString(),
      aggregateVersion: 2,
    },
    { source: 'ticket' },
  );
}

/** A reservation.created of `quantity` units, created now. */
export function reservationCreated(fx: PricedEvent, quantity = 1): EventEnvelope<'reservation.created'> {
  return newEnvelope(
    'reservation.created',
    fx.eventId,
    {
      reservationId: randomUUID(),
      eventId: fx.eventId,
      ticketTypeId: fx.typeId,
      buyerId: oid(),
      quantity,
      unitPrice: { amount: fx.type.basePrice.amount, currency: 'EUR' },
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      createdAt: new Date().toISOString(),
      aggregateVersion: 1,
    },
    { source: 'ticket' },
  );
}
