import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentUser, Public, type AuthUser } from '@ticketing/platform';
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
    try {
      return this.withCookies(ctx, await this.auth.refresh(this.cookies.readRefresh(ctx.req)));
    } catch (err) {
      this.cookies.clear(ctx.res);
      throw err;
    }
  }

  @Public()
  @Mutation(() => Boolean, { description: 'Ends the session of the refresh cookie and clears both cookies.' })
  async signOut(@Context() ctx: GqlContext): Promise<boolean> {
    await this.auth.signOut(this.cookies.readRefresh(ctx.req));
    this.cookies.clear(ctx.res);
    return true;
  }

  @Mutation(() => Boolean, {
    description: 'Changes the password and ends every other session of the account.',
  })
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Args('input') input: ChangePasswordInput,
    @Context() ctx: GqlContext,
  ): Promise<boolean> {
    await this.auth.changePassword(user.id, input, this.cookies.readRefresh(ctx.req), clientAddress(ctx.req));
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
