import { ConfigError, DEV_DISPLAY_CODE_MASTER_KEY, loadConfig } from '@ticketing/platform';
import { describe, expect, it } from 'vitest';
import { checkinConfigSchema } from './config';

describe('checkin config', () => {
  it('has working defaults in development', () => {
    const config = loadConfig(checkinConfigSchema, {});
    expect(config).toMatchObject({
      PORT: 4004,
      TICKET_URL: 'http://127.0.0.1:4003/graphql',
      DOORS_OPEN_MINUTES: 120,
      BODY_LIMIT: '5mb',
      DISPLAY_CODE_MASTER_KEY: DEV_DISPLAY_CODE_MASTER_KEY,
    });
  });

  it('requires a real display-code master key in production and refuses a short one', () => {
    expect(() => loadConfig(checkinConfigSchema, { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig(checkinConfigSchema, { NODE_ENV: 'production' })).toThrow(
      /DISPLAY_CODE_MASTER_KEY/,
    );
    expect(() => loadConfig(checkinConfigSchema, { DISPLAY_CODE_MASTER_KEY: 'short' })).toThrow(
      /DISPLAY_CODE_MASTER_KEY/,
    );
    const key = 'p'.repeat(64);
    expect(
      loadConfig(checkinConfigSchema, { NODE_ENV: 'production', DISPLAY_CODE_MASTER_KEY: key })
        .DISPLAY_CODE_MASTER_KEY,
    ).toBe(key);
  });

  it('names a bad ticket URL or doors window', () => {
    expect(() => loadConfig(checkinConfigSchema, { TICKET_URL: 'ftp://x' })).toThrow(/TICKET_URL/);
    expect(() => loadConfig(checkinConfigSchema, { DOORS_OPEN_MINUTES: '-1' })).toThrow(/DOORS_OPEN_MINUTES/);
  });

  it('bounds the attendance update interval to a second at most (issue 10: scan to dashboard within 1 s)', () => {
    expect(loadConfig(checkinConfigSchema, {}).ATTENDANCE_UPDATE_MIN_INTERVAL_MS).toBe(100);
    expect(
      loadConfig(checkinConfigSchema, { ATTENDANCE_UPDATE_MIN_INTERVAL_MS: '1000' })
        .ATTENDANCE_UPDATE_MIN_INTERVAL_MS,
    ).toBe(1000);
    for (const bad of ['3000', '0', 'soon'])
      expect(() => loadConfig(checkinConfigSchema, { ATTENDANCE_UPDATE_MIN_INTERVAL_MS: bad })).toThrow(
        /ATTENDANCE_UPDATE_MIN_INTERVAL_MS/,
      );
  });
});
