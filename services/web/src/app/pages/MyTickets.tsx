import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { QrCode } from '../components/QrCode';
import {
  Empty,
  ErrorBanner,
  Field,
  Loading,
  Notice,
  StatusBadge,
  useHasPassed,
  useSecondsLeft,
} from '../components/ui';
import { DISPLAY_CODE, EVENT_TITLE, MY_TICKETS, OFFER_TRANSFER } from '../api/documents';
import type { DisplayCode, Ticket, Transfer } from '../api/types';
import { fieldErrors, problemOf } from '../lib/errors';
import { when } from '../lib/format';
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

function TransferForm({ ticket }: { ticket: Ticket }) {
  const [email, setEmail] = useState('');
  const [result, offer] = useMutation<{ offerTransfer: Transfer }>(OFFER_TRANSFER);
  async function submit(e: FormEvent) {
    e.preventDefault();
    await offer({ ticketId: ticket.id, toEmail: email.trim() });
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

function TicketCard({ ticket }: { ticket: Ticket }) {
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
  return (
    <li className="card ticket" data-testid="ticket" data-ticket-id={ticket.id}>
      <h2 className="card-title">{title}</h2>
      {event ? (
        <p className="muted">
          <time dateTime={event.startsAt}>{when(event.startsAt, event.timeZone)}</time> · {event.venue.name},{' '}
          {event.venue.city}
        </p>
      ) : null}
      {event?.status === 'CANCELLED' ? (
        <p className="banner banner-error" data-testid="event-cancelled">
          This event was cancelled{event.cancelReason ? `: ${event.cancelReason}` : ''}. This ticket no longer
          admits anyone.
        </p>
      ) : null}
      <p>
        {ticket.ticketTypeName}
        {ticket.seatId ? ` · seat ${ticket.seatId}` : ''} · {ticket.holderName}{' '}
        <StatusBadge status={ticket.checkedIn ? 'CHECKED_IN' : ticket.status} />
      </p>
      {ticket.qrToken && ticket.status === 'VALID' ? (
        <div className="ticket-codes">
          <QrCode
            value={ticket.qrToken}
            label={`QR code of your ${ticket.ticketTypeName} ticket for ${title}`}
          />
          <RotatingCode ticketId={ticket.id} />
        </div>
      ) : null}
      {ticket.pendingTransferId ? (
        <p className="muted" data-testid="transfer-pending">
          A transfer of this ticket is pending: while it is, this code does not admit anyone at the door.
          Cancel the offer to use the ticket yourself. <Link to="/transfers">Manage transfers</Link>
        </p>
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
          <TransferForm ticket={ticket} />
        )
      ) : null}
    </li>
  );
}

export function MyTicketsPage() {
  const [{ data, fetching, error }, refetch] = useQuery<{ myTickets: Ticket[] }>({
    query: MY_TICKETS,
    requestPolicy: 'cache-and-network',
  });
  useWhileVisible(() => refetch({ requestPolicy: 'network-only' }), TICKETS_REFRESH_MS);
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
      {tickets ? null : <ErrorBanner problem={problemOf(error)} />}
      {error && tickets && kept ? (
        <p className="muted small" role="status" data-testid="tickets-stale">
          Could not check your tickets for changes just now; this list is from{' '}
          <time dateTime={kept.at}>{when(kept.at)}</time>. It tries again by itself.
        </p>
      ) : null}
      {tickets && tickets.length === 0 ? (
        <Empty>
          You have no tickets yet. <Link to="/">Find an event</Link>
        </Empty>
      ) : null}
      {tickets && tickets.length > 0 ? (
        <ul className="grid tickets">
          {tickets.map((ticket) => (
            <TicketCard key={ticket.id} ticket={ticket} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
