import { randomUUID } from 'node:crypto';
import type { EventDoc, TicketTypeDoc } from '../events/domain/event.types';
import { buildSeatMap } from '../events/domain/seat-map';

/** A published-ready event document for unit tests; override what the test is about. */
export function eventDocFixture(overrides: Partial<EventDoc> = {}): EventDoc {
  const now = new Date('2027-01-01T10:00:00.000Z');
  const id = randomUUID();
  return {
    _id: id,
    organizerId: randomUUID(),
    title: 'Jazz at the Docks',
    description: 'An evening of jazz',
    category: 'MUSIC',
    venue: {
      name: 'Dock Hall',
      address: '1 Quay Street',
      city: 'Lyon',
      capacity: 100,
      seatMap: buildSeatMap({ sections: [{ name: 'A', rows: [{ name: '1', seatCount: 10 }] }] }, 100),
    },
    startsAt: new Date('2027-06-01T18:00:00.000Z'),
    endsAt: new Date('2027-06-01T23:00:00.000Z'),
    timeZone: 'Europe/Paris',
    status: 'PUBLISHED',
    salesStartAt: null,
    salesEndAt: null,
    transferPolicy: { allowed: true, deadline: null },
    ticketTypes: [],
    allocated: 0,
    assignedSeats: [],
    staff: [],
    searchTerms: [],
    cityKey: 'lyon',
    cancelReason: null,
    publishedAt: now,
    cancelledAt: null,
    version: 3,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function ticketTypeFixture(overrides: Partial<TicketTypeDoc> = {}): TicketTypeDoc {
  const now = new Date('2027-01-01T10:00:00.000Z');
  return {
    id: randomUUID(),
    name: 'Standing',
    priceMinor: 2500,
    currency: 'EUR',
    kind: 'GENERAL_ADMISSION',
    quantity: 50,
    seatIds: [],
    perOrderMax: 6,
    perBuyerMax: 10,
    salesStartAt: null,
    salesEndAt: null,
    pricing: { type: 'FIXED', tiers: [] },
    version: 1,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}
