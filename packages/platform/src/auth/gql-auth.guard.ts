import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTokenVerifier, type AuthResult } from './access-token.verifier';
import { attachUser, authTargetOf, RequestAuth, unauthenticatedFor, type AuthTarget } from './auth-context';
import { IS_PUBLIC_KEY } from './auth.constants';

/**
 * The global authentication guard (APP_GUARD when JwtAuthModule is imported). Every GraphQL
 * resolver, field resolver and HTTP route needs a valid access token unless marked `@Public()`; the
 * user is attached to the GraphQL context (`context.user`) and the request (`req.user`).
 * Failures are GraphQL `UNAUTHENTICATED` errors. Other transports (Kafka handlers, RPC) pass.
 */
@Injectable()
export class GqlAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  async canActivate(executionContext: ExecutionContext): Promise<boolean> {
    const target = authTargetOf(executionContext);
    if (!target) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      executionContext.getHandler(),
      executionContext.getClass(),
    ]);

    const result = await this.authenticate(target);
    if (result.session) {
      attachUser(target, result.session.user);
      return true;
    }
    if (isPublic) return true;
    throw unauthenticatedFor(result.failure);
  }

  private authenticate(target: AuthTarget): Promise<AuthResult> {
    if (target.kind === 'http') return this.verifier.authenticateRequest(target.req);
    const { context, req } = target;
    if (!context.auth) {
      const verifier = this.verifier;
      context.auth = new RequestAuth(() =>
        req
          ? verifier.authenticateRequest(req)
          : verifier.authenticateConnection(context.connectionParams, undefined),
      );
    }
    return context.auth.result();
  }
}
