import { Injectable } from '@nestjs/common';
import { getLogger } from '../logging';
import {
  AccessTokenError,
  AccessTokenStrategy,
  type AuthFailure,
  type VerifiedSession,
} from './access-token.strategy';
import type { AuthOptions } from './auth.options';
import { connectionParamsToken, extractAccessToken, type TokenCarrier } from './token-extraction';

export { AccessTokenError, type AuthFailure, type VerifiedSession } from './access-token.strategy';

export type AuthResult =
  { session: VerifiedSession; failure?: undefined } | { session: null; failure: AuthFailure };

/**
 * Authenticates HTTP requests and graphql-ws connections with the passport-jwt strategy
 * (`AccessTokenStrategy`): ES256 only, `kid` from the auth service's JWKS, `iss`, `aud`, `exp`, `sid`
 * not revoked. Results are memoised per request object.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly logger = getLogger('AccessTokenVerifier');
  private readonly requestResults = new WeakMap<object, Promise<AuthResult>>();

  constructor(private readonly strategy: AccessTokenStrategy) {}

  get options(): AuthOptions {
    return this.strategy.options;
  }

  /** Calls `listener` once when session `sid` is revoked; returns the unsubscribe. */
  watchSession(sid: string, listener: () => void): () => void {
    return this.strategy.watchSession(sid, listener);
  }

  /** Verifies one token; throws AccessTokenError. */
  verify(token: string): Promise<VerifiedSession> {
    return this.strategy.run({ headers: { authorization: `Bearer ${token}` } });
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
