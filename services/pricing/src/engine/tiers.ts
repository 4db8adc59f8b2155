import type { NextTier, TierRule } from './policy';

/** A tier applies while fewer than `untilSold` units are sold and before `until`. */
export function tierApplies(tier: TierRule, soldTotal: number, now: number): boolean {
  return (
    (tier.untilSold === undefined || soldTotal < tier.untilSold) &&
    (tier.until === undefined || now < tier.until)
  );
}

/** Index of the tier in force: the first that applies, else the last (open-ended by validation). */
export function activeTierIndex(tiers: readonly TierRule[], soldTotal: number, now: number): number {
  const index = tiers.findIndex((tier) => tierApplies(tier, soldTotal, now));
  return index === -1 ? tiers.length - 1 : index;
}

/** The tier after the one in force, with what ends the current one; null on the last tier. */
export function nextTierAfter(tiers: readonly TierRule[], index: number): NextTier | null {
  const current = tiers[index];
  const next = tiers[index + 1];
  if (!current || !next) return null;
  return { amount: next.amount, at: current.until ?? null, afterSold: current.untilSold ?? null };
}
