import { MAX_PRICE_MINOR } from '@ticketing/contracts';
import { describe, expect, it } from 'vitest';
import {
  checkCancelReason,
  checkEventTexts,
  checkNotPast,
  checkPlausibleSchedule,
  checkPricing,
  checkPublishable,
  checkSchedule,
  checkTicketType,
  checkTicketTypeWindows,
  checkTimeZoneName,
  checkVenueChange,
  checkVenueText,
  isIanaTimeZone,
  maxPriceText,
  type TicketTypeDraft,
} from './event-rules';
import type { EventDoc, TicketTypeDoc } from './event.types';
import { RuleViolation } from './rule-violation';
import { buildSeatMap } from './seat-map';

const currencies = new Set(['EUR', 'USD']);
const endsAt = new Date('2027-06-01T23:00:00Z');

function violation(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleViolation) return err;
    throw err;
  }
  throw new Error('expected a RuleViolation');
}

function eventWith(overrides: Partial<EventDoc> = {}) {
  return {
    venue: {
      name: 'Hall',
      address: '1 Main St',
      city: 'Lyon',
      capacity: 100,
      seatMap: buildSeatMap({ sections: [{ name: 'A', rows: [{ name: '1', seatCount: 10 }] }] }, 100),
    },
    ticketTypes: [] as TicketTypeDoc[],
    allocated: 0,
    assignedSeats: [] as string[],
    endsAt,
    ...overrides,
  };
}

const ga = (over: Partial<TicketTypeDraft> = {}): TicketTypeDraft => ({
  name: 'Standing',
  priceMinor: 2500,
  currency: 'EUR',
  kind: 'GENERAL_ADMISSION',
  quantity: 50,
  perOrderMax: 6,
  perBuyerMax: 10,
  pricing: { type: 'FIXED' },
  ...over,
});

const existing = (over: Partial<TicketTypeDoc>): TicketTypeDoc => ({
  id: 'tt-1',
  name: 'Existing',
  priceMinor: 1000,
  currency: 'EUR',
  kind: 'RESERVED',
  quantity: 2,
  seatIds: ['A-1-1', 'A-1-2'],
  perOrderMax: 2,
  perBuyerMax: 2,
  pricing: { type: 'FIXED' },
  version: 1,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...over,
});

describe('checkSchedule', () => {
  const base = {
    startsAt: new Date('2027-06-01T18:00:00Z'),
    endsAt,
    timeZone: 'Europe/Paris',
    transferPolicy: { allowed: true },
  };
  it('accepts a coherent schedule', () => {
    expect(() => checkSchedule(base)).not.toThrow();
  });
  it('refuses an end before the start on endsAt', () => {
    expect(violation(() => checkSchedule({ ...base, endsAt: new Date('2027-06-01T17:00:00Z') })).field).toBe(
      'endsAt',
    );
  });
  it('refuses an unknown time zone', () => {
    expect(violation(() => checkSchedule({ ...base, timeZone: 'Mars/Olympus' })).field).toBe('timeZone');
  });
  it('refuses sales that close after the event', () => {
    expect(
      violation(() => checkSchedule({ ...base, salesEndAt: new Date('2027-06-02T00:00:00Z') })).field,
    ).toBe('salesEndAt');
  });
  it('refuses a transfer deadline when transfers are not allowed', () => {
    const v = violation(() =>
      checkSchedule({ ...base, transferPolicy: { allowed: false, deadline: base.startsAt } }),
    );
    expect(v.field).toBe('transferPolicy.deadline');
  });
});

describe('schedule fields a caller did not send are not blamed', () => {
  const base = {
    startsAt: new Date('2027-06-01T18:00:00Z'),
    endsAt,
    timeZone: 'Europe/Paris',
    transferPolicy: { allowed: true, deadline: new Date('2027-06-01T22:00:00Z') },
    doorsOpenAt: new Date('2027-06-01T17:00:00Z'),
    salesEndAt: new Date('2027-05-31T00:00:00Z'),
  };
  it('blames the new end for a stored transfer deadline after it', () => {
    const next = { ...base, endsAt: new Date('2027-06-01T21:00:00Z') };
    expect(violation(() => checkSchedule(next, new Set(['endsAt']))).field).toBe('endsAt');
    // Both sent (or a create): the deadline, as before.
    expect(violation(() => checkSchedule(next)).field).toBe('transferPolicy.deadline');
    expect(violation(() => checkSchedule(next, new Set(['endsAt', 'transferPolicy.deadline']))).field).toBe(
      'transferPolicy.deadline',
    );
  });
  it('blames the new start for stored doors after it, and a new start of sales after their stored end', () => {
    const early = { ...base, startsAt: new Date('2027-06-01T16:00:00Z') };
    expect(violation(() => checkSchedule(early, new Set(['startsAt']))).field).toBe('startsAt');
    const sales = { ...base, salesStartAt: new Date('2027-05-31T12:00:00Z') };
    expect(violation(() => checkSchedule(sales, new Set(['salesStartAt']))).field).toBe('salesStartAt');
  });
});

describe('time zones', () => {
  it('accepts IANA names, UTC and Etc/UTC, and the current names the runtime lists under former ones', () => {
    for (const zone of [
      'Europe/Paris',
      'America/Argentina/Buenos_Aires',
      'Asia/Kolkata',
      'Europe/Kyiv',
      'UTC',
      'Etc/UTC',
    ])
      expect(isIanaTimeZone(zone), zone).toBe(true);
  });
  it('refuses offsets, abbreviations, legacy aliases and other casings', () => {
    for (const zone of [
      '+02:00',
      'utc',
      'EST',
      'GMT',
      'CET',
      'US/Eastern',
      'europe/paris',
      'Europe/PARIS',
      'Mars/Olympus',
      '',
    ])
      expect(isIanaTimeZone(zone), zone).toBe(false);
    const v = violation(() => checkTimeZoneName('utc'));
    expect(v.field).toBe('timeZone');
    expect(v.message).toContain('did you mean UTC?');
  });
});

describe('checkNotPast and checkVenueText', () => {
  const now = new Date('2027-01-01T00:00:00Z');
  const past = new Date('2026-12-31T00:00:00Z');
  const schedule = { startsAt: endsAt, transferPolicy: { allowed: true, deadline: null } };
  it('refuses a start or a transfer deadline in the past when it is set, not when it is kept', () => {
    expect(violation(() => checkNotPast({ ...schedule, startsAt: past }, undefined, now)).field).toBe(
      'startsAt',
    );
    const late = { ...schedule, transferPolicy: { allowed: true, deadline: past } };
    expect(violation(() => checkNotPast(late, undefined, now)).field).toBe('transferPolicy.deadline');
    // A draft whose start passed meanwhile can still be edited (publishing refuses it).
    const stale = { ...schedule, startsAt: past };
    expect(() => checkNotPast(stale, stale, now)).not.toThrow();
  });
  it('refuses an end of sales in the past when it is set, not when it is kept or cleared', () => {
    const over = { ...schedule, salesEndAt: past };
    expect(violation(() => checkNotPast(over, undefined, now)).field).toBe('salesEndAt');
    expect(violation(() => checkNotPast(over, schedule, now)).field).toBe('salesEndAt');
    expect(() => checkNotPast(over, over, now)).not.toThrow();
    expect(() => checkNotPast({ ...schedule, salesEndAt: null }, over, now)).not.toThrow();
    expect(() => checkNotPast({ ...schedule, salesEndAt: endsAt }, undefined, now)).not.toThrow();
  });
  it('refuses venue texts left empty by trimming', () => {
    expect(violation(() => checkVenueText({ name: 'Hall', address: '', city: 'Lyon' })).field).toBe(
      'venue.address',
    );
    expect(violation(() => checkVenueText({ name: 'Hall', address: 'x', city: '' })).field).toBe(
      'venue.city',
    );
  });
});

describe('ticket type sales windows follow the event rules', () => {
  const at = (iso: string) => new Date(iso);
  it('refuses a start of sales after the event ends', () => {
    const v = violation(() =>
      checkTicketType(ga({ salesStartAt: at('2027-06-03T00:00:00Z') }), eventWith(), { currencies }),
    );
    expect(v.field).toBe('salesStartAt');
  });
  it("refuses a window left empty by the event's own bounds, on the type's own bound", () => {
    const event = eventWith({
      salesEndAt: at('2027-05-01T00:00:00Z'),
      publishedAt: at('2027-01-01T00:00:00Z'),
    });
    const late = ga({ salesStartAt: at('2027-05-15T00:00:00Z') });
    expect(violation(() => checkTicketType(late, event, { currencies })).field).toBe('salesStartAt');
    const early = ga({ salesEndAt: at('2026-12-01T00:00:00Z') });
    expect(violation(() => checkTicketType(early, event, { currencies })).field).toBe('salesEndAt');
    // A draft opens its sales no earlier than now.
    const draft = eventWith({ salesEndAt: null, publishedAt: null });
    const over = ga({ salesEndAt: at('2027-01-01T00:00:00Z') });
    expect(
      violation(() => checkTicketType(over, draft, { currencies, now: at('2027-02-01T00:00:00Z') })).field,
    ).toBe('salesEndAt');
  });
  it('refuses an end of sales already past when it is set, with or without a start of its own', () => {
    const now = at('2027-02-01T00:00:00Z');
    const over = ga({ salesStartAt: at('2027-01-01T00:00:00Z'), salesEndAt: at('2027-01-15T00:00:00Z') });
    const v = violation(() => checkTicketType(over, eventWith(), { currencies, now }));
    expect([v.field, v.message]).toEqual(['salesEndAt', 'Sales cannot end in the past']);
    const alone = ga({ salesEndAt: at('2027-01-15T00:00:00Z') });
    expect(violation(() => checkTicketType(alone, eventWith(), { currencies, now })).field).toBe(
      'salesEndAt',
    );
    // A stored end that has passed since is kept: the type can still be edited.
    const stored = existing({ ...over, kind: 'GENERAL_ADMISSION', quantity: 50, seatIds: [] });
    expect(() =>
      checkTicketType({ ...over, priceMinor: 2600 }, eventWith(), { currencies, now, replacing: stored }),
    ).not.toThrow();
  });
  it('blames the start of sales that was sent when it passes a stored end', () => {
    const draft = ga({ salesStartAt: at('2027-05-02T00:00:00Z'), salesEndAt: at('2027-05-01T00:00:00Z') });
    expect(
      violation(() => checkTicketType(draft, eventWith(), { currencies, sent: new Set(['salesStartAt']) }))
        .field,
    ).toBe('salesStartAt');
    expect(violation(() => checkTicketType(draft, eventWith(), { currencies })).field).toBe('salesEndAt');
  });
  it("blames the event's field when its change leaves a ticket type without a window", () => {
    const tt = existing({ salesStartAt: at('2027-05-15T00:00:00Z') });
    const event = { ...eventWith({ ticketTypes: [tt] }), salesEndAt: at('2027-05-01T00:00:00Z') };
    expect(violation(() => checkTicketTypeWindows(event)).field).toBe('salesEndAt');
    expect(() => checkTicketTypeWindows({ ...event, salesEndAt: null })).not.toThrow();
    const own = existing({ salesEndAt: at('2027-04-01T00:00:00Z') });
    const later = { ...eventWith({ ticketTypes: [own] }), salesStartAt: at('2027-04-15T00:00:00Z') };
    expect(violation(() => checkTicketTypeWindows(later)).field).toBe('salesStartAt');
  });
});

describe('checkTicketType', () => {
  it('accepts general admission within capacity', () => {
    expect(checkTicketType(ga(), eventWith(), { currencies })).toEqual({ quantity: 50, seatIds: [] });
  });
  it('refuses a zero quantity', () => {
    expect(violation(() => checkTicketType(ga({ quantity: 0 }), eventWith(), { currencies })).field).toBe(
      'quantity',
    );
  });
  it('refuses a negative price', () => {
    expect(violation(() => checkTicketType(ga({ priceMinor: -1 }), eventWith(), { currencies })).field).toBe(
      'priceMinor',
    );
  });
  it('refuses a fractional price', () => {
    expect(
      violation(() => checkTicketType(ga({ priceMinor: 10.5 }), eventWith(), { currencies })).field,
    ).toBe('priceMinor');
  });
  it('refuses an unknown currency', () => {
    expect(violation(() => checkTicketType(ga({ currency: 'XXX' }), eventWith(), { currencies })).field).toBe(
      'currency',
    );
  });
  it('refuses a second currency in one event', () => {
    const event = eventWith({ ticketTypes: [existing({})], allocated: 2, assignedSeats: ['A-1-1', 'A-1-2'] });
    expect(violation(() => checkTicketType(ga({ currency: 'USD' }), event, { currencies })).field).toBe(
      'currency',
    );
  });
  it('refuses quantities over capacity counting what is already allocated', () => {
    const event = eventWith({ ticketTypes: [existing({})], allocated: 2, assignedSeats: ['A-1-1', 'A-1-2'] });
    expect(checkTicketType(ga({ quantity: 98 }), event, { currencies }).quantity).toBe(98);
    expect(violation(() => checkTicketType(ga({ quantity: 99 }), event, { currencies })).field).toBe(
      'quantity',
    );
  });
  it('does not count the replaced ticket type against capacity', () => {
    const current = existing({ kind: 'GENERAL_ADMISSION', seatIds: [], quantity: 60, name: 'Standing' });
    const event = eventWith({ ticketTypes: [current], allocated: 60 });
    expect(checkTicketType(ga({ quantity: 100 }), event, { currencies, replacing: current }).quantity).toBe(
      100,
    );
  });
  it('refuses a seat already in another ticket type', () => {
    const event = eventWith({ ticketTypes: [existing({})], allocated: 2, assignedSeats: ['A-1-1', 'A-1-2'] });
    const draft = ga({ name: 'Front', kind: 'RESERVED', quantity: null, seatIds: ['A-1-2', 'A-1-3'] });
    expect(violation(() => checkTicketType(draft, event, { currencies })).field).toBe('seatIds');
  });
  it('refuses a seat missing from the seat map', () => {
    const draft = ga({ kind: 'RESERVED', quantity: null, seatIds: ['B-1-1'] });
    expect(violation(() => checkTicketType(draft, eventWith(), { currencies })).field).toBe('seatIds');
  });
  it('counts reserved seats as the quantity', () => {
    const draft = ga({ kind: 'RESERVED', quantity: null, seatIds: ['A-1-3', 'A-1-4'] });
    expect(checkTicketType(draft, eventWith(), { currencies })).toEqual({
      quantity: 2,
      seatIds: ['A-1-3', 'A-1-4'],
    });
  });
  it('refuses general admission that names seats', () => {
    expect(
      violation(() => checkTicketType(ga({ seatIds: ['A-1-1'] }), eventWith(), { currencies })).field,
    ).toBe('seatIds');
  });
  it('refuses a per-buyer maximum below the per-order maximum, or above the event-wide cap of 1000', () => {
    expect(violation(() => checkTicketType(ga({ perBuyerMax: 2 }), eventWith(), { currencies })).field).toBe(
      'perBuyerMax',
    );
    expect(() => checkTicketType(ga({ perBuyerMax: 1000 }), eventWith(), { currencies })).not.toThrow();
    expect(
      violation(() => checkTicketType(ga({ perBuyerMax: 1001 }), eventWith(), { currencies })).field,
    ).toBe('perBuyerMax');
  });
  it('refuses a duplicate ticket type name', () => {
    const event = eventWith({
      ticketTypes: [existing({ name: 'standing' })],
      allocated: 2,
      assignedSeats: ['A-1-1', 'A-1-2'],
    });
    expect(violation(() => checkTicketType(ga(), event, { currencies })).field).toBe('name');
  });
});

describe('checkPricing', () => {
  it('accepts DEMAND bounds around the base price', () => {
    expect(() =>
      checkPricing(
        { type: 'DEMAND', floorMinor: 1000, ceilingMinor: 5000, maxStepPct: 10 },
        2500,
        10,
        endsAt,
      ),
    ).not.toThrow();
  });
  it('refuses a floor above the ceiling', () => {
    const v = violation(() =>
      checkPricing({ type: 'DEMAND', floorMinor: 5000, ceilingMinor: 1000 }, 2500, 10, endsAt),
    );
    expect(v.field).toBe('pricing.ceilingMinor');
  });
  it('refuses a base price outside the demand bounds', () => {
    const v = violation(() =>
      checkPricing({ type: 'DEMAND', floorMinor: 3000, ceilingMinor: 5000 }, 2500, 10, endsAt),
    );
    expect(v.field).toBe('pricing.floorMinor');
  });
  it('refuses a step over 100 percent', () => {
    const v = violation(() =>
      checkPricing(
        { type: 'DEMAND', floorMinor: 100, ceilingMinor: 5000, maxStepPct: 150 },
        2500,
        10,
        endsAt,
      ),
    );
    expect(v.field).toBe('pricing.maxStepPct');
  });
  it('refuses what the pricing service refuses: a zero floor, a zero tier, a zero base after tiers, a 20th tier', () => {
    const demand = { type: 'DEMAND' as const, floorMinor: 0, ceilingMinor: 5000 };
    expect(violation(() => checkPricing(demand, 2500, 10, endsAt)).field).toBe('pricing.floorMinor');
    const tiered = (priceMinor: number, count = 1) => ({
      type: 'TIERED' as const,
      tierBasis: 'QUANTITY' as const,
      tiers: Array.from({ length: count }, (_, i) => ({ priceMinor, upToQuantity: i + 1 })),
    });
    expect(violation(() => checkPricing(tiered(0), 2000, 30, endsAt)).field).toBe(
      'pricing.tiers.0.priceMinor',
    );
    expect(violation(() => checkPricing(tiered(1000), 0, 30, endsAt)).field).toBe('priceMinor');
    // 19 tiers and the base price make the pricing service's 20.
    expect(() => checkPricing(tiered(1000, 19), 2000, 30, endsAt)).not.toThrow();
    expect(violation(() => checkPricing(tiered(1000, 20), 2000, 30, endsAt)).field).toBe('pricing.tiers');
  });
  it('refuses a date tier that could never apply: over already (unless stored so), or ending before sales start', () => {
    const now = new Date('2027-02-01T00:00:00Z');
    const past = new Date('2027-01-15T00:00:00Z');
    const policy = (until: Date) => ({
      type: 'TIERED' as const,
      tierBasis: 'DATE' as const,
      tiers: [{ priceMinor: 1000, until }],
    });
    expect(violation(() => checkPricing(policy(past), 2000, 10, endsAt, { now })).field).toBe(
      'pricing.tiers.0.until',
    );
    // An early bird that ended since it was stored: an edit re-sending it is not refused.
    expect(() =>
      checkPricing(policy(past), 2000, 10, endsAt, { now, storedTiers: [{ until: past }] }),
    ).not.toThrow();
    const later = new Date('2027-03-01T00:00:00Z');
    const v = violation(() =>
      checkPricing(policy(later), 2000, 10, endsAt, { now, salesStartAt: new Date('2027-03-02T00:00:00Z') }),
    );
    expect(v.field).toBe('pricing.tiers.0.until');
    expect(v.message).toMatch(/before sales start/);
  });
  it('accepts ascending date tiers and refuses descending ones', () => {
    const early = new Date('2027-01-01T00:00:00Z');
    const late = new Date('2027-03-01T00:00:00Z');
    const tiers = (a: Date, b: Date) => ({
      type: 'TIERED' as const,
      tierBasis: 'DATE' as const,
      tiers: [
        { priceMinor: 1000, until: a },
        { priceMinor: 1500, until: b },
      ],
    });
    expect(() => checkPricing(tiers(early, late), 2000, 10, endsAt)).not.toThrow();
    expect(violation(() => checkPricing(tiers(late, early), 2000, 10, endsAt)).field).toBe(
      'pricing.tiers.1.until',
    );
  });
  it('refuses quantity tiers beyond the ticket type quantity', () => {
    const policy = {
      type: 'TIERED' as const,
      tierBasis: 'QUANTITY' as const,
      tiers: [{ priceMinor: 1000, upToQuantity: 11 }],
    };
    expect(violation(() => checkPricing(policy, 2000, 10, endsAt)).field).toBe(
      'pricing.tiers.0.upToQuantity',
    );
  });
  it('refuses FIXED pricing with demand bounds', () => {
    expect(violation(() => checkPricing({ type: 'FIXED', floorMinor: 1 }, 2000, 10, endsAt)).field).toBe(
      'pricing.type',
    );
  });
});

describe('checkPublishable and checkVenueChange', () => {
  const now = new Date('2027-01-01T00:00:00Z');
  it('refuses a publish without ticket types', () => {
    expect(
      violation(() => checkPublishable({ startsAt: endsAt, ticketTypes: [], status: 'DRAFT' }, now)).field,
    ).toBe('ticketTypes');
  });
  it('refuses a publish with a past start', () => {
    const v = violation(() =>
      checkPublishable(
        { startsAt: new Date('2026-12-31T00:00:00Z'), ticketTypes: [existing({})], status: 'DRAFT' },
        now,
      ),
    );
    expect(v.field).toBe('startsAt');
  });
  it('refuses shrinking capacity below what is allocated or dropping assigned seats', () => {
    const venue = { name: 'Hall', address: 'x', city: 'Lyon', capacity: 5, seatMap: null };
    expect(violation(() => checkVenueChange(venue, { allocated: 6, assignedSeats: [] })).field).toBe(
      'venue.capacity',
    );
    expect(
      violation(() =>
        checkVenueChange({ ...venue, capacity: 10 }, { allocated: 2, assignedSeats: ['A-1-1'] }),
      ).field,
    ).toBe('venue.seatMap');
  });
});

/** Texts that show nothing (audit M8): white space, combining marks, fillers, braille blanks. */
const BLANK = ['\u0301', '\u0300\u0301', '\u3164', '\u2800\u2800', '\u115F', '\uFFA0', '\u3164\u3164\u3164'];
/** Texts that show: accents, emoji and Indic scripts. */
const SHOWN = ['Zoé', 'Zoe\u0301', 'சென்னை', 'निकिता', '서울', '🎷 Jazz', '\u2764\uFE0F'];

describe('texts a person reads must show something', () => {
  it('refuses venue texts of invisible characters only, each on its field', () => {
    for (const blank of BLANK) {
      const venue = { name: 'Hall', address: '1 Main St', city: 'Lyon' };
      for (const key of ['name', 'address', 'city'] as const)
        expect(violation(() => checkVenueText({ ...venue, [key]: blank })).field, blank).toBe(`venue.${key}`);
    }
    expect(violation(() => checkVenueText({ name: 'Hall', address: 'x', city: '\u0301' })).message).toBe(
      'The venue needs a city',
    );
  });
  it('refuses a city that shows but has no letter or digit to store and find it by', () => {
    for (const city of ['\u00B4', '\u00A8', '\u02D8\u02DD', '\u2764\uFE0F', '!!!'])
      expect(violation(() => checkVenueText({ name: 'Hall', address: 'x', city })).field, city).toBe(
        'venue.city',
      );
  });
  it('keeps accents, emoji and Indic scripts', () => {
    for (const text of SHOWN) {
      // A city also needs a letter or a digit (an emoji alone names no city).
      const city = /\p{L}/u.test(text) ? text : `Lyon ${text}`;
      expect(() => checkVenueText({ name: text, address: text, city }), text).not.toThrow();
      expect(() => checkEventTexts({ title: `${text} !!`, description: text }), text).not.toThrow();
      expect(() => checkCancelReason(`${text} !!`), text).not.toThrow();
    }
  });
  it('refuses a title, a description or a cancel reason that shows nothing', () => {
    for (const blank of BLANK) {
      const three = blank.padEnd(3, '\u3164');
      expect(violation(() => checkEventTexts({ title: three })).field, blank).toBe('title');
      expect(violation(() => checkEventTexts({ title: 'Jazz', description: blank })).field, blank).toBe(
        'description',
      );
      expect(violation(() => checkCancelReason(three)).field, blank).toBe('reason');
    }
    // An empty description is no description; a stored title not sent is not checked.
    expect(() => checkEventTexts({ title: 'Jazz', description: '' })).not.toThrow();
    expect(() => checkEventTexts({})).not.toThrow();
    expect(violation(() => checkCancelReason('no')).message).toBe('Give a reason of 3 to 500 characters');
  });
  it('refuses a ticket type name that shows nothing', () => {
    for (const name of [...BLANK, '\u2800'])
      expect(violation(() => checkTicketType(ga({ name }), eventWith(), { currencies })).field, name).toBe(
        'name',
      );
    for (const name of SHOWN)
      expect(() => checkTicketType(ga({ name }), eventWith(), { currencies })).not.toThrow();
  });
});

describe('plausible schedules', () => {
  const now = new Date('2027-01-01T00:00:00Z');
  const start = new Date('2027-06-01T18:00:00Z');
  const at = (ms: number) => new Date(start.getTime() + ms);
  const DAY = 24 * 3600 * 1000;
  const base: { startsAt: Date; endsAt: Date; doorsOpenAt: Date | null } = {
    startsAt: start,
    endsAt: at(4 * 3600 * 1000),
    doorsOpenAt: null,
  };
  const field = (
    next: Parameters<typeof checkPlausibleSchedule>[0],
    before?: typeof base,
    sent?: Set<string>,
  ) => violation(() => checkPlausibleSchedule(next, before, now, sent)).field;

  it('accepts the bounds themselves: 5 years ahead, 1 minute, 366 days, doors 30 days early', () => {
    const fiveYears = new Date('2032-01-01T00:00:00Z');
    for (const next of [
      { ...base, startsAt: fiveYears, endsAt: new Date(fiveYears.getTime() + 3600_000) },
      { ...base, endsAt: at(60_000) },
      { ...base, endsAt: at(366 * DAY) },
      { ...base, doorsOpenAt: at(-30 * DAY) },
    ])
      expect(() => checkPlausibleSchedule(next, undefined, now), JSON.stringify(next)).not.toThrow();
  });
  it('refuses a start more than 5 years ahead, on startsAt', () => {
    const late = new Date('2032-01-01T00:00:01Z');
    expect(field({ ...base, startsAt: late, endsAt: new Date(late.getTime() + 3600_000) })).toBe('startsAt');
    const y9999 = new Date('9999-12-30T00:00:00Z');
    expect(field({ ...base, startsAt: y9999, endsAt: new Date(y9999.getTime() + 3600_000) })).toBe(
      'startsAt',
    );
  });
  it('refuses an event shorter than a minute or longer than 366 days, on the end unless only the start was sent', () => {
    for (const endsAt of [at(1), at(59_999), at(366 * DAY + 1), at(50 * 365 * DAY)]) {
      expect(field({ ...base, endsAt })).toBe('endsAt');
      expect(field({ ...base, endsAt }, base, new Set(['endsAt']))).toBe('endsAt');
    }
    const stored = { ...base, startsAt: at(-DAY) };
    expect(field({ ...base, startsAt: at(4 * 3600 * 1000 - 1000) }, stored, new Set(['startsAt']))).toBe(
      'startsAt',
    );
  });
  it('refuses doors more than 30 days before the start, on the doors unless only the start was sent', () => {
    expect(field({ ...base, doorsOpenAt: at(-300 * DAY) })).toBe('doorsOpenAt');
    expect(field({ ...base, doorsOpenAt: at(-30 * DAY - 1) })).toBe('doorsOpenAt');
    const stored = { ...base, doorsOpenAt: at(-3600_000) };
    const moved = { ...stored, startsAt: at(31 * DAY), endsAt: at(31 * DAY + 3600_000) };
    expect(field(moved, stored, new Set(['startsAt', 'endsAt']))).toBe('startsAt');
  });
  it('keeps a stored value written before the bounds through edits that do not change it', () => {
    const legacy = { ...base, endsAt: at(50 * 365 * DAY), doorsOpenAt: at(-300 * DAY) };
    expect(() => checkPlausibleSchedule(legacy, legacy, now, new Set(['title']))).not.toThrow();
    // Re-sending the same value is not a change either.
    expect(() => checkPlausibleSchedule({ ...legacy }, legacy, now, new Set(['endsAt']))).not.toThrow();
  });
});

describe('prices at most MAX_PRICE_MINOR', () => {
  const huge = 2_147_483_647;
  it('refuses a base price above it, saying the bound in the currency', () => {
    for (const priceMinor of [huge, MAX_PRICE_MINOR + 1]) {
      const v = violation(() => checkTicketType(ga({ priceMinor }), eventWith(), { currencies }));
      expect(v.field).toBe('priceMinor');
      expect(v.message).toBe('The price must be at most 1,000,000.00 EUR');
    }
    expect(checkTicketType(ga({ priceMinor: MAX_PRICE_MINOR }), eventWith(), { currencies }).quantity).toBe(
      50,
    );
  });
  it('refuses DEMAND bounds and tier prices above it, each on its field', () => {
    const demand = (floorMinor: number, ceilingMinor: number) =>
      violation(() =>
        checkPricing({ type: 'DEMAND', floorMinor, ceilingMinor }, 2500, 50, endsAt, { currency: 'EUR' }),
      ).field;
    expect(demand(1000, huge)).toBe('pricing.ceilingMinor');
    expect(demand(1000, MAX_PRICE_MINOR + 1)).toBe('pricing.ceilingMinor');
    expect(demand(huge, huge)).toBe('pricing.floorMinor');
    const tiered = (...prices: number[]) =>
      violation(() =>
        checkPricing(
          {
            type: 'TIERED',
            tierBasis: 'QUANTITY',
            tiers: prices.map((priceMinor, i) => ({ priceMinor, upToQuantity: i + 1 })),
          },
          2500,
          50,
          endsAt,
        ),
      ).field;
    expect(tiered(huge)).toBe('pricing.tiers.0.priceMinor');
    expect(tiered(1000, MAX_PRICE_MINOR + 1)).toBe('pricing.tiers.1.priceMinor');
    expect(() =>
      checkPricing({ type: 'DEMAND', floorMinor: 1000, ceilingMinor: MAX_PRICE_MINOR }, 2500, 50, endsAt),
    ).not.toThrow();
  });
  it('says the bound in the currency, or in minor units when it has none', () => {
    expect(maxPriceText('EUR')).toBe('1,000,000.00 EUR');
    expect(maxPriceText('JPY')).toBe('100,000,000 JPY');
    expect(maxPriceText(undefined)).toBe('100000000 minor units');
  });
});
