import type { SeatMapShape } from './seat-map';

export const EVENT_STATUSES = ['DRAFT', 'PUBLISHED', 'CANCELLED', 'ENDED'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const EVENT_CATEGORIES = [
  'MUSIC',
  'SPORTS',
  'THEATRE',
  'COMEDY',
  'CONFERENCE',
  'FESTIVAL',
  'FAMILY',
  'OTHER',
] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export const TICKET_KINDS = ['GENERAL_ADMISSION', 'RESERVED'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

export const PRICING_TYPES = ['FIXED', 'DEMAND', 'TIERED'] as const;
export type PricingType = (typeof PRICING_TYPES)[number];

export const TIER_BASES = ['DATE', 'QUANTITY'] as const;
export type TierBasis = (typeof TIER_BASES)[number];

export interface VenueData {
  name: string;
  address: string;
  city: string;
  capacity: number;
  seatMap?: SeatMapShape | null;
}

export interface TransferPolicyData {
  allowed: boolean;
  deadline?: Date | null;
}

export interface PriceTierData {
  priceMinor: number;
  until?: Date | null;
  upToQuantity?: number | null;
}

export interface PricingPolicyData {
  type: PricingType;
  floorMinor?: number | null;
  ceilingMinor?: number | null;
  maxStepPct?: number | null;
  tierBasis?: TierBasis | null;
  tiers?: PriceTierData[] | null;
}

export interface TicketTypeDoc {
  id: string;
  name: string;
  priceMinor: number;
  currency: string;
  kind: TicketKind;
  /** GENERAL_ADMISSION: the quantity on sale; RESERVED: always the number of seats. */
  quantity: number;
  seatIds: string[];
  perOrderMax: number;
  perBuyerMax: number;
  salesStartAt?: Date | null;
  salesEndAt?: Date | null;
  pricing: PricingPolicyData;
  /** Counts this ticket type's own changes (the `aggregateVersion` of `ticket-type.upserted`). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A staff member; `userId` and `name` stay null until an account with that email exists. */
export interface StaffData {
  userId: string | null;
  email: string;
  name: string | null;
  addedAt: Date;
}

/** One event document: the event, its ticket types and its staff live together so one update guards them. */
export interface EventDoc {
  _id: string;
  organizerId: string;
  title: string;
  description: string;
  category: EventCategory;
  venue: VenueData;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  status: EventStatus;
  salesStartAt?: Date | null;
  salesEndAt?: Date | null;
  transferPolicy: TransferPolicyData;
  /** Most tickets of the whole event one buyer may hold, across its ticket types; null: no such limit. */
  perBuyerMax?: number | null;
  /** When the gates open (on or before startsAt); null: the check-in service's default. */
  doorsOpenAt?: Date | null;
  /** Exit and re-entry scans allowed; absent on older documents: false. */
  allowReentry?: boolean;
  ticketTypes: TicketTypeDoc[];
  /** Sum of every ticket type's quantity; never above venue.capacity. */
  allocated: number;
  /** Every seat id some ticket type covers; each appears once. */
  assignedSeats: string[];
  staff: StaffData[];
  searchTerms: string[];
  cityKey: string;
  /** The hour (since the epoch) `endsAt` falls in: what the end-of-event sweeper looks events up by. */
  endHour?: number;
  cancelReason?: string | null;
  publishedAt?: Date | null;
  cancelledAt?: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The status a reader sees: a published event whose end has passed reads as ENDED. */
export function effectiveStatus(event: Pick<EventDoc, 'status' | 'endsAt'>, now = new Date()): EventStatus {
  if (event.status === 'PUBLISHED' && event.endsAt.getTime() <= now.getTime()) return 'ENDED';
  return event.status;
}
