import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigSchema } from './base-config.schema';
import { ConfigError } from './config-error';
import { envBool, envInt, envList, envString } from './env-fields';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies the documented defaults of the base schema', () => {
    const config = loadConfig(baseConfigSchema('ticket', 4003), {});
    expect(config).toMatchObject({
      SERVICE_NAME: 'ticket',
      NODE_ENV: 'development',
      PORT: 4003,
      LOG_LEVEL: 'info',
      MONGO_URL: 'mongodb://127.0.0.1:27018',
      MONGO_DB: 'ticket',
      REDIS_URL: 'redis://127.0.0.1:6390',
      REDIS_KEY_PREFIX: '',
      KAFKA_BROKERS: ['127.0.0.1:19092'],
      KAFKA_CLIENT_ID: 'ticket',
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_FETCH_WAIT_MS: 5000,
      AUTH_ISSUER: 'ticketing-auth',
      AUTH_AUDIENCE: 'ticketing',
      COOKIE_SECURE: true,
      CORS_ORIGINS: ['http://localhost:5173'],
      SHUTDOWN_DELAY_MS: 0,
      HEALTH_CHECK_TIMEOUT_MS: 1000,
      // The gateway's cap: what it let through is judged by the fields' own rules, not refused again here.
      BODY_LIMIT: '5mb',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses numbers, booleans and comma lists from strings', () => {
    const config = loadConfig(baseConfigSchema('event', 4002), {
      PORT: '5002',
      COOKIE_SECURE: 'false',
      KAFKA_BROKERS: ' 10.0.0.1:9092, kafka-1.local:9093 ,',
      CORS_ORIGINS: 'https://a.example,https://b.example',
      SHUTDOWN_DELAY_MS: '5000',
    });
    expect(config.PORT).toBe(5002);
    expect(config.COOKIE_SECURE).toBe(false);
    expect(config.KAFKA_BROKERS).toEqual(['10.0.0.1:9092', 'kafka-1.local:9093']);
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.SHUTDOWN_DELAY_MS).toBe(5000);
  });

  it('names every bad variable in one error, without echoing values', () => {
    const schema = baseConfigSchema('auth', 4001).extend({ JWT_SECRET_FILE: envString() });
    let caught: unknown;
    try {
      loadConfig(schema, {
        PORT: 'eighty',
        MONGO_URL: 'postgres://secret-host/db',
        COOKIE_SECURE: 'maybe',
        LOG_LEVEL: 'loud',
        KAFKA_BROKERS: 'no-port-here',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems.map((p) => p.variable)).toEqual([
      'PORT',
      'LOG_LEVEL',
      'MONGO_URL',
      'KAFKA_BROKERS',
      'COOKIE_SECURE',
      'JWT_SECRET_FILE',
    ]);
    expect(error.message).toMatch(
      /^Invalid configuration: PORT \(expected number\), LOG_LEVEL \(expected one of/,
    );
    expect(error.message).toContain('MONGO_URL (expected mongodb or mongodb+srv URL)');
    expect(error.message).toContain('COOKIE_SECURE (expected true or false)');
    expect(error.message).toContain('JWT_SECRET_FILE (required)');
    expect(error.message).not.toContain('secret-host');
  });

  it('reports a missing required variable as required', () => {
    const schema = z.object({ MONGO_URL: envString(), WORKERS: envInt({ min: 1 }), FLAGS: envList() });
    expect(() => loadConfig(schema, { FLAGS: 'a' })).toThrow(
      'Invalid configuration: MONGO_URL (required), WORKERS (required)',
    );
  });

  it('treats blank typed values as unset so defaults apply, and rejects out-of-range numbers', () => {
    const schema = z.object({ PORT: envInt({ default: 80, min: 1, max: 65535 }), ON: envBool(false) });
    expect(loadConfig(schema, { PORT: '  ', ON: '' })).toEqual({ PORT: 80, ON: false });
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow('PORT (expected number <= 65535)');
    expect(() => loadConfig(schema, { PORT: '1.5' })).toThrow('PORT (expected whole number)');
    expect(loadConfig(schema, { ON: 'TRUE' }).ON).toBe(true);
  });

  it('refuses cookies without Secure in production unless ALLOW_INSECURE_COOKIES says so by name', () => {
    const schema = baseConfigSchema('auth', 4001).extend({ EXTRA: envString('x') });
    expect(() => loadConfig(schema, { NODE_ENV: 'production', COOKIE_SECURE: 'false' })).toThrow(
      /^Invalid configuration: COOKIE_SECURE \(must be true when NODE_ENV=production/,
    );
    const allowed = loadConfig(schema, {
      NODE_ENV: 'production',
      COOKIE_SECURE: 'false',
      ALLOW_INSECURE_COOKIES: 'true',
    });
    expect(allowed).toMatchObject({ COOKIE_SECURE: false, ALLOW_INSECURE_COOKIES: true });
    expect(loadConfig(schema, { NODE_ENV: 'production' }).COOKIE_SECURE).toBe(true);
    // Outside production plain-HTTP development needs no flag.
    expect(loadConfig(schema, { NODE_ENV: 'development', COOKIE_SECURE: 'false' }).COOKIE_SECURE).toBe(false);
  });
});
