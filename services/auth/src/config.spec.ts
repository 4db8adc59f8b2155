import { ConfigError, loadConfig } from '@ticketing/platform';
import { describe, expect, it } from 'vitest';
import { authConfigSchema, seedAdminEnvSchema } from './config';

describe('auth config', () => {
  it('has safe defaults for development', () => {
    const config = loadConfig(authConfigSchema, {});
    expect(config.PORT).toBe(4001);
    expect(config.ACCESS_TOKEN_TTL_SECONDS).toBe(900);
    expect(config.REFRESH_TOKEN_TTL_SECONDS).toBe(14 * 24 * 3600);
    expect(config.LOGIN_MAX_FAILURES_PER_HOUR).toBe(100);
    expect(config.AUTH_SIGNING_KEYS).toBeUndefined();
    expect(config.AUTH_ADMIN_EMAILS).toBeUndefined();
  });

  it('requires signing keys in production and caps the access TTL at 15 minutes', () => {
    expect(() => loadConfig(authConfigSchema, { NODE_ENV: 'production' })).toThrow(/AUTH_SIGNING_KEYS/);
    expect(() => loadConfig(authConfigSchema, { ACCESS_TOKEN_TTL_SECONDS: '901' })).toThrow(ConfigError);
    expect(() => loadConfig(authConfigSchema, { LOGIN_MAX_FAILURES_PER_HOUR: '101' })).toThrow(
      /LOGIN_MAX_FAILURES_PER_HOUR/,
    );
  });

  it('refuses AUTH_ADMIN_EMAILS: admins come from the seed command, never from signing up', () => {
    expect(() => loadConfig(authConfigSchema, { AUTH_ADMIN_EMAILS: 'root@example.com' })).toThrow(
      /AUTH_ADMIN_EMAILS \(no longer supported/,
    );
    expect(loadConfig(authConfigSchema, { AUTH_ADMIN_EMAILS: ' ' }).AUTH_ADMIN_EMAILS).toBeUndefined();
  });

  it('parses signing keys', () => {
    const config = loadConfig(authConfigSchema, {
      AUTH_SIGNING_KEYS: JSON.stringify([{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd', kid: 'k1' }]),
    });
    expect(config.AUTH_SIGNING_KEYS?.[0].kid).toBe('k1');
    expect(() => loadConfig(authConfigSchema, { AUTH_SIGNING_KEYS: '{"kty":"OKP"}' })).toThrow(
      /AUTH_SIGNING_KEYS/,
    );
  });

  describe('the seed-admin command', () => {
    it('reads the database like the service and the ADMIN_* variables, nothing else', () => {
      const config = loadConfig(seedAdminEnvSchema, {
        ADMIN_EMAIL: 'ops@example.com',
        ADMIN_PASSWORD: 'violet-harbour-lantern-42',
        MONGO_DB: 'auth-prod',
        // A production pod's other settings do not concern it.
        NODE_ENV: 'production',
      });
      expect(config).toEqual({
        MONGO_URL: 'mongodb://127.0.0.1:27018',
        MONGO_DB: 'auth-prod',
        ADMIN_EMAIL: 'ops@example.com',
        ADMIN_NAME: '',
        ADMIN_PASSWORD: 'violet-harbour-lantern-42',
      });
    });

    it('accepts a blank ADMIN_NAME (needed only when the account is created)', () => {
      const env = { ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'x', ADMIN_NAME: '' };
      expect(loadConfig(seedAdminEnvSchema, env).ADMIN_NAME).toBe('');
    });

    it('names every missing or bad variable', () => {
      expect(() => loadConfig(seedAdminEnvSchema, { MONGO_URL: 'postgres://db' })).toThrow(
        'Invalid configuration: MONGO_URL (expected mongodb or mongodb+srv URL), ADMIN_EMAIL (required), ADMIN_PASSWORD (required)',
      );
    });
  });
});
