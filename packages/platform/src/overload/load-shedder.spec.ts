import { describe, expect, it, vi } from 'vitest';
import { LoadShedder, type Admission, type LoadShedderOptions, type Refusal } from './load-shedder';

const options = (over: Partial<LoadShedderOptions> = {}): LoadShedderOptions => ({
  initialLimit: 2,
  minLimit: 1,
  maxLimit: 4,
  queueSize: 1,
  queueTimeoutMs: 30,
  targetLatencyMs: 100,
  windowSize: 4,
  ...over,
});

const admitted = (r: Admission | Refusal): Admission => {
  if (!r.admitted) throw new Error(`refused: ${r.reason}`);
  return r;
};

describe('LoadShedder', () => {
  it('runs up to the limit, queues one, refuses the rest at once', async () => {
    const shedder = new LoadShedder(options());
    const a = admitted(await shedder.acquire());
    admitted(await shedder.acquire());
    const queued = shedder.acquire();
    expect(queued).toBeInstanceOf(Promise);
    const refused = (await shedder.acquire()) as Refusal;
    expect(refused).toMatchObject({ admitted: false, reason: 'queue-full' });
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(50);
    a.release();
    a.release(); // twice is harmless
    expect((await queued).admitted).toBe(true);
    expect(shedder.stats()).toMatchObject({ inFlight: 2, queued: 0, refused: 1, admitted: 3 });
  });

  it('refuses a queued request after the queue timeout', async () => {
    const shedder = new LoadShedder(options({ initialLimit: 1 }));
    admitted(await shedder.acquire());
    const started = performance.now();
    const result = await shedder.acquire();
    expect(result).toMatchObject({ admitted: false, reason: 'queue-timeout' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(shedder.stats().queued).toBe(0);
  });

  it('shrinks the limit when operations are slow and grows it again when they are fast and it is used', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const shedder = new LoadShedder(options({ initialLimit: 4, queueSize: 0 }));
      const run = (ms: number) => {
        const slot = admitted(shedder.acquire() as Admission | Refusal);
        vi.advanceTimersByTime(ms);
        slot.release();
      };
      for (let i = 0; i < 4; i++) run(500);
      expect(shedder.limit).toBe(3);
      for (let i = 0; i < 8; i++) run(500);
      expect(shedder.limit).toBe(1);
      // Fast, and the limit (1) is reached: it grows by one; then one at a time never reaches 2: it stays.
      for (let i = 0; i < 8; i++) run(10);
      expect(shedder.limit).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps an unused limit as it is', () => {
    const shedder = new LoadShedder(options({ initialLimit: 3, queueSize: 0 }));
    for (let i = 0; i < 12; i++) admitted(shedder.acquire() as Admission | Refusal).release();
    expect(shedder.limit).toBe(3);
  });

  describe('with maxLagMs (the event loop running late)', () => {
    /** Holds the event loop for `ms`, as a burst of synchronous work would. */
    const block = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    /** Lets the lag probe's timer run (it fires late after a block). */
    const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

    it('refuses at once beyond minLimit, without queueing, while the loop lags', async () => {
      const shedder = new LoadShedder(
        options({ initialLimit: 4, queueSize: 4, queueTimeoutMs: 1_000, maxLagMs: 30 }),
      );
      const first = admitted(await shedder.acquire());
      block(80);
      await turn();
      expect(shedder.stats().lagMs).toBeGreaterThan(30);
      // Under the limit (1 of 4) but at minLimit (1): refused now, not queued.
      const refused = shedder.acquire();
      expect(refused).toMatchObject({ admitted: false, reason: 'loop-lag' });
      first.release();
    });

    it('admits up to minLimit even while lagging', async () => {
      const shedder = new LoadShedder(options({ minLimit: 2, initialLimit: 4, maxLagMs: 30 }));
      const first = admitted(await shedder.acquire());
      block(80);
      await turn();
      const second = admitted(shedder.acquire() as Admission | Refusal);
      expect(shedder.acquire()).toMatchObject({ admitted: false, reason: 'loop-lag' });
      first.release();
      second.release();
    });

    it('tells queued requests at the next tick instead of letting them wait out the queue timeout', async () => {
      const shedder = new LoadShedder(
        options({ initialLimit: 1, queueSize: 2, queueTimeoutMs: 5_000, maxLagMs: 30 }),
      );
      const first = admitted(await shedder.acquire());
      const queued = shedder.acquire();
      expect(queued).toBeInstanceOf(Promise);
      const started = performance.now();
      block(80);
      expect(await queued).toMatchObject({ admitted: false, reason: 'loop-lag' });
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(shedder.stats().queued).toBe(0);
      first.release();
    });

    it('shrinks the limit after a window in which the loop lagged, though every operation was fast', async () => {
      const shedder = new LoadShedder(options({ minLimit: 1, initialLimit: 4, queueSize: 0, maxLagMs: 30 }));
      const held = admitted(await shedder.acquire());
      block(80);
      await turn();
      expect(shedder.acquire()).toMatchObject({ reason: 'loop-lag' });
      held.release();
      await new Promise((resolve) => setTimeout(resolve, 30)); // the probe sees no lag and stops
      for (let i = 0; i < 3; i++) admitted(shedder.acquire() as Admission | Refusal).release();
      expect(shedder.limit).toBe(3);
    });

    it('keeps no timer while nothing is in flight, and one while work runs', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      try {
        const shedder = new LoadShedder(options({ maxLagMs: 30 }));
        expect(vi.getTimerCount()).toBe(0);
        const slot = admitted(shedder.acquire() as Admission | Refusal);
        expect(vi.getTimerCount()).toBe(1);
        vi.advanceTimersByTime(100);
        expect(vi.getTimerCount()).toBe(1);
        expect(shedder.stats().lagMs).toBe(0);
        slot.release();
        vi.advanceTimersByTime(100);
        expect(vi.getTimerCount()).toBe(0);
      } finally {
        vi.useRealTimers();
      }
    });

    it('watches nothing when maxLagMs is 0', async () => {
      const shedder = new LoadShedder(options({ initialLimit: 4, maxLagMs: 0 }));
      const first = admitted(await shedder.acquire());
      block(80);
      await turn();
      expect(shedder.stats().lagMs).toBe(0);
      admitted(shedder.acquire() as Admission | Refusal).release();
      first.release();
    });
  });
});
