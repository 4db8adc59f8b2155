import { Injectable } from '@nestjs/common';
import { notFound, type EventAccess } from '@ticketing/platform';
import { CatalogService } from './catalog.service';
import type { EventReplicaDoc } from './schemas/event-replica.schema';

/**
 * EVENT_ACCESS from the local replica of event ownership and `event.staff-changed`. Every `@EventStaff`
 * operation here names its event `eventId`: an event this service never saw published (unknown, a draft, a
 * bad id) is NOT_FOUND on that argument, as everywhere else in the API, rather than "not staff".
 */
@Injectable()
export class ReplicaEventAccess implements EventAccess {
  constructor(private readonly catalog: CatalogService) {}

  async isOrganizer(userId: string, eventId: string): Promise<boolean> {
    const event = await this.known(eventId);
    return event.organizerId === userId;
  }

  async isStaff(userId: string, eventId: string): Promise<boolean> {
    const event = await this.known(eventId);
    // A replica created by an upsert before any event.staff-changed may have no staff list yet.
    return (event.staff ?? []).some((member) => member.userId === userId);
  }

  /** A replica row made only by staff-changed (no event.published yet) is not an event either. */
  private async known(eventId: string): Promise<EventReplicaDoc> {
    const event = await this.catalog.findEvent(eventId);
    if (!event || !event.status) throw notFound('Event', 'eventId');
    return event;
  }
}
