import type { DemandWindow, PriceFactor } from './policy';

/** Views per unit expected to sell in the window that count as ordinary interest. */
export const VIEWS_PER_EXPECTED_UNIT = 20;
/** Largest contribution of each signal to the demand score. */
export const MAX_PACE_SCORE = 3;
export const MAX_SCARCITY_SCORE = 1;
export const MAX_VIEWS_SCORE = 0.25;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round2 = (x: number) => Math.round(x * 100) / 100;

export interface DemandSignals {
  window: DemandWindow;
  capacity: number;
  stockLeft: number;
  /** Time until sales end, ms (0 once they ended). */
  timeLeftMs: number;
}

/**
 * A demand score >= 0 from the window, with the factors that make it up:
 * - PACE: units held (net of lapsed holds) or sold in the window against the pace that would sell the stock
 *   left evenly over the time left; only the part above that pace counts (0 to 3).
 * - SCARCITY: share sold or held beyond half of capacity (0 to 1), only while units are moving.
 * - VIEWS: views far above ordinary interest (0 to 0.25).
 * No activity gives 0: the target is then the base price.
 */
export function demandScore(signals: DemandSignals): { score: number; factors: PriceFactor[] } {
  const { window, capacity, stockLeft, timeLeftMs } = signals;
  const expected = (stockLeft * window.windowMs) / Math.max(timeLeftMs, window.windowMs);
  const moving = Math.max(window.sold, window.held - window.lapsed, 0);
  const paceRatio = moving / Math.max(expected, 1);
  const pace = clamp(paceRatio - 1, 0, MAX_PACE_SCORE);
  const taken = capacity > 0 ? 1 - clamp(stockLeft / capacity, 0, 1) : 0;
  const scarcity = moving > 0 ? clamp((taken - 0.5) * 2, 0, MAX_SCARCITY_SCORE) : 0;
  const viewsRatio = window.views / (VIEWS_PER_EXPECTED_UNIT * Math.max(expected, 1));
  const views = clamp((viewsRatio - 1) * MAX_VIEWS_SCORE, 0, MAX_VIEWS_SCORE);
  const windowMin = round2(window.windowMs / 60_000);
  return {
    score: pace + scarcity + views,
    factors: [
      {
        name: 'PACE',
        value: round2(pace),
        detail: `${moving} units moved in ${windowMin} min against ${round2(expected)} expected`,
      },
      {
        name: 'SCARCITY',
        value: round2(scarcity),
        detail: `${Math.round(taken * 100)}% of ${capacity} sold or held`,
      },
      { name: 'VIEWS', value: round2(views), detail: `${window.views} views in ${windowMin} min` },
      {
        name: 'TIME_LEFT',
        value: round2(timeLeftMs / 3_600_000),
        detail: 'hours until sales end',
      },
    ],
  };
}
