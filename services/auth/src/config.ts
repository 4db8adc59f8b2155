import { baseConfigSchema, envInt, envString } from '@ticketing/platform';
import { z } from 'zod';

export const AUTH_SERVICE_NAME = 'auth';
export const AUTH_DEFAULT_PORT = 4001;

const int = (min: number, max: number, defaultValue: number) => envInt({ min, max, default: defaultValue });

/** Private JWKs (JSON array). The first key signs; every key is published in the JWKS. */
const signingKeys = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === '') return undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!Array.isArray(parsed) || parsed.length === 0) throw new Error('not a non-empty array');
      return parsed as Record<string, unknown>[];
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a JSON array of private JWKs (${(err as Error).message})`,
      });
      return z.NEVER;
    }
  });

export const authConfigSchema = baseConfigSchema(AUTH_SERVICE_NAME, AUTH_DEFAULT_PORT)
  .extend({
    ACCESS_TOKEN_TTL_SECONDS: int(60, 900, 900),
    REFRESH_TOKEN_TTL_SECONDS: int(300, 90 * 24 * 3600, 14 * 24 * 3600),
    /** Absolute lifetime of a refresh-token family (a session), however often it is refreshed. */
    SESSION_MAX_AGE_SECONDS: int(300, 365 * 24 * 3600, 30 * 24 * 3600),
    AUTH_SIGNING_KEYS: signingKeys,
    /**
     * Removed: it gave ADMIN to whoever registered a listed address first (there is no email
     * verification). Kept in the schema only so a deployment still setting it fails fast instead of
     * silently losing its admins. ADMIN accounts come from the seed command (README, "Admins").
     */
    AUTH_ADMIN_EMAILS: z
      .string()
      .optional()
      .refine((raw) => raw === undefined || raw.trim() === '', {
        error: 'no longer supported: create or promote admins with the seed-admin command',
      })
      .transform(() => undefined),
    /** Failed attempts (per account) allowed before each further attempt must wait an exponential delay. */
    LOGIN_SOFT_LIMIT: int(1, 1000, 5),
    LOGIN_DELAY_BASE_MS: int(0, 60_000, 1000),
    LOGIN_DELAY_MAX_MS: int(0, 3_600_000, 15 * 60_000),
    /** Hard cap of failed attempts per account in one hour (the issue requires at most 100). */
    LOGIN_MAX_FAILURES_PER_HOUR: int(1, 100, 100),
    LOGIN_IP_SOFT_LIMIT: int(1, 100_000, 20),
    LOGIN_IP_MAX_FAILURES_PER_HOUR: int(1, 1_000_000, 500),
    /**
     * Successful sign-ins per address and hour that give their counted attempt back (so a busy NAT
     * is not slowed by its own users). Bounded: each give-back is one more guess for an attacker who
     * interleaves sign-ins to an account it owns.
     */
    LOGIN_IP_MAX_RELEASES_PER_HOUR: int(0, 1_000_000, 100),
    /** Accounts created per client address (IPv6: per /64) and hour. */
    SIGNUP_IP_MAX_PER_HOUR: int(1, 1_000_000, 100),
    /** Redis must answer the throttle check within this time, or sign-in is refused (fail closed). */
    LOGIN_THROTTLE_TIMEOUT_MS: int(50, 10_000, 1000),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.NODE_ENV === 'production' && cfg.AUTH_SIGNING_KEYS === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_SIGNING_KEYS'],
        message: 'is required when NODE_ENV=production (mount it from a Secret)',
      });
    }
    if (cfg.SESSION_MAX_AGE_SECONDS < cfg.REFRESH_TOKEN_TTL_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_MAX_AGE_SECONDS'],
        message: 'must be at least REFRESH_TOKEN_TTL_SECONDS',
      });
    }
  });

export type AuthConfig = z.infer<typeof authConfigSchema>;

/**
 * The seed-admin command's variables (src/seed-admin.ts): the database exactly as the service reads it,
 * and the account to create or promote. The two fields are taken from the service's shape, not `.pick()`ed:
 * the schema carries whole-object refinements, and zod 4 refuses `.pick()` on a refined object.
 * `ADMIN_NAME` may be blank (needed only when the account is created; the Helm hook Job passes "" when
 * unset); the email, name and password rules are checked by `seedAdmin` before anything is written.
 */
export const seedAdminEnvSchema = z.object({
  MONGO_URL: authConfigSchema.shape.MONGO_URL,
  MONGO_DB: authConfigSchema.shape.MONGO_DB,
  ADMIN_EMAIL: envString(),
  ADMIN_NAME: z.string().default(''),
  ADMIN_PASSWORD: envString(),
});

export type SeedAdminConfig = z.infer<typeof seedAdminEnvSchema>;
