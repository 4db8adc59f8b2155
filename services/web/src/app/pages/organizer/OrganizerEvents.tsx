import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorBanner, Loading, StatusBadge } from '../../components/ui';
import { MY_EVENTS } from '../../api/documents';
import type { EventSummary } from '../../api/types';
import { problemOf } from '../../lib/errors';
import { when } from '../../lib/format';

export function OrganizerEventsPage() {
  const [{ data, fetching, error }] = useQuery<{ myEvents: EventSummary[] }>({
    query: MY_EVENTS,
    requestPolicy: 'cache-and-network',
  });
  return (
    <section>
      <div className="page-head">
        <h1>Your events</h1>
        <Link className="button" to="/organizer/events/new">
          New event
        </Link>
      </div>
      {fetching && !data ? <Loading label="Loading your events…" /> : null}
      <ErrorBanner problem={problemOf(error)} />
      {data && data.myEvents.length === 0 ? <Empty>No events yet. Create your first one.</Empty> : null}
      {data && data.myEvents.length > 0 ? (
        <ul className="grid">
          {data.myEvents.map((event) => (
            <li key={event.id} className="card event-card">
              <p className="eyebrow">
                <StatusBadge status={event.status} />
              </p>
              <h2 className="card-title">
                <Link to={`/organizer/events/${event.id}`}>{event.title}</Link>
              </h2>
              <p>
                <time dateTime={event.startsAt}>{when(event.startsAt, event.timeZone)}</time>
              </p>
              <p className="muted">
                {event.venue.name}, {event.venue.city}
              </p>
              <p className="actions">
                <Link to={`/organizer/events/${event.id}`}>Edit</Link>
                <Link to={`/organizer/events/${event.id}/dashboard`}>Dashboard</Link>
                <Link to={`/events/${event.id}`}>Public page</Link>
                {event.status === 'PUBLISHED' ? <Link to={`/scan/${event.id}`}>Scanner</Link> : null}
              </p>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
