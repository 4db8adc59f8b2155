import { Injectable } from '@nestjs/common';
import type { EventAccess } from '@ticketing/platform';
import { CatalogService } from './catalog.service';

/** EVENT_ACCESS from pricing's replica of event ownership (pricing has no use for staff lists). */
@Injectable()
export class ReplicaEventAccess implements EventAccess {
  constructor(private readonly catalog: CatalogService) {}

  isOrganizer(userId: string, eventId: string): Promise<boolean> {
    return this.catalog.isOrganizer(userId, eventId);
  }

  async isStaff(): Promise<boolean> {
    return false;
  }
}
