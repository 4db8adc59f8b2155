import { Args, Context, ID, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import {
  badInput,
  CurrentUser,
  forbidden,
  isValidEmail,
  normaliseEmail,
  notFound,
  Public,
  requireUser,
  Roles,
  userFromContext,
  type AuthUser,
} from '@ticketing/platform';
import { AuthService } from '../auth/auth.service';
import type { GqlContext } from '../auth/gql-context';
import { UserRole } from './models/user-role.enum';
import { User } from './models/user.model';
import { toUserModel, UsersService } from './users.service';

function maySeePrivate(viewer: AuthUser | null, user: User): boolean {
  if (user.ownSession === true) return true;
  return viewer !== null && (viewer.id === user.id || viewer.role === UserRole.ADMIN);
}

@Resolver(() => User)
export class UsersResolver {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  @Query(() => User, { description: 'The signed-in account.' })
  async me(@CurrentUser() viewer: AuthUser): Promise<User> {
    return toUserModel(await this.auth.me(viewer.id));
  }

  @Roles('ADMIN')
  @Query(() => User, {
    description:
      'ADMIN: the account with this email address (as signed up; case and spaces around it do not matter).',
  })
  async userByEmail(@Args('email') email: string): Promise<User> {
    const normalised = normaliseEmail(email);
    if (!isValidEmail(normalised)) throw badInput('email', 'Enter a valid email address');
    const user = await this.users.findByEmail(normalised);
    if (user === null) throw notFound('User', 'email');
    return toUserModel(user);
  }

  @Roles('ADMIN')
  @Query(() => User, { description: 'ADMIN: the account with this id.' })
  async user(@Args('id', { type: () => ID }) id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (user === null) throw notFound('User', 'id');
    return toUserModel(user);
  }

  /**
   * Other subgraphs resolve `User` here (a ticket holder's name). The sign-in check is made here,
   * whatever the global guard did for `_entities`; field visibility is enforced by the field resolvers
   * below.
   */
  @ResolveReference()
  async resolveReference(
    reference: { __typename: string; id: string },
    ctx: GqlContext,
  ): Promise<User | null> {
    await requireUser(ctx);
    if (typeof reference.id !== 'string') return null;
    const user = await this.users.findById(reference.id);
    return user === null ? null : toUserModel(user);
  }

  // @Public: the field is reachable from public mutations (signUp's payload); the check is right here.
  @Public()
  @ResolveField(() => String, { nullable: true })
  async email(@Parent() user: User, @Context() ctx: GqlContext): Promise<string> {
    if (!maySeePrivate(await userFromContext(ctx), user))
      throw forbidden('Only the account itself or an admin may see its email');
    return user.email;
  }

  @Public()
  @ResolveField(() => UserRole, { nullable: true })
  async role(@Parent() user: User, @Context() ctx: GqlContext): Promise<UserRole> {
    if (!maySeePrivate(await userFromContext(ctx), user))
      throw forbidden('Only the account itself or an admin may see its role');
    return user.role;
  }

  @Public()
  @ResolveField(() => Boolean, { nullable: true })
  async locked(@Parent() user: User, @Context() ctx: GqlContext): Promise<boolean> {
    const viewer = await userFromContext(ctx);
    if (viewer?.role !== UserRole.ADMIN)
      throw forbidden('Only an admin may see whether an account is locked');
    return user.locked;
  }
}
