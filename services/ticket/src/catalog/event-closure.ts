import type { EventReplicaDoc } from './schemas/event-replica.schema';

/**
 * Why nothing more will ever be sold for this event, or null while it may still sell: cancelled, or over
 * (its end has passed, whether or not the event service's sweeper has announced ENDED yet).
 */
export function eventClosure(
  event: Pick<EventReplicaDoc, 'cancelled' | 'status' | 'endsAt'>,
  now: Date,
): string | null {
  if (event.cancelled) return 'The event is cancelled';
  if (event.status === 'ENDED' || (event.endsAt && now.getTime() >= new Date(event.endsAt).getTime()))
    return 'The event has ended';
  return null;
}
