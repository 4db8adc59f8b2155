import { MAX_PRICE_MINOR, MAX_PRICE_TIERS } from '@ticketing/contracts';
import { badInput } from '@ticketing/platform';
import type { StoredPolicy } from '../catalog/schemas/ticket-price.schema';
import type { DemandDefaults } from '../common/policy-mapping';
import { endingAtOrAbove } from '../engine';
import type { SetPricingPolicyInput } from './dto/set-pricing-policy.input';

/** With the open-ended last tier: the contract's limit, which the event service's types keep too. */
const MAX_TIERS = MAX_PRICE_TIERS;
const present = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/**
 * The highest price (MAX_PRICE_MINOR, the contracts' cap that the event service keeps too) in the currency's
 * units: `1,000,000.00 EUR` with 100 minor units to the unit, `100,000,000 JPY` with 1.
 */
export function maxPriceText(currency: string, minorUnit: number): string {
  const digits = Math.max(0, Math.round(Math.log10(minorUnit)));
  const amount = new Intl.NumberFormat('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(MAX_PRICE_MINOR / minorUnit);
  return `${amount} ${currency}`;
}

/** What dated tiers are checked against (each optional: unknown, not checked). */
export interface TierDates {
  /** The event's end as the replica knows it: a tier ends by then. */
  eventEndsAt?: Date | null;
  /** The time of the write: a tier date must be after it ... */
  now?: Date;
  /** ... unless the stored policy has it already (an early tier that has ended since; the form re-sends it). */
  storedUntil?: ReadonlySet<number>;
}

/**
 * Checks a policy input against the ticket type's currency and returns the policy to store; throws
 * BAD_USER_INPUT naming the first bad field. Nothing is written before this passes.
 */
export function policyFromInput(
  input: SetPricingPolicyInput,
  currency: string,
  minorUnit: number,
  defaults: DemandDefaults,
  basePrice?: number,
  capacity?: number,
  dates: TierDates = {},
): StoredPolicy {
  if (input.currency !== currency) {
    throw badInput('input.currency', `The ticket type is priced in ${currency}`);
  }
  const demandFields = [
    'floor',
    'ceiling',
    'maxStepPct',
    'minIntervalSeconds',
    'sensitivity',
    'hysteresisPct',
    'priceEnding',
  ] as const;
  if (input.kind !== 'DEMAND') {
    const stray = demandFields.find((f) => present(input[f]));
    if (stray) throw badInput(`input.${stray}`, `Only a DEMAND policy takes ${stray}`);
  }
  if (input.kind !== 'TIERED' && present(input.tiers)) {
    throw badInput('input.tiers', 'Only a TIERED policy takes tiers');
  }
  switch (input.kind) {
    case 'FIXED':
      return { kind: 'FIXED' };
    case 'DEMAND':
      return demandPolicy(input, minorUnit, defaults, basePrice);
    case 'TIERED':
      return tieredPolicy(input, capacity, dates, maxPriceText(currency, minorUnit));
    default:
      throw badInput('input.kind', 'Unknown policy kind');
  }
}

function demandPolicy(
  input: SetPricingPolicyInput,
  minorUnit: number,
  defaults: DemandDefaults,
  basePrice: number | undefined,
): StoredPolicy {
  const { floor, ceiling, maxStepPct } = input;
  if (!present(floor)) throw badInput('input.floor', 'A DEMAND policy needs a floor');
  if (!present(ceiling)) throw badInput('input.ceiling', 'A DEMAND policy needs a ceiling');
  if (!present(maxStepPct)) throw badInput('input.maxStepPct', 'A DEMAND policy needs a maximum step');
  if (floor <= 0) throw badInput('input.floor', 'The floor must be above zero');
  if (ceiling <= 0) throw badInput('input.ceiling', 'The ceiling must be above zero');
  // Sums of many tickets (an order, a type's revenue) must stay exact: no price above MAX_PRICE_MINOR.
  const max = maxPriceText(input.currency, minorUnit);
  if (floor > MAX_PRICE_MINOR) throw badInput('input.floor', `The floor must be at most ${max}`);
  if (ceiling > MAX_PRICE_MINOR) throw badInput('input.ceiling', `The ceiling must be at most ${max}`);
  if (floor > ceiling) throw badInput('input.floor', 'The floor is above the ceiling');
  // The same rule as the event service's (floor ≤ base ≤ ceiling): without demand the price is the base price.
  if (present(basePrice) && basePrice > 0) {
    if (floor > basePrice)
      throw badInput('input.floor', `The floor must not exceed the base price (${basePrice} minor units)`);
    if (ceiling < basePrice)
      throw badInput(
        'input.ceiling',
        `The ceiling must not be below the base price (${basePrice} minor units)`,
      );
  }
  if (!(maxStepPct > 0 && maxStepPct <= 100)) {
    throw badInput('input.maxStepPct', 'The maximum step must be above 0 and at most 100 percent');
  }
  const minIntervalSeconds = input.minIntervalSeconds ?? defaults.minIntervalMs / 1000;
  if (minIntervalSeconds < 0 || minIntervalSeconds > 86_400) {
    throw badInput('input.minIntervalSeconds', 'The minimum interval must be between 0 and 86400 seconds');
  }
  const sensitivity = input.sensitivity ?? defaults.sensitivity;
  if (!(sensitivity >= 0 && sensitivity <= 5)) {
    throw badInput('input.sensitivity', 'The sensitivity must be between 0 and 5');
  }
  const hysteresisPct = input.hysteresisPct ?? defaults.hysteresisPct;
  if (!(hysteresisPct >= 0 && hysteresisPct <= 50)) {
    throw badInput('input.hysteresisPct', 'The hysteresis must be between 0 and 50 percent');
  }
  const ending = input.priceEnding ?? null;
  if (ending !== null) {
    if (ending < 0 || ending >= minorUnit) {
      throw badInput(
        'input.priceEnding',
        `The price ending must be between 0 and ${minorUnit - 1} minor units`,
      );
    }
    if (endingAtOrAbove(floor, ending, minorUnit) > ceiling) {
      throw badInput('input.priceEnding', 'No price between the floor and the ceiling has this ending');
    }
  }
  return {
    kind: 'DEMAND',
    floor,
    ceiling,
    maxStepPct,
    minIntervalMs: minIntervalSeconds * 1000,
    sensitivity,
    hysteresisPct,
    ending,
  };
}

function tieredPolicy(
  input: SetPricingPolicyInput,
  capacity: number | undefined,
  { eventEndsAt, now, storedUntil }: TierDates,
  maxPrice: string,
): StoredPolicy {
  const tiers = input.tiers ?? [];
  if (tiers.length === 0) throw badInput('input.tiers', 'A TIERED policy needs at least one tier');
  if (tiers.length > MAX_TIERS) throw badInput('input.tiers', `At most ${MAX_TIERS} tiers`);
  let lastSold = 0;
  let lastUntil = -Infinity;
  tiers.forEach((tier, i) => {
    const field = `input.tiers.${i}`;
    if (tier.amount <= 0) throw badInput(`${field}.amount`, 'A tier price must be above zero');
    if (tier.amount > MAX_PRICE_MINOR)
      throw badInput(`${field}.amount`, `A tier price must be at most ${maxPrice}`);
    const isLast = i === tiers.length - 1;
    const hasSold = present(tier.untilSold);
    const hasUntil = present(tier.until);
    if (isLast && (hasSold || hasUntil)) throw badInput(field, 'The last tier must be open-ended');
    if (hasSold && hasUntil)
      throw badInput(
        field,
        'A tier ends either on a date (until) or after a number of sales (untilSold), not both',
      );
    if (!isLast && !hasSold && !hasUntil) throw badInput(field, 'Only the last tier may be open-ended');
    if (hasSold) {
      if (tier.untilSold! <= lastSold) {
        throw badInput(`${field}.untilSold`, 'Tiers are out of order or overlap (untilSold must increase)');
      }
      // The event service's rule too: a tier cannot end after more sales than the type has tickets (its
      // quantity only ever grows once on sale, so what passes here stays reachable).
      if (present(capacity) && capacity > 0 && tier.untilSold! > capacity) {
        throw badInput(
          `${field}.untilSold`,
          `A tier cannot cover more tickets than the ticket type has (${capacity})`,
        );
      }
      lastSold = tier.untilSold!;
    }
    if (hasUntil) {
      const at = tier.until!.getTime();
      if (!Number.isFinite(at) || at <= lastUntil) {
        throw badInput(`${field}.until`, 'Tiers are out of order or overlap (dates must increase)');
      }
      // The event service's rule too: a tier ends by the end of the event (after it, nothing is sold).
      if (eventEndsAt && at > eventEndsAt.getTime()) {
        throw badInput(
          `${field}.until`,
          `A tier must end by the end of the event (${eventEndsAt.toISOString()})`,
        );
      }
      if (now && at <= now.getTime() && !storedUntil?.has(at))
        throw badInput(`${field}.until`, 'This tier would already be over');
      lastUntil = at;
    }
  });
  return {
    kind: 'TIERED',
    tiers: tiers.map((t) => ({ amount: t.amount, untilSold: t.untilSold ?? null, until: t.until ?? null })),
  };
}
