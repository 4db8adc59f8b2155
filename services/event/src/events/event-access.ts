import { forbidden, notFound, type AuthUser } from '@ticketing/platform';
import type { GraphQLError } from 'graphql';
import type { EventDoc } from './domain/event.types';

/** The owning organizer and admins manage an event; nobody else. */
export function canManage(user: AuthUser | null | undefined, event: Pick<EventDoc, 'organizerId'>): boolean {
  if (!user) return false;
  return user.role === 'ADMIN' || user.id === event.organizerId;
}

export function canCreateEvents(user: AuthUser): boolean {
  return user.role === 'ORGANIZER' || user.role === 'ADMIN';
}

/**
 * The error for someone who may not change this event: a draft does not exist for them (NOT_FOUND, so
 * its id leaks nothing), a public event is simply not theirs (FORBIDDEN).
 */
export function refusal(event: Pick<EventDoc, 'status'>): GraphQLError {
  return event.status === 'DRAFT'
    ? notFound('Event')
    : forbidden('Only the organizer of this event may change it');
}
