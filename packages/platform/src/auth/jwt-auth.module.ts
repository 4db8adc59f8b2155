import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PLATFORM_CONFIG } from '../config';
import { AccessTokenVerifier } from './access-token.verifier';
import { AUTH_OPTIONS, authOptionsFromConfig, type AuthConfig, type AuthOptions } from './auth.options';
import { EventStaffGuard } from './event-staff.guard';
import { GqlAuthGuard } from './gql-auth.guard';
import { RolesGuard } from './roles.guard';

export interface JwtAuthModuleOptions {
  /** Config to read; defaults to the injected PLATFORM_CONFIG. */
  config?: AuthConfig;
  /** Fine tuning (clock tolerance, JWKS cooldown...) over what the config says. */
  overrides?: Partial<AuthOptions>;
}

/**
 * Access-token authentication for a service: the verifier (JWKS-backed), GqlAuthGuard as a global
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
        AccessTokenVerifier,
        GqlAuthGuard,
        RolesGuard,
        EventStaffGuard,
        { provide: APP_GUARD, useExisting: GqlAuthGuard },
      ],
      exports: [AUTH_OPTIONS, AccessTokenVerifier, GqlAuthGuard, RolesGuard, EventStaffGuard],
    };
  }
}
