import { describe, expect, it } from 'vitest';
import { RecentCache } from './recent-cache';

function counter() {
  let loads = 0;
  const load = (value: string) => () => {
    loads++;
    return Promise.resolve(value);
  };
  return { load, loads: () => loads };
}

describe('RecentCache', () => {
  it('serves an answer until it is older than maxAgeMs, then loads again', async () => {
    let now = 1_000;
    const cache = new RecentCache<string, string>({ maxAgeMs: 250, maxEntries: 10, now: () => now });
    const { load, loads } = counter();
    expect(await cache.get('e1', load('a'))).toBe('a');
    now += 250;
    expect(await cache.get('e1', load('b'))).toBe('a');
    expect(loads()).toBe(1);
    now += 1;
    expect(await cache.get('e1', load('c'))).toBe('c');
    expect(loads()).toBe(2);
  });

  it('shares one running load between callers of the same key', async () => {
    const cache = new RecentCache<string, number>({ maxAgeMs: 1_000, maxEntries: 10 });
    let release!: (value: number) => void;
    let loads = 0;
    const load = () => {
      loads++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const first = cache.get('k', load);
    const second = cache.get('k', load);
    release(42);
    expect(await Promise.all([first, second])).toEqual([42, 42]);
    expect(loads).toBe(1);
  });

  it('does not keep a failed load', async () => {
    const cache = new RecentCache<string, string>({ maxAgeMs: 1_000, maxEntries: 10 });
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.size).toBe(0);
    expect(await cache.get('k', () => Promise.resolve('up'))).toBe('up');
  });

  it('forgetAfter drops the entry once the write is done, also a load that raced the write', async () => {
    const cache = new RecentCache<string, string>({ maxAgeMs: 60_000, maxEntries: 10 });
    const { load, loads } = counter();
    await cache.get('e1', load('before'));
    let finish!: () => void;
    const write = new Promise<void>((resolve) => (finish = resolve));
    const done = cache.forgetAfter(write, 'e1');
    // Read while the write runs: still the old answer, and it must not survive the write.
    expect(await cache.get('e1', load('during'))).toBe('before');
    finish();
    await done;
    expect(await cache.get('e1', load('after'))).toBe('after');
    expect(loads()).toBe(2);
    // Without a key, everything goes (and a failed write still forgets).
    await cache.get('e2', load('x'));
    await expect(cache.forgetAfter(Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest first', async () => {
    const cache = new RecentCache<number, number>({ maxAgeMs: 60_000, maxEntries: 3 });
    for (const key of [1, 2, 3, 4]) await cache.get(key, () => Promise.resolve(key));
    expect(cache.size).toBe(3);
    let reloaded = false;
    await cache.get(1, () => ((reloaded = true), Promise.resolve(1)));
    expect(reloaded).toBe(true);
  });

  it('with maxAgeMs 0 loads every time and keeps nothing', async () => {
    const cache = new RecentCache<string, string>({ maxAgeMs: 0, maxEntries: 10 });
    const { load, loads } = counter();
    await cache.get('k', load('a'));
    await cache.get('k', load('a'));
    expect(loads()).toBe(2);
    expect(cache.size).toBe(0);
  });
});
