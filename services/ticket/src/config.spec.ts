import { ConfigError, DEV_DISPLAY_CODE_MASTER_KEY, loadConfig } from '@ticketing/platform';
import { describe, expect, it } from 'vitest';
import { ticketConfigSchema } from './config';

describe('ticket config', () => {
  it('has safe defaults in development', () => {
    const config = loadConfig(ticketConfigSchema, {});
    expect(config).toMatchObject({
      PORT: 4003,
      HOLD_TTL_SECONDS: 600,
      SWEEP_INTERVAL_MS: 1000,
      PAYMENT_PROVIDER: 'test',
      // A burst waits up to 250 ms for a shedder slot (the platform's default is 50), and the base
      // schema's refinements still apply (production cookies, below).
      OVERLOAD_QUEUE_TIMEOUT_MS: 250,
      // And it refuses without queueing while its event loop runs over 40 ms late (the platform's default: off).
      OVERLOAD_MAX_LAG_MS: 40,
    });
    expect(
      loadConfig(ticketConfigSchema, { OVERLOAD_QUEUE_TIMEOUT_MS: '30' }).OVERLOAD_QUEUE_TIMEOUT_MS,
    ).toBe(30);
    expect(config.TICKET_SIGNING_KEY).toBeUndefined();
  });

  it('requires a signing key and refuses the test payment provider in production', () => {
    expect(() => loadConfig(ticketConfigSchema, { NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      loadConfig(ticketConfigSchema, { NODE_ENV: 'production' });
    } catch (error) {
      expect((error as Error).message).toContain('TICKET_SIGNING_KEY');
      expect((error as Error).message).toContain('PAYMENT_PROVIDER');
      expect((error as Error).message).toContain('DISPLAY_CODE_MASTER_KEY');
    }
  });

  it('uses the development display-code key only outside production, and refuses a short one', () => {
    expect(loadConfig(ticketConfigSchema, {}).DISPLAY_CODE_MASTER_KEY).toBe(DEV_DISPLAY_CODE_MASTER_KEY);
    expect(() => loadConfig(ticketConfigSchema, { DISPLAY_CODE_MASTER_KEY: 'too-short' })).toThrow(
      /DISPLAY_CODE_MASTER_KEY/,
    );
    const key = 'k'.repeat(48);
    expect(loadConfig(ticketConfigSchema, { DISPLAY_CODE_MASTER_KEY: key }).DISPLAY_CODE_MASTER_KEY).toBe(
      key,
    );
  });

  it('takes an optional waiting-room pass key of at least 32 characters', () => {
    expect(loadConfig(ticketConfigSchema, {}).WAITING_ROOM_PASS_KEY).toBeUndefined();
    expect(() => loadConfig(ticketConfigSchema, { WAITING_ROOM_PASS_KEY: 'short' })).toThrow(
      /WAITING_ROOM_PASS_KEY/,
    );
    const key = 'w'.repeat(32);
    expect(loadConfig(ticketConfigSchema, { WAITING_ROOM_PASS_KEY: key }).WAITING_ROOM_PASS_KEY).toBe(key);
  });

  it('keeps the payment timeout well inside the recovery window', () => {
    expect(loadConfig(ticketConfigSchema, {})).toMatchObject({
      PAYMENT_TIMEOUT_MS: 10_000,
      RECOVERY_AFTER_MS: 30_000,
    });
    expect(() => loadConfig(ticketConfigSchema, { PAYMENT_TIMEOUT_MS: '20000' })).toThrow(
      /PAYMENT_TIMEOUT_MS/,
    );
    expect(() =>
      loadConfig(ticketConfigSchema, { PAYMENT_TIMEOUT_MS: '5000', RECOVERY_AFTER_MS: '8000' }),
    ).toThrow(/PAYMENT_TIMEOUT_MS/);
    expect(
      loadConfig(ticketConfigSchema, { PAYMENT_TIMEOUT_MS: '4000', RECOVERY_AFTER_MS: '8000' })
        .PAYMENT_TIMEOUT_MS,
    ).toBe(4000);
  });

  it('names a bad hold time', () => {
    expect(() => loadConfig(ticketConfigSchema, { HOLD_TTL_SECONDS: '0' })).toThrow(/HOLD_TTL_SECONDS/);
  });

  it('bounds the sales update interval to a second at most', () => {
    expect(loadConfig(ticketConfigSchema, {}).SALES_UPDATE_MIN_INTERVAL_MS).toBe(250);
    for (const bad of ['1001', '0', 'soon'])
      expect(() => loadConfig(ticketConfigSchema, { SALES_UPDATE_MIN_INTERVAL_MS: bad })).toThrow(
        /SALES_UPDATE_MIN_INTERVAL_MS/,
      );
  });
});
