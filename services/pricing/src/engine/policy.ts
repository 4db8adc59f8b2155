// The pricing function's own vocabulary: plain numbers (integer minor units, epoch milliseconds), no
// framework types, so it can be tested alone and reasoned about.

/** One step of a TIERED policy: applies while fewer than `untilSold` are sold and before `until`. */
export interface TierRule {
  amount: number;
  untilSold?: number;
  /** Epoch ms. */
  until?: number;
}

export interface DemandRule {
  kind: 'DEMAND';
  floor: number;
  ceiling: number;
  /** Largest move per change, in percent of the current price (0 < x <= 100). */
  maxStepPct: number;
  /** No second change sooner than this after the last one. */
  minIntervalMs: number;
  /** How strongly demand moves the target: target = base × (1 + sensitivity × demand score). */
  sensitivity: number;
  /** Target moves smaller than this percent of the current price are ignored (no flapping). */
  hysteresisPct: number;
  /** Minor units every new price ends with (99 → x.99 in EUR); null for any. */
  ending: number | null;
}

export type EnginePolicy = { kind: 'FIXED' } | { kind: 'TIERED'; tiers: TierRule[] } | DemandRule;

/** Demand counted over the sliding window that ends now. */
export interface DemandWindow {
  windowMs: number;
  /** Views of the ticket type's event. */
  views: number;
  /** Units put on hold. */
  held: number;
  /** Held units given back (expired or released). */
  lapsed: number;
  /** Units sold. */
  sold: number;
}

export interface PricingInput {
  policy: EnginePolicy;
  basePrice: number;
  /** Minor units per major unit of the currency (100 for EUR, 1 for JPY). */
  minorUnit: number;
  /** The price in force; null before the first one. */
  current: number | null;
  /** Epoch ms of the last change; null before the first one. */
  lastChangedAt: number | null;
  now: number;
  window: DemandWindow;
  capacity: number;
  /** Units sold since the sale opened. */
  soldTotal: number;
  /** Units neither sold nor held. */
  stockLeft: number;
  /** Epoch ms when sales end (or the event starts, whichever is first). */
  salesEndAt: number;
}

export const FACTOR_NAMES = [
  'BASE',
  'TIER',
  'PACE',
  'SCARCITY',
  'VIEWS',
  'TIME_LEFT',
  'TARGET',
  'HYSTERESIS',
  'STEP_LIMIT',
  'MIN_INTERVAL',
  'FLOOR',
  'CEILING',
  'ENDING',
] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

/** One named reason of a price, with the number it stands for. */
export interface PriceFactor {
  name: FactorName;
  value: number;
  detail: string;
}

export interface NextTier {
  amount: number;
  /** Epoch ms when it starts, when the current tier ends on a date. */
  at: number | null;
  /** Units sold after which it starts, when the current tier ends on a quantity. */
  afterSold: number | null;
}

/** Past the first `count` units taken (sold or held), the price is `next` (see `quantityLadder`). */
export interface QuantityStep {
  count: number;
  next: number;
}

export interface PricingResult {
  price: number;
  factors: PriceFactor[];
  nextTier: NextTier | null;
  /** TIERED whose tier in force ends on a quantity: the caps ahead of `price` (absent otherwise). */
  untilSold?: QuantityStep[];
}
