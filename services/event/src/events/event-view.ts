import {
  effectiveStatus,
  type EventDoc,
  type EventStatus,
  type PricingPolicyData,
  type StaffData,
  type TicketTypeDoc,
  type TransferPolicyData,
} from './domain/event.types';
import { seatCount, type SeatMapShape } from './domain/seat-map';

/** What the GraphQL layer renders for a ticket type (and what the cache stores). */
export interface TicketTypeView {
  id: string;
  eventId: string;
  name: string;
  priceMinor: number;
  currency: string;
  kind: TicketTypeDoc['kind'];
  quantity: number;
  seatIds: string[];
  perOrderMax: number;
  perBuyerMax: number;
  salesStartAt: Date | null;
  salesEndAt: Date | null;
  pricing: Required<Omit<PricingPolicyData, 'tiers'>> & { tiers: NonNullable<PricingPolicyData['tiers']> };
}

/** What the GraphQL layer renders for an event. Staff is never part of it (see EventsResolver.staff). */
export interface EventView {
  id: string;
  organizerId: string;
  title: string;
  description: string;
  category: EventDoc['category'];
  venue: {
    name: string;
    address: string;
    city: string;
    capacity: number;
    seatMap: (SeatMapShape & { seatCount: number }) | null;
  };
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  /** As readers see it: ENDED once endsAt has passed, even before the sweeper stores it (cached views may lag by their TTL). */
  status: EventStatus;
  salesStartAt: Date | null;
  salesEndAt: Date | null;
  transferPolicy: { allowed: boolean; deadline: Date | null };
  perBuyerMax: number | null;
  doorsOpenAt: Date | null;
  allowReentry: boolean;
  ticketTypes: TicketTypeView[];
  cancelReason: string | null;
  publishedAt: Date | null;
  version: number;
  /** Present only on views built for the organizer or an admin straight from the database. */
  staff?: StaffData[];
}

function ticketTypeView(eventId: string, tt: TicketTypeDoc): TicketTypeView {
  return {
    id: tt.id,
    eventId,
    name: tt.name,
    priceMinor: tt.priceMinor,
    currency: tt.currency,
    kind: tt.kind,
    quantity: tt.quantity,
    seatIds: [...(tt.seatIds ?? [])],
    perOrderMax: tt.perOrderMax,
    perBuyerMax: tt.perBuyerMax,
    salesStartAt: tt.salesStartAt ?? null,
    salesEndAt: tt.salesEndAt ?? null,
    pricing: {
      type: tt.pricing.type,
      floorMinor: tt.pricing.floorMinor ?? null,
      ceilingMinor: tt.pricing.ceilingMinor ?? null,
      maxStepPct: tt.pricing.maxStepPct ?? null,
      tierBasis: tt.pricing.tierBasis ?? null,
      tiers: (tt.pricing.tiers ?? []).map((t) => ({
        priceMinor: t.priceMinor,
        until: t.until ?? null,
        upToQuantity: t.upToQuantity ?? null,
      })),
    },
  };
}

function transferView(p: TransferPolicyData) {
  return { allowed: p.allowed, deadline: p.deadline ?? null };
}

export function toEventView(doc: EventDoc, withStaff = false): EventView {
  const seatMap = doc.venue.seatMap && doc.venue.seatMap.sections.length > 0 ? doc.venue.seatMap : null;
  return {
    id: doc._id,
    organizerId: doc.organizerId,
    title: doc.title,
    description: doc.description ?? '',
    category: doc.category,
    venue: {
      name: doc.venue.name,
      address: doc.venue.address,
      city: doc.venue.city,
      capacity: doc.venue.capacity,
      seatMap: seatMap
        ? {
            sections: seatMap.sections.map((s) => ({
              name: s.name,
              rows: s.rows.map((r) => ({ name: r.name, seats: [...r.seats] })),
            })),
            seatCount: seatCount(seatMap),
          }
        : null,
    },
    startsAt: doc.startsAt,
    endsAt: doc.endsAt,
    timeZone: doc.timeZone,
    status: effectiveStatus(doc),
    salesStartAt: doc.salesStartAt ?? null,
    salesEndAt: doc.salesEndAt ?? null,
    transferPolicy: transferView(doc.transferPolicy),
    perBuyerMax: doc.perBuyerMax ?? null,
    doorsOpenAt: doc.doorsOpenAt ?? null,
    allowReentry: doc.allowReentry ?? false,
    ticketTypes: (doc.ticketTypes ?? []).map((tt) => ticketTypeView(doc._id, tt)),
    cancelReason: doc.cancelReason ?? null,
    publishedAt: doc.publishedAt ?? null,
    version: doc.version,
    ...(withStaff ? { staff: (doc.staff ?? []).map((s) => ({ ...s })) } : {}),
  };
}

// Cached views travel as JSON; these keys hold instants and come back as Date objects.
const DATE_KEYS = new Set([
  'startsAt',
  'endsAt',
  'salesStartAt',
  'salesEndAt',
  'deadline',
  'publishedAt',
  'doorsOpenAt',
  'until',
  'addedAt',
]);

export function serializeView(value: unknown): string {
  return JSON.stringify(value);
}

export function deserializeView<T>(raw: string): T {
  return JSON.parse(raw, (key, value: unknown) =>
    DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value,
  ) as T;
}
