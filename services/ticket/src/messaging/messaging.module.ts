import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { OrdersModule } from '../orders/orders.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { TicketsModule } from '../tickets/tickets.module';
import { TransfersModule } from '../transfers/transfers.module';
import { WaitingRoomModule } from '../waiting-room/waiting-room.module';
import { CatalogConsumer } from './catalog.consumer';
import { SweeperService } from './sweeper.service';

@Module({
  imports: [
    CatalogModule,
    InventoryModule,
    ReservationsModule,
    OrdersModule,
    TicketsModule,
    TransfersModule,
    WaitingRoomModule,
  ],
  providers: [CatalogConsumer, SweeperService],
  exports: [CatalogConsumer, SweeperService],
})
export class MessagingModule {}
