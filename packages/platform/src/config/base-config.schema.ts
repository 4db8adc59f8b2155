import { z } from 'zod';
import { overloadConfigFields } from '../overload/overload.config';
import { envBool, envByteSize, envInt, envList, envPort, envString, envUrl } from './env-fields';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/**
 * The variables every service reads (see packages/platform/README.md). Services extend it:
 * `baseConfigSchema('ticket', 4003).extend({ HOLD_MINUTES: envInt({ default: 10 }) })`.
 */
export function baseConfigSchema(serviceName: string, defaultPort: number) {
  return z
    .object({
      SERVICE_NAME: envString(serviceName),
      NODE_ENV: z.enum(NODE_ENVS, { error: `expected one of ${NODE_ENVS.join('|')}` }).default('development'),
      PORT: envPort(defaultPort),
      /**
       * Connections the kernel may hold for this process before it accepts them (the listen backlog; the
       * kernel caps it at net.core.somaxconn). Node's 511 overflows in a burst of new connections while the
       * event loop is busy, and a dropped SYN is retried after 1 s, then 3 s, then 7 s.
       */
      LISTEN_BACKLOG: envInt({ default: 4096, min: 1, max: 65_535 }),
      LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join('|')}` }).default('info'),

      MONGO_URL: envUrl(['mongodb', 'mongodb+srv'], 'mongodb://127.0.0.1:27018'),
      MONGO_DB: envString(serviceName),
      MONGO_POOL_SIZE: envInt({ default: 20, min: 1, max: 500 }),

      REDIS_URL: envUrl(['redis', 'rediss'], 'redis://127.0.0.1:6390'),
      REDIS_KEY_PREFIX: z.string().default(''),

      KAFKA_BROKERS: envList(['127.0.0.1:19092'], { nonEmpty: true }).refine(
        (brokers) => brokers.every((broker) => BROKER.test(broker)),
        { error: 'expected comma-separated host:port list' },
      ),
      KAFKA_CLIENT_ID: envString(serviceName),
      KAFKA_TOPIC_PREFIX: z.string().default(''),
      /** How long an empty consumer fetch is held by the broker (idle cost vs stop and rebalance latency). */
      KAFKA_FETCH_WAIT_MS: envInt({ default: 5000, min: 10, max: 30_000 }),

      AUTH_JWKS_URL: envUrl(['http', 'https'], 'http://127.0.0.1:4001/.well-known/jwks.json'),
      AUTH_ISSUER: envString('ticketing-auth'),
      AUTH_AUDIENCE: envString('ticketing'),
      COOKIE_SECURE: envBool(true),
      /** Lets a production process send cookies without `Secure` (a plain-HTTP cluster such as kind): never elsewhere. */
      ALLOW_INSECURE_COOKIES: envBool(false),
      CORS_ORIGINS: envList(['http://localhost:5173']),

      /** Express `trust proxy`: 'true'/'false', a hop count, or a comma list of addresses/subnets/keywords. */
      TRUST_PROXY: envString('loopback'),
      /**
       * Largest accepted JSON / form body (body-parser syntax, e.g. 100kb, 1mb). The default is the gateway's
       * own cap: a subgraph sits behind the gateway, which already refuses larger bodies, so a big but otherwise
       * ordinary request the gateway let through (a 1,000,000-character title) meets the field's own rule
       * (BAD_USER_INPUT on `input.title`) instead of a second, smaller body limit with no field.
       */
      BODY_LIMIT: envByteSize('5mb'),
      /** Each readiness check must answer within this time. */
      HEALTH_CHECK_TIMEOUT_MS: envInt({ default: 1000, min: 50, max: 60_000 }),
      /** After SIGTERM: readiness is 503 at once, then wait this long (lets load balancers notice) before draining. */
      SHUTDOWN_DELAY_MS: envInt({ default: 0, min: 0, max: 600_000 }),
      /** Whole shutdown budget; past it the process exits with code 1. Keep below the pod's grace period. */
      SHUTDOWN_TIMEOUT_MS: envInt({ default: 25_000, min: 1000, max: 600_000 }),
      /** Load shedding of GraphQL operations (services that ask for it): see src/overload/. */
      ...overloadConfigFields,
    })
    .superRefine((cfg, ctx) => {
      // Session cookies without `Secure` travel over plain HTTP: refused in production unless asked for by name.
      if (cfg.NODE_ENV === 'production' && !cfg.COOKIE_SECURE && !cfg.ALLOW_INSECURE_COOKIES) {
        ctx.addIssue({
          code: 'custom',
          path: ['COOKIE_SECURE'],
          message:
            'must be true when NODE_ENV=production (a plain-HTTP cluster must also set ALLOW_INSECURE_COOKIES=true)',
        });
      }
    });
}

export type BaseConfigSchema = ReturnType<typeof baseConfigSchema>;
/** The typed configuration object shared by every platform module (`@InjectConfig()`). */
export type BaseConfig = z.infer<BaseConfigSchema>;
