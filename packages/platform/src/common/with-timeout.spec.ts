import { describe, expect, it } from 'vitest';
import { withTimeout } from './with-timeout';

class SlowError extends Error {}

describe('withTimeout', () => {
  it('rejects a promise that does not settle in time and passes results and errors through', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'too slow')).rejects.toThrow('too slow');
    await expect(withTimeout(Promise.resolve(7), 1_000, 'x')).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('own')), 1_000, 'x')).rejects.toThrow('own');
  });

  it('rejects with the error the factory makes, so a timeout can be told apart by its class', async () => {
    await expect(
      withTimeout(new Promise(() => undefined), 20, () => new SlowError('late')),
    ).rejects.toBeInstanceOf(SlowError);
  });
});
