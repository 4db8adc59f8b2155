import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { TicketKeysController } from './ticket-keys.controller';
import { TicketKeysService } from './ticket-keys.service';
import { TicketsResolver } from './tickets.resolver';
import { TicketsService } from './tickets.service';

@Module({
  imports: [CatalogModule],
  controllers: [TicketKeysController],
  providers: [TicketsService, TicketKeysService, TicketsResolver],
  exports: [TicketsService, TicketKeysService],
})
export class TicketsModule {}
