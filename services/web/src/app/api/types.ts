// Hand-written shapes of the gateway's public schema (services/gateway/supergraph.graphql) used by the pages.

export type Role = 'ATTENDEE' | 'ORGANIZER' | 'STAFF' | 'ADMIN';
export type EventStatus = 'DRAFT' | 'PUBLISHED' | 'CANCELLED' | 'ENDED';
export type TicketKind = 'GENERAL_ADMISSION' | 'RESERVED';
export const CATEGORIES = [
  'MUSIC',
  'SPORTS',
  'THEATRE',
  'COMEDY',
  'CONFERENCE',
  'FESTIVAL',
  'FAMILY',
  'OTHER',
] as const;
export type EventCategory = (typeof CATEGORIES)[number];

export interface User {
  id: string;
  name: string;
  email: string | null;
  role: Role | null;
}

export interface Money {
  amount: number;
  currency: string;
}

export interface SeatMap {
  seatCount: number;
  sections: { name: string; rows: { name: string; seats: string[] }[] }[];
}

export interface Venue {
  name: string;
  address: string;
  city: string;
  capacity: number;
  seatMap: SeatMap | null;
}

export interface Availability {
  capacity: number;
  remaining: number;
  held: number;
  sold: number;
}

export interface TicketType {
  id: string;
  name: string;
  priceMinor: number;
  currency: string;
  kind: TicketKind;
  quantity: number;
  seatIds: string[];
  perOrderMax: number;
  perBuyerMax: number;
  salesStartAt: string | null;
  salesEndAt: string | null;
  availability?: Availability | null;
  /** Reserved seating: seats sold or held now (ticket service). */
  takenSeats?: string[];
  /** How many more the signed-in buyer may reserve under the per-buyer limits; null signed out (ticket service). */
  myAllowance?: number | null;
}

export interface StaffMember {
  userId: string | null;
  email: string;
  name: string | null;
  addedAt: string;
}

export interface EventSummary {
  id: string;
  title: string;
  category: EventCategory;
  status: EventStatus;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  venue: Pick<Venue, 'name' | 'city'>;
}

export interface EventDetail extends EventSummary {
  organizerId: string;
  description: string;
  venue: Venue;
  salesStartAt: string | null;
  salesEndAt: string | null;
  transferPolicy: { allowed: boolean; deadline: string | null };
  /** When the gates open; null: the check-in default (2 hours before the start). */
  doorsOpenAt: string | null;
  /** Ticket holders may leave and come back in (exit and re-entry scans). */
  allowReentry: boolean;
  ticketTypes: TicketType[];
  cancelReason: string | null;
  publishedAt: string | null;
  version: number;
  staff: StaffMember[] | null;
}

export interface Reservation {
  id: string;
  status: 'HELD' | 'PAYING' | 'CONVERTED' | 'EXPIRED' | 'RELEASED';
  eventId: string;
  expiresAt: string;
  unitPrice: Money;
  total: Money;
  lines: { ticketTypeId: string; quantity: number; seatIds: string[]; unitPrice: Money }[];
  orderId: string | null;
}

export interface Order {
  id: string;
  status: 'PENDING' | 'PAYMENT_FAILED' | 'PAYMENT_CAPTURED' | 'CONFIRMED' | 'ABANDONED';
  eventId: string;
  total: Money;
  tickets: { id: string }[];
}

export interface Ticket {
  id: string;
  eventId: string;
  ticketTypeName: string;
  seatId: string | null;
  holderName: string;
  generation: number;
  status: 'VALID' | 'REVOKED';
  checkedIn: boolean;
  pendingTransferId: string | null;
  issuedAt: string;
  qrToken: string | null;
}

export interface DisplayCode {
  code: string;
  validFrom: string;
  validUntil: string;
  stepSeconds: number;
}

export interface Transfer {
  id: string;
  ticketId: string;
  eventId: string;
  fromHolderId: string;
  toEmail: string;
  status: 'PENDING' | 'ACCEPTING' | 'ACCEPTED' | 'DECLINED' | 'CANCELLED';
  createdAt: string;
  resolvedAt: string | null;
  /** Why an offer ended CANCELLED when its holder did not cancel it (EVENT_CANCELLED, DEADLINE_PASSED, ...). */
  reason: string | null;
}

export interface SalesSummary {
  eventId: string;
  at: string;
  /** The event was cancelled: its orders are refunded. */
  cancelled: boolean;
  ticketTypes: {
    ticketTypeId: string;
    name: string;
    capacity: number;
    sold: number;
    held: number;
    remaining: number;
    revenue: Money;
    refunded: number;
    refundedRevenue: Money;
  }[];
}

export type ScanResult =
  | 'ACCEPTED'
  | 'ALREADY_CHECKED_IN'
  | 'REVOKED'
  | 'WRONG_EVENT'
  | 'INVALID'
  | 'NOT_YET_OPEN'
  | 'EXITED'
  | 'REENTRY_NOT_ALLOWED'
  | 'NOT_INSIDE';

export interface ScanOutcome {
  result: ScanResult;
  reason: string | null;
  ticketId: string | null;
  holderName: string | null;
  ticketTypeName: string | null;
  generation: number | null;
  method: 'QR' | 'ROTATING_CODE' | null;
  checkedInAt: string | null;
  checkedInGateId: string | null;
  scannedAt: string;
  direction?: 'ENTRY' | 'EXIT';
  /** ACCEPTED: back in after an exit. */
  reentry?: boolean;
}

export interface Attendance {
  eventId: string;
  admitted: number;
  inside: number;
  repeats: number;
  /** Offline scans that lost to an earlier scan of the same ticket. */
  conflicts: number;
  refused: number;
  gates: { gateId: string; admitted: number }[];
  perMinute: { minute: string; admitted: number }[];
  updatedAt: string | null;
}

export interface TicketPrice {
  amount: number;
  currency: string;
  version: number;
  nextTier?: { price: Money; startsAt: string | null; afterSold: number | null } | null;
}

export type PricingKind = 'FIXED' | 'TIERED' | 'DEMAND';

export interface PricingSettings {
  ticketTypeId: string;
  kind: PricingKind;
  currency: string;
  basePrice: number;
  floor: number | null;
  ceiling: number | null;
  maxStepPct: number | null;
  minIntervalSeconds: number | null;
  sensitivity: number | null;
  hysteresisPct: number | null;
  priceEnding: number | null;
  tiers: { amount: number; until: string | null; untilSold: number | null }[];
  price: TicketPrice | null;
}

export interface PriceChange {
  version: number;
  price: Money;
  previous: Money | null;
  reason: string;
  factors: { name: string; value: number; detail: string }[];
  at: string;
}

export interface OfflineBundle {
  eventId: string;
  version: string;
  generatedAt: string;
  doorsOpenAt: string;
  /** Absent from a bundle saved before the field existed: then not checked here (the server does). */
  endsAt?: string | null;
  allowReentry: boolean;
  cancelled: boolean;
  keys: { kid: string; kty: string; crv: string; x: string; alg: string }[];
  tickets: {
    ticketId: string;
    generation: number;
    holderName: string;
    ticketTypeName: string;
    /** Offered to someone: does not admit until the offer ends. Missing in bundles saved before it existed. */
    transferPending?: boolean;
  }[];
  revocations: { ticketId: string; generation: number; all: boolean }[];
}

export interface SyncScansResult {
  accepted: number;
  conflicts: number;
  rejected: number;
  results: {
    index: number;
    nonce: string;
    conflict: boolean;
    errorCode: string | null;
    errorField: string | null;
    errorMessage: string | null;
    outcome: ScanOutcome | null;
  }[];
}

export type WaitingRoomState =
  'NOT_NEEDED' | 'NOT_JOINED' | 'WAITING' | 'ADMITTED' | 'PASS_EXPIRED' | 'PASS_USED' | 'CLOSED';

export interface WaitingRoomStatus {
  eventId: string;
  state: WaitingRoomState;
  position: number | null;
  estimatedWaitSeconds: number | null;
  admissionPass: string | null;
  passExpiresAt: string | null;
  at: string;
}

/** An event's waiting room as its organizer sees it (`waitingRoom`, `setWaitingRoom`). */
export interface WaitingRoom {
  eventId: string;
  enabled: boolean;
  passTtlSeconds: number;
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  targetLatencyMs: number;
  /** Buyers in the queue now. */
  waiting: number;
  /** Passes issued, neither used nor expired. */
  admittedOutstanding: number;
  /** How many passes may be outstanding now (follows the measured reservation latency). */
  currentLimit: number;
  admittedPerMinute: number;
  averageReserveLatencyMs: number | null;
  at: string;
}

/** The tuning `setWaitingRoom` takes besides `enabled` (unset keeps the current value). */
export type WaitingRoomTuning = Pick<
  WaitingRoom,
  'passTtlSeconds' | 'initialLimit' | 'minLimit' | 'maxLimit' | 'targetLatencyMs'
>;
