import type { NextTier, QuantityStep, TierRule } from './policy';

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

/**
 * The quantity caps ahead of the tier in force, for the ticket service to enforce at hold time (price.changed's
 * `untilSold`): while the tier in force ends on a quantity, a step `{ count: its untilSold, next: the amount of
 * the tier that applies once that many are sold }`, and on from that tier while it ends on a quantity too.
 * Tiers whose date has passed are skipped as `activeTierIndex` skips them. Empty when no quantity ends the
 * tier in force.
 */
export function quantityLadder(tiers: readonly TierRule[], index: number, now: number): QuantityStep[] {
  const steps: QuantityStep[] = [];
  for (let at = index; steps.length < tiers.length;) {
    const count = tiers[at]?.untilSold;
    if (count === undefined) break;
    const next = activeTierIndex(tiers, count, now);
    // Caps strictly increase (validated), so the tier after a cap is always further down the list.
    if (next <= at) break;
    steps.push({ count, next: tiers[next]!.amount });
    at = next;
  }
  return steps;
}
