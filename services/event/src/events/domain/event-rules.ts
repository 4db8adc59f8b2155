import { MAX_PRICE_MINOR, MAX_PRICE_TIERS } from '@ticketing/contracts';
import { hasVisibleText } from '@ticketing/platform';
import type {
  EventDoc,
  PricingPolicyData,
  TicketKind,
  TicketTypeDoc,
  TransferPolicyData,
  VenueData,
} from './event.types';
import { rule } from './rule-violation';
import { hasCityKey } from './search-terms';
import { allSeatIds, seatCount } from './seat-map';

export const MAX_TICKET_TYPES = 50;
/**
 * Tiers before the base price: the base price is the contract's last, open-ended tier (event-snapshots), so an
 * event's types and the pricing service's setPricingPolicy allow exactly the same schedules.
 */
export const MAX_TIERS = MAX_PRICE_TIERS - 1;
export const MAX_PER_ORDER = 50;
/** The same cap as the event's own per-buyer limit. */
export const MAX_PER_BUYER = 1000;

// Plausible dates (README "Plausible dates and prices"): bounds a real event keeps with room to spare, so that a
// typo (year 9999, an end in the wrong year, doors months early, year 0001) is refused when it is typed.

/** No instant of this platform is before this: every DateTime input of the service refuses earlier ones. */
export const EARLIEST_DATE = new Date('2000-01-01T00:00:00.000Z');
/** An event starts at most this many years after the write (tours and festivals go on sale 1-3 years ahead). */
export const MAX_YEARS_AHEAD = 5;
/** Shortest event: one minute. */
export const MIN_DURATION_MS = 60_000;
/** Longest event: a year, leap years included (a season, an exhibition, a festival are shorter). */
export const MAX_DURATION_DAYS = 366;
/** Doors open at most this many days before the start (camping, early access, accreditation included). */
export const MAX_DOORS_LEAD_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

/** Whether the runtime can use this zone at all (offsets, abbreviations and any casing included). */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
    return true;
  } catch {
    return false;
  }
}

/** IANA `Area/Location` names: a geographic area, then capitalised location segments. */
const IANA_AREA_NAME =
  /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)(\/[A-Z][A-Za-z0-9_+-]*)+$/;
let listedZones: ReadonlySet<string> | undefined;
function listed(): ReadonlySet<string> {
  return (listedZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']));
}

/**
 * Whether `name` is an IANA zone name spelled as IANA spells it: one the runtime lists
 * (`Intl.supportedValuesOf('timeZone')`), `UTC` or `Etc/UTC`. The runtime lists a few zones under a former
 * name (Asia/Calcutta, Europe/Kiev, America/Buenos_Aires); their current IANA name (Asia/Kolkata, Europe/Kyiv,
 * America/Argentina/Buenos_Aires), which browsers also report, is accepted as well. Offsets (`+02:00`),
 * abbreviations (`EST`, `GMT`), legacy aliases (`US/Eastern`) and other casings (`utc`) are not.
 */
export function isIanaTimeZone(name: string): boolean {
  if (listed().has(name)) return true;
  if (!IANA_AREA_NAME.test(name) || !isValidTimeZone(name)) return false;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  // Another name of a listed zone, not the same name in another casing.
  return listed().has(resolved) && resolved.toLowerCase() !== name.toLowerCase();
}

/** A time zone the caller sends must be an IANA name (stored ones are only re-checked by checkSchedule). */
export function checkTimeZoneName(name: string): void {
  if (isIanaTimeZone(name)) return;
  const lower = name.toLowerCase();
  const meant = [...listed()].find((z) => z.toLowerCase() === lower);
  rule(
    false,
    'timeZone',
    meant
      ? `Unknown time zone "${name}" (did you mean ${meant}?)`
      : `Unknown time zone "${name}" (use an IANA name such as Europe/Paris or UTC)`,
  );
}

/**
 * The input fields the caller sent (`transferPolicy.deadline` for a nested one). A rule comparing two fields
 * names the one it is about unless only the other one was sent: shortening `endsAt` under a stored transfer
 * deadline is the new end's fault. Undefined: everything was sent (a create).
 */
export type SentFields = ReadonlySet<string> | undefined;

/** Throws on `natural` unless only `other` was sent, then on `other` (each with its own message). */
function pairRule(
  ok: boolean,
  sent: SentFields,
  natural: [field: string, message: string],
  other: [field: string, message: string],
): void {
  if (ok) return;
  const [field, message] = sent && !sent.has(natural[0]) && sent.has(other[0]) ? other : natural;
  rule(false, field, message);
}

const iso = (d: Date) => d.toISOString();

export interface ScheduleFields {
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  salesStartAt?: Date | null;
  salesEndAt?: Date | null;
  transferPolicy: TransferPolicyData;
  doorsOpenAt?: Date | null;
}

/**
 * Start before end, a zone the runtime knows, doors by the start, a sales window that closes by the end, a
 * transfer deadline inside it. `sent` decides which of two fields a broken pair is blamed on (see SentFields).
 */
export function checkSchedule(s: ScheduleFields, sent?: SentFields): void {
  rule(
    isValidTimeZone(s.timeZone),
    'timeZone',
    `Unknown time zone "${s.timeZone}" (use an IANA name such as Europe/Paris)`,
  );
  pairRule(
    s.endsAt.getTime() > s.startsAt.getTime(),
    sent,
    ['endsAt', 'The event must end after it starts'],
    ['startsAt', `The event must start before it ends (${iso(s.endsAt)})`],
  );
  if (s.doorsOpenAt)
    pairRule(
      s.doorsOpenAt.getTime() <= s.startsAt.getTime(),
      sent,
      ['doorsOpenAt', 'Doors must open on or before the start'],
      ['startsAt', `The event cannot start before its doors open (${iso(s.doorsOpenAt)})`],
    );
  if (s.salesStartAt && s.salesEndAt) {
    pairRule(
      s.salesEndAt.getTime() > s.salesStartAt.getTime(),
      sent,
      ['salesEndAt', 'Sales must end after they start'],
      ['salesStartAt', `Sales must start before they end (${iso(s.salesEndAt)})`],
    );
  }
  if (s.salesEndAt)
    pairRule(
      s.salesEndAt.getTime() <= s.endsAt.getTime(),
      sent,
      ['salesEndAt', 'Sales must end by the end of the event'],
      ['endsAt', `The event cannot end before its sales do (${iso(s.salesEndAt)})`],
    );
  if (s.salesStartAt)
    pairRule(
      s.salesStartAt.getTime() < s.endsAt.getTime(),
      sent,
      ['salesStartAt', 'Sales must start before the event ends'],
      ['endsAt', `The event cannot end before its sales start (${iso(s.salesStartAt)})`],
    );
  if (s.transferPolicy.deadline) {
    rule(
      s.transferPolicy.allowed,
      'transferPolicy.deadline',
      'A transfer deadline needs transfers to be allowed',
    );
    pairRule(
      s.transferPolicy.deadline.getTime() <= s.endsAt.getTime(),
      sent,
      ['transferPolicy.deadline', 'The transfer deadline must be by the end of the event'],
      ['endsAt', `The event cannot end before its transfer deadline (${iso(s.transferPolicy.deadline)})`],
    );
  }
}

/**
 * What is written now must not already be over: a start, an end of sales and a transfer deadline in the past
 * are refused when they are set (at create, or when an update changes them), whatever the status; one that was
 * stored earlier and has passed since is kept (other edits, or a form re-sending it, still work), and publishing
 * refuses a draft whose start or end of sales has passed meanwhile. `before` is the stored state (absent on
 * create).
 */
export function checkNotPast(
  next: Pick<ScheduleFields, 'startsAt' | 'transferPolicy' | 'salesEndAt'>,
  before: Pick<ScheduleFields, 'startsAt' | 'transferPolicy' | 'salesEndAt'> | undefined,
  now: Date,
): void {
  if (!before || next.startsAt.getTime() !== before.startsAt.getTime())
    rule(next.startsAt.getTime() > now.getTime(), 'startsAt', 'The event cannot start in the past');
  checkSalesEndNotPast(next.salesEndAt, before?.salesEndAt, now);
  const deadline = next.transferPolicy.deadline;
  if (deadline && deadline.getTime() !== before?.transferPolicy.deadline?.getTime())
    rule(
      deadline.getTime() > now.getTime(),
      'transferPolicy.deadline',
      'The transfer deadline is in the past',
    );
}

/**
 * An end of sales (the event's or a ticket type's) set now must not already have passed: such a window could
 * never sell (publishing refuses it), so it is refused on `salesEndAt` when it is written, not later. `stored`
 * is the value already there (an update that keeps it, or re-sends it, is not refused); `now` absent: no check.
 */
export function checkSalesEndNotPast(
  salesEndAt: Date | null | undefined,
  stored: Date | null | undefined,
  now: Date | undefined,
): void {
  if (!salesEndAt || !now || salesEndAt.getTime() === stored?.getTime()) return;
  rule(salesEndAt.getTime() > now.getTime(), 'salesEndAt', 'Sales cannot end in the past');
}

/**
 * Texts a person reads must show something: a text of only white space, combining marks, fillers and other
 * invisible characters (hasVisibleText) reads as blank. A city must also have a letter or a digit its search key
 * keeps (`cityKey`): `´` shows, but is a space and an accent once decomposed, and no listing could find it.
 */
export function checkVenueText(venue: Pick<VenueData, 'name' | 'address' | 'city'>): void {
  rule(hasVisibleText(venue.name), 'venue.name', 'The venue needs a name');
  rule(hasVisibleText(venue.address), 'venue.address', 'The venue needs an address');
  rule(hasVisibleText(venue.city), 'venue.city', 'The venue needs a city');
  rule(hasCityKey(venue.city), 'venue.city', "The venue's city must contain a letter or a digit");
}

/**
 * The event's own texts as they are written (trimmed; a field absent is not checked): a title of at least 3
 * characters that shows something, and a description that is empty or shows something.
 */
export function checkEventTexts(texts: { title?: string; description?: string }): void {
  if (texts.title !== undefined) {
    rule(texts.title.length >= 3, 'title', 'The title needs at least 3 characters');
    rule(hasVisibleText(texts.title), 'title', 'The title must contain a visible character');
  }
  if (texts.description)
    rule(
      hasVisibleText(texts.description),
      'description',
      'The description must contain a visible character (or be left empty)',
    );
}

/** A cancellation reason as it is written (trimmed): attendees read it, and it can never be changed. */
export function checkCancelReason(reason: string): void {
  rule(reason.length >= 3 && reason.length <= 500, 'reason', 'Give a reason of 3 to 500 characters');
  rule(hasVisibleText(reason), 'reason', 'The reason must contain a visible character');
}

/** The most a price may be (MAX_PRICE_MINOR) in the currency's units, `1,000,000.00 EUR`; else in minor units. */
export function maxPriceText(currency?: string | null): string {
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    try {
      const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits!;
      const amount = new Intl.NumberFormat('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(MAX_PRICE_MINOR / 10 ** digits);
      return `${amount} ${currency}`;
    } catch {
      // Not a currency the runtime knows: minor units below.
    }
  }
  return `${MAX_PRICE_MINOR} minor units`;
}

const yearsAfter = (at: Date, years: number): Date => {
  const later = new Date(at);
  later.setUTCFullYear(later.getUTCFullYear() + years);
  return later;
};

/**
 * Plausible dates, checked when they are written (create, or an update that changes one of the dates a bound
 * is about; a stored value written before these bounds is kept through other edits): the start at most
 * MAX_YEARS_AHEAD years after `now`, a length from MIN_DURATION_MS to MAX_DURATION_DAYS, and doors at most
 * MAX_DOORS_LEAD_DAYS before the start. Runs after checkSchedule (an end before the start is its error). A pair
 * is blamed on the field sent (see SentFields). Dates before EARLIEST_DATE never get here (the inputs refuse them).
 */
export function checkPlausibleSchedule(
  next: Pick<ScheduleFields, 'startsAt' | 'endsAt' | 'doorsOpenAt'>,
  before: Pick<ScheduleFields, 'startsAt' | 'endsAt' | 'doorsOpenAt'> | undefined,
  now: Date,
  sent?: SentFields,
): void {
  const changed = (field: 'startsAt' | 'endsAt' | 'doorsOpenAt') =>
    !before || (next[field]?.getTime() ?? null) !== (before[field]?.getTime() ?? null);
  const start = next.startsAt.getTime();
  if (changed('startsAt')) {
    const latest = yearsAfter(now, MAX_YEARS_AHEAD);
    rule(
      start <= latest.getTime(),
      'startsAt',
      `An event can start at most ${MAX_YEARS_AHEAD} years ahead (by ${iso(latest)})`,
    );
  }
  if (changed('startsAt') || changed('endsAt')) {
    const length = next.endsAt.getTime() - start;
    pairRule(
      length >= MIN_DURATION_MS,
      sent,
      ['endsAt', 'The event must last at least a minute'],
      [
        'startsAt',
        `The event must last at least a minute: start it earlier than its end (${iso(next.endsAt)})`,
      ],
    );
    pairRule(
      length <= MAX_DURATION_DAYS * DAY_MS,
      sent,
      ['endsAt', `The event can last at most ${MAX_DURATION_DAYS} days`],
      [
        'startsAt',
        `The event can last at most ${MAX_DURATION_DAYS} days: start it closer to its end (${iso(next.endsAt)})`,
      ],
    );
  }
  if (next.doorsOpenAt && (changed('startsAt') || changed('doorsOpenAt')))
    pairRule(
      start - next.doorsOpenAt.getTime() <= MAX_DOORS_LEAD_DAYS * DAY_MS,
      sent,
      ['doorsOpenAt', `Doors can open at most ${MAX_DOORS_LEAD_DAYS} days before the start`],
      [
        'startsAt',
        `The event can start at most ${MAX_DOORS_LEAD_DAYS} days after its doors open (${iso(next.doorsOpenAt)})`,
      ],
    );
}

/** What a ticket type's window falls back on: the event's own window (see event-snapshots salesWindow). */
type EventWindowFields = Pick<EventDoc, 'endsAt'> &
  Partial<Pick<EventDoc, 'salesStartAt' | 'salesEndAt' | 'publishedAt'>>;

/**
 * A ticket type's sales window, each bound its own or else the event's, must not be empty. The event's start
 * of sales is its `salesStartAt`, else its publication (for a draft: no earlier than `now`).
 */
function ticketTypeWindowProblem(
  tt: Pick<TicketTypeDoc, 'salesStartAt' | 'salesEndAt'>,
  event: EventWindowFields,
  now: Date | undefined,
): { field: 'salesStartAt' | 'salesEndAt'; message: string } | null {
  if (tt.salesStartAt && !tt.salesEndAt) {
    const end = event.salesEndAt ?? event.endsAt;
    if (tt.salesStartAt.getTime() >= end.getTime())
      return {
        field: 'salesStartAt',
        message: `Sales must start before they end: this ticket type has no end of its own and the event's sales end at ${iso(end)}`,
      };
  }
  if (tt.salesEndAt && !tt.salesStartAt) {
    const start = event.salesStartAt ?? event.publishedAt ?? now;
    if (start && tt.salesEndAt.getTime() <= start.getTime())
      return {
        field: 'salesEndAt',
        message:
          event.salesStartAt || event.publishedAt
            ? `Sales must end after they start: this ticket type has no start of its own and the event's sales start at ${iso(start)}`
            : "Sales must end after they start: this ticket type has no start of its own and the event's sales start when it is published",
      };
  }
  return null;
}

/**
 * After a change of the event's schedule, every ticket type's window must still fit: the same rules as when
 * the type was written, blamed on the event field that moved (`endsAt`, `salesStartAt`, `salesEndAt`), and
 * the event's own effective window (from its publication when it has no start of its own) must not be empty.
 */
export function checkTicketTypeWindows(event: EventWindowFields & Pick<EventDoc, 'ticketTypes'>): void {
  if (event.salesEndAt && !event.salesStartAt && event.publishedAt)
    rule(
      event.salesEndAt.getTime() > event.publishedAt.getTime(),
      'salesEndAt',
      `Sales must end after they started (at publication, ${iso(event.publishedAt)})`,
    );
  for (const tt of event.ticketTypes) {
    rule(
      !tt.salesEndAt || tt.salesEndAt.getTime() <= event.endsAt.getTime(),
      'endsAt',
      `Sales of "${tt.name}" would end after the event`,
    );
    rule(
      !tt.salesStartAt || tt.salesStartAt.getTime() < event.endsAt.getTime(),
      'endsAt',
      `Sales of "${tt.name}" would start after the event ends`,
    );
    const lastTier = tt.pricing.tiers?.at(-1)?.until;
    rule(
      !lastTier || lastTier.getTime() <= event.endsAt.getTime(),
      'endsAt',
      `A price tier of "${tt.name}" would end after the event`,
    );
    // The event's bound the type falls back on is the one that moved.
    const problem = ticketTypeWindowProblem(tt, event, undefined);
    if (problem?.field === 'salesStartAt')
      rule(
        false,
        event.salesEndAt ? 'salesEndAt' : 'endsAt',
        `Sales of "${tt.name}" start at ${iso(tt.salesStartAt!)}: the event's sales would end before that`,
      );
    if (problem?.field === 'salesEndAt')
      rule(
        false,
        'salesStartAt',
        `Sales of "${tt.name}" end at ${iso(tt.salesEndAt!)}: the event's sales would start after that`,
      );
  }
}

/** A venue change must keep room for every ticket already allocated and every seat already assigned. */
export function checkVenueChange(
  venue: VenueData,
  event: Pick<EventDoc, 'allocated' | 'assignedSeats'>,
): void {
  rule(
    venue.capacity >= event.allocated,
    'venue.capacity',
    `Capacity ${venue.capacity} is below the ${event.allocated} tickets already allocated`,
  );
  if (event.assignedSeats.length > 0) {
    const seats = allSeatIds(venue.seatMap);
    const missing = event.assignedSeats.find((id) => !seats.has(id));
    rule(
      missing === undefined,
      'venue.seatMap',
      `Seat ${missing} is in a ticket type and must stay in the seat map`,
    );
  }
}

export interface TicketTypeDraft {
  name: string;
  priceMinor: number;
  currency: string;
  kind: TicketKind;
  quantity?: number | null;
  seatIds?: string[] | null;
  perOrderMax: number;
  perBuyerMax: number;
  salesStartAt?: Date | null;
  salesEndAt?: Date | null;
  pricing: PricingPolicyData;
}

export interface TicketTypeContext {
  currencies: ReadonlySet<string>;
  /** Set when updating: that ticket type's own quantity and seats do not count against it. */
  replacing?: TicketTypeDoc;
  /** The ticket type input fields the caller sent (see SentFields); undefined: all of them. */
  sent?: SentFields;
  /** The time of the write: a draft's sales open no earlier, and an end of sales set now must come after it. */
  now?: Date;
}

/**
 * Checks one ticket type against the event it joins and returns its normalised quantity and seats.
 * Capacity and seat uniqueness are checked here against the loaded document; the write that follows is
 * guarded on the document version, so a concurrent change makes it retry against the new state.
 */
export function checkTicketType(
  draft: TicketTypeDraft,
  event: Pick<EventDoc, 'venue' | 'ticketTypes' | 'allocated' | 'assignedSeats'> & EventWindowFields,
  ctx: TicketTypeContext,
): { quantity: number; seatIds: string[] } {
  rule(
    Number.isSafeInteger(draft.priceMinor) && draft.priceMinor >= 0,
    'priceMinor',
    'The price must be a whole, non-negative amount in minor units',
  );
  rule(
    draft.priceMinor <= MAX_PRICE_MINOR,
    'priceMinor',
    `The price must be at most ${maxPriceText(draft.currency)}`,
  );
  rule(ctx.currencies.has(draft.currency), 'currency', `Currency "${draft.currency}" is not accepted`);
  const other = event.ticketTypes.find((t) => t.id !== ctx.replacing?.id);
  rule(
    !other || other.currency === draft.currency,
    'currency',
    `Every ticket type of this event is priced in ${other?.currency}`,
  );
  if (!ctx.replacing)
    rule(
      event.ticketTypes.length < MAX_TICKET_TYPES,
      'name',
      `An event has at most ${MAX_TICKET_TYPES} ticket types`,
    );
  const lowerName = draft.name.trim().toLowerCase();
  rule(hasVisibleText(lowerName), 'name', 'A ticket type needs a name');
  rule(
    !event.ticketTypes.some((t) => t.id !== ctx.replacing?.id && t.name.trim().toLowerCase() === lowerName),
    'name',
    `A ticket type named "${draft.name}" already exists`,
  );

  let quantity: number;
  let seatIds: string[];
  if (draft.kind === 'GENERAL_ADMISSION') {
    rule(!draft.seatIds || draft.seatIds.length === 0, 'seatIds', 'General admission tickets cover no seats');
    rule(
      typeof draft.quantity === 'number' && Number.isSafeInteger(draft.quantity) && draft.quantity >= 1,
      'quantity',
      'General admission needs a quantity of at least 1',
    );
    quantity = draft.quantity;
    seatIds = [];
  } else {
    rule(
      event.venue.seatMap && seatCount(event.venue.seatMap) > 0,
      'seatIds',
      'Reserved tickets need a venue with a seat map',
    );
    rule(draft.seatIds && draft.seatIds.length > 0, 'seatIds', 'Reserved tickets need at least one seat');
    const unique = new Set(draft.seatIds);
    rule(unique.size === draft.seatIds.length, 'seatIds', 'A seat is listed twice');
    const known = allSeatIds(event.venue.seatMap);
    const unknown = draft.seatIds.find((id) => !known.has(id));
    rule(unknown === undefined, 'seatIds', `Seat ${unknown} is not in the venue's seat map`);
    const own = new Set(ctx.replacing?.seatIds ?? []);
    const taken = draft.seatIds.find((id) => !own.has(id) && event.assignedSeats.includes(id));
    rule(taken === undefined, 'seatIds', `Seat ${taken} already belongs to another ticket type`);
    rule(
      draft.quantity === undefined || draft.quantity === null || draft.quantity === unique.size,
      'quantity',
      'The quantity of reserved tickets is the number of seats',
    );
    quantity = unique.size;
    seatIds = [...draft.seatIds];
  }
  const allocatedElsewhere = event.allocated - (ctx.replacing?.quantity ?? 0);
  rule(
    allocatedElsewhere + quantity <= event.venue.capacity,
    'quantity',
    `${quantity} more tickets would exceed the venue capacity of ${event.venue.capacity} (${allocatedElsewhere} already allocated)`,
  );

  rule(
    Number.isInteger(draft.perOrderMax) && draft.perOrderMax >= 1 && draft.perOrderMax <= MAX_PER_ORDER,
    'perOrderMax',
    `The per-order maximum must be between 1 and ${MAX_PER_ORDER}`,
  );
  rule(
    Number.isInteger(draft.perBuyerMax) && draft.perBuyerMax >= draft.perOrderMax,
    'perBuyerMax',
    'The per-buyer maximum must be at least the per-order maximum',
  );
  rule(
    draft.perBuyerMax <= MAX_PER_BUYER,
    'perBuyerMax',
    `The per-buyer maximum must be at most ${MAX_PER_BUYER}`,
  );
  // The event's own window rules (checkSchedule and checkNotPast), then the window it actually gets with the
  // event's bounds.
  checkSalesEndNotPast(draft.salesEndAt, ctx.replacing?.salesEndAt, ctx.now);
  if (draft.salesStartAt && draft.salesEndAt) {
    pairRule(
      draft.salesEndAt.getTime() > draft.salesStartAt.getTime(),
      ctx.sent,
      ['salesEndAt', 'Sales must end after they start'],
      ['salesStartAt', `Sales must start before they end (${iso(draft.salesEndAt)})`],
    );
  }
  if (draft.salesEndAt)
    rule(
      draft.salesEndAt.getTime() <= event.endsAt.getTime(),
      'salesEndAt',
      `Sales must end by the end of the event (${iso(event.endsAt)})`,
    );
  if (draft.salesStartAt)
    rule(
      draft.salesStartAt.getTime() < event.endsAt.getTime(),
      'salesStartAt',
      `Sales must start before the event ends (${iso(event.endsAt)})`,
    );
  const problem = ticketTypeWindowProblem(draft, event, ctx.now);
  if (problem) rule(false, problem.field, problem.message);
  checkPricing(draft.pricing, draft.priceMinor, quantity, event.endsAt, {
    now: ctx.now,
    storedTiers: ctx.replacing?.pricing.tiers,
    salesStartAt: draft.salesStartAt ?? event.salesStartAt ?? null,
    currency: draft.currency,
  });
  return { quantity, seatIds };
}

/** What a tier schedule is checked against beyond the type itself (all optional: unknown, not checked). */
export interface TierContext {
  /** The time of the write: a tier date set now must be after it. */
  now?: Date;
  /** The type's stored tiers: a date already stored that has passed since is kept (an early bird that ended). */
  storedTiers?: readonly { until?: Date | null }[] | null;
  /** When the type's sales open (its own start, else the event's): a date tier must end after it. */
  salesStartAt?: Date | null;
  /** The type's currency: the highest price (MAX_PRICE_MINOR) is said in it. */
  currency?: string;
}

/**
 * FIXED: the base price. DEMAND: a price the pricing service moves between floor and ceiling (the base
 * price sits inside them), at most maxStepPct per change. TIERED: each tier's price applies until its
 * date or up to its sold quantity, in ascending order; after the last tier the base price applies. The
 * pricing service's own rules (setPricingPolicy) are the same: prices above zero and at most MAX_PRICE_MINOR, at
 * most 20 tiers with the base price, dates by the end of the event; a bad tier is named by its index (`pricing.tiers.<i>.<field>`).
 */
export function checkPricing(
  p: PricingPolicyData,
  priceMinor: number,
  quantity: number,
  endsAt: Date,
  tiersAt: TierContext = {},
): void {
  const amount = (v: number | null | undefined) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const positive = (v: number | null | undefined) => amount(v) && v! > 0;
  if (p.type === 'FIXED') {
    rule(
      p.floorMinor == null && p.ceilingMinor == null && p.maxStepPct == null,
      'pricing.type',
      'FIXED pricing takes no floor, ceiling or step',
    );
    rule(!p.tiers || p.tiers.length === 0, 'pricing.tiers', 'FIXED pricing takes no tiers');
    return;
  }
  if (p.type === 'DEMAND') {
    rule(positive(p.floorMinor), 'pricing.floorMinor', 'DEMAND pricing needs a floor above zero');
    rule(positive(p.ceilingMinor), 'pricing.ceilingMinor', 'DEMAND pricing needs a ceiling above zero');
    rule(
      p.floorMinor! <= MAX_PRICE_MINOR,
      'pricing.floorMinor',
      `The floor must be at most ${maxPriceText(tiersAt.currency)}`,
    );
    rule(
      p.ceilingMinor! <= MAX_PRICE_MINOR,
      'pricing.ceilingMinor',
      `The ceiling must be at most ${maxPriceText(tiersAt.currency)}`,
    );
    rule(p.floorMinor! <= p.ceilingMinor!, 'pricing.ceilingMinor', 'The ceiling must be at least the floor');
    rule(p.floorMinor! <= priceMinor, 'pricing.floorMinor', 'The floor must not exceed the base price');
    rule(
      priceMinor <= p.ceilingMinor!,
      'pricing.ceilingMinor',
      'The ceiling must not be below the base price',
    );
    if (p.maxStepPct != null) {
      rule(
        Number.isInteger(p.maxStepPct) && p.maxStepPct >= 1 && p.maxStepPct <= 100,
        'pricing.maxStepPct',
        'The maximum step is a whole percentage from 1 to 100',
      );
    }
    rule(!p.tiers || p.tiers.length === 0, 'pricing.tiers', 'DEMAND pricing takes no tiers');
    return;
  }
  rule(
    p.floorMinor == null && p.ceilingMinor == null && p.maxStepPct == null,
    'pricing.type',
    'TIERED pricing takes no floor, ceiling or step',
  );
  rule(
    p.tierBasis === 'DATE' || p.tierBasis === 'QUANTITY',
    'pricing.tierBasis',
    'TIERED pricing needs a tier basis (DATE or QUANTITY)',
  );
  // The base price is the last tier's: a free ticket is a FIXED price of 0.
  rule(
    priceMinor > 0,
    'priceMinor',
    'TIERED pricing needs a base price above zero (it follows the last tier)',
  );
  const tiers = p.tiers ?? [];
  rule(
    tiers.length >= 1 && tiers.length <= MAX_TIERS,
    'pricing.tiers',
    `TIERED pricing needs 1 to ${MAX_TIERS} tiers`,
  );
  const stored = new Set(
    (tiersAt.storedTiers ?? []).flatMap((t) => (t.until ? [new Date(t.until).getTime()] : [])),
  );
  let previous = -Infinity;
  tiers.forEach((tier, i) => {
    const field = `pricing.tiers.${i}`;
    rule(
      positive(tier.priceMinor),
      `${field}.priceMinor`,
      "A tier's price must be a whole amount above zero",
    );
    rule(
      tier.priceMinor <= MAX_PRICE_MINOR,
      `${field}.priceMinor`,
      `A tier's price must be at most ${maxPriceText(tiersAt.currency)}`,
    );
    if (p.tierBasis === 'DATE') {
      rule(tier.upToQuantity == null, `${field}.upToQuantity`, 'Date tiers take no quantity');
      rule(tier.until, `${field}.until`, 'Date tiers need an `until` date');
      const at = tier.until.getTime();
      rule(at > previous, `${field}.until`, 'Tier dates must be in ascending order');
      rule(at <= endsAt.getTime(), `${field}.until`, 'Tier dates must be by the end of the event');
      if (tiersAt.now && !stored.has(at))
        rule(at > tiersAt.now.getTime(), `${field}.until`, 'This tier would already be over');
      if (tiersAt.salesStartAt)
        rule(
          at > tiersAt.salesStartAt.getTime(),
          `${field}.until`,
          `This tier would end before sales start (${iso(tiersAt.salesStartAt)})`,
        );
      previous = at;
    } else {
      rule(!tier.until, `${field}.until`, 'Quantity tiers take no date');
      rule(
        typeof tier.upToQuantity === 'number' &&
          Number.isInteger(tier.upToQuantity) &&
          tier.upToQuantity >= 1,
        `${field}.upToQuantity`,
        'Quantity tiers need a positive `upToQuantity`',
      );
      rule(
        tier.upToQuantity > previous,
        `${field}.upToQuantity`,
        'Tier quantities must be in ascending order',
      );
      rule(
        tier.upToQuantity <= quantity,
        `${field}.upToQuantity`,
        'A tier cannot cover more tickets than the ticket type has',
      );
      previous = tier.upToQuantity;
    }
  });
}

/** Publishing needs a future start and at least one ticket type. */
export function checkPublishable(
  event: Pick<EventDoc, 'startsAt' | 'ticketTypes' | 'status'>,
  now: Date,
): void {
  rule(event.ticketTypes.length > 0, 'ticketTypes', 'Add at least one ticket type before publishing');
  rule(
    event.startsAt.getTime() > now.getTime(),
    'startsAt',
    'An event cannot be published with a start in the past',
  );
}
