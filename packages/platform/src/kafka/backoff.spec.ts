import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff';

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
});
