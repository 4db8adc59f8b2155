import type { EventData, PricingPolicy, TicketTypeSnapshot } from '@ticketing/contracts';
import type { EventDoc, PricingPolicyData, StaffData, TicketTypeDoc } from './event.types';

/** Step cap sent to pricing when an organizer leaves `maxStepPct` unset on a DEMAND policy. */
export const DEFAULT_MAX_STEP_PCT = 10;

type EventSnapshotBase = Omit<EventData<'event.published'>, 'status' | 'publishedAt'>;

const iso = (d: Date) => d.toISOString();

/** The event's effective sales window: its own bounds, else from publication to the end of the event. */
export function salesWindow(
  event: Pick<EventDoc, 'salesStartAt' | 'salesEndAt' | 'publishedAt' | 'createdAt' | 'endsAt'>,
) {
  return {
    start: event.salesStartAt ?? event.publishedAt ?? event.createdAt,
    end: event.salesEndAt ?? event.endsAt,
  };
}

export function pricingSnapshot(
  policy: PricingPolicyData,
  priceMinor: number,
  currency: string,
): PricingPolicy {
  const money = (amount: number) => ({ amount, currency });
  if (policy.type === 'DEMAND') {
    return {
      kind: 'DEMAND',
      floor: money(policy.floorMinor ?? priceMinor),
      ceiling: money(policy.ceilingMinor ?? priceMinor),
      maxStepPct: policy.maxStepPct ?? DEFAULT_MAX_STEP_PCT,
    };
  }
  if (policy.type === 'TIERED') {
    const tiers = (policy.tiers ?? []).map((tier) => ({
      price: money(tier.priceMinor),
      ...(tier.until ? { until: iso(tier.until) } : {}),
      ...(tier.upToQuantity ? { untilSold: tier.upToQuantity } : {}),
    }));
    // Every organizer tier is bounded; after the last one the base price applies (the open-ended tier).
    return { kind: 'TIERED', tiers: [...tiers, { price: money(priceMinor) }] };
  }
  return { kind: 'FIXED' };
}

export function ticketTypeSnapshot(event: EventDoc, tt: TicketTypeDoc): TicketTypeSnapshot {
  const window = salesWindow(event);
  const base = {
    ticketTypeId: tt.id,
    eventId: event._id,
    name: tt.name,
    basePrice: { amount: tt.priceMinor, currency: tt.currency },
    quantity: tt.quantity,
    perOrderMax: tt.perOrderMax,
    perBuyerMax: tt.perBuyerMax,
    salesStart: iso(tt.salesStartAt ?? window.start),
    salesEnd: iso(tt.salesEndAt ?? window.end),
    pricingPolicy: pricingSnapshot(tt.pricing, tt.priceMinor, tt.currency),
    aggregateVersion: tt.version,
  };
  return tt.kind === 'RESERVED'
    ? { ...base, kind: 'RESERVED', seatIds: [...tt.seatIds] }
    : { ...base, kind: 'GENERAL_ADMISSION' };
}

export function eventSnapshot(event: EventDoc): EventSnapshotBase {
  const window = salesWindow(event);
  return {
    eventId: event._id,
    organizerId: event.organizerId,
    title: event.title,
    category: event.category,
    startsAt: iso(event.startsAt),
    endsAt: iso(event.endsAt),
    timezone: event.timeZone,
    venue: {
      name: event.venue.name,
      address: event.venue.address,
      city: event.venue.city,
      capacity: event.venue.capacity,
    },
    salesStart: iso(window.start),
    salesEnd: iso(window.end),
    transferPolicy: {
      allowed: event.transferPolicy.allowed,
      deadline: event.transferPolicy.deadline ? iso(event.transferPolicy.deadline) : null,
    },
    ticketTypes: event.ticketTypes.map((tt) => ticketTypeSnapshot(event, tt)),
    perBuyerMax: event.perBuyerMax ?? null,
    doorsOpenAt: event.doorsOpenAt ? iso(event.doorsOpenAt) : null,
    allowReentry: event.allowReentry ?? false,
    aggregateVersion: event.version,
  };
}

export function publishedData(event: EventDoc): EventData<'event.published'> {
  return {
    ...eventSnapshot(event),
    status: 'PUBLISHED',
    publishedAt: iso(event.publishedAt ?? event.updatedAt),
  };
}

export function updatedData(
  event: EventDoc,
  changedFields: string[],
  status: 'PUBLISHED' | 'ENDED' = 'PUBLISHED',
): EventData<'event.updated'> {
  return { ...eventSnapshot(event), status, changedFields, updatedAt: iso(event.updatedAt) };
}

export function cancelledData(event: EventDoc, cancelledBy: string): EventData<'event.cancelled'> {
  return {
    eventId: event._id,
    organizerId: event.organizerId,
    title: event.title,
    reason: event.cancelReason ?? 'Cancelled by the organizer',
    cancelledBy,
    cancelledAt: iso(event.cancelledAt ?? event.updatedAt),
    aggregateVersion: event.version,
  };
}

export function staffChangedData(event: EventDoc, staff: StaffData[]): EventData<'event.staff-changed'> {
  return {
    eventId: event._id,
    organizerId: event.organizerId,
    staff: staff.map((s) => ({ userId: s.userId, email: s.email })),
    changedAt: iso(event.updatedAt),
    aggregateVersion: event.version,
  };
}

/** Top-level snapshot fields whose values differ between two versions of an event (for `changedFields`). */
export function changedSnapshotFields(before: EventDoc, after: EventDoc): string[] {
  const a = eventSnapshot(before) as unknown as Record<string, unknown>;
  const b = eventSnapshot(after) as unknown as Record<string, unknown>;
  return Object.keys(b).filter(
    (k) => k !== 'aggregateVersion' && JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
}
