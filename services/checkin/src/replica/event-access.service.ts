import { Injectable } from '@nestjs/common';
import { type AuthUser, type EventAccess, forbidden, isEntityId, notFound } from '@ticketing/platform';
import { ReplicaService } from './replica.service';
import type { EventReplicaDoc } from './schemas/event-replica.schema';

/**
 * Who may do what for an event, from the replica: the organizer and ADMIN always, staff (by user id, or by
 * email while the staff entry has no account yet) for scanning. Also the platform's EVENT_ACCESS.
 */
@Injectable()
export class CheckinEventAccess implements EventAccess {
  constructor(private readonly replica: ReplicaService) {}

  async isOrganizer(userId: string, eventId: string): Promise<boolean> {
    const event = await this.replica.findEvent(eventId);
    return !!event && event.organizerId === userId;
  }

  async isStaff(userId: string, eventId: string): Promise<boolean> {
    const event = await this.replica.findEvent(eventId);
    return !!event && (event.staff ?? []).some((member) => member.userId === userId);
  }

  /**
   * The event, when `user` may scan for it (staff, organizer, ADMIN). Unknown event: NOT_FOUND on
   * `field`; anyone else: FORBIDDEN.
   */
  async requireScanner(user: AuthUser, eventId: string, field = 'eventId'): Promise<EventReplicaDoc> {
    const event = await this.knownEvent(eventId, field);
    if (canManage(user, event) || isStaffMember(user, event)) return event;
    throw forbidden('Only the event staff and organizer may scan for this event');
  }

  /** The event, when `user` is its organizer or ADMIN (entry log, attendance). */
  async requireOrganizer(user: AuthUser, eventId: string, field = 'eventId'): Promise<EventReplicaDoc> {
    const event = await this.knownEvent(eventId, field);
    if (canManage(user, event)) return event;
    throw forbidden('Only the event organizer may see this');
  }

  private async knownEvent(eventId: string, field: string): Promise<EventReplicaDoc> {
    const event = isEntityId(eventId) ? await this.replica.findEvent(eventId) : null;
    // A replica row made only by staff-changed (no event.published yet) is not an event to scan for.
    if (!event || !event.startsAt) throw notFound('Event', field);
    return event;
  }
}

function canManage(user: AuthUser, event: EventReplicaDoc): boolean {
  return user.role === 'ADMIN' || event.organizerId === user.id;
}

function isStaffMember(user: AuthUser, event: EventReplicaDoc): boolean {
  const email = user.email.toLowerCase();
  return (event.staff ?? []).some((m) => m.userId === user.id || (m.userId === null && m.email === email));
}
