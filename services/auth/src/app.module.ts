import { Module, type Type } from '@nestjs/common';
import { createSubgraphModule, JwtAuthModule, KafkaModule, PlatformModule } from '@ticketing/platform';
import { AuthModule } from './auth/auth.module';
import { AUTH_SERVICE_NAME, type AuthConfig } from './config';

/**
 * The committed subgraph SDL (as `_service { sdl }` prints it); the gateway composes the supergraph
 * from it. test/schema.e2e-spec.ts fails when it differs from what this code generates.
 */
export const AUTH_SCHEMA_FILE = 'services/auth/schema.graphql';

/**
 * The service's root module for a loaded config. A class (not a DynamicModule) because the platform's
 * `bootstrapService`/`createServiceApp` take a module class.
 */
export function createAppModule(config: AuthConfig): Type<unknown> {
  @Module({
    imports: [
      PlatformModule.forRoot({ serviceName: AUTH_SERVICE_NAME, config, mongo: true, redis: true }),
      KafkaModule.forRoot(),
      JwtAuthModule.forRoot(),
      createSubgraphModule({ config }),
      AuthModule,
    ],
  })
  class AppModule {}
  return AppModule;
}
