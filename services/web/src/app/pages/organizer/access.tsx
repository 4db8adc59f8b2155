import { Link } from 'react-router';
import type { User } from '../../api/types';

/** The event's own organizer, or an ADMIN, may manage it; the API refuses everyone else. */
export function mayManage(user: User | null | undefined, organizerId: string): boolean {
  return Boolean(user && (user.role === 'ADMIN' || user.id === organizerId));
}

/** Shown instead of an organizer page when the event belongs to another organizer. */
export function NotYourEvent({ eventId, title }: { eventId: string; title: string }) {
  return (
    <section className="narrow stack" data-testid="not-your-event">
      <h1>Not your event</h1>
      <p>“{title}” belongs to another organizer: only they can edit it or see its sales and check-ins.</p>
      <p className="actions">
        <Link to={`/events/${eventId}`}>See its public page</Link>
        <Link to="/organizer">Back to your events</Link>
      </p>
    </section>
  );
}

/** Shown instead of an organizer page when there is no event with its id. */
export function EventNotFound() {
  return (
    <section>
      <h1>Event not found</h1>
      <Link to="/organizer">Back to your events</Link>
    </section>
  );
}
