import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from './auth.constants';

/**
 * Opts a resolver, field resolver, controller route, or a whole class out of the global
 * authentication requirement. A valid token is still verified and its user attached (optional
 * auth); a missing or refused token just means "anonymous".
 */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC_KEY, true);
