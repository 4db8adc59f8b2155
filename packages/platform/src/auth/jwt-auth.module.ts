import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PLATFORM_CONFIG } from '../config';
import { AccessTokenStrategy } from './access-token.strategy';
import { AccessTokenVerifier } from './access-token.verifier';
import { AUTH_OPTIONS, authOptionsFromConfig, type AuthConfig, type AuthOptions } from './auth.options';
import { EventStaffGuard } from './event-staff.guard';
import { GqlAuthGuard } from './gql-auth.guard';
import { RolesGuard } from './roles.guard';
import { SessionRevocations } from './session-revocations';

export interface JwtAuthModuleOptions {
  /** Config to read; defaults to the injected PLATFORM_CONFIG. */
  config?: AuthConfig;
  /** Fine tuning (clock tolerance, JWKS cache, revocation staleness...) over what the config says. */
  overrides?: Partial<AuthOptions>;
}

/**
 * Access-token authentication for a service: the passport-jwt strategy (ES256, jwks-rsa keys), the
 * process's copy of the revoked sessions (Redis-backed), the verifier, GqlAuthGuard as a global
 * guard (`@Public()` opts out), and RolesGuard / EventStaffGuard for `@Roles()` / `@EventStaff()`.
 * Global, so every module of the service sees the verifier and guards.
 */
@Module({})
export class JwtAuthModule {
  static forRoot(options: JwtAuthModuleOptions = {}): DynamicModule {
    const optionsProvider: Provider = options.config
      ? { provide: AUTH_OPTIONS, useValue: authOptionsFromConfig(options.config, options.overrides) }
      : {
          provide: AUTH_OPTIONS,
          inject: [PLATFORM_CONFIG],
          useFactory: (config: AuthConfig) => authOptionsFromConfig(config, options.overrides),
        };
    return {
      module: JwtAuthModule,
      global: true,
      providers: [
        optionsProvider,
        SessionRevocations,
        AccessTokenStrategy,
        AccessTokenVerifier,
        GqlAuthGuard,
        RolesGuard,
        EventStaffGuard,
        { provide: APP_GUARD, useExisting: GqlAuthGuard },
      ],
      exports: [
        AUTH_OPTIONS,
        SessionRevocations,
        AccessTokenStrategy,
        AccessTokenVerifier,
        GqlAuthGuard,
        RolesGuard,
        EventStaffGuard,
      ],
    };
  }
}
