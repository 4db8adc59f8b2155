import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { TicketsModule } from '../tickets/tickets.module';
import { TransfersResolver } from './transfers.resolver';
import { TransfersService } from './transfers.service';

@Module({
  imports: [CatalogModule, TicketsModule],
  providers: [TransfersService, TransfersResolver],
  exports: [TransfersService],
})
export class TransfersModule {}
