import { Link, useParams } from 'react-router';
import { useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { ErrorBanner, Loading } from '../../components/ui';
import { EVENT_TITLE, PRICE_CHANGED, SALES_SUMMARY, SALES_UPDATED } from '../../api/documents';
import type { SalesSummary } from '../../api/types';
import { problemOf } from '../../lib/errors';
import { AttendancePanel } from './Attendance';
import { OrganizerWaitingRoomPanel } from './OrganizerWaitingRoom';
import { PriceHistory } from './Pricing';
import { money, when } from '../../lib/format';

/** Sales per ticket type, live: the first answer over HTTP, then every salesUpdated event. */
export function DashboardPage() {
  const { id = '' } = useParams();
  const [{ data: titleData }] = useQuery<{ event: { title: string } | null }>({
    query: EVENT_TITLE,
    variables: { id },
  });
  const [{ data: first, fetching, error }] = useQuery<{ salesSummary: SalesSummary }>({
    query: SALES_SUMMARY,
    variables: { eventId: id },
    requestPolicy: 'network-only',
  });
  const [{ data: live, error: liveError }] = useSubscription<{ salesUpdated: SalesSummary }>({
    query: SALES_UPDATED,
    variables: { eventId: id },
  });
  // Each live price change reloads the price history charts.
  const [{ data: priceEvent }] = useSubscription<{ priceChanged: { version: number; at: string } }>({
    query: PRICE_CHANGED,
    variables: { eventId: id },
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
  return (
    <section>
      <p>
        <Link to={`/organizer/events/${id}`}>← Back to the event</Link>
      </p>
      <h1>Dashboard{titleData?.event ? `: ${titleData.event.title}` : ''}</h1>
      <p className="muted" aria-live="polite">
        {live ? (
          <span className="live-dot">Live</span>
        ) : liveError ? (
          'Live updates unavailable'
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
      {!summary ? <ErrorBanner problem={problemOf(error)} /> : null}
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
                    rows
                      .filter((r) => r.revenue.currency === currency)
                      .reduce((n, r) => n + r.revenue.amount, 0),
                    currency,
                  )}
                </strong>
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
      <AttendancePanel eventId={id} />
    </section>
  );
}
