import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import {
  Countdown,
  ErrorBanner,
  Loading,
  LoadError,
  Notice,
  StatusBadge,
  useSecondsLeft,
} from '../components/ui';
import { CHECKOUT, CHECKOUT_EVENT, RELEASE, RESERVATION_QUERY } from '../api/documents';
import type { Order, Reservation } from '../api/types';
import { problemOf, type ApiProblem } from '../lib/errors';
import { money, newIdempotencyKey, seatLabel, when } from '../lib/format';
import { seenPrices } from '../lib/seenPrice';

// The test payment provider's tokens (see the ticket service README).
const CARDS = [
  { token: 'tok_success', label: 'Test card that pays' },
  { token: 'tok_decline', label: 'Test card that is declined' },
  { token: 'tok_error', label: 'Test card whose provider fails' },
];

// Answers that end an attempt: the next payment needs a new idempotency key. Anything else (a lost answer, a
// busy service, a provider failure or timeout) keeps the key, so a retry can never pay twice, and returns the
// order when the first call was charged.
const FINAL = new Set(['PAYMENT_DECLINED', 'HOLD_EXPIRED', 'NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN']);
// Answers that say nothing about the payment (lost, or refused before it ran): retried by themselves.
const UNCERTAIN = new Set([
  'NETWORK',
  'TRY_AGAIN',
  'SERVICE_UNAVAILABLE',
  'SUBGRAPH_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
  'RATE_LIMITED',
]);
/** Automatic retries of one attempt, each after the API's hint (0.5-5 s); then the buyer decides. */
const AUTO_RETRIES = 5;

function retriesByItself(problem: ApiProblem): boolean {
  return UNCERTAIN.has(problem.code) || problem.paymentPending === true;
}

interface Attempt {
  token: string;
  key: string;
  /** false once the key has a final answer (e.g. declined): the next payment needs a new key. */
  retryable: boolean;
}

/** The current payment attempt of a reservation, kept across reloads so a retry reuses its key. */
function useAttempt(reservationId: string) {
  const storageKey = `checkout:${reservationId}`;
  const [attempt, setAttemptState] = useState<Attempt | null>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as Attempt | null;
    } catch {
      return null;
    }
  });
  const setAttempt = (next: Attempt) => {
    sessionStorage.setItem(storageKey, JSON.stringify(next));
    setAttemptState(next);
  };
  return [attempt, setAttempt] as const;
}

interface CheckoutEvent {
  title: string;
  startsAt: string;
  timeZone: string;
  ticketTypes: { id: string; name: string }[];
}

function EventLine({ event }: { event: CheckoutEvent | null | undefined }) {
  if (!event) return null;
  return (
    <p className="lead">
      {event.title} · <time dateTime={event.startsAt}>{when(event.startsAt, event.timeZone)}</time>
    </p>
  );
}

export function CheckoutPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery<{ reservation: Reservation }>({
    query: RESERVATION_QUERY,
    variables: { id },
    requestPolicy: 'network-only',
  });
  const [token, setToken] = useState(CARDS[0].token);
  const [attempt, setAttempt] = useAttempt(id);
  const [payResult, pay] = useMutation<{ checkout: Order }>(CHECKOUT);
  const [releaseResult, release] = useMutation<{ releaseReservation: Reservation }>(RELEASE);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [order, setOrder] = useState<Order | null>(null);
  /** The automatic retry waiting to run (its number), while one is scheduled. */
  const [autoRetry, setAutoRetry] = useState<number | null>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const secondsLeft = useSecondsLeft(data?.reservation.expiresAt);
  // Released from this page: the form (and the focused button) goes, so focus moves to the hold's new status.
  const [released, setReleased] = useState(false);
  const statusRef = useRef<HTMLDivElement>(null);
  const heldNow = data?.reservation.status === 'HELD' || data?.reservation.status === 'PAYING';
  useEffect(() => {
    if (released && !heldNow) statusRef.current?.focus();
  }, [released, heldNow]);
  // The countdown runs on the server's clock, but only the server says a hold is over: at 0:00 the page asks
  // it (and again every few seconds until it answers with the end), and Pay stays while it still holds.
  const timeUp = heldNow && secondsLeft === 0;
  useEffect(() => {
    if (!timeUp) return;
    refetch({ requestPolicy: 'network-only' });
    const timer = window.setInterval(() => refetch({ requestPolicy: 'network-only' }), 5_000);
    return () => window.clearInterval(timer);
  }, [timeUp, refetch]);
  // After paying the form goes: focus moves to the result, so a screen reader announces it.
  const thanksRef = useRef<HTMLHeadingElement>(null);
  const paid = Boolean(order) || data?.reservation.status === 'CONVERTED';
  useEffect(() => {
    if (paid) thanksRef.current?.focus();
  }, [paid]);
  // The price the buyer chose at on the event page (this tab), per ticket type.
  const [seen] = useState(() => seenPrices(id));
  const [{ data: eventData }] = useQuery<{ event: CheckoutEvent | null }>({
    query: CHECKOUT_EVENT,
    variables: { id: data?.reservation.eventId ?? '' },
    pause: !data?.reservation.eventId,
  });
  const typeName = (id: string) => eventData?.event?.ticketTypes.find((t) => t.id === id)?.name;

  async function send(current: Attempt, tries: number) {
    setAutoRetry(null);
    setProblem(null);
    const res = await pay({
      input: { reservationId: id, paymentToken: current.token, idempotencyKey: current.key },
    });
    if (res.data?.checkout) {
      setOrder(res.data.checkout);
      return;
    }
    const p = problemOf(res.error);
    setProblem(p);
    setAttempt({ ...current, retryable: p ? !FINAL.has(p.code) : true });
    if (p && retriesByItself(p) && tries < AUTO_RETRIES) {
      // The same request with the same key, after the API's hint: it pays once at most, and answers with the
      // order if the lost call was charged.
      const wait = Math.min(5_000, Math.max(500, p.retryAfterMs ?? 1_000));
      setAutoRetry(tries + 1);
      timer.current = window.setTimeout(() => void send(current, tries + 1), wait);
      return;
    }
    refetch({ requestPolicy: 'network-only' });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    window.clearTimeout(timer.current);
    const reuse = attempt && attempt.token === token && attempt.retryable;
    const current: Attempt = reuse ? attempt : { token, key: newIdempotencyKey(), retryable: true };
    setAttempt(current);
    await send(current, 0);
  }

  if (fetching && !data) return <Loading label="Loading your reservation…" />;
  if (!data?.reservation) {
    return (
      <section className="narrow stack">
        <h1>Checkout</h1>
        <LoadError problem={problemOf(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
        <p>
          <Link to="/">Back to the events</Link> · <Link to="/tickets">My tickets</Link>
        </p>
      </section>
    );
  }
  const reservation = data.reservation;

  if (order || reservation.status === 'CONVERTED') {
    return (
      <section className="narrow">
        <h1 ref={thanksRef} tabIndex={-1}>
          Thank you!
        </h1>
        <Notice>
          Payment received{order ? ` (${money(order.total.amount, order.total.currency)})` : ''}. Order{' '}
          {order?.id ?? reservation.orderId} is <StatusBadge status={order?.status ?? 'CONFIRMED'} />.
        </Notice>
        <p>
          <Link className="button" to="/tickets">
            See my tickets
          </Link>
        </p>
      </section>
    );
  }

  // Open while the server holds it: a device clock that is off never hides Pay (the server answers HOLD_EXPIRED).
  const open = reservation.status === 'HELD' || reservation.status === 'PAYING';
  const canRetry = problem && attempt?.retryable && attempt.token === token;
  // Lines whose held price is not the one the buyer chose at (a change the event page had not shown yet).
  const changed = reservation.lines.flatMap((line) => {
    const before = seen[line.ticketTypeId];
    if (!before) return [];
    const same = before.amount === line.unitPrice.amount && before.currency === line.unitPrice.currency;
    return same ? [] : [{ line, before }];
  });
  return (
    <section className="narrow">
      <h1>Checkout</h1>
      <EventLine event={eventData?.event} />
      <div className="card stack">
        <h2>Your hold</h2>
        <ul className="plain">
          {reservation.lines.map((line) => (
            <li key={line.ticketTypeId}>
              {line.quantity} × {typeName(line.ticketTypeId) ? `${typeName(line.ticketTypeId)} at ` : ''}
              {money(line.unitPrice.amount, line.unitPrice.currency)}
              {line.seatIds.length
                ? ` · ${line.seatIds.length === 1 ? 'seat' : 'seats'} ${line.seatIds.map(seatLabel).join('; ')}`
                : ''}
            </li>
          ))}
        </ul>
        <p className="total">
          Total <strong>{money(reservation.total.amount, reservation.total.currency)}</strong>
        </p>
        {open ? (
          <p className="muted" data-testid="held-price">
            {reservation.lines.map((line, i) => (
              <span key={line.ticketTypeId}>
                {i > 0 ? ' ' : ''}
                Your price is held at <strong>
                  {money(line.unitPrice.amount, line.unitPrice.currency)}
                </strong>{' '}
                per ticket
                {reservation.lines.length > 1 && typeName(line.ticketTypeId)
                  ? ` (${typeName(line.ticketTypeId)})`
                  : ''}
                .
              </span>
            ))}{' '}
            It is what you pay, whatever the price does while the hold lasts.
          </p>
        ) : null}
        {open && changed.length ? (
          <div className="banner banner-warn" role="status" data-testid="price-changed">
            {changed.map(({ line, before }) => (
              <p key={line.ticketTypeId}>
                <strong>
                  The price changed to {money(line.unitPrice.amount, line.unitPrice.currency)} since you chose
                </strong>{' '}
                {typeName(line.ticketTypeId) ?? 'these tickets'} at {money(before.amount, before.currency)}.
              </p>
            ))}
            <p>Check the total before you pay; if you no longer want them, give the tickets back.</p>
          </div>
        ) : null}
        {open ? (
          <>
            <Countdown until={reservation.expiresAt} label="Your tickets are held for" />
            {secondsLeft === 0 ? (
              <p className="muted" role="status">
                The hold time is up: checking with the server…
              </p>
            ) : null}
          </>
        ) : reservation.status === 'RELEASED' ? (
          <div
            className="banner banner-ok"
            role="status"
            ref={statusRef}
            tabIndex={-1}
            data-testid="hold-ended"
          >
            {released ? 'You gave the tickets back' : 'These tickets were given back'}; nothing was charged.{' '}
            <Link to={`/events/${reservation.eventId}`}>Reserve again</Link>
          </div>
        ) : (
          <div
            className="banner banner-error"
            role="alert"
            ref={statusRef}
            tabIndex={-1}
            data-testid="hold-ended"
          >
            This hold has <StatusBadge status={reservation.status} />: the tickets went back on sale and
            nothing was charged. <Link to={`/events/${reservation.eventId}`}>Reserve again</Link>
          </div>
        )}
      </div>
      {open ? (
        <form className="card stack" onSubmit={submit} aria-label="Payment">
          <fieldset>
            <legend>Payment method</legend>
            {CARDS.map((card) => (
              <label key={card.token} className="radio">
                <input
                  type="radio"
                  name="card"
                  value={card.token}
                  checked={token === card.token}
                  onChange={() => setToken(card.token)}
                />{' '}
                {card.label} <code>{card.token}</code>
              </label>
            ))}
          </fieldset>
          <ErrorBanner problem={problemOf(releaseResult.error)} />
          <ErrorBanner problem={problem}>
            {problem && retriesByItself(problem) ? (
              <p data-testid="payment-safe">
                Your payment may have gone through. Retrying is safe: it sends the same payment request again,
                so you are never charged twice, and if the first one went through you get your order.
                {autoRetry ? ` Retrying by itself (${autoRetry} of ${AUTO_RETRIES})…` : ''}
              </p>
            ) : null}
          </ErrorBanner>
          <button type="submit" className="button" disabled={payResult.fetching || autoRetry !== null}>
            {payResult.fetching || autoRetry !== null
              ? 'Paying…'
              : canRetry
                ? 'Retry payment'
                : `Pay ${money(reservation.total.amount, reservation.total.currency)}`}
          </button>
          <button
            type="button"
            className="button secondary"
            disabled={releaseResult.fetching || payResult.fetching}
            onClick={() => {
              window.clearTimeout(timer.current);
              setAutoRetry(null);
              void release({ id }).then((r) => {
                if (!r.error) setReleased(true);
                refetch({ requestPolicy: 'network-only' });
              });
            }}
          >
            Give the tickets back
          </button>
        </form>
      ) : null}
    </section>
  );
}
