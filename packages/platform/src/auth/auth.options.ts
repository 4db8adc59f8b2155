import type { BaseConfig } from '../config';
import type { SessionRevocationOptions } from './session-revocations';

/** The config fields auth reads (a subset of the platform config). */
export type AuthConfig = Pick<
  BaseConfig,
  'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'COOKIE_SECURE'
> &
  Partial<Pick<BaseConfig, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'SERVICE_NAME'>>;

export interface AuthOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  cookieSecure: boolean;
  /** Allowed clock skew for `exp`/`nbf`/`iat`, seconds. */
  clockToleranceSec: number;
  /** How long a fetched public key is cached (default 10 min). */
  jwksCacheMaxAgeMs?: number;
  /** How long a cached key keeps serving while the JWKS endpoint is unreachable (default 1 h). */
  jwksStaleFallbackMs?: number;
  /** A `kid` the JWKS did not have is refused without a new fetch for this long (default 10 s). */
  jwksUnknownKidCooldownMs?: number;
  /** JWKS fetches allowed per minute for `kid`s not in the cache (default 10). */
  jwksRequestsPerMinute?: number;
  jwksTimeoutMs?: number;
  /** Where revoked session ids live; without it every token older than the staleness limit is refused. */
  revocation?: SessionRevocationOptions;
}

/** DI token for the resolved AuthOptions. */
export const AUTH_OPTIONS = Symbol.for('ticketing.platform.auth.options');

export function authOptionsFromConfig(config: AuthConfig, overrides: Partial<AuthOptions> = {}): AuthOptions {
  const revocation: SessionRevocationOptions | undefined =
    config.REDIS_URL === undefined
      ? undefined
      : {
          redisUrl: config.REDIS_URL,
          keyPrefix: config.REDIS_KEY_PREFIX ?? '',
          connectionName: config.SERVICE_NAME ?? 'service',
        };
  return {
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    cookieSecure: config.COOKIE_SECURE,
    clockToleranceSec: 5,
    revocation,
    ...overrides,
    ...(overrides.revocation && revocation ? { revocation: { ...revocation, ...overrides.revocation } } : {}),
  };
}
