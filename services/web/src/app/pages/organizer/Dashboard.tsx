import { Link, useParams } from 'react-router';
import { useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { ErrorBanner, Loading } from '../../components/ui';
import { EVENT_TITLE, PRICE_CHANGED, SALES_SUMMARY, SALES_UPDATED } from '../../api/documents';
import type { SalesSummary } from '../../api/types';
import { problemOf } from '../../lib/errors';
import { AttendancePanel } from './Attendance';
import { EventNotFound, mayManage, NotYourEvent } from './access';
import { useSession } from '../../lib/auth';
import { OrganizerWaitingRoomPanel } from './OrganizerWaitingRoom';
import { useUntilKnown } from './useUntilKnown';
import { PriceHistory } from './Pricing';
import { money, when } from '../../lib/format';

/** The dashboard of an event its viewer manages; another organizer's event is refused in words. */
export function DashboardPage() {
  const { id = '' } = useParams();
  const { user } = useSession();
  const [{ data, fetching, error }] = useQuery<{
    event: { id: string; title: string; organizerId: string; status: string } | null;
  }>({
    query: EVENT_TITLE,
    variables: { id },
  });
  if (fetching && !data) return <Loading label="Loading event…" />;
  if (error && !data) return <ErrorBanner problem={problemOf(error)} />;
  const event = data?.event;
  if (!event) return <EventNotFound />;
  if (!mayManage(user, event.organizerId)) return <NotYourEvent eventId={event.id} title={event.title} />;
  return <DashboardBody id={id} title={event.title} draft={event.status === 'DRAFT'} />;
}

/** Sales per ticket type, live: the first answer over HTTP, then every salesUpdated event. */
function DashboardBody({ id, title, draft }: { id: string; title: string; draft: boolean }) {
  // Just published, the ticket service learns of the event over Kafka a moment later: asked again until it knows.
  const [{ data: first, fetching, error }, unknownYet] = useUntilKnown<{ salesSummary: SalesSummary }>(
    SALES_SUMMARY,
    id,
    draft,
  );
  // Live updates start once the first summary came, so they are not refused for an event not known yet.
  const [{ data: live, error: liveError }] = useSubscription<{ salesUpdated: SalesSummary }>({
    query: SALES_UPDATED,
    variables: { eventId: id },
    pause: !first,
  });
  // Each live price change reloads the price history charts (like sales, once the event is known as published).
  const [{ data: priceEvent }] = useSubscription<{ priceChanged: { version: number; at: string } }>({
    query: PRICE_CHANGED,
    variables: { eventId: id },
    pause: !first,
  });
  const [priceTick, setPriceTick] = useState(0);
  useEffect(() => {
    if (priceEvent) setPriceTick((n) => n + 1);
  }, [priceEvent]);
  const summary = live?.salesUpdated ?? first?.salesSummary;
  const rows = summary?.ticketTypes ?? [];
  const sold = rows.reduce((n, r) => n + r.sold, 0);
  const capacity = rows.reduce((n, r) => n + r.capacity, 0);
  const currencies = [...new Set(rows.map((r) => r.revenue.currency))];
  const refunded = rows.reduce((n, r) => n + r.refunded, 0);
  const inCurrency = (currency: string, amount: (r: (typeof rows)[number]) => number) =>
    rows.filter((r) => r.revenue.currency === currency).reduce((n, r) => n + amount(r), 0);
  return (
    <section>
      <p>
        <Link to={`/organizer/events/${id}`}>← Back to the event</Link>
      </p>
      <h1>Dashboard: {title}</h1>
      {draft ? (
        <p className="banner" data-testid="dashboard-draft">
          This event is a draft: its sales, prices and check-ins show here once it is published.
        </p>
      ) : null}
      <p className="muted" aria-live="polite" hidden={draft}>
        {live ? (
          <span className="live-dot">Live</span>
        ) : liveError ? (
          'Live updates unavailable'
        ) : unknownYet ? (
          'Waiting for the ticket service to know this event…'
        ) : (
          'Connecting to live updates…'
        )}
        {summary ? (
          <>
            {' '}
            · updated <time dateTime={summary.at}>{when(summary.at)}</time>
          </>
        ) : null}
      </p>
      {fetching && !summary ? <Loading label="Loading sales…" /> : null}
      {!summary && !unknownYet ? <ErrorBanner problem={problemOf(error)} /> : null}
      {summary?.cancelled ? (
        <p className="banner" data-testid="dashboard-refunds">
          This event was cancelled: {refunded} ticket{refunded === 1 ? '' : 's'} refunded
          {currencies.length
            ? ` (${currencies
                .map((c) =>
                  money(
                    inCurrency(c, (r) => r.refundedRevenue.amount),
                    c,
                  ),
                )
                .join(', ')})`
            : ''}
          , and nothing more is sold.
        </p>
      ) : null}
      {summary ? (
        <>
          <div className="stats">
            <div className="stat card">
              <span className="muted">Tickets sold</span>
              <strong data-testid="total-sold">{sold}</strong>
              <span className="muted">of {capacity}</span>
            </div>
            {currencies.map((currency) => (
              <div className="stat card" key={currency}>
                <span className="muted">Revenue</span>
                <strong data-testid="total-revenue">
                  {money(
                    inCurrency(currency, (r) => r.revenue.amount),
                    currency,
                  )}
                </strong>
                {refunded ? (
                  <span className="muted" data-testid="total-refunded">
                    {money(
                      inCurrency(currency, (r) => r.refundedRevenue.amount),
                      currency,
                    )}{' '}
                    refunded
                  </span>
                ) : null}
              </div>
            ))}
          </div>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Sales table">
            <table>
              <caption>Sales per ticket type</caption>
              <thead>
                <tr>
                  <th scope="col">Ticket type</th>
                  <th scope="col">Sold</th>
                  <th scope="col">Held</th>
                  <th scope="col">Left</th>
                  <th scope="col">Revenue</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.ticketTypeId} data-testid="sales-row">
                    <th scope="row">
                      {r.name}
                      <span className="bar" aria-hidden="true">
                        <span style={{ width: `${r.capacity ? (100 * r.sold) / r.capacity : 0}%` }} />
                      </span>
                    </th>
                    <td data-testid="sold">{r.sold}</td>
                    <td>{r.held}</td>
                    <td>{r.remaining}</td>
                    <td>{money(r.revenue.amount, r.revenue.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      <OrganizerWaitingRoomPanel key={id} eventId={id} />
      {rows.length ? (
        <section aria-labelledby="prices-heading">
          <h2 id="prices-heading">Price history</h2>
          {rows.map((r) => (
            <PriceHistory
              key={r.ticketTypeId}
              ticketTypeId={r.ticketTypeId}
              name={r.name}
              refreshKey={priceTick}
            />
          ))}
        </section>
      ) : null}
      {draft ? null : <AttendancePanel eventId={id} />}
    </section>
  );
}
