import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorBanner, Field, Loading, SelectField } from '../components/ui';
import { EVENTS } from '../api/documents';
import { CATEGORIES, type EventCategory, type EventSummary } from '../api/types';
import { problemOf } from '../lib/errors';
import { fromLocalInput, plainInputMessage, titleCase, toLocalInput, when } from '../lib/format';

const PAGE_SIZE = 12;
/** The API's limits of the filter (EventsFilterInput). */
const MAX_TEXT = 100;
const MAX_CITY = 120;

/**
 * What the URL asks for, as the API accepts it: a category it knows (any case: `music` is MUSIC), text and
 * city within its lengths, a date that parses. Anything else is left out (`unknownCategory` says what).
 */
function searchOf(params: URLSearchParams) {
  const text = (params.get('q') ?? '').trim().slice(0, MAX_TEXT);
  const city = (params.get('city') ?? '').trim().slice(0, MAX_CITY);
  const asked = (params.get('category') ?? '').trim();
  const category = CATEGORIES.find((c) => c === asked.toUpperCase()) ?? null;
  const from = fromLocalInput(params.get('from') ?? '');
  return {
    text,
    city,
    category: category as EventCategory | null,
    unknownCategory: asked && !category ? asked : null,
    from,
  };
}

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
  if (error) {
    const problem = problemOf(error);
    // The filter is checked before it is sent; should the API still refuse it, say so in words.
    return (
      <ErrorBanner
        problem={
          problem?.code === 'BAD_USER_INPUT'
            ? { ...problem, message: plainInputMessage(problem.message, { label: 'The search' }) }
            : problem
        }
      />
    );
  }
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

/** The form's fields for what is applied: the dropdown and the date show what the results are for. */
function draftOf(applied: ReturnType<typeof searchOf>) {
  return {
    text: applied.text,
    city: applied.city,
    category: applied.category ?? '',
    from: applied.from ? toLocalInput(applied.from) : '',
  };
}

export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const applied = searchOf(params);
  const [draft, setDraft] = useState(() => draftOf(applied));
  // "Show more" pages belong to one search (the URL's): a new search, or Back and Forward, starts again.
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({ key, cursors: [null] });
  const cursors = pages.key === key ? pages.cursors : [null];
  // The form follows the URL (Back and Forward, a link): its fields always show the search shown.
  useEffect(() => {
    setDraft(draftOf(searchOf(new URLSearchParams(key))));
  }, [key]);

  const filter: Record<string, string> = {};
  if (applied.text) filter.text = applied.text;
  if (applied.city) filter.city = applied.city;
  if (applied.category) filter.category = applied.category;
  if (applied.from) filter.from = applied.from;

  function search(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams();
    if (draft.text.trim()) next.set('q', draft.text.trim());
    if (draft.city.trim()) next.set('city', draft.city.trim());
    if (draft.category) next.set('category', draft.category);
    if (draft.from) next.set('from', draft.from);
    setPages({ key: next.toString(), cursors: [null] });
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
          maxLength={MAX_TEXT}
          value={draft.text}
          onChange={(e) => setDraft({ ...draft, text: e.target.value })}
        />
        <Field
          label="City"
          maxLength={MAX_CITY}
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
      {applied.unknownCategory ? (
        <p className="muted" data-testid="unknown-category">
          There is no category “{applied.unknownCategory}”: showing events of every category.
        </p>
      ) : null}
      {cursors.map((after, i) => (
        <EventsPageChunk
          key={`${key}|${after ?? ''}`}
          filter={filter}
          after={after}
          last={i === cursors.length - 1}
          onMore={(cursor) => setPages({ key, cursors: [...cursors, cursor] })}
        />
      ))}
    </section>
  );
}
