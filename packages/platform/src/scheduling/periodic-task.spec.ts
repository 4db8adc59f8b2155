import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTask, type PeriodicRunResult } from './periodic-task';

/** A task whose runs are recorded (time since start) and answer from a script. */
function recorder(answers: (n: number) => PeriodicRunResult | Error, min = 100, max = 1_000) {
  const runs: number[] = [];
  const t0 = Date.now();
  const task = new PeriodicTask({
    name: 'spec',
    minIntervalMs: min,
    maxIdleMs: max,
    run: async () => {
      runs.push(Date.now() - t0);
      const answer = answers(runs.length);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  return { task, runs };
}

describe('PeriodicTask', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('backs off while idle, doubling up to maxIdleMs', async () => {
    const { task, runs } = recorder(() => ({ worked: 0 }));
    task.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await task.stop();
    // 100, +100, +200, +400, +800, then +1000 each
    expect(runs.slice(0, 7)).toEqual([100, 200, 400, 800, 1_600, 2_600, 3_600]);
  });

  it('comes back to the minimum interval after a run that worked', async () => {
    const { task, runs } = recorder((n) => ({ worked: n === 4 ? 3 : 0 }));
    task.start();
    await vi.advanceTimersByTimeAsync(2_000);
    await task.stop();
    // idle 100,200,400 → run 4 at 800 worked → next at 900, then 1000 (100), 1200 (200) ...
    expect(runs.slice(0, 7)).toEqual([100, 200, 400, 800, 900, 1_000, 1_200]);
  });

  it('runs when the next known work falls due, never sooner than the minimum interval', async () => {
    const { task, runs } = recorder(
      (n) =>
        n === 4
          ? { worked: 0, nextDueAt: new Date(Date.now() + 250) }
          : n === 5
            ? { worked: 0, nextDueAt: new Date(Date.now() + 10) }
            : { worked: 0 },
      100,
      10_000,
    );
    task.start();
    await vi.advanceTimersByTimeAsync(1_200);
    await task.stop();
    // idle waits 100, 200, 400; run 4 (800) knows of work at 1050, before its idle wait of 800 is over;
    // run 5 knows of work 10 ms later, but the minimum interval holds it to 1150.
    expect(runs).toEqual([100, 200, 400, 800, 1_050, 1_150]);
  });

  it('dueAt() brings the next run forward and resets the idle backoff', async () => {
    const { task, runs } = recorder(() => ({ worked: 0 }), 100, 10_000);
    task.start();
    await vi.advanceTimersByTimeAsync(3_200); // runs at 100, 200, 400, 800, 1600, 3200
    task.dueAt(new Date(Date.now() + 50)); // within the minimum interval of the last run
    await vi.advanceTimersByTimeAsync(150);
    await task.stop();
    expect(runs).toEqual([100, 200, 400, 800, 1_600, 3_200, 3_300]);
  });

  it('retries after a failed run and never runs after stop()', async () => {
    const { task, runs } = recorder((n) => (n === 1 ? new Error('boom') : { worked: 0 }));
    task.start();
    await vi.advanceTimersByTimeAsync(250);
    await task.stop();
    const count = runs.length;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(count).toBe(2);
    expect(runs.length).toBe(count);
  });
});
