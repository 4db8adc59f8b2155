import { Inject, Injectable } from '@nestjs/common';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { getLogger } from '../logging';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { isRole, type AuthUser } from './auth-user';
import { ACCESS_TOKEN_ALGORITHMS, JwksCache } from './jwks-cache';
import { connectionParamsToken, extractAccessToken, type TokenCarrier } from './token-extraction';

/** A verified access token. */
export interface VerifiedSession {
  user: AuthUser;
  /** When the token stops being valid (ms since epoch). */
  expiresAt: number;
}

/** Why there is no session: no token at all, or a token we refused. */
export type AuthFailure = 'missing' | 'expired' | 'invalid';

export type AuthResult =
  { session: VerifiedSession; failure?: undefined } | { session: null; failure: AuthFailure };

/** Raised by `verify` with the reason; never shown to clients beyond "expired" vs "invalid". */
export class AccessTokenError extends Error {
  constructor(
    readonly failure: Exclude<AuthFailure, 'missing'>,
    message: string,
  ) {
    super(message);
  }
}

function claimsToUser(payload: JWTPayload): AuthUser {
  const { sub, email, role, name } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || !sub) throw new AccessTokenError('invalid', 'token has no sub');
  if (typeof email !== 'string' || !email) throw new AccessTokenError('invalid', 'token has no email');
  if (!isRole(role)) throw new AccessTokenError('invalid', 'token has no valid role');
  return { id: sub, email, role, name: typeof name === 'string' ? name : '' };
}

/**
 * Verifies access tokens against the auth service's JWKS: signature by a key whose `kid` is in the
 * set, algorithm EdDSA or ES256 only (so `alg: none` and HS256-with-the-public-key fail), `iss`,
 * `aud`, `exp` (required, small clock tolerance) and `sub`.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly jwks: JwksCache;
  private readonly logger = getLogger('AccessTokenVerifier');
  private readonly requestResults = new WeakMap<object, Promise<AuthResult>>();

  constructor(@Inject(AUTH_OPTIONS) readonly options: AuthOptions) {
    this.jwks = new JwksCache({
      url: options.jwksUrl,
      cooldownMs: options.jwksCooldownMs,
      maxAgeMs: options.jwksMaxAgeMs,
      timeoutMs: options.jwksTimeoutMs,
    });
  }

  /** Verifies one token; throws AccessTokenError. */
  async verify(token: string): Promise<VerifiedSession> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks.getKey, {
        algorithms: [...ACCESS_TOKEN_ALGORITHMS],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSec,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AccessTokenError('expired', 'token expired');
      throw new AccessTokenError('invalid', error instanceof Error ? error.message : 'token rejected');
    }
    return { user: claimsToUser(payload), expiresAt: (payload.exp as number) * 1000 };
  }

  /** Verifies a token, answering a result instead of throwing. */
  async check(token: string | undefined): Promise<AuthResult> {
    if (!token) return { session: null, failure: 'missing' };
    try {
      return { session: await this.verify(token) };
    } catch (error) {
      const failure = error instanceof AccessTokenError ? error.failure : 'invalid';
      this.logger.debug(
        { reason: error instanceof Error ? error.message : String(error) },
        'access token refused',
      );
      return { session: null, failure };
    }
  }

  /** The token of an HTTP request (bearer, then access cookie). */
  tokenOf(carrier: TokenCarrier): string | undefined {
    return extractAccessToken(carrier, { cookieSecure: this.options.cookieSecure });
  }

  /**
   * The session of an HTTP request, verified once per request object however many guards, field
   * resolvers or `__resolveReference` calls ask.
   */
  authenticateRequest(req: TokenCarrier & object): Promise<AuthResult> {
    let result = this.requestResults.get(req);
    if (!result) {
      result = this.check(this.tokenOf(req));
      this.requestResults.set(req, result);
    }
    return result;
  }

  /** The session of a graphql-ws connection: `connectionParams.authorization`, else the upgrade request. */
  authenticateConnection(
    connectionParams: Readonly<Record<string, unknown>> | undefined | null,
    upgradeRequest: (TokenCarrier & object) | undefined,
  ): Promise<AuthResult> {
    const token =
      connectionParamsToken(connectionParams) ?? (upgradeRequest ? this.tokenOf(upgradeRequest) : undefined);
    return this.check(token);
  }
}
