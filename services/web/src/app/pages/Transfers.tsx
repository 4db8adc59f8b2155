import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { Empty, ErrorBanner, Loading, Notice, StatusBadge } from '../components/ui';
import {
  ACCEPT_TRANSFER,
  CANCEL_TRANSFER,
  DECLINE_TRANSFER,
  EVENT_TITLE,
  MY_TRANSFERS,
} from '../api/documents';
import type { Transfer } from '../api/types';
import { useSession } from '../lib/auth';
import { problemOf } from '../lib/errors';
import { seatLabel, titleCase, when } from '../lib/format';

/** An offer with what it offers (myTransfers only: null for an old offer whose ticket changed hands since). */
interface Offer extends Transfer {
  fromHolderName: string | null;
  ticketTypeName: string | null;
  seatId: string | null;
}

function EventTitle({ eventId }: { eventId: string }) {
  const [{ data }] = useQuery<{ event: { title: string } | null }>({
    query: EVENT_TITLE,
    variables: { id: eventId },
  });
  return <>{data?.event?.title ?? 'An event'}</>;
}

/** Why an offer ended without its holder cancelling it, in words (the API's `reason` codes). */
const REASON_TEXT: Record<string, string> = {
  EVENT_CANCELLED: 'The event was cancelled, so this offer ended.',
  TICKET_REVOKED: 'The ticket was revoked, so this offer ended.',
  TICKET_CHECKED_IN:
    'The ticket was already used at the gate (checked in), so it can no longer change hands.',
  TICKET_CHANGED: 'The ticket changed since it was offered, so this offer no longer applies.',
  DEADLINE_PASSED: "It was not accepted before the event's transfer deadline.",
};

/** A seat in words, as the seat picker says it: "Section Stalls, row 1, seat 2" (an id of another shape as it is). */
function seatWords(seatId: string): string {
  const words = seatLabel(seatId);
  return words === seatId ? `seat ${seatId}` : `Section ${words}`;
}

/** What is offered: "1 Balcony ticket (Section Stalls, row 1, seat 2)", "1 Standing ticket". */
function offeredTicket(transfer: Offer): string {
  const ticket = transfer.ticketTypeName ? `1 ${transfer.ticketTypeName} ticket` : '1 ticket';
  return transfer.seatId ? `${ticket} (${seatWords(transfer.seatId)})` : ticket;
}

/**
 * Who offers what, from the side of the person reading it, so an offer from a stranger can be told apart:
 * "Alice Attendee offers you 1 Balcony ticket (…) for <event>", "You offer 1 Standing ticket for <event> to
 * bob@…". Past tense once the offer is over.
 */
function OfferSentence({ transfer, incoming }: { transfer: Offer; incoming: boolean }) {
  const open = transfer.status === 'PENDING' || transfer.status === 'ACCEPTING';
  const what = offeredTicket(transfer);
  const event = (
    <strong>
      <EventTitle eventId={transfer.eventId} />
    </strong>
  );
  if (!incoming)
    return (
      <>
        {open ? 'You offer' : 'You offered'} {what} for {event} to {transfer.toEmail}
      </>
    );
  if (!transfer.fromHolderName)
    return (
      <>
        {open ? 'You are offered' : 'You were offered'} {what} for {event}
      </>
    );
  return (
    <>
      <strong data-testid="transfer-sender">{transfer.fromHolderName}</strong>{' '}
      {open ? 'offers you' : 'offered you'} {what} for {event}
    </>
  );
}

/** One sentence on how an offer stands or how it ended, from the side of the person reading it. */
function outcomeText(transfer: Offer, incoming: boolean): string | null {
  switch (transfer.status) {
    case 'ACCEPTING':
      return 'The ticket is being handed over…';
    case 'ACCEPTED':
      return incoming ? null : `${transfer.toEmail} accepted it: the ticket is theirs now.`;
    case 'DECLINED':
      return incoming
        ? 'You declined this offer.'
        : `${transfer.toEmail} declined it: the ticket stays yours.`;
    case 'CANCELLED':
      if (transfer.reason) return REASON_TEXT[transfer.reason] ?? `Ended: ${titleCase(transfer.reason)}.`;
      return incoming ? 'The sender cancelled this offer.' : 'You cancelled this offer.';
    default:
      return null;
  }
}

function TransferRow({ transfer, incoming, onDone }: { transfer: Offer; incoming: boolean; onDone(): void }) {
  const [accept, doAccept] = useMutation(ACCEPT_TRANSFER);
  const [decline, doDecline] = useMutation(DECLINE_TRANSFER);
  const [cancel, doCancel] = useMutation(CANCEL_TRANSFER);
  const [error, setError] = useState<CombinedError | undefined>();
  const busy = accept.fetching || decline.fetching || cancel.fetching;
  const run = (action: (v: { id: string }) => Promise<{ error?: CombinedError }>) => async () => {
    const res = await action({ id: transfer.id });
    setError(res.error);
    // Reload either way: a refusal usually means the offer ended meanwhile, and the list should say how.
    onDone();
  };
  const outcome = outcomeText(transfer, incoming);
  return (
    <li
      className="card transfer-row"
      data-testid="transfer"
      data-transfer-id={transfer.id}
      data-status={transfer.status}
      data-reason={transfer.reason ?? undefined}
    >
      <p>
        <span data-testid="transfer-what">
          <OfferSentence transfer={transfer} incoming={incoming} />
        </span>{' '}
        <StatusBadge status={transfer.status} />
      </p>
      <p className="muted">
        Offered on <time dateTime={transfer.createdAt}>{when(transfer.createdAt)}</time>
      </p>
      {outcome ? (
        <p className="transfer-outcome" data-testid="transfer-outcome">
          {outcome}
          {transfer.resolvedAt ? (
            <>
              {' '}
              <span className="muted">
                (<time dateTime={transfer.resolvedAt}>{when(transfer.resolvedAt)}</time>)
              </span>
            </>
          ) : null}
        </p>
      ) : null}
      <ErrorBanner problem={problemOf(error)} />
      {transfer.status === 'PENDING' ? (
        <div className="actions">
          {incoming ? (
            <>
              <button type="button" className="button" disabled={busy} onClick={run(doAccept)}>
                Accept ticket
              </button>
              <button type="button" className="button secondary" disabled={busy} onClick={run(doDecline)}>
                Decline
              </button>
            </>
          ) : (
            <button type="button" className="button secondary" disabled={busy} onClick={run(doCancel)}>
              Cancel transfer
            </button>
          )}
        </div>
      ) : null}
      {incoming && transfer.status === 'ACCEPTED' ? (
        <Notice>
          The ticket is yours. <Link to="/tickets">See it in My tickets</Link>
        </Notice>
      ) : null}
    </li>
  );
}

export function TransfersPage() {
  const { user } = useSession();
  const [{ data, fetching, error }, refetch] = useQuery<{ myTransfers: Offer[] }>({
    query: MY_TRANSFERS,
    requestPolicy: 'cache-and-network',
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const transfers = data?.myTransfers ?? [];
  // An accept in progress (ACCEPTING) settles within moments: look again until it has.
  const settling = transfers.some((t) => t.status === 'ACCEPTING');
  useEffect(() => {
    if (!settling) return;
    const timer = window.setInterval(() => refetch({ requestPolicy: 'network-only' }), 2000);
    return () => window.clearInterval(timer);
  }, [settling, refetch]);
  const incoming = transfers.filter((t) => t.fromHolderId !== user?.id);
  const outgoing = transfers.filter((t) => t.fromHolderId === user?.id);
  return (
    <section>
      <h1>Transfers</h1>
      {fetching && !data ? <Loading label="Loading transfers…" /> : null}
      <ErrorBanner problem={problemOf(error)} />
      <h2>Offered to you</h2>
      {data && incoming.length === 0 ? <Empty>No ticket has been offered to you.</Empty> : null}
      <ul className="stack plain" aria-label="Offered to you">
        {incoming.map((t) => (
          <TransferRow key={t.id} transfer={t} incoming onDone={reload} />
        ))}
      </ul>
      <h2>Offered by you</h2>
      {data && outgoing.length === 0 ? (
        <Empty>
          You have not offered any ticket. Start from <Link to="/tickets">My tickets</Link>.
        </Empty>
      ) : null}
      <ul className="stack plain" aria-label="Offered by you">
        {outgoing.map((t) => (
          <TransferRow key={t.id} transfer={t} incoming={false} onDone={reload} />
        ))}
      </ul>
    </section>
  );
}
