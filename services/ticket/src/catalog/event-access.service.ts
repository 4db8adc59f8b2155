import { Injectable } from '@nestjs/common';
import type { EventAccess } from '@ticketing/platform';
import { CatalogService } from './catalog.service';

/** EVENT_ACCESS from the local replica of event ownership and `event.staff-changed`. */
@Injectable()
export class ReplicaEventAccess implements EventAccess {
  constructor(private readonly catalog: CatalogService) {}

  async isOrganizer(userId: string, eventId: string): Promise<boolean> {
    const event = await this.catalog.findEvent(eventId);
    return !!event && event.organizerId === userId;
  }

  async isStaff(userId: string, eventId: string): Promise<boolean> {
    const event = await this.catalog.findEvent(eventId);
    // A replica created by an upsert before any event.staff-changed may have no staff list yet.
    return !!event && (event.staff ?? []).some((member) => member.userId === userId);
  }
}
