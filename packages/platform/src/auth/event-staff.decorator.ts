import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { EVENT_STAFF_KEY } from './auth.constants';
import { EventStaffGuard } from './event-staff.guard';

export interface EventStaffOptions {
  /** Dotted path of the event id in the GraphQL args (or HTTP params/body), e.g. `eventId`, `input.eventId`. */
  eventIdArg?: string;
  /** When the id is not an argument: take it from the args and the parent object (field resolvers). */
  resolveEventId?: (args: Record<string, unknown>, parent: unknown) => unknown;
  /** Only the organizer (and ADMIN), not the event's staff. */
  organizerOnly?: boolean;
}

/**
 * Lets through the event's organizer, its staff (unless `organizerOnly`) and ADMIN; everyone else
 * gets FORBIDDEN. Needs an `EVENT_ACCESS` provider somewhere in the application.
 */
export const EventStaff = (options: EventStaffOptions = {}): ClassDecorator & MethodDecorator =>
  applyDecorators(
    SetMetadata(EVENT_STAFF_KEY, { eventIdArg: 'eventId', ...options }),
    UseGuards(EventStaffGuard),
  );
