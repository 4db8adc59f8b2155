import { Context, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import {
  CurrentUser,
  forbidden,
  Public,
  requireUser,
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
}
