import { Module, type Type } from '@nestjs/common';
import { createSubgraphModule, JwtAuthModule, KafkaModule, PlatformModule } from '@ticketing/platform';
import { CatalogModule } from './catalog/catalog.module';
import { DatabaseModule } from './common/database.module';
import { PRICING_SERVICE_NAME, type PricingConfig } from './config';
import { MessagingModule } from './messaging/messaging.module';
import { TicketType } from './prices/models/price.models';
import { PricesModule } from './prices/prices.module';
import { RepricingModule } from './repricing/repricing.module';

/** The committed subgraph SDL; test/schema.e2e-spec.ts fails when it differs from what the code generates. */
export const PRICING_SCHEMA_FILE = 'services/pricing/schema.graphql';

/** The root module of the pricing service for one loaded config. */
export function createAppModule(config: PricingConfig): Type<unknown> {
  @Module({
    imports: [
      PlatformModule.forRoot({ serviceName: PRICING_SERVICE_NAME, config, mongo: true, redis: true }),
      KafkaModule.forRoot(),
      JwtAuthModule.forRoot(),
      createSubgraphModule({
        config,
        subscriptions: true,
        // Only reached through federation (`_entities`), so listed here to be part of the schema.
        buildSchemaOptions: { orphanedTypes: [TicketType] },
      }),
      DatabaseModule,
      CatalogModule,
      RepricingModule,
      PricesModule,
      MessagingModule,
    ],
  })
  class AppModule {}
  return AppModule;
}
