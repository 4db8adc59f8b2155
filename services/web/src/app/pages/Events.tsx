import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorBanner, Field, Loading, SelectField } from '../components/ui';
import { EVENTS } from '../api/documents';
import { CATEGORIES, type EventSummary } from '../api/types';
import { problemOf } from '../lib/errors';
import { fromLocalInput, titleCase, when } from '../lib/format';

const PAGE_SIZE = 12;

interface EventsData {
  events: {
    edges: { cursor: string; node: EventSummary }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export function EventCard({ event, to }: { event: EventSummary; to: string }) {
  return (
    <li className="card event-card">
      <p className="eyebrow">{titleCase(event.category)}</p>
      <h2 className="card-title">
        <Link to={to}>{event.title}</Link>
      </h2>
      <p>
        <time dateTime={event.startsAt}>{when(event.startsAt, event.timeZone)}</time>
      </p>
      <p className="muted">
        {event.venue.name}, {event.venue.city}
      </p>
    </li>
  );
}

/** One page of results; "after" comes from the previous page's endCursor. */
function EventsPageChunk({
  filter,
  after,
  last,
  onMore,
}: {
  filter: Record<string, string>;
  after: string | null;
  last: boolean;
  onMore(cursor: string): void;
}) {
  const [{ data, fetching, error }] = useQuery<EventsData>({
    query: EVENTS,
    variables: { filter, first: PAGE_SIZE, after },
  });
  if (fetching && !data) return <Loading label="Loading events…" />;
  if (error) return <ErrorBanner problem={problemOf(error)} />;
  const edges = data?.events.edges ?? [];
  if (!after && edges.length === 0) return <Empty>No events match. Try other filters.</Empty>;
  return (
    <>
      <ul className="grid" aria-label={after ? 'More events' : 'Events'}>
        {edges.map(({ node }) => (
          <EventCard key={node.id} event={node} to={`/events/${node.id}`} />
        ))}
      </ul>
      {last && data?.events.pageInfo.hasNextPage && data.events.pageInfo.endCursor ? (
        <button
          type="button"
          className="button secondary"
          onClick={() => onMore(data.events.pageInfo.endCursor!)}
        >
          Show more events
        </button>
      ) : null}
    </>
  );
}

export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState({
    text: params.get('q') ?? '',
    city: params.get('city') ?? '',
    category: params.get('category') ?? '',
    from: params.get('from') ?? '',
  });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);

  const filter: Record<string, string> = {};
  if (params.get('q')) filter.text = params.get('q')!;
  if (params.get('city')) filter.city = params.get('city')!;
  if (params.get('category')) filter.category = params.get('category')!;
  const from = fromLocalInput(params.get('from') ?? '');
  if (from) filter.from = from;

  function search(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams();
    if (draft.text.trim()) next.set('q', draft.text.trim());
    if (draft.city.trim()) next.set('city', draft.city.trim());
    if (draft.category) next.set('category', draft.category);
    if (draft.from) next.set('from', draft.from);
    setCursors([null]);
    setParams(next);
  }

  return (
    <section>
      <h1>Upcoming events</h1>
      <form className="filters card" onSubmit={search} role="search" aria-label="Find events">
        <Field
          label="Search"
          type="search"
          placeholder="Artist, venue, city…"
          value={draft.text}
          onChange={(e) => setDraft({ ...draft, text: e.target.value })}
        />
        <Field
          label="City"
          value={draft.city}
          onChange={(e) => setDraft({ ...draft, city: e.target.value })}
        />
        <SelectField
          label="Category"
          value={draft.category}
          onChange={(category) => setDraft({ ...draft, category })}
          options={[
            { value: '', label: 'Any' },
            ...CATEGORIES.map((c) => ({ value: c, label: titleCase(c) })),
          ]}
        />
        <Field
          label="From"
          type="datetime-local"
          value={draft.from}
          onChange={(e) => setDraft({ ...draft, from: e.target.value })}
        />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {cursors.map((after, i) => (
        <EventsPageChunk
          key={`${params.toString()}|${after ?? ''}`}
          filter={filter}
          after={after}
          last={i === cursors.length - 1}
          onMore={(cursor) => setCursors((c) => [...c, cursor])}
        />
      ))}
    </section>
  );
}
