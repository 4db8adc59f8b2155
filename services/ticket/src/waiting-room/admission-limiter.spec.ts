import { describe, expect, it } from 'vitest';
import { AdmissionLimiter } from './admission-limiter';

const limiter = (over: Partial<ConstructorParameters<typeof AdmissionLimiter>[0]> = {}) =>
  new AdmissionLimiter({ initial: 10, min: 2, max: 50, targetLatencyMs: 100, ...over });

describe('AdmissionLimiter', () => {
  it('grows by about one per limit-worth of fast reservations', () => {
    const l = limiter();
    for (let i = 0; i < 10; i++) l.observe(20, false, i);
    expect(l.limit).toBe(10); // 10 + 10 * ~1/10 stays just under 11
    for (let i = 0; i < 12; i++) l.observe(20, false, 100 + i);
    expect(l.limit).toBe(12);
  });

  it('cuts the limit when reservations get slower than the target, once per cooldown', () => {
    const l = limiter({ initial: 40, cooldownMs: 1_000 });
    l.observe(500, false, 10_000);
    expect(l.limit).toBe(28); // 40 * 0.7
    l.observe(500, false, 10_500); // within the cooldown: no second cut
    expect(l.limit).toBe(28);
    l.observe(500, false, 11_001);
    expect(l.limit).toBe(19); // 28 * 0.7 = 19.6
  });

  it('treats an overload refusal as a slow answer even when it was fast', () => {
    const l = limiter({ initial: 20 });
    l.observe(5, true, 1_000);
    expect(l.limit).toBe(14);
  });

  it('never leaves [min, max]; min = max pins it', () => {
    const low = limiter({ initial: 3 });
    for (let t = 0; t < 20; t++) low.observe(1_000, false, t * 1_000);
    expect(low.limit).toBe(2);
    const high = limiter({ initial: 49 });
    for (let i = 0; i < 1_000; i++) high.observe(1, false, i);
    expect(high.limit).toBe(50);
    const pinned = limiter({ initial: 3, min: 3, max: 3 });
    pinned.observe(1_000, true, 0);
    for (let i = 0; i < 100; i++) pinned.observe(1, false, 10_000 + i);
    expect(pinned.limit).toBe(3);
  });

  it('follows a capacity change: shrinks under slow answers, recovers when they are fast again', () => {
    const l = limiter({ initial: 30, cooldownMs: 200 });
    let t = 0;
    for (let i = 0; i < 20; i++) l.observe(400, false, (t += 100));
    const squeezed = l.limit;
    expect(squeezed).toBeLessThan(10);
    for (let i = 0; i < 200; i++) l.observe(30, false, (t += 10));
    expect(l.limit).toBeGreaterThan(squeezed + 5);
    expect(l.averageLatencyMs).toBeLessThan(100);
  });

  it('refuses impossible bounds', () => {
    expect(() => limiter({ min: 0 })).toThrow();
    expect(() => limiter({ min: 5, max: 4 })).toThrow();
  });
});
