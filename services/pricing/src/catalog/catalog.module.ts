import { Module } from '@nestjs/common';
import { EVENT_ACCESS } from '@ticketing/platform';
import { CatalogService } from './catalog.service';
import { ReplicaEventAccess } from './event-access.service';

@Module({
  providers: [CatalogService, ReplicaEventAccess, { provide: EVENT_ACCESS, useExisting: ReplicaEventAccess }],
  exports: [CatalogService, EVENT_ACCESS],
})
export class CatalogModule {}
