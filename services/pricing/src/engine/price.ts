import { demandScore } from './demand';
import { endingAtOrAbove, endingAtOrBelow, nearestEndingWithin } from './money';
import type { DemandRule, PriceFactor, PricingInput, PricingResult } from './policy';
import { activeTierIndex, nextTierAfter, quantityLadder } from './tiers';

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * The pricing function: pure and deterministic. Inputs → the price in force and the named factors that
 * produced it. The caller publishes a change when `price` differs from `input.current`.
 */
export function computePrice(input: PricingInput): PricingResult {
  const base: PriceFactor = { name: 'BASE', value: input.basePrice, detail: 'base price of the ticket type' };
  const policy = input.policy;
  switch (policy.kind) {
    case 'FIXED':
      return { price: input.basePrice, factors: [base], nextTier: null };
    case 'TIERED': {
      const index = activeTierIndex(policy.tiers, input.soldTotal, input.now);
      const tier = policy.tiers[index]!;
      const ends = [
        tier.untilSold !== undefined ? `until ${tier.untilSold} sold` : null,
        tier.until !== undefined ? `until ${new Date(tier.until).toISOString()}` : null,
      ].filter((s) => s !== null);
      const ladder = quantityLadder(policy.tiers, index, input.now);
      return {
        price: tier.amount,
        factors: [
          base,
          {
            name: 'TIER',
            value: index + 1,
            detail: `tier ${index + 1} of ${policy.tiers.length}${ends.length ? ` (${ends.join(', ')})` : ''}; ${input.soldTotal} sold`,
          },
        ],
        nextTier: nextTierAfter(policy.tiers, index),
        ...(ladder.length > 0 ? { untilSold: ladder } : {}),
      };
    }
    case 'DEMAND':
      return { ...demandPrice(input, policy, base), nextTier: null };
  }
}

/** Where demand points: base × (1 + sensitivity × score), then kept within floor and ceiling. */
export function demandTarget(input: PricingInput, rule: DemandRule) {
  const demand = demandScore({
    window: input.window,
    capacity: input.capacity,
    stockLeft: input.stockLeft,
    timeLeftMs: Math.max(0, input.salesEndAt - input.now),
  });
  const raw = Math.round(input.basePrice * (1 + rule.sensitivity * demand.score));
  return { raw, target: clamp(raw, rule.floor, rule.ceiling), demand };
}

function demandPrice(
  input: PricingInput,
  rule: DemandRule,
  base: PriceFactor,
): { price: number; factors: PriceFactor[] } {
  const { floor, ceiling } = rule;
  const { raw, target, demand } = demandTarget(input, rule);
  const factors: PriceFactor[] = [base, ...demand.factors];
  factors.push({
    name: 'TARGET',
    value: target,
    detail: `base × (1 + ${rule.sensitivity} × ${Math.round(demand.score * 100) / 100})`,
  });
  if (raw > ceiling)
    factors.push({ name: 'CEILING', value: ceiling, detail: 'target capped at the ceiling' });
  if (raw < floor) factors.push({ name: 'FLOOR', value: floor, detail: 'target raised to the floor' });

  const current = input.current;
  const ending = rule.ending;
  // The first price, or a price the new bounds exclude: the bounds win over step and interval.
  if (current === null || current < floor || current > ceiling) {
    const start = current === null ? target : clamp(current, floor, ceiling);
    if (current !== null) {
      factors.push(
        current > ceiling
          ? { name: 'CEILING', value: ceiling, detail: 'price brought under the ceiling' }
          : { name: 'FLOOR', value: floor, detail: 'price brought up to the floor' },
      );
    }
    const ended =
      ending === null ? null : nearestEndingWithin(start, ending, input.minorUnit, floor, ceiling);
    if (ended !== null && ended !== start) {
      factors.push({ name: 'ENDING', value: ending!, detail: `price ends in ${ending} minor units` });
    }
    return { price: ended ?? start, factors };
  }

  if (input.lastChangedAt !== null && input.now - input.lastChangedAt < rule.minIntervalMs) {
    const waitS = Math.ceil((rule.minIntervalMs - (input.now - input.lastChangedAt)) / 1000);
    factors.push({ name: 'MIN_INTERVAL', value: waitS, detail: `next change allowed in ${waitS} s` });
    return { price: current, factors };
  }
  if (Math.abs(target - current) * 100 < rule.hysteresisPct * current) {
    factors.push({
      name: 'HYSTERESIS',
      value: rule.hysteresisPct,
      detail: `target within ${rule.hysteresisPct}% of the current price`,
    });
    return { price: current, factors };
  }
  const limit = Math.floor((current * rule.maxStepPct) / 100);
  let next = current + clamp(target - current, -limit, limit);
  if (next !== target) {
    factors.push({
      name: 'STEP_LIMIT',
      value: rule.maxStepPct,
      detail: `at most ${rule.maxStepPct}% per change`,
    });
  }
  if (ending !== null && next !== current) {
    // Round toward the current price, so neither the step nor the bounds can be overshot.
    const ended =
      next > current
        ? endingAtOrBelow(next, ending, input.minorUnit)
        : endingAtOrAbove(next, ending, input.minorUnit);
    next = (next > current ? ended > current : ended < current) ? ended : current;
    factors.push({ name: 'ENDING', value: ending, detail: `price ends in ${ending} minor units` });
  }
  return { price: next, factors };
}
