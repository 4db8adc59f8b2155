import { useSubscription } from 'urql';
import { ErrorBanner, Loading } from '../../components/ui';
import { ATTENDANCE_QUERY, ATTENDANCE_UPDATED } from '../../api/documents';
import type { Attendance } from '../../api/types';
import { problemOf } from '../../lib/errors';
import { useUntilKnown } from './useUntilKnown';

const MINUTES_SHOWN = 15;

/** Check-ins of an event, live: attendance now over HTTP, then every attendanceUpdated event. */
export function AttendancePanel({ eventId }: { eventId: string }) {
  // Just published, the check-in service learns of the event over Kafka a moment later: asked again meanwhile.
  const [{ data: first, error }, unknownYet] = useUntilKnown<{ attendance: Attendance }>(
    ATTENDANCE_QUERY,
    eventId,
  );
  const [{ data: live }] = useSubscription<{ attendanceUpdated: Attendance }>({
    query: ATTENDANCE_UPDATED,
    variables: { eventId },
    pause: !first,
  });
  const attendance = live?.attendanceUpdated ?? first?.attendance;
  if (!attendance && unknownYet)
    return <Loading label="Waiting for the check-in service to know this event…" />;
  if (!attendance) return <ErrorBanner problem={problemOf(error)} />;
  const minutes = attendance.perMinute.slice(-MINUTES_SHOWN);
  const peak = Math.max(1, ...minutes.map((m) => m.admitted));
  return (
    <section aria-labelledby="attendance-heading">
      <h2 id="attendance-heading">Check-ins</h2>
      <div className="stats">
        <div className="stat card">
          <span className="muted">Admitted</span>
          <strong data-testid="admitted">{attendance.admitted}</strong>
        </div>
        <div className="stat card">
          <span className="muted">Inside now</span>
          <strong data-testid="inside">{attendance.inside}</strong>
        </div>
        <div className="stat card">
          <span className="muted">Refused scans</span>
          <strong data-testid="refused">{attendance.refused}</strong>
          <span className="muted">
            <span data-testid="repeats">{attendance.repeats}</span> repeats ·{' '}
            <span data-testid="conflicts">{attendance.conflicts}</span> offline conflicts
          </span>
        </div>
      </div>
      <div className="columns">
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Check-ins per gate">
          <table>
            <caption>Per gate</caption>
            <thead>
              <tr>
                <th scope="col">Gate</th>
                <th scope="col">Admitted</th>
              </tr>
            </thead>
            <tbody>
              {attendance.gates.length === 0 ? (
                <tr>
                  <td colSpan={2}>No check-ins yet.</td>
                </tr>
              ) : (
                attendance.gates.map((g) => (
                  <tr key={g.gateId}>
                    <th scope="row">{g.gateId}</th>
                    <td>{g.admitted}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        <figure className="minutes card">
          <figcaption>Check-ins per minute (last {MINUTES_SHOWN} minutes with scans)</figcaption>
          {minutes.length === 0 ? (
            <p className="muted">No check-ins yet.</p>
          ) : (
            <ol className="minute-bars">
              {minutes.map((m) => (
                <li key={m.minute}>
                  <span className="minute-label">
                    {new Date(m.minute).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
                  </span>
                  <span className="bar" aria-hidden="true">
                    <span style={{ width: `${(100 * m.admitted) / peak}%` }} />
                  </span>
                  <span>{m.admitted}</span>
                </li>
              ))}
            </ol>
          )}
        </figure>
      </div>
    </section>
  );
}
