import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ROLES_KEY } from './auth.constants';
import type { Role } from './auth-user';
import { RolesGuard } from './roles.guard';

/**
 * Restricts a resolver (or class) to users with one of `roles`; ADMIN always passes. Applies
 * RolesGuard itself, so `@Roles('ORGANIZER')` is all a resolver needs.
 */
export const Roles = (...roles: Role[]): ClassDecorator & MethodDecorator =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), UseGuards(RolesGuard));
