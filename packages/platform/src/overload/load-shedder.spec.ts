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
});
