import { Module } from '@nestjs/common';
import { LiveChannelsModule } from '@ticketing/platform';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { SalesResolver } from './sales.resolver';
import { SalesService } from './sales.service';

@Module({
  imports: [CatalogModule, InventoryModule, LiveChannelsModule],
  providers: [SalesService, SalesResolver],
})
export class SalesModule {}
