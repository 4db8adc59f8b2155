// One table row per event type: its sample validates under its own schema, is refused by every other
// event's schema, and each malformed variant of it is refused at the expected path.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { EventDefinition } from '../define-event';
import { EVENT_TYPE_LIST, EVENT_TYPES, validateEventData, type EventType } from '../registry';
import { SAMPLE_IDS, sampleData, samples } from '../samples';
import { TOPICS } from '../topics';
import { checkinRecordedEvent } from './checkin-recorded.event';
import { eventCancelledEvent } from './event-cancelled.event';
import { eventPublishedEvent } from './event-published.event';
import { eventStaffChangedEvent } from './event-staff-changed.event';
import { eventUpdatedEvent } from './event-updated.event';
import { eventViewedEvent } from './event-viewed.event';
import { orderConfirmedEvent } from './order-confirmed.event';
import { priceChangedEvent } from './price-changed.event';
import { reservationCreatedEvent } from './reservation-created.event';
import { reservationExpiredEvent } from './reservation-expired.event';
import { reservationReleasedEvent } from './reservation-released.event';
import { ticketIssuedEvent } from './ticket-issued.event';
import { ticketRevokedEvent } from './ticket-revoked.event';
import { ticketTransferOfferedEvent } from './ticket-transfer-offered.event';
import { ticketTransferWithdrawnEvent } from './ticket-transfer-withdrawn.event';
import { ticketTransferredEvent } from './ticket-transferred.event';
import { ticketTypeUpsertedEvent } from './ticket-type-upserted.event';
import { userRegisteredEvent } from './user-registered.event';
import { contractError } from '../testing/contract-error';

type Mutation = (d: any) => void;
interface Expectation {
  /** The definition module that owns the type. */
  definition: EventDefinition<string, z.ZodType>;
  topic: string;
  /** Field whose value must be the partition key. */
  keyField: string;
  /** Malformed variants: name → [mutation, path the error must name]. */
  invalid: Record<string, [Mutation, string]>;
  /** Other shapes the contract must accept. */
  valid?: Record<string, Mutation>;
}

const other = '6745ffffc2d4e8b9a0f1ffff';

const expectations: Record<EventType, Expectation> = {
  'user.registered': {
    definition: userRegisteredEvent,
    topic: TOPICS.users,
    keyField: 'userId',
    invalid: {
      'missing email': [(d) => delete d.email, 'email'],
      'malformed email': [(d) => (d.email = 'mara.example.com'), 'email'],
      'unknown role': [(d) => (d.role = 'ROOT'), 'role'],
      'time with an offset': [(d) => (d.registeredAt = '2026-11-20T09:15:42+01:00'), 'registeredAt'],
      'version 0': [(d) => (d.aggregateVersion = 0), 'aggregateVersion'],
    },
  },
  'event.published': {
    definition: eventPublishedEvent,
    topic: TOPICS.events,
    keyField: 'eventId',
    invalid: {
      'missing ticket types': [(d) => delete d.ticketTypes, 'ticketTypes'],
      'no ticket type': [(d) => (d.ticketTypes = []), 'ticketTypes'],
      'zero event-wide buyer limit': [(d) => (d.perBuyerMax = 0), 'perBuyerMax'],
      'fractional event-wide buyer limit': [(d) => (d.perBuyerMax = 1.5), 'perBuyerMax'],
      'draft status': [(d) => (d.status = 'DRAFT'), 'status'],
      'ends before it starts': [(d) => (d.endsAt = '2027-03-14T18:00:00.000Z'), 'endsAt'],
      'negative price': [(d) => (d.ticketTypes[0].basePrice.amount = -1), 'ticketTypes.0.basePrice.amount'],
      'fractional price': [
        (d) => (d.ticketTypes[0].basePrice.amount = 45.5),
        'ticketTypes.0.basePrice.amount',
      ],
      'unknown currency': [
        (d) => (d.ticketTypes[1].basePrice.currency = 'EURO'),
        'ticketTypes.1.basePrice.currency',
      ],
      'quantities over capacity': [(d) => (d.venue.capacity = 500), 'ticketTypes'],
      'seat in two ticket types': [
        (d) =>
          d.ticketTypes.push({ ...d.ticketTypes[1], ticketTypeId: other, quantity: 1, seatIds: ['BAL:1:4'] }),
        'ticketTypes.2.seatIds',
      ],
      'ticket type of another event': [(d) => (d.ticketTypes[1].eventId = other), 'ticketTypes.1.eventId'],
      'unknown time zone': [(d) => (d.timezone = 'Mars/Olympus_Mons'), 'timezone'],
      'missing transfer deadline field': [(d) => delete d.transferPolicy.deadline, 'transferPolicy.deadline'],
      'doors open after the start': [(d) => (d.doorsOpenAt = '2027-03-14T19:00:01.000Z'), 'doorsOpenAt'],
      'doors open not an instant': [(d) => (d.doorsOpenAt = 'at six'), 'doorsOpenAt'],
      're-entry not a boolean': [(d) => (d.allowReentry = 'yes'), 'allowReentry'],
    },
    valid: {
      'no event-wide buyer limit (absent)': (d) => delete d.perBuyerMax,
      'without doors or re-entry (older producers)': (d) => {
        delete d.doorsOpenAt;
        delete d.allowReentry;
      },
      'doors open at the start': (d) => (d.doorsOpenAt = d.startsAt),
      'no transfer deadline': (d) => (d.transferPolicy = { allowed: false, deadline: null }),
      'venue without address': (d) => delete d.venue.address,
    },
  },
  'event.updated': {
    definition: eventUpdatedEvent,
    topic: TOPICS.events,
    keyField: 'eventId',
    invalid: {
      'no changed field': [(d) => (d.changedFields = []), 'changedFields'],
      'cancelled status': [(d) => (d.status = 'CANCELLED'), 'status'],
      'missing updatedAt': [(d) => delete d.updatedAt, 'updatedAt'],
      'sales end before start': [(d) => (d.salesEnd = '2026-11-01T00:00:00.000Z'), 'salesEnd'],
    },
    valid: {
      'ended event': (d) => (d.status = 'ENDED'),
      'no event-wide buyer limit (null)': (d) => (d.perBuyerMax = null),
      'an event-wide buyer limit': (d) => (d.perBuyerMax = 4),
      'doors and re-entry set': (d) => {
        d.doorsOpenAt = '2027-03-14T18:00:00.000Z';
        d.allowReentry = true;
      },
    },
  },
  'event.cancelled': {
    definition: eventCancelledEvent,
    topic: TOPICS.events,
    keyField: 'eventId',
    invalid: {
      'empty reason': [(d) => (d.reason = ''), 'reason'],
      'missing cancelledBy': [(d) => delete d.cancelledBy, 'cancelledBy'],
      'organizer id not an id': [(d) => (d.organizerId = 'organizer-1'), 'organizerId'],
    },
  },
  'ticket-type.upserted': {
    definition: ticketTypeUpsertedEvent,
    topic: TOPICS.events,
    keyField: 'eventId',
    invalid: {
      'reserved without seats': [(d) => (d.kind = 'RESERVED'), 'seatIds'],
      'zero quantity': [(d) => (d.quantity = 0), 'quantity'],
      'negative price': [(d) => (d.basePrice.amount = -500), 'basePrice.amount'],
      'unknown currency': [(d) => (d.basePrice.currency = 'XYZ'), 'basePrice.currency'],
      'floor above base price': [(d) => (d.pricingPolicy.floor.amount = 5000), 'pricingPolicy'],
      'ceiling in another currency': [(d) => (d.pricingPolicy.ceiling.currency = 'USD'), 'pricingPolicy'],
      'step over 100 %': [(d) => (d.pricingPolicy.maxStepPct = 150), 'pricingPolicy.maxStepPct'],
      'unknown policy kind': [(d) => (d.pricingPolicy.kind = 'AUCTION'), 'pricingPolicy.kind'],
      'per-order above per-buyer': [(d) => (d.perOrderMax = 20), 'perOrderMax'],
      'sales end before start': [(d) => (d.salesEnd = '2026-11-30T00:00:00.000Z'), 'salesEnd'],
      'missing ticketTypeId': [(d) => delete d.ticketTypeId, 'ticketTypeId'],
    },
    valid: {
      'fixed price': (d) => (d.pricingPolicy = { kind: 'FIXED' }),
      'reserved with its seats': (d) =>
        Object.assign(d, { kind: 'RESERVED', quantity: 2, seatIds: ['A:1:1', 'A:1:2'] }),
      'tiered by date': (d) =>
        (d.pricingPolicy = {
          kind: 'TIERED',
          tiers: [
            { price: { amount: 3900, currency: 'EUR' }, until: '2027-01-01T00:00:00.000Z' },
            { price: { amount: 4500, currency: 'EUR' } },
          ],
        }),
    },
  },
  'event.staff-changed': {
    definition: eventStaffChangedEvent,
    topic: TOPICS.events,
    keyField: 'eventId',
    invalid: {
      'malformed staff email': [(d) => (d.staff[0].email = 'gate crew'), 'staff.0.email'],
      'same email twice': [(d) => (d.staff[1].email = 'Gate.Crew@example.com'), 'staff'],
      'missing staff list': [(d) => delete d.staff, 'staff'],
      'missing userId (must be null, not absent)': [(d) => delete d.staff[1].userId, 'staff.1.userId'],
    },
    valid: { 'empty list': (d) => (d.staff = []) },
  },
  'event.viewed': {
    definition: eventViewedEvent,
    topic: TOPICS.eventViews,
    keyField: 'eventId',
    invalid: {
      'zero views': [(d) => (d.count = 0), 'count'],
      'missing window start': [(d) => delete d.windowStart, 'windowStart'],
      'count as a string': [(d) => (d.count = '137'), 'count'],
      'window ends before it starts': [(d) => (d.windowEnd = '2026-12-01T08:59:00.000Z'), 'windowEnd'],
    },
  },
  'reservation.created': {
    definition: reservationCreatedEvent,
    topic: TOPICS.reservations,
    keyField: 'eventId',
    invalid: {
      'zero quantity': [(d) => (d.quantity = 0), 'quantity'],
      'seats not matching quantity': [(d) => (d.quantity = 3), 'seatIds'],
      'negative unit price': [(d) => (d.unitPrice.amount = -100), 'unitPrice.amount'],
      'missing expiresAt': [(d) => delete d.expiresAt, 'expiresAt'],
      'seat held twice': [(d) => (d.seatIds = ['BAL:1:2', 'BAL:1:2']), 'seatIds'],
    },
    valid: { 'general admission': (d) => delete d.seatIds },
  },
  'reservation.expired': {
    definition: reservationExpiredEvent,
    topic: TOPICS.reservations,
    keyField: 'eventId',
    invalid: {
      'missing expiredAt': [(d) => delete d.expiredAt, 'expiredAt'],
      'numeric buyer id': [(d) => (d.buyerId = 42), 'buyerId'],
      'missing unit price currency': [(d) => delete d.unitPrice.currency, 'unitPrice.currency'],
    },
  },
  'reservation.released': {
    definition: reservationReleasedEvent,
    topic: TOPICS.reservations,
    keyField: 'eventId',
    invalid: {
      'missing releasedBy': [(d) => delete d.releasedBy, 'releasedBy'],
      'release time not ISO': [(d) => (d.releasedAt = 'yesterday'), 'releasedAt'],
      'missing reservation id': [(d) => delete d.reservationId, 'reservationId'],
    },
  },
  'order.confirmed': {
    definition: orderConfirmedEvent,
    topic: TOPICS.orders,
    keyField: 'eventId',
    invalid: {
      'total not the sum of lines': [(d) => (d.total.amount = 13000), 'total.amount'],
      'one ticket short': [(d) => d.ticketIds.pop(), 'ticketIds'],
      'duplicate ticket': [(d) => (d.ticketIds[1] = d.ticketIds[0]), 'ticketIds'],
      'no lines': [(d) => (d.lines = []), 'lines'],
      'line in another currency': [
        (d) => (d.lines[0].unitPrice.currency = 'USD'),
        'lines.0.unitPrice.currency',
      ],
      'negative total': [(d) => (d.total.amount = -13800), 'total.amount'],
      'missing reservationId': [(d) => delete d.reservationId, 'reservationId'],
    },
  },
  'ticket.issued': {
    definition: ticketIssuedEvent,
    topic: TOPICS.tickets,
    keyField: 'eventId',
    invalid: {
      'missing holder name': [(d) => delete d.holderName, 'holderName'],
      'generation 0': [(d) => (d.generation = 0), 'generation'],
      'seat id with a dot': [(d) => (d.seatId = 'BAL.1.2'), 'seatId'],
      'holder id not an id': [(d) => (d.holderId = 'mara'), 'holderId'],
      'missing order id': [(d) => delete d.orderId, 'orderId'],
    },
    valid: { 'general admission without seat': (d) => delete d.seatId },
  },
  'ticket.transferred': {
    definition: ticketTransferredEvent,
    topic: TOPICS.tickets,
    keyField: 'eventId',
    invalid: {
      'generation not increased': [(d) => (d.generation = 1), 'generation'],
      'to the same holder': [(d) => (d.toHolderId = d.fromHolderId), 'toHolderId'],
      'missing recipient name': [(d) => delete d.toHolderName, 'toHolderName'],
      'missing previous generation': [(d) => delete d.previousGeneration, 'previousGeneration'],
    },
  },
  'ticket.transfer-offered': {
    definition: ticketTransferOfferedEvent,
    topic: TOPICS.tickets,
    keyField: 'eventId',
    invalid: {
      'generation 0': [(d) => (d.generation = 0), 'generation'],
      'missing transfer id': [(d) => delete d.transferId, 'transferId'],
      'offeredAt not an instant': [(d) => (d.offeredAt = 'soon'), 'offeredAt'],
    },
  },
  'ticket.transfer-withdrawn': {
    definition: ticketTransferWithdrawnEvent,
    topic: TOPICS.tickets,
    keyField: 'eventId',
    invalid: {
      'unknown reason': [(d) => (d.reason = 'BORED'), 'reason'],
      'withdrawnAt not an instant': [(d) => (d.withdrawnAt = 'later'), 'withdrawnAt'],
      'missing aggregate version': [(d) => delete d.aggregateVersion, 'aggregateVersion'],
    },
    valid: { 'checked in meanwhile': (d) => (d.reason = 'TICKET_CHECKED_IN') },
  },
  'ticket.revoked': {
    definition: ticketRevokedEvent,
    topic: TOPICS.tickets,
    keyField: 'eventId',
    invalid: {
      'unknown reason': [(d) => (d.reason = 'LOST'), 'reason'],
      'negative generation': [(d) => (d.generation = -1), 'generation'],
      'missing revokedAt': [(d) => delete d.revokedAt, 'revokedAt'],
    },
    valid: { 'event cancelled': (d) => (d.reason = 'EVENT_CANCELLED') },
  },
  'price.changed': {
    definition: priceChangedEvent,
    topic: TOPICS.prices,
    keyField: 'eventId',
    invalid: {
      'negative price': [(d) => (d.price.amount = -1), 'price.amount'],
      'lower-case currency': [(d) => (d.price.currency = 'eur'), 'price.currency'],
      'previous in another currency': [(d) => (d.previous.currency = 'USD'), 'previous.currency'],
      'no previous after the first version': [(d) => (d.previous = null), 'previous'],
      'missing priceVersion': [(d) => delete d.priceVersion, 'priceVersion'],
      'unknown reason': [(d) => (d.reason = 'WHIM'), 'reason'],
      'factor without a name': [(d) => delete d.factors[0].name, 'factors.0.name'],
      'factor with an infinite value': [(d) => (d.factors[1].value = Infinity), 'factors.1.value'],
      'empty quantity ladder': [(d) => (d.untilSold = []), 'untilSold'],
      'step count of zero': [
        (d) => (d.untilSold = [{ count: 0, next: { amount: 5900, currency: 'EUR' } }]),
        'untilSold.0.count',
      ],
      'step counts not increasing': [
        (d) =>
          (d.untilSold = [
            { count: 3, next: { amount: 5900, currency: 'EUR' } },
            { count: 3, next: { amount: 6900, currency: 'EUR' } },
          ]),
        'untilSold.1.count',
      ],
      'step in another currency': [
        (d) => (d.untilSold = [{ count: 3, next: { amount: 5900, currency: 'USD' } }]),
        'untilSold.0.next.currency',
      ],
      'missing step price': [(d) => (d.untilSold = [{ count: 3 }]), 'untilSold.0.next'],
    },
    valid: {
      'first price': (d) => Object.assign(d, { previous: null, priceVersion: 1, reason: 'INITIAL' }),
      'no factors (older producer)': (d) => delete d.factors,
      // The sample has no `untilSold`: what older producers send, and any price no quantity ends.
      'no quantity ladder (older producer, or no quantity tier)': (d) => delete d.untilSold,
      'a quantity tier with its ladder': (d) =>
        Object.assign(d, {
          reason: 'TIER',
          untilSold: [
            { count: 3, next: { amount: 5900, currency: 'EUR' } },
            { count: 10, next: { amount: 6900, currency: 'EUR' } },
          ],
        }),
    },
  },
  'checkin.recorded': {
    definition: checkinRecordedEvent,
    topic: TOPICS.checkins,
    keyField: 'eventId',
    invalid: {
      'admitted without a ticket': [(d) => (d.ticketId = null), 'ticketId'],
      'unknown result': [(d) => (d.result = 'OK'), 'result'],
      'empty gate': [(d) => (d.gate = ''), 'gate'],
      'missing scannedBy': [(d) => delete d.scannedBy, 'scannedBy'],
      'scan time not UTC': [(d) => (d.at = '2027-03-14 19:41:07'), 'at'],
      'empty deviceId': [(d) => (d.deviceId = ''), 'deviceId'],
      'offline not a boolean': [(d) => (d.offline = 'yes'), 'offline'],
      'unknown direction': [(d) => (d.direction = 'IN'), 'direction'],
      're-entry flag not a boolean': [(d) => (d.reentry = 1), 'reentry'],
    },
    valid: {
      'before the doors open': (d) => (d.result = 'NOT_YET_OPEN'),
      'without the optional device and offline fields (version 1 producers)': (d) => {
        delete d.deviceId;
        delete d.offline;
        delete d.direction;
        delete d.reentry;
      },
      'back in after an exit': (d) => Object.assign(d, { result: 'ADMITTED', reentry: true }),
      'an exit': (d) => Object.assign(d, { result: 'EXITED', direction: 'EXIT' }),
      'an exit where re-entry is not allowed': (d) =>
        Object.assign(d, { result: 'REENTRY_NOT_ALLOWED', direction: 'EXIT' }),
      'an exit of a ticket not inside': (d) => Object.assign(d, { result: 'NOT_INSIDE', direction: 'EXIT' }),
      'uploaded by an offline device': (d) => Object.assign(d, { offline: true, result: 'ALREADY_ADMITTED' }),
      'unreadable code': (d) =>
        Object.assign(d, { ticketId: null, generation: null, result: 'INVALID_CODE' }),
      'second scan': (d) => (d.result = 'ALREADY_ADMITTED'),
    },
  },
};

/** True when `schema` accepts `value` without dropping or changing anything. */
function acceptsExactly(schema: z.ZodType, value: unknown): boolean {
  const result = schema.safeParse(value);
  return result.success && isDeepStrictEqual(result.data, value);
}

describe('event contracts', () => {
  it('registers exactly the event types tested here', () => {
    expect([...EVENT_TYPE_LIST].sort()).toEqual(Object.keys(expectations).sort());
    expect(EVENT_TYPE_LIST).toHaveLength(18);
  });

  it('gives every event type its own schema object', () => {
    const schemas = EVENT_TYPE_LIST.map((type) => EVENT_TYPES[type].schema);
    expect(new Set(schemas).size).toBe(schemas.length);
  });

  describe.each(EVENT_TYPE_LIST)('%s', (type) => {
    const exp = expectations[type];
    const def = EVENT_TYPES[type] as unknown as EventDefinition<string, z.ZodType>;

    it('is registered under its own type, module, topic and version 1', () => {
      expect(def).toBe(exp.definition);
      expect(def.type).toBe(type);
      expect(def.topic).toBe(exp.topic);
      expect(def.version).toBe(1);
    });

    it('accepts its sample exactly', () => {
      const sample = sampleData(type);
      expect(acceptsExactly(def.schema, sample)).toBe(true);
      expect(validateEventData(type, sample)).toEqual(samples[type]);
    });

    it('derives its partition key from the right field', () => {
      const sample = sampleData(type) as Record<string, unknown>;
      expect(def.key(sample)).toBe(sample[exp.keyField]);
      expect(def.key(sample)).toBe(type === 'user.registered' ? SAMPLE_IDS.buyer : SAMPLE_IDS.event);
    });

    it('is refused by every other event schema', () => {
      const sample = sampleData(type);
      for (const otherType of EVENT_TYPE_LIST.filter((t) => t !== type)) {
        expect(
          acceptsExactly(EVENT_TYPES[otherType].schema, sample),
          `${type} sample under ${otherType}`,
        ).toBe(false);
      }
    });

    it('has malformed variants covering a missing field', () => {
      expect(Object.keys(exp.invalid).length).toBeGreaterThanOrEqual(3);
      expect(Object.keys(exp.invalid).some((name) => name.startsWith('missing'))).toBe(true);
    });

    it.each(Object.entries(exp.invalid))('refuses %s', (_name, [mutate, path]) => {
      const data = sampleData(type);
      mutate(data);
      const error = contractError(() => validateEventData(type, data));
      expect(error.issues.map((i) => i.path)).toContain(`data.${path}`);
      expect(error.message).toContain(`data.${path}`);
    });

    it.each(Object.entries(exp.valid ?? { 'the sample unchanged': () => undefined }))(
      'accepts %s',
      (_name, mutate) => {
        const data = sampleData(type);
        mutate(data);
        expect(acceptsExactly(def.schema, data)).toBe(true);
      },
    );
  });
});
