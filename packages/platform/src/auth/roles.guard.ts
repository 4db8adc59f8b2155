import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthenticated } from '../graphql/errors';
import { attachedUser } from './auth-context';
import { ROLES_KEY } from './auth.constants';
import { Role } from './auth-user';

/** Lets through users whose role is listed by `@Roles(...)` (ADMIN: always). Runs after GqlAuthGuard. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(executionContext: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      executionContext.getHandler(),
      executionContext.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const user = attachedUser(executionContext);
    if (!user) throw unauthenticated();
    if (user.role === Role.ADMIN || roles.includes(user.role)) return true;
    throw forbidden();
  }
}
