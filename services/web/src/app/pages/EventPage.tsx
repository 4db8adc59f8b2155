import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useSubscription } from 'urql';
import { SeatPicker } from '../components/SeatPicker';
import { useWaitingRoom, WaitingRoomPanel, type WaitingRoomGate } from '../components/WaitingRoom';
import { ErrorBanner, Loading, LoadError, StatusBadge, useHasPassed } from '../components/ui';
import { EVENT, PRICE_CHANGED, RESERVE, TICKET_PRICES } from '../api/documents';
import type { EventDetail, Reservation, TicketPrice, TicketType } from '../api/types';
import { useSession } from '../lib/auth';
import { fieldErrors, problemOf, type ApiProblem } from '../lib/errors';
import { money, titleCase, when } from '../lib/format';
import { rememberSeenPrice } from '../lib/seenPrice';
import { useWhileVisible } from '../lib/visible';

/** Availability and prices are asked again this often while the page is visible (and when it is shown again). */
const REFRESH_MS = 15_000;

function PriceTag({
  type,
  price,
  timeZone,
}: {
  type: TicketType;
  price: TicketPrice | null | undefined;
  timeZone: string;
}) {
  const next = price?.nextTier;
  return (
    <div className="price-tag">
      <p className="price" data-testid="price">
        {price ? money(price.amount, price.currency) : money(type.priceMinor, type.currency)}
      </p>
      {next ? (
        <p className="muted small">
          Then {money(next.price.amount, next.price.currency)}
          {next.startsAt ? ` from ${when(next.startsAt, timeZone)}` : ''}
          {next.afterSold != null ? ` after ${next.afterSold} sold` : ''}
        </p>
      ) : null}
    </div>
  );
}

function TicketTypeOffer({
  event,
  type,
  price,
  onStale,
  room,
}: {
  event: EventDetail;
  type: TicketType;
  price: TicketPrice | null | undefined;
  /** Availability or taken seats changed under us: load them again. */
  onStale(): void;
  /** The event's waiting room: reserving may need its admission pass. */
  room: WaitingRoomGate;
}) {
  const { user } = useSession();
  const navigate = useNavigate();
  const [quantity, setQuantity] = useState(1);
  const [seats, setSeats] = useState<string[]>([]);
  const [result, reserve] = useMutation<{ reserveTickets: Reservation }>(RESERVE);
  const remaining = type.availability?.remaining ?? null;
  const soldOut = remaining === 0;
  // What the signed-in buyer may still reserve under the per-buyer limits (their holds and purchases count).
  const allowance = user ? (type.myAllowance ?? null) : null;
  const atLimit = allowance === 0;
  const max = Math.max(1, Math.min(type.perOrderMax, remaining ?? type.perOrderMax, allowance ?? Infinity));
  // The type's sales window, each bound its own or else the event's (the event's end closes sales at the latest).
  const salesStart = type.salesStartAt ?? event.salesStartAt;
  const salesEnd = type.salesEndAt ?? event.salesEndAt ?? event.endsAt;
  const started = useHasPassed(salesStart);
  const notYet = Boolean(salesStart) && !started;
  const salesOver = useHasPassed(salesEnd);
  const onSale = event.status === 'PUBLISHED' && !notYet && !salesOver;
  const reserved = type.kind === 'RESERVED';
  // A chosen seat someone else took meanwhile (seen on the next refresh) is dropped from the choice.
  const takenKey = (type.takenSeats ?? []).join(',');
  useEffect(() => {
    if (!takenKey) return;
    const taken = new Set(takenKey.split(','));
    setSeats((chosen) => (chosen.some((s) => taken.has(s)) ? chosen.filter((s) => !taken.has(s)) : chosen));
  }, [takenKey]);
  // The last refusal, with the availability it was made against: shown until the stock, the buyer's allowance
  // or the taken seats change again after the reload the refusal itself asked for (a "Sold out" is stale once
  // the ticket comes back). `reloading`: that reload's answer is still to come, and confirms the refusal.
  const availabilityKey = `${remaining}|${allowance}|${takenKey}`;
  const [refusal, setRefusal] = useState<{ problem: ApiProblem; against: string; reloading: boolean } | null>(
    null,
  );
  useEffect(() => {
    setRefusal((r) => {
      if (!r || r.against === availabilityKey) return r;
      if (r.reloading) return { ...r, against: availabilityKey, reloading: false };
      return null;
    });
  }, [availabilityKey]);
  const problem = refusal?.problem ?? null;

  async function submit() {
    if (!user) {
      navigate(`/signin?next=${encodeURIComponent(`/events/${event.id}`)}`);
      return;
    }
    const input = {
      ticketTypeId: type.id,
      ...(reserved ? { seatIds: seats } : { quantity }),
      ...(room.admissionPass ? { admissionPass: room.admissionPass } : {}),
    };
    setRefusal(null);
    const shown = price ?? { amount: type.priceMinor, currency: type.currency };
    const res = await reserve({ input });
    if (res.data) {
      // What the buyer chose at: checkout says so if the hold's price is not that.
      rememberSeenPrice(res.data.reserveTickets.id, type.id, shown);
      navigate(`/reservations/${res.data.reserveTickets.id}`);
    } else {
      const refused = problemOf(res.error);
      const code = refused?.code ?? '';
      // Stock, seats or the buyer's own limit moved under the page: show them as they are now.
      const stale = ['SOLD_OUT', 'CONFLICT', 'BAD_USER_INPUT'].includes(code);
      if (refused) setRefusal({ problem: refused, against: availabilityKey, reloading: stale });
      if (stale) onStale();
      if (code.startsWith('ADMISSION') || code === 'PASS_EXPIRED') room.refresh();
    }
  }

  const headingId = `tt-${type.id}`;
  // The API's refusal of the quantity or the seats (e.g. over the per-buyer limit), shown beside the choice.
  const inputError = fieldErrors(problem);
  return (
    <li className="card ticket-type" aria-labelledby={headingId}>
      <div className="ticket-type-head">
        <h3 id={headingId}>{type.name}</h3>
        <PriceTag type={type} price={price} timeZone={event.timeZone} />
      </div>
      {/* A cancelled event sells nothing: what is left of it means nothing to a buyer. */}
      {event.status === 'CANCELLED' ? null : (
        <p className="availability" data-testid="availability">
          {remaining === null
            ? 'Availability unknown'
            : soldOut
              ? 'Sold out'
              : `${remaining} of ${type.availability!.capacity} left`}
        </p>
      )}
      {soldOut && problem?.code === 'SOLD_OUT' ? (
        <p className="muted" role="status" data-testid="got-there-first">
          Someone got there first: the last tickets went just before you asked. If any are given back, you can
          reserve them here.
        </p>
      ) : null}
      {event.status === 'PUBLISHED' && notYet && salesStart ? (
        <p className="sales-window" data-testid="sales-window">
          On sale from <time dateTime={salesStart}>{when(salesStart, event.timeZone)}</time>
        </p>
      ) : null}
      {event.status === 'PUBLISHED' && salesOver ? (
        <p className="sales-window" data-testid="sales-window">
          Sales have ended.
        </p>
      ) : null}
      {onSale && !soldOut && atLimit ? (
        <p className="sales-window" data-testid="buyer-limit">
          You have reached the limit per buyer for {type.name}: the tickets you hold or bought count towards
          it. <Link to="/tickets">My tickets</Link>
        </p>
      ) : null}
      {onSale && !soldOut && !atLimit ? (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <ErrorBanner problem={problem} />
          {reserved ? (
            <SeatPicker
              seatMap={event.venue.seatMap}
              sellable={type.seatIds}
              taken={type.takenSeats ?? []}
              selected={seats}
              max={max}
              onChange={(chosen) => {
                setRefusal(null);
                setSeats(chosen);
              }}
            />
          ) : (
            <div className="field">
              <label htmlFor={`qty-${type.id}`}>Quantity</label>
              <select
                id={`qty-${type.id}`}
                value={quantity}
                aria-invalid={inputError('quantity') ? true : undefined}
                aria-describedby={inputError('quantity') ? `qty-${type.id}-error` : undefined}
                onChange={(e) => {
                  setRefusal(null);
                  setQuantity(Number(e.target.value));
                }}
              >
                {Array.from({ length: max }, (_, i) => i + 1).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              {inputError('quantity') ? (
                <small id={`qty-${type.id}-error`} className="field-error">
                  {inputError('quantity')}
                </small>
              ) : null}
            </div>
          )}
          {reserved && inputError('seatIds') ? <p className="field-error">{inputError('seatIds')}</p> : null}
          <button
            type="submit"
            className="button"
            disabled={result.fetching || (reserved && seats.length === 0) || (Boolean(user) && room.blocked)}
            aria-describedby={headingId}
          >
            {result.fetching ? 'Reserving…' : user ? `Reserve ${type.name}` : 'Sign in to reserve'}
          </button>
        </form>
      ) : null}
    </li>
  );
}

export function EventPage() {
  const { id = '' } = useParams();
  const { user } = useSession();
  const room = useWaitingRoom(id, Boolean(user));
  // Asked on every visit (a cached copy is shown meanwhile): stock, the buyer's allowance and prices move while
  // the page is away (a purchase, then Back).
  const [{ data, fetching, error }, refetch] = useQuery<{ event: EventDetail | null }>({
    query: EVENT,
    variables: { id },
    requestPolicy: 'cache-and-network',
  });
  // Prices come from the pricing subgraph in their own request, so the page still works without them.
  const [{ data: priceData }, refetchPrices] = useQuery<{
    event: { ticketTypes: { id: string; price: TicketPrice | null }[] } | null;
  }>({ query: TICKET_PRICES, variables: { id }, requestPolicy: 'cache-and-network' });
  // A price change (public subscription) refreshes prices and availability at once. Only a published event
  // has a feed (pricing refuses a draft or an unknown id), so it starts once the event is known to be one.
  const [{ data: priceEvent }] = useSubscription<{ priceChanged: { version: number; at: string } }>({
    query: PRICE_CHANGED,
    variables: { eventId: id },
    pause: data?.event?.status !== 'PUBLISHED',
  });
  useEffect(() => {
    if (!priceEvent) return;
    refetchPrices({ requestPolicy: 'network-only' });
    refetch({ requestPolicy: 'network-only' });
  }, [priceEvent, refetchPrices, refetch]);
  // Availability changes as others buy, and a price change the live feed missed (a dropped WebSocket, a phone
  // that slept) must not stay on screen: both are asked again while the page is visible and when it is shown.
  useWhileVisible(() => {
    refetch({ requestPolicy: 'network-only' });
    refetchPrices({ requestPolicy: 'network-only' });
  }, REFRESH_MS);
  const prices = new Map((priceData?.event?.ticketTypes ?? []).map((t) => [t.id, t.price]));

  if (fetching && !data) return <Loading label="Loading event…" />;
  // An id the API refuses outright (e.g. with a control character) names no event either.
  const refusedId = problemOf(error)?.code === 'BAD_USER_INPUT';
  if (error && !data?.event && !refusedId)
    return (
      <LoadError
        problem={problemOf(error)}
        onRetry={() => {
          refetch({ requestPolicy: 'network-only' });
          refetchPrices({ requestPolicy: 'network-only' });
        }}
      />
    );
  const event = data?.event;
  if (!event) {
    return (
      <section>
        <h1>Event not found</h1>
        <Link to="/">Back to the events</Link>
      </section>
    );
  }
  return (
    <article className="event-page">
      <p className="eyebrow">
        {titleCase(event.category)}{' '}
        {event.status !== 'PUBLISHED' ? <StatusBadge status={event.status} /> : null}
      </p>
      <h1>{event.title}</h1>
      <p className="lead">
        <time dateTime={event.startsAt}>{when(event.startsAt, event.timeZone)}</time> · {event.venue.name},{' '}
        {event.venue.address}, {event.venue.city}
      </p>
      {event.status === 'CANCELLED' || event.cancelReason ? (
        <div className="banner banner-error" role="alert" data-testid="event-cancelled">
          <strong>This event is cancelled{event.cancelReason ? ':' : '.'}</strong>{' '}
          {event.cancelReason ? <>{event.cancelReason} </> : null}
          Tickets are no longer sold, and every ticket bought is refunded.
        </div>
      ) : null}
      {event.description ? <p className="description">{event.description}</p> : null}
      {event.status === 'PUBLISHED' ? <WaitingRoomPanel gate={room} /> : null}
      <h2>Tickets</h2>
      {event.ticketTypes.length === 0 ? (
        <p className="empty">No tickets on sale yet.</p>
      ) : (
        <ul className="ticket-types">
          {event.ticketTypes.map((type) => (
            <TicketTypeOffer
              key={type.id}
              event={event}
              type={type}
              price={prices.get(type.id)}
              onStale={() => refetch({ requestPolicy: 'network-only' })}
              room={room}
            />
          ))}
        </ul>
      )}
      {event.status === 'CANCELLED' ? null : (
        <p className="muted">
          {event.transferPolicy.allowed ? (
            <>
              Tickets can be transferred to a friend
              {event.transferPolicy.deadline ? (
                <>
                  {' '}
                  until{' '}
                  <time dateTime={event.transferPolicy.deadline}>
                    {when(event.transferPolicy.deadline, event.timeZone)}
                  </time>
                </>
              ) : null}
              .
            </>
          ) : (
            'Tickets are not transferable.'
          )}
        </p>
      )}
    </article>
  );
}
