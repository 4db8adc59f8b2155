import { useState } from 'react';
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
import { when } from '../lib/format';

function EventTitle({ eventId }: { eventId: string }) {
  const [{ data }] = useQuery<{ event: { title: string } | null }>({
    query: EVENT_TITLE,
    variables: { id: eventId },
  });
  return <>{data?.event?.title ?? 'An event'}</>;
}

function TransferRow({
  transfer,
  incoming,
  onDone,
}: {
  transfer: Transfer;
  incoming: boolean;
  onDone(): void;
}) {
  const [accept, doAccept] = useMutation(ACCEPT_TRANSFER);
  const [decline, doDecline] = useMutation(DECLINE_TRANSFER);
  const [cancel, doCancel] = useMutation(CANCEL_TRANSFER);
  const [error, setError] = useState<CombinedError | undefined>();
  const busy = accept.fetching || decline.fetching || cancel.fetching;
  const run = (action: (v: { id: string }) => Promise<{ error?: CombinedError }>) => async () => {
    const res = await action({ id: transfer.id });
    setError(res.error);
    if (!res.error) onDone();
  };
  return (
    <li className="card transfer-row" data-testid="transfer" data-status={transfer.status}>
      <p>
        <strong>
          <EventTitle eventId={transfer.eventId} />
        </strong>{' '}
        <StatusBadge status={transfer.status} />
      </p>
      <p className="muted">
        {incoming ? 'Offered to you' : `Offered to ${transfer.toEmail}`} on{' '}
        <time dateTime={transfer.createdAt}>{when(transfer.createdAt)}</time>
      </p>
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
  const [{ data, fetching, error }, refetch] = useQuery<{ myTransfers: Transfer[] }>({
    query: MY_TRANSFERS,
    requestPolicy: 'cache-and-network',
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const transfers = data?.myTransfers ?? [];
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
