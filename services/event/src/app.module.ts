import { Module, type Type } from '@nestjs/common';
import { createSubgraphModule, JwtAuthModule, KafkaModule, PlatformModule } from '@ticketing/platform';
import { EVENT_SERVICE_NAME, type EventConfig } from './config';
import { EventsModule } from './events/events.module';
import { UsersModule } from './users/users.module';

/**
 * The committed subgraph SDL, as `_service { sdl }` prints it; the gateway composes the supergraph from
 * it. test/event-listing.e2e-spec.ts fails when it differs from what this code generates.
 */
export const EVENT_SCHEMA_FILE = 'services/event/schema.graphql';

/** The root module of the event service for one loaded config (a class: the platform bootstraps classes). */
export function createAppModule(config: EventConfig): Type<unknown> {
  @Module({
    imports: [
      PlatformModule.forRoot({ serviceName: EVENT_SERVICE_NAME, config, mongo: true, redis: true }),
      KafkaModule.forRoot(),
      JwtAuthModule.forRoot(),
      createSubgraphModule({ config }),
      UsersModule,
      EventsModule,
    ],
  })
  class AppModule {}
  return AppModule;
}
