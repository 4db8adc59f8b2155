import type { AccessTokenVerifier, VerifiedSession } from './access-token.verifier';
import type { TokenCarrier } from './token-extraction';

/** graphql-ws close code for "session ended" (graphql-ws uses 4401 for Unauthorized). */
export const WS_SESSION_EXPIRED_CLOSE_CODE = 4401;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The parts of a graphql-ws server Context this authenticator reads and writes. */
export interface WsConnectionContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra?: {
    request?: TokenCarrier & object;
    socket?: {
      close(code?: number, reason?: string): void;
      once(event: 'close', listener: () => void): unknown;
    };
    session?: VerifiedSession;
  };
}

export interface WsAuthenticatorOptions {
  /** Refuse connections without a token (default false: public subscriptions stay reachable). */
  requireAuth?: boolean;
  /** Close the socket when the access token expires, so the client reconnects with a fresh one (default true). */
  closeOnExpiry?: boolean;
}

/**
 * graphql-ws `onConnect`: reads `connectionParams.authorization` (Bearer or bare token) or else the
 * access cookie of the upgrade request, verifies it like HTTP requests, and
 * - refuses the connection (4403) for a present but invalid/expired token, or for no token when
 *   `requireAuth`,
 * - keeps the session in `ctx.extra.session` and closes the socket (4401) when the token expires or its
 *   session is revoked (sign-out, password change, account lock).
 * Each subscription is still checked by the resolver guards when it starts. Used by
 * createSubgraphModule and exported for the gateway.
 */
export function createWsAuthenticator(verifier: AccessTokenVerifier, options: WsAuthenticatorOptions = {}) {
  const { requireAuth = false, closeOnExpiry = true } = options;
  return async (ctx: WsConnectionContext): Promise<boolean> => {
    const result = await verifier.authenticateConnection(ctx.connectionParams, ctx.extra?.request);
    if (!result.session) return result.failure === 'missing' && !requireAuth;
    if (ctx.extra) ctx.extra.session = result.session;
    const socket = ctx.extra?.socket;
    if (socket) {
      // A revoked session (sign-out, password change, lock) closes its open sockets at once.
      const unwatch = verifier.watchSession(result.session.sessionId, () =>
        socket.close(WS_SESSION_EXPIRED_CLOSE_CODE, 'Session ended'),
      );
      socket.once('close', unwatch);
    }
    if (closeOnExpiry && socket) {
      const delay = Math.min(Math.max(result.session.expiresAt - Date.now(), 0), MAX_TIMER_MS);
      const timer = setTimeout(() => socket.close(WS_SESSION_EXPIRED_CLOSE_CODE, 'Session expired'), delay);
      timer.unref?.();
      socket.once('close', () => clearTimeout(timer));
    }
    return true;
  };
}
