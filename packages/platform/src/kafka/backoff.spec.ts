import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep, withTimeout } from './backoff';

describe('backoff helpers', () => {
  it('doubles the delay per attempt within ±20 % and caps it', () => {
    for (let i = 0; i < 50; i++) {
      expect(backoffDelay(1, 100)).toBeGreaterThanOrEqual(80);
      expect(backoffDelay(1, 100)).toBeLessThanOrEqual(120);
      expect(backoffDelay(3, 100)).toBeGreaterThanOrEqual(320);
      expect(backoffDelay(3, 100)).toBeLessThanOrEqual(480);
      expect(backoffDelay(30, 100, 1_000)).toBeLessThanOrEqual(1_200);
    }
  });

  it('sleep ends early when its signal aborts', async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 20);
    await sleep(5_000, abort.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('withTimeout rejects a promise that does not settle in time and passes results through', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'too slow')).rejects.toThrow('too slow');
    await expect(withTimeout(Promise.resolve(7), 1_000, 'x')).resolves.toBe(7);
  });
});
