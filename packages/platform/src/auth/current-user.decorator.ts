import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { attachedUser } from './auth-context';

/**
 * The signed-in `AuthUser` in a resolver or controller method (GraphQL or HTTP). Undefined only on
 * `@Public()` handlers called anonymously.
 */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  attachedUser(context),
);
