import type {
  EventDoc,
  PricingPolicyData,
  TicketKind,
  TicketTypeDoc,
  TransferPolicyData,
  VenueData,
} from './event.types';
import { rule } from './rule-violation';
import { allSeatIds, seatCount } from './seat-map';

export const MAX_TICKET_TYPES = 50;
export const MAX_TIERS = 10;
export const MAX_PER_ORDER = 50;

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
    return true;
  } catch {
    return false;
  }
}

export interface ScheduleFields {
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  salesStartAt?: Date | null;
  salesEndAt?: Date | null;
  transferPolicy: TransferPolicyData;
  doorsOpenAt?: Date | null;
}

/** Start before end, a real IANA zone, a sales window that closes by the end, a transfer deadline inside it. */
export function checkSchedule(s: ScheduleFields): void {
  rule(
    isValidTimeZone(s.timeZone),
    'timeZone',
    `Unknown time zone "${s.timeZone}" (use an IANA name such as Europe/Paris)`,
  );
  rule(s.endsAt.getTime() > s.startsAt.getTime(), 'endsAt', 'The event must end after it starts');
  if (s.doorsOpenAt)
    rule(
      s.doorsOpenAt.getTime() <= s.startsAt.getTime(),
      'doorsOpenAt',
      'Doors must open on or before the start',
    );
  if (s.salesStartAt && s.salesEndAt) {
    rule(s.salesEndAt.getTime() > s.salesStartAt.getTime(), 'salesEndAt', 'Sales must end after they start');
  }
  if (s.salesEndAt)
    rule(
      s.salesEndAt.getTime() <= s.endsAt.getTime(),
      'salesEndAt',
      'Sales must end by the end of the event',
    );
  if (s.salesStartAt)
    rule(
      s.salesStartAt.getTime() < s.endsAt.getTime(),
      'salesStartAt',
      'Sales must start before the event ends',
    );
  if (s.transferPolicy.deadline) {
    rule(
      s.transferPolicy.allowed,
      'transferPolicy.deadline',
      'A transfer deadline needs transfers to be allowed',
    );
    rule(
      s.transferPolicy.deadline.getTime() <= s.endsAt.getTime(),
      'transferPolicy.deadline',
      'The transfer deadline must be by the end of the event',
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
}

/**
 * Checks one ticket type against the event it joins and returns its normalised quantity and seats.
 * Capacity and seat uniqueness are checked here against the loaded document; the write that follows is
 * guarded on the document version, so a concurrent change makes it retry against the new state.
 */
export function checkTicketType(
  draft: TicketTypeDraft,
  event: Pick<EventDoc, 'venue' | 'ticketTypes' | 'allocated' | 'assignedSeats' | 'endsAt'>,
  ctx: TicketTypeContext,
): { quantity: number; seatIds: string[] } {
  rule(
    Number.isSafeInteger(draft.priceMinor) && draft.priceMinor >= 0,
    'priceMinor',
    'The price must be a whole, non-negative amount in minor units',
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
  rule(lowerName.length > 0, 'name', 'A ticket type needs a name');
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
  if (draft.salesStartAt && draft.salesEndAt) {
    rule(
      draft.salesEndAt.getTime() > draft.salesStartAt.getTime(),
      'salesEndAt',
      'Sales must end after they start',
    );
  }
  if (draft.salesEndAt)
    rule(
      draft.salesEndAt.getTime() <= event.endsAt.getTime(),
      'salesEndAt',
      'Sales must end by the end of the event',
    );
  checkPricing(draft.pricing, draft.priceMinor, quantity, event.endsAt);
  return { quantity, seatIds };
}

/**
 * FIXED: the base price. DEMAND: a price the pricing service moves between floor and ceiling (the base
 * price sits inside them), at most maxStepPct per change. TIERED: each tier's price applies until its
 * date or up to its sold quantity, in ascending order; after the last tier the base price applies.
 */
export function checkPricing(p: PricingPolicyData, priceMinor: number, quantity: number, endsAt: Date): void {
  const amount = (v: number | null | undefined) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
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
    rule(amount(p.floorMinor), 'pricing.floorMinor', 'DEMAND pricing needs a non-negative floor');
    rule(amount(p.ceilingMinor), 'pricing.ceilingMinor', 'DEMAND pricing needs a non-negative ceiling');
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
  const tiers = p.tiers ?? [];
  rule(
    tiers.length >= 1 && tiers.length <= MAX_TIERS,
    'pricing.tiers',
    `TIERED pricing needs 1 to ${MAX_TIERS} tiers`,
  );
  let previous = -Infinity;
  for (const tier of tiers) {
    rule(amount(tier.priceMinor), 'pricing.tiers', 'Every tier needs a non-negative price in minor units');
    if (p.tierBasis === 'DATE') {
      rule(
        tier.until && tier.upToQuantity == null,
        'pricing.tiers',
        'Date tiers need an `until` date and no quantity',
      );
      const at = tier.until.getTime();
      rule(at > previous, 'pricing.tiers', 'Tier dates must be in ascending order');
      rule(at <= endsAt.getTime(), 'pricing.tiers', 'Tier dates must be by the end of the event');
      previous = at;
    } else {
      rule(
        typeof tier.upToQuantity === 'number' &&
          Number.isInteger(tier.upToQuantity) &&
          tier.upToQuantity >= 1 &&
          !tier.until,
        'pricing.tiers',
        'Quantity tiers need a positive `upToQuantity` and no date',
      );
      rule(tier.upToQuantity > previous, 'pricing.tiers', 'Tier quantities must be in ascending order');
      rule(
        tier.upToQuantity <= quantity,
        'pricing.tiers',
        'A tier cannot cover more tickets than the ticket type has',
      );
      previous = tier.upToQuantity;
    }
  }
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
