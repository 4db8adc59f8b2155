import { Args, Context, ID, Int, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentUser, Public, Roles, userFromContext, type AuthUser } from '@ticketing/platform';
import { SessionCookies } from '../sessions/session-cookies';
import { AuthService, type SessionResult } from './auth.service';
import { clientAddress } from './client-address';
import { ChangePasswordInput } from './dto/change-password.input';
import { SignInInput } from './dto/sign-in.input';
import { SignUpInput } from './dto/sign-up.input';
import type { GqlContext } from './gql-context';
import { AuthPayload } from './models/auth-payload.model';

/** Session mutations. Each sets or clears the session cookies on the response. */
@Resolver()
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly cookies: SessionCookies,
  ) {}

  @Public()
  @Mutation(() => AuthPayload, { description: 'Creates an account (ATTENDEE or ORGANIZER) and signs it in.' })
  async signUp(@Args('input') input: SignUpInput, @Context() ctx: GqlContext): Promise<AuthPayload> {
    return this.withCookies(ctx, await this.auth.signUp(input, clientAddress(ctx.req)));
  }

  @Public()
  // Nullable on purpose: with a non-null type the first failing alias would null the whole `data` and
  // stop the remaining aliases; nullable, each aliased attempt runs, and each is counted by the throttle.
  @Mutation(() => AuthPayload, {
    nullable: true,
    description:
      'Signs in. Failures answer UNAUTHENTICATED "Invalid email or password" (null data); throttled per account and address.',
  })
  async signIn(@Args('input') input: SignInInput, @Context() ctx: GqlContext): Promise<AuthPayload | null> {
    return this.withCookies(ctx, await this.auth.signIn(input, clientAddress(ctx.req)));
  }

  @Public()
  @Mutation(() => AuthPayload, {
    description:
      'Exchanges the refresh cookie for new tokens (rotation). Reusing an old refresh token ends the session.',
  })
  async refreshSession(@Context() ctx: GqlContext): Promise<AuthPayload> {
    const presented = this.cookies.readRefresh(ctx.req);
    try {
      return this.withCookies(ctx, await this.auth.refresh(presented));
    } catch (err) {
      // Clear only the dead session this request presented. A request without one has nothing to clear, and
      // its answer may arrive after a sign-in or sign-up of the same browser set fresh cookies.
      if (presented !== undefined) this.cookies.clear(ctx.res);
      throw err;
    }
  }

  @Public()
  @Mutation(() => Boolean, {
    description:
      'Ends the session of the refresh cookie (and of the access token sent, if any) and clears both cookies. Its access tokens are refused by every service within a second.',
  })
  async signOut(@Context() ctx: GqlContext): Promise<boolean> {
    const caller = (await userFromContext(ctx)) ?? undefined;
    await this.auth.signOut(this.cookies.readRefresh(ctx.req), caller);
    this.cookies.clear(ctx.res);
    return true;
  }

  @Mutation(() => Boolean, {
    description:
      'Changes the password and ends every OTHER session of the account at once (their access tokens are refused by every service within a second); the session making the call stays signed in.',
  })
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Args('input') input: ChangePasswordInput,
    @Context() ctx: GqlContext,
  ): Promise<boolean> {
    await this.auth.changePassword(user, input, this.cookies.readRefresh(ctx.req), clientAddress(ctx.req));
    return true;
  }

  @Roles('ADMIN')
  @Mutation(() => Int, {
    description:
      'ADMIN: locks an account: it can no longer sign in or refresh, and every session of it ends at once. Returns the number of sessions ended.',
  })
  lockAccount(
    @CurrentUser() admin: AuthUser,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<number> {
    return this.auth.setLocked(admin, userId, true);
  }

  @Roles('ADMIN')
  @Mutation(() => Boolean, { description: 'ADMIN: unlocks an account locked by lockAccount.' })
  async unlockAccount(
    @CurrentUser() admin: AuthUser,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<boolean> {
    await this.auth.setLocked(admin, userId, false);
    return true;
  }

  private withCookies(ctx: GqlContext, result: SessionResult): AuthPayload {
    this.cookies.setSession(
      ctx.res,
      result.payload.accessToken,
      result.refresh.token,
      result.refresh.expiresAt,
    );
    return result.payload;
  }
}
