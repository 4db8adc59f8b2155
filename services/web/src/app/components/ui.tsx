import { useEffect, useId, useRef, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { describe, isUnexpected, type ApiProblem } from '../lib/errors';
import { onClockOffset, serverNow } from '../lib/serverClock';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** An API problem as an alert; moves focus to itself so keyboard and screen-reader users notice it. */
export function ErrorBanner({
  problem,
  precise,
  children,
}: {
  problem: ApiProblem | null;
  /** Codes whose API message is shown as it is (see `describe`). */
  precise?: readonly string[];
  children?: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem) ref.current?.focus();
  }, [problem]);
  if (!problem) return null;
  return (
    <div
      ref={ref}
      className="banner banner-error"
      role="alert"
      tabIndex={-1}
      data-code={problem.code}
      data-field={problem.field ?? undefined}
    >
      {/* The API's field path (input.venue.city) is for the form beside it, not words for a person. */}
      <strong>{describe(problem, precise)}</strong>
      {children}
    </div>
  );
}

/**
 * A page that could not load: a problem the app has words for is shown as ErrorBanner does; anything else (a
 * technical or unknown code, the network, a busy service) is one plain sentence with Retry, never the API's text.
 */
export function LoadError({
  problem,
  onRetry,
  precise,
}: {
  problem: ApiProblem | null;
  onRetry(): void;
  precise?: readonly string[];
}) {
  const ref = useRef<HTMLDivElement>(null);
  const unexpected = problem ? isUnexpected(problem) : false;
  useEffect(() => {
    if (problem && unexpected) ref.current?.focus();
  }, [problem, unexpected]);
  if (!problem) return null;
  if (!unexpected) return <ErrorBanner problem={problem} precise={precise} />;
  return (
    <div
      ref={ref}
      className="banner banner-error stack"
      role="alert"
      tabIndex={-1}
      data-code={problem.code}
      data-testid="load-error"
    >
      <strong>Something went wrong loading this page; try again.</strong>
      {problem.code === 'NETWORK' ? <span>Check your connection.</span> : null}
      <p>
        <button type="button" className="button secondary" onClick={onRetry}>
          Retry
        </button>
      </p>
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="banner banner-ok" role="status">
      {children}
    </div>
  );
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  hint?: string;
  error?: string | null;
};

/** A labelled input with an optional hint and error, wired with aria-describedby. */
export function Field({ label, hint, error, id, ...input }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        {...input}
      />
      {hint ? (
        <small id={hintId} className="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={errorId} className="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}

export function SelectField({
  label,
  value,
  onChange,
  options,
  id,
}: {
  label: string;
  value: string;
  onChange(value: string): void;
  options: { value: string; label: string }[];
  id?: string;
}) {
  const auto = useId();
  const selectId = id ?? auto;
  return (
    <div className="field">
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Seconds left until `until` (an instant the server gave), ticking every second; 0 once passed. Counted on the
 * server's clock (lib/serverClock), so a device clock that is minutes off does not shorten or stretch it.
 */
export function useSecondsLeft(until: string | null | undefined): number {
  const [now, setNow] = useState(() => serverNow());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(serverNow()), 1000);
    const unsubscribe = onClockOffset(() => setNow(serverNow()));
    return () => {
      window.clearInterval(timer);
      unsubscribe();
    };
  }, []);
  if (!until) return 0;
  return Math.max(0, Math.ceil((new Date(until).getTime() - now) / 1000));
}

/**
 * Whether the instant `at` has passed; re-renders once, when it passes (not every second, unlike
 * useSecondsLeft). False when `at` is null.
 */
export function useHasPassed(at: string | null | undefined): boolean {
  const when = at ? new Date(at).getTime() : Number.NaN;
  const [passed, setPassed] = useState(() => serverNow() >= when);
  // The server's clock, as for the countdowns: re-checked when the estimate of it changes.
  const [offsetVersion, setOffsetVersion] = useState(0);
  useEffect(() => onClockOffset(() => setOffsetVersion((v) => v + 1)), []);
  useEffect(() => {
    if (Number.isNaN(when)) return setPassed(false);
    const left = when - serverNow();
    setPassed(left <= 0);
    if (left <= 0) return;
    // setTimeout holds at most ~24.8 days; further away, look again then.
    const timer = window.setTimeout(() => setPassed(serverNow() >= when), Math.min(left + 50, 2 ** 31 - 1));
    return () => window.clearTimeout(timer);
  }, [when, offsetVersion]);
  return passed;
}

export function Countdown({ until, label }: { until: string; label: string }) {
  const left = useSecondsLeft(until);
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, '0');
  return (
    <p className={left < 60 ? 'countdown countdown-urgent' : 'countdown'} data-testid="countdown">
      {label}{' '}
      <strong>
        <time dateTime={until}>
          {mm}:{ss}
        </time>
      </strong>
    </p>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`}>{status.replace(/_/g, ' ').toLowerCase()}</span>
  );
}
