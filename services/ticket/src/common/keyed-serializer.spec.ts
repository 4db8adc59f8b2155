import { describe, expect, it } from 'vitest';
import { KeyedSerializer } from './keyed-serializer';

describe('KeyedSerializer', () => {
  it('runs tasks of one key one at a time, in order, and other keys alongside', async () => {
    const serializer = new KeyedSerializer();
    const log: string[] = [];
    let active = 0;
    let maxActive = 0;
    const task = (name: string) => async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`end ${name}`);
      active -= 1;
      return name;
    };
    const results = await Promise.all([serializer.run('a', task('a1')), serializer.run('a', task('a2')), serializer.run('b', task('b1'))]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(maxActive).toBe(2);
  });

  it('keeps going after a failed task', async () => {
    const serializer = new KeyedSerializer();
    const failed = serializer.run('k', async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await expect(serializer.run('k', async () => 'next')).resolves.toBe('next');
  });
});
