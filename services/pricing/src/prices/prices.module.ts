import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { RepricingModule } from '../repricing/repricing.module';
import { PricesResolver, TicketPriceResolver } from './prices.resolver';
import { PricesService } from './prices.service';

@Module({
  imports: [CatalogModule, RepricingModule],
  providers: [PricesService, PricesResolver, TicketPriceResolver],
})
export class PricesModule {}
