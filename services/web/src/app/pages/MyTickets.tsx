import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { QrCode } from '../components/QrCode';
import {
  Countdown,
  Empty,
  ErrorBanner,
  Field,
  Loading,
  LoadError,
  Notice,
  StatusBadge,
  useHasPassed,
  useSecondsLeft,
} from '../components/ui';
import {
  CHECKOUT_EVENT,
  DISPLAY_CODE,
  EVENT_TITLE,
  MY_RESERVATIONS,
  MY_TICKETS,
  OFFER_TRANSFER,
} from '../api/documents';
import type { DisplayCode, Reservation, Ticket, Transfer } from '../api/types';
import { fieldErrors, problemOf } from '../lib/errors';
import { money, seatLabel, when } from '../lib/format';
import { serverNow } from '../lib/serverClock';
import { useWhileVisible } from '../lib/visible';

/**
 * How often the list is asked again while the page is visible, so a check-in at the door (or a transfer
 * accepted elsewhere) shows without a reload. The API has no subscription for a holder's tickets.
 */
const TICKETS_REFRESH_MS = 10_000;
/**
 * The rotating code: fetched again the moment its time step ends. It does not identify the ticket (the scanner
 * refuses the digits alone); it shows staff that the screen is live, not a screenshot or a printed copy.
 */
function RotatingCode({ ticketId }: { ticketId: string }) {
  const [{ data, error }, refetch] = useQuery<{ ticketDisplayCode: DisplayCode }>({
    query: DISPLAY_CODE,
    variables: { id: ticketId },
    requestPolicy: 'network-only',
  });
  const code = data?.ticketDisplayCode;
  const left = useSecondsLeft(code?.validUntil);
  useEffect(() => {
    if (!code) return;
    const wait = Math.max(0, new Date(code.validUntil).getTime() - Date.now()) + 250;
    const timer = window.setTimeout(() => refetch({ requestPolicy: 'network-only' }), wait);
    return () => window.clearTimeout(timer);
  }, [code, refetch]);
  if (error) return <ErrorBanner problem={problemOf(error)} />;
  if (!code) return <Loading label="Loading the live code…" />;
  return (
    <div className="display-code">
      <span className="muted">Live code</span>
      <strong data-testid="display-code" aria-live="polite">
        {code.code}
      </strong>
      <progress max={code.stepSeconds} value={left} aria-label={`Changes in ${left} seconds`} />
      <p className="muted small" data-testid="display-code-help">
        It changes every {code.stepSeconds} seconds, so staff can see this screen is live and not a
        screenshot. It is not a ticket number: at the door, staff scan the QR code.
      </p>
    </div>
  );
}

function TransferForm({ ticket, onOffered }: { ticket: Ticket; onOffered(toEmail: string): void }) {
  const [email, setEmail] = useState('');
  const [result, offer] = useMutation<{ offerTransfer: Transfer }>(OFFER_TRANSFER);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await offer({ ticketId: ticket.id, toEmail: email.trim() });
    // The ticket is now held by the offer (its code no longer admits): the list shows it at once.
    if (res.data) onOffered(res.data.offerTransfer.toEmail);
  }
  if (result.data) {
    return (
      <Notice>
        Offered to {result.data.offerTransfer.toEmail}. They accept it from their Transfers page.
      </Notice>
    );
  }
  return (
    <details className="transfer">
      <summary>Transfer this ticket</summary>
      <form onSubmit={submit} className="stack">
        <ErrorBanner problem={problemOf(result.error)} />
        <Field
          label="Recipient's email"
          type="email"
          required
          error={fieldErrors(problemOf(result.error))('toEmail')}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="submit" className="button secondary" disabled={result.fetching}>
          Offer transfer
        </button>
      </form>
    </details>
  );
}

/** A cancellation reason as the end of a sentence: one full stop, never two ("Sorry!." reads badly). */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function TicketCard({ ticket, onChanged }: { ticket: Ticket; onChanged(): void }) {
  const [{ data }] = useQuery<{
    event: {
      title: string;
      startsAt: string;
      timeZone: string;
      status: string;
      cancelReason: string | null;
      transferPolicy: { allowed: boolean; deadline: string | null };
      venue: { name: string; city: string };
    } | null;
  }>({ query: EVENT_TITLE, variables: { id: ticket.eventId } });
  const event = data?.event;
  const title = event?.title ?? 'Event';
  // Transfers close at the event's deadline, else at its start (the API refuses offers after that).
  const transfersClose = event ? (event.transferPolicy.deadline ?? event.startsAt) : null;
  const transfersClosed = useHasPassed(transfersClose);
  const transfersOpen = Boolean(transfersClose) && !transfersClosed;
  const cancelled = event?.status === 'CANCELLED';
  const pending = Boolean(ticket.pendingTransferId);
  // Who this page just offered the ticket to: still said once the refreshed list shows the offer pending.
  const [offeredTo, setOfferedTo] = useState<string | null>(null);
  return (
    <li className="card ticket" data-testid="ticket" data-ticket-id={ticket.id}>
      <h2 className="card-title">{title}</h2>
      {event ? (
        <p className="muted">
          <time dateTime={event.startsAt}>{when(event.startsAt, event.timeZone)}</time> · {event.venue.name},{' '}
          {event.venue.city}
        </p>
      ) : null}
      {cancelled ? (
        <p className="banner banner-error" data-testid="event-cancelled">
          This event was cancelled{event.cancelReason ? `: ${sentence(event.cancelReason)}` : '.'} This ticket
          no longer admits anyone. Your order is refunded in full to the card you paid with; you need do
          nothing.
        </p>
      ) : null}
      <p>
        {ticket.ticketTypeName}
        {ticket.seatId ? ` · ${seatLabel(ticket.seatId)}` : ''} · {ticket.holderName}{' '}
        <StatusBadge
          status={
            cancelled
              ? 'EVENT_CANCELLED'
              : pending
                ? 'TRANSFER_PENDING'
                : ticket.checkedIn
                  ? 'CHECKED_IN'
                  : ticket.status
          }
        />
      </p>
      {/* While an offer is open the code admits no one: it is not shown, so it is not presented at the door. */}
      {ticket.qrToken && ticket.status === 'VALID' && !pending && !cancelled ? (
        <div className="ticket-codes">
          <QrCode
            value={ticket.qrToken}
            label={`QR code of your ${ticket.ticketTypeName} ticket for ${title}`}
          />
          <RotatingCode ticketId={ticket.id} />
        </div>
      ) : null}
      {pending ? (
        <>
          {offeredTo ? (
            <Notice>Offered to {offeredTo}. They accept it from their Transfers page.</Notice>
          ) : null}
          <p className="banner banner-warn" data-testid="transfer-pending">
            Transfer pending: you offered this ticket to someone, and while the offer is open this code does
            not admit anyone at the door, so it is hidden. Cancel the offer to use the ticket yourself.{' '}
            <Link to="/transfers">See or cancel the offer</Link>
          </p>
        </>
      ) : ticket.status === 'VALID' && ticket.checkedIn ? (
        <p className="muted" data-testid="checked-in">
          Checked in at the door: a ticket that has been used cannot be transferred.
        </p>
      ) : ticket.status === 'VALID' && event ? (
        !event.transferPolicy.allowed ? (
          <p className="muted" data-testid="no-transfer">
            Tickets for this event cannot be transferred.
          </p>
        ) : !transfersOpen ? (
          <p className="muted" data-testid="no-transfer">
            Transfers closed <time dateTime={transfersClose!}>{when(transfersClose!, event.timeZone)}</time>.
          </p>
        ) : (
          <TransferForm
            ticket={ticket}
            onOffered={(toEmail) => {
              setOfferedTo(toEmail);
              onChanged();
            }}
          />
        )
      ) : null}
    </li>
  );
}

/** One hold awaiting payment: what it holds, for how long (on the server's clock), and the way back to pay. */
function HoldRow({ hold }: { hold: Reservation }) {
  const [{ data }] = useQuery<{
    event: {
      title: string;
      startsAt: string;
      timeZone: string;
      ticketTypes: { id: string; name: string }[];
    } | null;
  }>({ query: CHECKOUT_EVENT, variables: { id: hold.eventId } });
  const event = data?.event;
  const left = useSecondsLeft(hold.expiresAt);
  // Its time is up: the server ends it within a second or two, and the next refresh drops it.
  if (left === 0) return null;
  const name = (id: string) => event?.ticketTypes.find((t) => t.id === id)?.name ?? 'Tickets';
  return (
    <li className="card hold stack" data-testid="hold" data-reservation-id={hold.id}>
      <h3 className="card-title">{event?.title ?? 'Your reservation'}</h3>
      {event ? (
        <p className="muted">
          <time dateTime={event.startsAt}>{when(event.startsAt, event.timeZone)}</time>
        </p>
      ) : null}
      <ul className="plain">
        {hold.lines.map((line) => (
          <li key={line.ticketTypeId}>
            {line.quantity} × {name(line.ticketTypeId)} at{' '}
            {money(line.unitPrice.amount, line.unitPrice.currency)}
            {line.seatIds.length ? ` · ${line.seatIds.map(seatLabel).join('; ')}` : ''}
          </li>
        ))}
      </ul>
      <p>
        Total <strong>{money(hold.total.amount, hold.total.currency)}</strong>, not paid yet.
      </p>
      <Countdown until={hold.expiresAt} label="Held for you for" />
      <p>
        <Link className="button" to={`/reservations/${hold.id}`}>
          Continue to payment or give them back
        </Link>
      </p>
    </li>
  );
}

export function MyTicketsPage() {
  const [{ data, fetching, error }, refetch] = useQuery<{ myTickets: Ticket[] }>({
    query: MY_TICKETS,
    requestPolicy: 'cache-and-network',
  });
  // Holds the buyer left without paying (checkout closed, Back): listed with the way back to pay them.
  const [{ data: holdData }, refetchHolds] = useQuery<{ myReservations: Reservation[] }>({
    query: MY_RESERVATIONS,
    requestPolicy: 'cache-and-network',
  });
  const holds = (holdData?.myReservations ?? []).filter(
    (r) => (r.status === 'HELD' || r.status === 'PAYING') && new Date(r.expiresAt).getTime() > serverNow(),
  );
  useWhileVisible(() => {
    refetch({ requestPolicy: 'network-only' });
    refetchHolds({ requestPolicy: 'network-only' });
  }, TICKETS_REFRESH_MS);
  // A refresh that fails (a weak signal at the door) clears urql's data: the last list stays on screen, QR
  // codes included, and the failure is told without taking the focus.
  const [kept, setKept] = useState<{ tickets: Ticket[]; at: string } | null>(null);
  if (data && data.myTickets !== kept?.tickets)
    setKept({ tickets: data.myTickets, at: new Date().toISOString() });
  const tickets = data?.myTickets ?? kept?.tickets ?? null;
  return (
    <section>
      <h1>My tickets</h1>
      {fetching && !tickets ? <Loading label="Loading your tickets…" /> : null}
      {tickets ? null : (
        <LoadError problem={problemOf(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      )}
      {holds.length ? (
        <section aria-labelledby="holds-heading" className="holds">
          <h2 id="holds-heading">Holds awaiting payment</h2>
          <p className="muted">
            Reserved for you but not paid yet: pay before the time runs out, or give them back for others.
          </p>
          <ul className="grid tickets">
            {holds.map((hold) => (
              <HoldRow key={hold.id} hold={hold} />
            ))}
          </ul>
        </section>
      ) : null}
      {error && tickets && kept ? (
        <p className="muted small" role="status" data-testid="tickets-stale">
          Could not check your tickets for changes just now; this list is from{' '}
          <time dateTime={kept.at}>{when(kept.at)}</time>. It tries again by itself.
        </p>
      ) : null}
      {tickets && tickets.length === 0 ? (
        <Empty>
          {holds.length ? 'No paid tickets yet.' : 'You have no tickets yet.'}{' '}
          <Link to="/">Find an event</Link>
        </Empty>
      ) : null}
      {tickets && tickets.length > 0 ? (
        <ul className="grid tickets">
          {tickets.map((ticket) => (
            <TicketCard
              key={ticket.id}
              ticket={ticket}
              onChanged={() => refetch({ requestPolicy: 'network-only' })}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
