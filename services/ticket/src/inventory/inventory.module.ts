import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { AvailabilityGate } from './availability-gate.service';
import { AvailabilityResolver } from './availability.resolver';
import { AvailabilityService } from './availability.service';
import { InventoryService } from './inventory.service';

@Module({
  imports: [CatalogModule],
  providers: [InventoryService, AvailabilityGate, AvailabilityService, AvailabilityResolver],
  exports: [InventoryService, AvailabilityGate, AvailabilityService],
})
export class InventoryModule {}
