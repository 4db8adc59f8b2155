import { Module, type Type } from '@nestjs/common';
import { createSubgraphModule, JwtAuthModule, KafkaModule, PlatformModule } from '@ticketing/platform';
import { CatalogModule } from './catalog/catalog.module';
import { DatabaseModule } from './common/database.module';
import { TICKET_SERVICE_NAME, type TicketConfig } from './config';
import { InventoryModule } from './inventory/inventory.module';
import { TicketType } from './inventory/models/ticket-type.model';
import { MessagingModule } from './messaging/messaging.module';
import { OrdersModule } from './orders/orders.module';
import { ReservationsModule } from './reservations/reservations.module';
import { SalesModule } from './sales/sales.module';
import { TicketsModule } from './tickets/tickets.module';
import { TransfersModule } from './transfers/transfers.module';
import { WaitingRoomModule } from './waiting-room/waiting-room.module';

/**
 * The committed subgraph SDL, as `_service { sdl }` prints it; the gateway composes the supergraph from
 * it. test/schema.e2e-spec.ts fails when it differs from what this code generates.
 */
export const TICKET_SCHEMA_FILE = 'services/ticket/schema.graphql';

/** The root module of the ticket service for one loaded config (a class: the platform bootstraps classes). */
export function createAppModule(config: TicketConfig): Type<unknown> {
  @Module({
    imports: [
      PlatformModule.forRoot({
        serviceName: TICKET_SERVICE_NAME,
        config,
        mongo: true,
        redis: true,
        overload: true,
      }),
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
      InventoryModule,
      ReservationsModule,
      TicketsModule,
      OrdersModule,
      TransfersModule,
      SalesModule,
      WaitingRoomModule,
      MessagingModule,
    ],
  })
  class AppModule {}
  return AppModule;
}
