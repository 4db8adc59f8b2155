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
 * Whether everyone may see the event: once published, it stays public (on sale, ended, or cancelled: ticket
 * holders need to learn why). A draft, and a draft cancelled without ever being published, are private: only
 * their organizer and admins see them.
 */
export function isPublic(event: Pick<EventDoc, 'status' | 'publishedAt'>): boolean {
  if (event.status === 'PUBLISHED' || event.status === 'ENDED') return true;
  return event.status === 'CANCELLED' && event.publishedAt != null;
}

/**
 * The error for someone who may not change this event: a private event does not exist for them (NOT_FOUND,
 * exactly as for an unknown id, so its id leaks nothing), a public event is simply not theirs (FORBIDDEN).
 */
export function refusal(
  event: Pick<EventDoc, 'status' | 'publishedAt'>,
  what = 'Event',
  field = 'id',
): GraphQLError {
  return isPublic(event)
    ? forbidden('Only the organizer of this event may change it')
    : notFound(what, field);
}
