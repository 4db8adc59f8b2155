import { withOutbox, type OutboxFields } from '@ticketing/platform';
import { Schema } from 'mongoose';

export const TICKET_PRICE = 'TicketPrice';

export type PolicyKind = 'FIXED' | 'TIERED' | 'DEMAND';
export type PriceReason = 'INITIAL' | 'DEMAND' | 'TIER' | 'POLICY_CHANGED' | 'BASE_PRICE_CHANGED';

export interface StoredTier {
  amount: number;
  untilSold?: number | null;
  until?: Date | null;
}

/** A policy as stored: the engine's rule with dates as Date and optional DEMAND knobs filled in. */
export interface StoredPolicy {
  kind: PolicyKind;
  floor?: number | null;
  ceiling?: number | null;
  maxStepPct?: number | null;
  minIntervalMs?: number | null;
  sensitivity?: number | null;
  hysteresisPct?: number | null;
  ending?: number | null;
  tiers?: StoredTier[];
}

export interface StoredFactor {
  name: string;
  value: number;
  detail: string;
}

export interface LastChange {
  version: number;
  price: number;
  previous: number | null;
  reason: PriceReason;
  factors: StoredFactor[];
  at: Date;
}

/**
 * One document per ticket type: what the event service says about it, its policy, the demand totals, the
 * price in force (`version` counts changes and is price.changed's priceVersion) and the outbox.
 */
export interface TicketPriceDoc extends OutboxFields {
  _id: string;
  eventId: string;
  currency: string;
  basePrice: number;
  capacity: number;
  salesStart: Date;
  salesEnd: Date;
  /** aggregateVersion of the last ticket-type snapshot applied. */
  typeVersion: number;
  policy: StoredPolicy;
  /** The event service's policy as last seen (JSON): a snapshot replaces the policy only when this moves. */
  eventPolicy: string;
  /** DEMAND or TIERED and not cancelled: repriced on the timer. */
  dynamic: boolean;
  cancelled: boolean;
  soldTotal: number;
  heldTotal: number;
  /** Per Kafka topic-partition, the highest offset counted in the totals (the guard of their `$inc`). */
  hw?: Record<string, number>;
  /** The price in force (null before the first). */
  price: number | null;
  version: number;
  lastChangedAt: Date | null;
  lastChange: LastChange | null;
  /** Highest version written to price_history (a crash between the two writes is healed on the next run). */
  historyVersion: number;
  /** A cause to publish on the next repricing even if the price stays (a policy or base price change). */
  pendingCause: PriceReason | null;
  /**
   * The quantity ladder last published with the price (price.changed's `untilSold`; null: none). A repricing
   * whose ladder differs publishes even when the price stays (a later tier's date passed meanwhile).
   */
  untilSold?: StoredStep[] | null;
}

/** One step of a published quantity ladder: past `count` units taken, `next` (minor units). */
export interface StoredStep {
  count: number;
  next: number;
}

const StepSchema = new Schema<StoredStep>(
  { count: { type: Number, required: true }, next: { type: Number, required: true } },
  { _id: false },
);

const TierSchema = new Schema<StoredTier>(
  { amount: { type: Number, required: true }, untilSold: Number, until: Date },
  { _id: false },
);

const PolicySchema = new Schema<StoredPolicy>(
  {
    kind: { type: String, required: true },
    floor: Number,
    ceiling: Number,
    maxStepPct: Number,
    minIntervalMs: Number,
    sensitivity: Number,
    hysteresisPct: Number,
    ending: Number,
    tiers: { type: [TierSchema], default: undefined },
  },
  { _id: false },
);

export const FactorSchema = new Schema<StoredFactor>(
  { name: { type: String, required: true }, value: { type: Number, required: true }, detail: String },
  { _id: false },
);

const LastChangeSchema = new Schema<LastChange>(
  {
    version: Number,
    price: Number,
    previous: Number,
    reason: String,
    factors: [FactorSchema],
    at: Date,
  },
  { _id: false },
);

export const TicketPriceSchema = withOutbox(
  new Schema<TicketPriceDoc>(
    {
      _id: { type: String, required: true },
      eventId: { type: String },
      currency: { type: String },
      basePrice: { type: Number },
      capacity: { type: Number },
      salesStart: { type: Date },
      salesEnd: { type: Date },
      typeVersion: { type: Number },
      policy: { type: PolicySchema },
      eventPolicy: { type: String },
      dynamic: { type: Boolean, default: false },
      cancelled: { type: Boolean, default: false },
      soldTotal: { type: Number, default: 0 },
      heldTotal: { type: Number, default: 0 },
      hw: { type: Schema.Types.Mixed },
      price: { type: Number, default: null },
      version: { type: Number, default: 0 },
      lastChangedAt: { type: Date, default: null },
      lastChange: { type: LastChangeSchema, default: null },
      historyVersion: { type: Number, default: 0 },
      pendingCause: { type: String, default: null },
      untilSold: { type: [StepSchema], default: undefined },
    },
    { collection: 'ticket_prices', versionKey: false },
  ),
);
// The repricing timer: dynamic types whose sales have not ended (equality + a range).
TicketPriceSchema.index({ dynamic: 1, salesEnd: 1 });
// Views and cancellations reach every type of an event.
TicketPriceSchema.index({ eventId: 1 });
