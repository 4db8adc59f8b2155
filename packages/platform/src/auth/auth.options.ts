import type { BaseConfig } from '../config';

/** The config fields auth reads (a subset of the platform config). */
export type AuthConfig = Pick<
  BaseConfig,
  'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'COOKIE_SECURE'
>;

export interface AuthOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  cookieSecure: boolean;
  /** Allowed clock skew for `exp`/`nbf`/`iat`, seconds. */
  clockToleranceSec: number;
  jwksCooldownMs?: number;
  jwksMaxAgeMs?: number;
  jwksTimeoutMs?: number;
}

/** DI token for the resolved AuthOptions. */
export const AUTH_OPTIONS = Symbol.for('ticketing.platform.auth.options');

export function authOptionsFromConfig(config: AuthConfig, overrides: Partial<AuthOptions> = {}): AuthOptions {
  return {
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    cookieSecure: config.COOKIE_SECURE,
    clockToleranceSec: 5,
    ...overrides,
  };
}
