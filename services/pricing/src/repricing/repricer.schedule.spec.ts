import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PricingConfig } from '../config';
import { Repricer, type RepriceOutcome } from './repricer.service';

const PERIOD = 100;

/** A Repricer whose `reprice` is recorded and finishes when the test says so (nothing else is used). */
function repricer() {
  const config = {
    REPRICE_DEBOUNCE_MS: PERIOD,
    REPRICER_ENABLED: false,
    DEMAND_WINDOW_MS: 60_000,
    DEFAULT_MIN_INTERVAL_SECONDS: 60,
    DEFAULT_SENSITIVITY_PCT: 50,
    DEFAULT_HYSTERESIS_PCT: 2,
  } as PricingConfig;
  const none = undefined as never;
  const r = new Repricer(none, none, none, none, none, none, config);
  const runs: Array<{ id: string; at: number; finish: (status?: RepriceOutcome['status']) => void }> = [];
  let running = 0;
  let overlapped = false;
  vi.spyOn(r, 'reprice').mockImplementation((id: string) => {
    running += 1;
    if (running > 1) overlapped = true;
    return new Promise<RepriceOutcome>((resolve) => {
      runs.push({
        id,
        at: Date.now(),
        finish: (status = 'unchanged') => {
          running -= 1;
          resolve({ status } as RepriceOutcome);
        },
      });
    });
  });
  return { r, runs, overlapped: () => overlapped };
}

/** Lets the finished run's continuation (`finally`) run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('Repricer.schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reprices the first signal at once, without waiting for the period', () => {
    const { r, runs } = repricer();
    r.schedule('a');
    expect(runs.map((x) => x.id)).toEqual(['a']);
  });

  it('signals within the period after a run join one run at the end of the period', async () => {
    const { r, runs } = repricer();
    r.schedule('a');
    runs[0].finish();
    await settle();
    for (let i = 0; i < 5; i += 1) {
      await vi.advanceTimersByTimeAsync(10);
      r.schedule('a');
    }
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(PERIOD - 50 - 1);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(2);
    expect(runs[1].at - runs[0].at).toBe(PERIOD);
  });

  it('a signal during a run gets one more run after it, never two at once', async () => {
    const { r, runs, overlapped } = repricer();
    r.schedule('a');
    r.schedule('a');
    r.schedule('a');
    await vi.advanceTimersByTimeAsync(3 * PERIOD); // the first run is still going
    expect(runs).toHaveLength(1);
    runs[0].finish();
    await settle();
    expect(runs).toHaveLength(2); // its period is over: at once
    runs[1].finish();
    await settle();
    expect(runs).toHaveLength(2);
    expect(overlapped()).toBe(false);
  });

  it('a run that loses the version race runs again after its period, once', async () => {
    const { r, runs } = repricer();
    r.schedule('a');
    runs[0].finish('conflict');
    await settle();
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(PERIOD);
    expect(runs).toHaveLength(2);
    runs[1].finish('changed');
    await settle();
    await vi.advanceTimersByTimeAsync(3 * PERIOD);
    expect(runs).toHaveLength(2);
  });

  it('types are independent, and a type is forgotten once its period is over', async () => {
    const { r, runs } = repricer();
    r.schedule('a');
    r.schedule('b');
    expect(runs.map((x) => x.id)).toEqual(['a', 'b']);
    runs[0].finish();
    runs[1].finish();
    await settle();
    await vi.advanceTimersByTimeAsync(PERIOD);
    expect(vi.getTimerCount()).toBe(0);
    r.schedule('a');
    expect(runs.map((x) => x.id)).toEqual(['a', 'b', 'a']);
  });
});
