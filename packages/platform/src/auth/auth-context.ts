import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { forbidden, unauthenticated } from '../graphql/errors';
import type { AuthFailure, AuthResult } from './access-token.verifier';
import type { AuthUser } from './auth-user';
import type { TokenCarrier } from './token-extraction';

/** Lazily verifies the token of one request or one subscription operation, at most once. */
export class RequestAuth {
  private pending?: Promise<AuthResult>;

  constructor(private readonly resolve: () => Promise<AuthResult>) {}

  result(): Promise<AuthResult> {
    this.pending ??= this.resolve();
    return this.pending;
  }
}

/** An HTTP request as far as auth is concerned (Express request or raw upgrade request). */
export type AuthRequest = TokenCarrier & { user?: AuthUser };

/**
 * The GraphQL context createSubgraphModule builds: `req`/`res` for HTTP, `connectionParams` for
 * graphql-ws operations, `auth` to verify lazily, and `user` once a guard (or userFromContext) ran.
 */
export interface GraphqlRequestContext {
  req?: AuthRequest;
  res?: unknown;
  connectionParams?: Readonly<Record<string, unknown>>;
  auth?: RequestAuth;
  user?: AuthUser | null;
}

/** What a guard works on: the GraphQL context (with its request), or a plain HTTP request. */
export type AuthTarget =
  | { kind: 'graphql'; context: GraphqlRequestContext; req: AuthRequest | undefined }
  | { kind: 'http'; req: AuthRequest };

export function authTargetOf(executionContext: ExecutionContext): AuthTarget | undefined {
  const type = executionContext.getType<GqlContextType>();
  if (type === 'graphql') {
    const context = GqlExecutionContext.create(executionContext).getContext<GraphqlRequestContext>();
    return { kind: 'graphql', context, req: context.req };
  }
  if (type === 'http')
    return { kind: 'http', req: executionContext.switchToHttp().getRequest<AuthRequest>() };
  return undefined;
}

/** Records the verified user where resolvers, decorators and later guards look for it. */
export function attachUser(target: AuthTarget, user: AuthUser): void {
  if (target.kind === 'graphql') target.context.user = user;
  if (target.req) target.req.user = user;
}

/** The user a guard attached, without verifying anything (undefined on anonymous public calls). */
export function attachedUser(executionContext: ExecutionContext): AuthUser | undefined {
  const target = authTargetOf(executionContext);
  if (!target) return undefined;
  if (target.kind === 'graphql') return target.context.user ?? target.req?.user ?? undefined;
  return target.req.user ?? undefined;
}

/** The client-facing UNAUTHENTICATED error for a failed authentication. */
export function unauthenticatedFor(failure: AuthFailure | undefined): ReturnType<typeof unauthenticated> {
  if (failure === 'expired') return unauthenticated('Access token expired');
  if (failure === 'invalid') return unauthenticated('Invalid access token');
  return unauthenticated();
}

/**
 * The signed-in user of a GraphQL context, verifying the token lazily when no guard ran, e.g. in
 * `@ResolveReference()` (Nest guards do not run there): `resolveReference(ref, ctx)` →
 * `const user = await userFromContext(ctx)`. Null when anonymous or the token is refused.
 */
export async function userFromContext(
  context: GraphqlRequestContext | undefined | null,
): Promise<AuthUser | null> {
  if (!context) return null;
  if (context.user) return context.user;
  if (!context.auth) return null;
  const result = await context.auth.result();
  if (!result.session) return null;
  context.user = result.session.user;
  if (context.req) context.req.user = result.session.user;
  return result.session.user;
}

/** Like userFromContext but throws UNAUTHENTICATED when there is no valid session. */
export async function requireUser(context: GraphqlRequestContext | undefined | null): Promise<AuthUser> {
  const user = await userFromContext(context);
  if (user) return user;
  const failure = context?.auth ? (await context.auth.result()).failure : undefined;
  throw unauthenticatedFor(failure);
}

/**
 * Authorization for code Nest guards do not reach (`__resolveReference`, loaders): throws
 * UNAUTHENTICATED without a user and FORBIDDEN when `predicate(user)` is false. ADMIN is not
 * special-cased here: put it in the predicate if it should pass.
 */
export async function assertCanRead(
  user: AuthUser | null | undefined,
  predicate: (user: AuthUser) => boolean | Promise<boolean>,
  message?: string,
): Promise<AuthUser> {
  if (!user) throw unauthenticated();
  if (!(await predicate(user))) throw forbidden(message);
  return user;
}
