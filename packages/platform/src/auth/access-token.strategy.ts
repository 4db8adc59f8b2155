import { Inject, Injectable } from '@nestjs/common';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { decodeProtectedHeader } from 'jose';
import { passportJwtSecret } from 'jwks-rsa';
import { Passport, type PassportStatic } from 'passport';
import { Strategy as JwtStrategy, type SecretOrKeyProvider } from 'passport-jwt';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { isRole, type AuthUser } from './auth-user';
import { SessionRevocations, type RevocationCheck } from './session-revocations';
import { extractAccessToken, type TokenCarrier } from './token-extraction';

/** The one signature algorithm access tokens may use. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';
/** Name of the passport strategy (registered on the strategy's own Passport instance, not the global one). */
export const ACCESS_TOKEN_STRATEGY = 'ticketing-access-token';

/** A verified access token. */
export interface VerifiedSession {
  user: AuthUser;
  /** The session (refresh-token family) the token belongs to: the `sid` claim. */
  sessionId: string;
  /** When the token stops being valid (ms since epoch). */
  expiresAt: number;
}

/** Why there is no session: no token at all, or a token we refused. */
export type AuthFailure = 'missing' | 'expired' | 'invalid';

/** Raised with the reason; never shown to clients beyond "expired" vs "invalid". */
export class AccessTokenError extends Error {
  constructor(
    readonly failure: Exclude<AuthFailure, 'missing'>,
    message: string,
  ) {
    super(message);
  }
}

const passports = new WeakMap<object, PassportStatic>();

type KeyCallback = (error: unknown, key?: string | Buffer | KeyObject | null) => void;

/** Most `kid`s remembered as unknown at once (a flood of made-up kids only resets the memory). */
const MAX_UNKNOWN_KIDS = 1000;

/**
 * Refuses before any key lookup what can never verify: no `kid`, an algorithm other than ES256 (`none`,
 * HS256 with the public key as secret...), or a `kid` the JWKS did not have a moment ago (remembered for
 * `unknownKidCooldownMs`, so a burst of one made-up kid costs one fetch). jwks-rsa would otherwise hand out
 * the only key of a one-key set for a token without `kid`.
 */
function requireKidAndAlgorithm(
  next: SecretOrKeyProvider,
  unknownKidCooldownMs: number,
): SecretOrKeyProvider {
  const unknownUntil = new Map<string, number>();
  const lookups = new Map<string, KeyCallback[]>();
  return (request, rawJwtToken: string, done) => {
    let header: { kid?: unknown; alg?: unknown };
    try {
      header = decodeProtectedHeader(rawJwtToken);
    } catch {
      done(new AccessTokenError('invalid', 'malformed token header'));
      return;
    }
    const kid = header.kid;
    if (typeof kid !== 'string' || kid.length === 0) {
      done(new AccessTokenError('invalid', 'token header has no kid'));
      return;
    }
    if (header.alg !== ACCESS_TOKEN_ALGORITHM) {
      done(new AccessTokenError('invalid', `algorithm ${String(header.alg)} is not allowed`));
      return;
    }
    if ((unknownUntil.get(kid) ?? 0) > Date.now()) {
      done(new AccessTokenError('invalid', 'unknown kid'));
      return;
    }
    // One lookup per kid at a time: later requests wait for its answer (and then see the cooldown).
    const waiting = lookups.get(kid);
    // passport-jwt's callback is typed for a PEM; jsonwebtoken takes a KeyObject as well.
    const deliver = done as KeyCallback;
    if (waiting) {
      waiting.push(deliver);
      return;
    }
    const callbacks: KeyCallback[] = [deliver];
    lookups.set(kid, callbacks);
    next(request, rawJwtToken, (error: unknown, pem?: string | Buffer | null) => {
      // jsonwebtoken would parse the PEM on every verification: hand it the parsed key, parsed once.
      const key = pem === undefined || pem === null ? pem : keyObjectOf(pem);
      if (error instanceof UnknownKidError) {
        if (unknownUntil.size >= MAX_UNKNOWN_KIDS) unknownUntil.clear();
        unknownUntil.set(kid, Date.now() + unknownKidCooldownMs);
      }
      lookups.delete(kid);
      for (const callback of callbacks) callback(error, key);
    });
  };
}

const parsedKeys = new Map<string, KeyObject>();

/** The public key object of a PEM from jwks-rsa, parsed once per distinct PEM (a handful of keys). */
function keyObjectOf(pem: string | Buffer): KeyObject {
  const text = pem.toString();
  let key = parsedKeys.get(text);
  if (!key) {
    if (parsedKeys.size >= 64) parsedKeys.clear();
    key = createPublicKey(text);
    parsedKeys.set(text, key);
  }
  return key;
}

/** jwks-rsa found no key for the token's `kid` (after refetching the set). */
class UnknownKidError extends AccessTokenError {
  constructor() {
    super('invalid', 'unknown kid');
  }
}

/**
 * passport-jwt strategy for access tokens, keys from the auth service's JWKS through jwks-rsa (cached,
 * stale keys kept while the endpoint is down, refetches for unknown `kid`s rate-limited). Checks:
 * algorithm exactly ES256, `kid` present and published, `iss`, `aud`, `exp` (required, small clock
 * tolerance), `sub`/`email`/`role`, `sid`, and that the session was not revoked (local set, no network).
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(JwtStrategy, ACCESS_TOKEN_STRATEGY) {
  constructor(
    @Inject(AUTH_OPTIONS) readonly options: AuthOptions,
    @Inject(SessionRevocations) private readonly revocations: RevocationCheck,
  ) {
    super({
      jwtFromRequest: (req: TokenCarrier) =>
        extractAccessToken(req ?? {}, { cookieSecure: options.cookieSecure }) ?? null,
      secretOrKeyProvider: requireKidAndAlgorithm(
        passportJwtSecret({
          jwksUri: options.jwksUrl,
          cache: true,
          cacheMaxEntries: 16,
          cacheMaxAge: options.jwksCacheMaxAgeMs ?? 10 * 60_000,
          cacheMaxAgeFallback: options.jwksStaleFallbackMs ?? 60 * 60_000,
          rateLimit: true,
          jwksRequestsPerMinute: options.jwksRequestsPerMinute ?? 10,
          timeout: options.jwksTimeoutMs ?? 5000,
          handleSigningKeyError: (error, cb) =>
            cb(
              error?.name === 'SigningKeyNotFoundError'
                ? new UnknownKidError()
                : new AccessTokenError('invalid', error?.message ?? 'no signing key for this kid'),
            ),
        }),
        options.jwksUnknownKidCooldownMs ?? 10_000,
      ),
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: options.clockToleranceSec },
    });
  }

  /** Calls `listener` once when session `sid` is revoked; returns the unsubscribe (no-op without support). */
  watchSession(sid: string, listener: () => void): () => void {
    return this.revocations.watch?.(sid, listener) ?? (() => undefined);
  }

  /** Each strategy has its own Passport instance, so two apps in one process never swap strategies. */
  getPassportInstance(): PassportStatic {
    let instance = passports.get(this);
    if (!instance) {
      instance = new Passport() as PassportStatic;
      passports.set(this, instance);
    }
    return instance;
  }

  /** passport-jwt calls this with the verified payload; throwing refuses the token. */
  validate(payload: Record<string, unknown>): VerifiedSession {
    const { sub, email, role, name, sid, exp, iat } = payload;
    if (typeof exp !== 'number') throw new AccessTokenError('invalid', 'token has no exp');
    if (typeof sub !== 'string' || !sub) throw new AccessTokenError('invalid', 'token has no sub');
    if (typeof email !== 'string' || !email) throw new AccessTokenError('invalid', 'token has no email');
    if (!isRole(role)) throw new AccessTokenError('invalid', 'token has no valid role');
    if (typeof sid !== 'string' || !sid) throw new AccessTokenError('invalid', 'token has no sid');
    const issuedAtMs = typeof iat === 'number' ? iat * 1000 : 0;
    const verdict = this.revocations.verdict(sid, issuedAtMs);
    if (verdict === 'revoked') throw new AccessTokenError('invalid', 'session revoked');
    // Revocations cannot be confirmed: only recently issued tokens pass; "expired" makes clients refresh.
    if (verdict === 'stale') throw new AccessTokenError('expired', 'revocation list stale; refresh required');
    return {
      user: { id: sub, email, role, name: typeof name === 'string' ? name : '', sessionId: sid },
      sessionId: sid,
      expiresAt: exp * 1000,
    };
  }

  /** Runs the strategy on a request through passport; resolves with the session or the refusal. */
  run(req: TokenCarrier & object): Promise<VerifiedSession> {
    return new Promise((resolve, reject) => {
      const middleware = this.getPassportInstance().authenticate(
        ACCESS_TOKEN_STRATEGY,
        { session: false },
        (error: unknown, session: VerifiedSession | false, info: unknown) => {
          if (error) reject(asTokenError(error));
          else if (session) resolve(session);
          else reject(asTokenError(info));
        },
      ) as (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
      middleware(req, {}, (error?: unknown) => reject(asTokenError(error)));
    });
  }
}

function asTokenError(reason: unknown): AccessTokenError {
  if (reason instanceof AccessTokenError) return reason;
  if (reason instanceof Error && reason.name === 'TokenExpiredError') {
    return new AccessTokenError('expired', 'token expired');
  }
  const message = reason instanceof Error ? reason.message : 'token rejected';
  return new AccessTokenError('invalid', message);
}
