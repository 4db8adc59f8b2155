/**
 * Answers "may this user act on this event?". Each service that uses `@EventStaff()` provides it
 * (`{ provide: EVENT_ACCESS, useClass: ... }`), typically from its own replica of event ownership
 * and `event.staff-changed`.
 */
export interface EventAccess {
  isOrganizer(userId: string, eventId: string): Promise<boolean>;
  isStaff(userId: string, eventId: string): Promise<boolean>;
}

/** DI token of the service's EventAccess implementation. */
export const EVENT_ACCESS = Symbol.for('ticketing.platform.auth.event-access');
