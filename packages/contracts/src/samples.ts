// Realistic, valid data for every event type, for tests here and in other packages.
// `sampleData(type)` and `sampleEnvelope(type)` return fresh copies that callers may change.
import {
  EVENT_TYPES,
  newEnvelope,
  type EventData,
  type EventEnvelope,
  type EventType,
  type NewEnvelopeOptions,
} from './registry';
import type { TicketTypeSnapshot } from './snapshots/ticket-type.snapshot';

export const SAMPLE_IDS = {
  organizer: '6745a1f0c2d4e8b9a0f1c201',
  buyer: '6745a1f0c2d4e8b9a0f1c202',
  recipient: '6745a1f0c2d4e8b9a0f1c203',
  staff: '6745a1f0c2d4e8b9a0f1c204',
  event: '6745a2b3c2d4e8b9a0f1d301',
  gaType: '6745a2b3c2d4e8b9a0f1d311',
  seatedType: '6745a2b3c2d4e8b9a0f1d312',
  reservation: '7c1e4a52-93b8-4d6f-a0e2-5b9c8d7e6f10',
  order: '6745a4d5c2d4e8b9a0f1e501',
  ticket1: '6745a4d5c2d4e8b9a0f1e511',
  ticket2: '6745a4d5c2d4e8b9a0f1e512',
  transfer: '6745a4d5c2d4e8b9a0f1e521',
  checkin: 'b4f0d2c6-1a3e-4f58-9c7b-2e6d8a0f4b31',
} as const;

const ID = SAMPLE_IDS;

const gaType: TicketTypeSnapshot = {
  ticketTypeId: ID.gaType,
  eventId: ID.event,
  name: 'Standing',
  kind: 'GENERAL_ADMISSION',
  quantity: 800,
  basePrice: { amount: 4500, currency: 'EUR' },
  perOrderMax: 6,
  perBuyerMax: 8,
  salesStart: '2026-12-01T09:00:00.000Z',
  salesEnd: '2027-03-14T18:00:00.000Z',
  pricingPolicy: {
    kind: 'DEMAND',
    floor: { amount: 3500, currency: 'EUR' },
    ceiling: { amount: 9000, currency: 'EUR' },
    maxStepPct: 10,
    hysteresisPct: 5,
  },
  aggregateVersion: 3,
};

const seatedType: TicketTypeSnapshot = {
  ticketTypeId: ID.seatedType,
  eventId: ID.event,
  name: 'Balcony',
  kind: 'RESERVED',
  quantity: 4,
  seatIds: ['BAL:1:1', 'BAL:1:2', 'BAL:1:3', 'BAL:1:4'],
  basePrice: { amount: 7900, currency: 'EUR' },
  perOrderMax: 4,
  perBuyerMax: 4,
  salesStart: '2026-12-01T09:00:00.000Z',
  salesEnd: '2027-03-14T18:00:00.000Z',
  pricingPolicy: {
    kind: 'TIERED',
    tiers: [
      { price: { amount: 6900, currency: 'EUR' }, untilSold: 2, until: '2027-01-31T23:00:00.000Z' },
      { price: { amount: 7900, currency: 'EUR' } },
    ],
  },
  aggregateVersion: 1,
};

const eventSnapshot = {
  eventId: ID.event,
  organizerId: ID.organizer,
  title: 'Nightjar Quartet — Spring Tour',
  category: 'music',
  startsAt: '2027-03-14T19:00:00.000Z',
  endsAt: '2027-03-14T22:30:00.000Z',
  timezone: 'Europe/Berlin',
  venue: { name: 'Tempodrom', address: 'Möckernstraße 10', city: 'Berlin', capacity: 1000 },
  salesStart: '2026-12-01T09:00:00.000Z',
  salesEnd: '2027-03-14T18:00:00.000Z',
  transferPolicy: { allowed: true, deadline: '2027-03-13T23:00:00.000Z' },
  ticketTypes: [gaType, seatedType],
};

const reservation = {
  reservationId: ID.reservation,
  eventId: ID.event,
  ticketTypeId: ID.seatedType,
  buyerId: ID.buyer,
  quantity: 2,
  seatIds: ['BAL:1:2', 'BAL:1:3'],
  unitPrice: { amount: 6900, currency: 'EUR' },
  expiresAt: '2026-12-02T10:10:00.000Z',
};

export const samples: { readonly [T in EventType]: EventData<T> } = {
  'user.registered': {
    userId: ID.buyer,
    email: 'mara.lindqvist@example.com',
    name: 'Mara Lindqvist',
    role: 'ATTENDEE',
    registeredAt: '2026-11-20T08:15:42.120Z',
    aggregateVersion: 1,
  },
  'event.published': {
    ...eventSnapshot,
    perBuyerMax: 6,
    doorsOpenAt: '2027-03-14T17:30:00.000Z',
    allowReentry: true,
    status: 'PUBLISHED',
    publishedAt: '2026-11-24T16:00:00.000Z',
    aggregateVersion: 4,
  },
  'event.updated': {
    ...eventSnapshot,
    endsAt: '2027-03-14T23:00:00.000Z',
    doorsOpenAt: null,
    allowReentry: false,
    status: 'PUBLISHED',
    changedFields: ['endsAt'],
    updatedAt: '2026-11-25T10:00:00.000Z',
    aggregateVersion: 5,
  },
  'event.cancelled': {
    eventId: ID.event,
    organizerId: ID.organizer,
    title: 'Nightjar Quartet — Spring Tour',
    reason: 'The band cancelled the tour for health reasons.',
    cancelledBy: ID.organizer,
    cancelledAt: '2027-02-01T12:00:00.000Z',
    aggregateVersion: 6,
  },
  'ticket-type.upserted': { ...gaType, perBuyerMax: 10, aggregateVersion: 4 },
  'event.staff-changed': {
    eventId: ID.event,
    organizerId: ID.organizer,
    staff: [
      { userId: ID.staff, email: 'gate.crew@example.com' },
      { userId: null, email: 'door.lead@example.com' },
    ],
    changedAt: '2026-11-26T09:30:00.000Z',
    aggregateVersion: 2,
  },
  'event.viewed': {
    eventId: ID.event,
    count: 137,
    windowStart: '2026-12-01T09:00:00.000Z',
    windowEnd: '2026-12-01T09:00:05.000Z',
  },
  'reservation.created': { ...reservation, createdAt: '2026-12-02T10:00:00.000Z', aggregateVersion: 1 },
  'reservation.expired': { ...reservation, expiredAt: '2026-12-02T10:10:01.350Z', aggregateVersion: 2 },
  'reservation.released': {
    ...reservation,
    releasedAt: '2026-12-02T10:03:12.000Z',
    releasedBy: ID.buyer,
    aggregateVersion: 2,
  },
  'order.confirmed': {
    orderId: ID.order,
    reservationId: ID.reservation,
    eventId: ID.event,
    buyerId: ID.buyer,
    lines: [
      {
        ticketTypeId: ID.seatedType,
        quantity: 2,
        seatIds: ['BAL:1:2', 'BAL:1:3'],
        unitPrice: { amount: 6900, currency: 'EUR' },
      },
    ],
    total: { amount: 13800, currency: 'EUR' },
    ticketIds: [ID.ticket1, ID.ticket2],
    confirmedAt: '2026-12-02T10:04:30.000Z',
    aggregateVersion: 2,
  },
  'ticket.issued': {
    ticketId: ID.ticket1,
    eventId: ID.event,
    ticketTypeId: ID.seatedType,
    ticketTypeName: 'Balcony',
    orderId: ID.order,
    holderId: ID.buyer,
    holderName: 'Mara Lindqvist',
    generation: 1,
    seatId: 'BAL:1:2',
    issuedAt: '2026-12-02T10:04:30.000Z',
    aggregateVersion: 1,
  },
  'ticket.transfer-offered': {
    ticketId: ID.ticket1,
    eventId: ID.event,
    transferId: ID.transfer,
    generation: 1,
    offeredAt: '2027-01-10T18:20:00.000Z',
    aggregateVersion: 2,
  },
  'ticket.transfer-withdrawn': {
    ticketId: ID.ticket1,
    eventId: ID.event,
    transferId: ID.transfer,
    generation: 1,
    reason: 'DECLINED',
    withdrawnAt: '2027-01-10T18:21:00.000Z',
    aggregateVersion: 3,
  },
  'ticket.transferred': {
    ticketId: ID.ticket1,
    eventId: ID.event,
    ticketTypeId: ID.seatedType,
    transferId: ID.transfer,
    fromHolderId: ID.buyer,
    toHolderId: ID.recipient,
    toHolderName: 'Jonas Okafor',
    generation: 2,
    previousGeneration: 1,
    transferredAt: '2027-01-10T18:22:00.000Z',
    aggregateVersion: 2,
  },
  'ticket.revoked': {
    ticketId: ID.ticket1,
    eventId: ID.event,
    generation: 1,
    reason: 'TRANSFERRED',
    revokedAt: '2027-01-10T18:22:00.000Z',
    aggregateVersion: 2,
  },
  'price.changed': {
    ticketTypeId: ID.gaType,
    eventId: ID.event,
    price: { amount: 4950, currency: 'EUR' },
    previous: { amount: 4500, currency: 'EUR' },
    reason: 'DEMAND',
    effectiveAt: '2026-12-01T09:05:00.000Z',
    priceVersion: 2,
    factors: [
      { name: 'BASE', value: 4500, detail: 'base price of the ticket type' },
      { name: 'PACE', value: 0.4, detail: '28 units moved in 15 min against 20 expected' },
      { name: 'TARGET', value: 5400, detail: 'base × (1 + 0.5 × 0.4)' },
      { name: 'STEP_LIMIT', value: 10, detail: 'at most 10% per change' },
    ],
  },
  'checkin.recorded': {
    checkinId: ID.checkin,
    ticketId: ID.ticket1,
    eventId: ID.event,
    generation: 2,
    gate: 'North 2',
    scannedBy: ID.staff,
    at: '2027-03-14T18:41:07.512Z',
    method: 'QR',
    result: 'ADMITTED',
    deviceId: 'scanner-07',
    offline: false,
    direction: 'ENTRY',
    reentry: false,
  },
};

/** A fresh, valid copy of the sample data of `type`. */
export function sampleData<T extends EventType>(type: T): EventData<T> {
  return structuredClone(samples[type]) as EventData<T>;
}

/** A valid envelope around the sample of `type` (fixed id and time unless overridden). */
export function sampleEnvelope<T extends EventType>(
  type: T,
  options: Partial<NewEnvelopeOptions> = {},
): EventEnvelope<T> {
  const data = sampleData(type);
  const key = (EVENT_TYPES[type].key as (d: unknown) => string)(data);
  return newEnvelope(type, key, data, {
    source: 'sample',
    id: '3f2b8c1e-7d4a-4e6b-9a5c-1d0e2f3a4b5c',
    occurredAt: '2026-12-02T10:04:30.000Z',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    ...options,
  });
}
