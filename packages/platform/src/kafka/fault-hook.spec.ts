import { describe, expect, it } from 'vitest';
import { CrashAfterWriteHook, crashAfterWriteFromEnv } from './fault-hook';

describe('FAULT_CRASH_AFTER_WRITE (test-only crash hook)', () => {
  it('is off when unset and parses <topic> and <topic>#<n>', () => {
    expect(crashAfterWriteFromEnv({})).toBeUndefined();
    expect(crashAfterWriteFromEnv({ FAULT_CRASH_AFTER_WRITE: 'ticket.orders' })).toEqual({
      topic: 'ticket.orders',
      nth: 1,
    });
    expect(crashAfterWriteFromEnv({ FAULT_CRASH_AFTER_WRITE: 'checkin.checkins#25' })).toEqual({
      topic: 'checkin.checkins',
      nth: 25,
    });
    expect(() => crashAfterWriteFromEnv({ FAULT_CRASH_AFTER_WRITE: 'x#0' })).toThrow(/must be/);
  });

  it('is refused in production', () => {
    expect(() =>
      crashAfterWriteFromEnv({ FAULT_CRASH_AFTER_WRITE: 'ticket.orders', NODE_ENV: 'production' }),
    ).toThrow(/refused when NODE_ENV=production/);
  });

  it('kills once, at the n-th handled record of its topic only', () => {
    let kills = 0;
    const hook = new CrashAfterWriteHook({ topic: 'ticket.orders', nth: 2 }, () => (kills += 1));
    hook.afterWrite('ticket.reservations');
    hook.afterWrite('ticket.orders');
    expect(kills).toBe(0);
    hook.afterWrite('ticket.orders');
    expect(kills).toBe(1);
    hook.afterWrite('ticket.orders');
    expect(kills).toBe(1);
    new CrashAfterWriteHook(undefined, () => (kills += 1)).afterWrite('ticket.orders');
    expect(kills).toBe(1);
  });
});
