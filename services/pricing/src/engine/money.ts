/** Minor units per major unit of an ISO 4217 currency (100 for EUR, 1 for JPY, 1000 for KWD). */
export function minorUnitOf(currency: string): number {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits;
  return 10 ** (digits ?? 2);
}

const mod = (a: number, m: number) => ((a % m) + m) % m;

/** Largest amount <= x that ends with `ending` minor units. */
export function endingAtOrBelow(x: number, ending: number, unit: number): number {
  return x - mod(x - ending, unit);
}

/** Smallest amount >= x that ends with `ending` minor units. */
export function endingAtOrAbove(x: number, ending: number, unit: number): number {
  return x + mod(ending - x, unit);
}

/** The amount in [lo, hi] ending with `ending` nearest to x (ties go down), or null when there is none. */
export function nearestEndingWithin(
  x: number,
  ending: number,
  unit: number,
  lo: number,
  hi: number,
): number | null {
  const candidates = [endingAtOrBelow(x, ending, unit), endingAtOrAbove(x, ending, unit)]
    .map((c) => (c < lo ? endingAtOrAbove(lo, ending, unit) : c > hi ? endingAtOrBelow(hi, ending, unit) : c))
    .filter((c) => c >= lo && c <= hi);
  if (candidates.length === 0) return null;
  return candidates.reduce((best, c) => (Math.abs(c - x) < Math.abs(best - x) ? c : best));
}
