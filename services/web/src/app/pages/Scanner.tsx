import jsQR from 'jsqr';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { Empty, ErrorBanner, Field, Loading } from '../components/ui';
import { EVENT_TITLE, MY_STAFF_EVENTS, OFFLINE_BUNDLE, SCAN_TICKET, SYNC_SCANS } from '../api/documents';
import type { EventSummary, OfflineBundle, ScanOutcome, SyncScansResult } from '../api/types';
import { describe, fieldName, problemOf, type ApiProblem } from '../lib/errors';
import { when } from '../lib/format';
import {
  decideOffline,
  dequeue,
  enqueue,
  loadBundle,
  loadQueue,
  rememberAdmission,
  saveBundle,
  verifierName,
  type ScanDirection,
  type StoredBundle,
} from '../lib/offline';

// The gate: camera scanning (the browser's BarcodeDetector where present, else jsQR on video frames), manual
// entry as the fallback, and one full-screen answer per scan. Without the network (navigator.onLine false, or a
// request that cannot reach the server) it decides from the offline bundle kept on the device, queues the scan,
// and uploads the queue with syncScans when the network returns.

const RESULT_TEXT: Record<string, string> = {
  ACCEPTED: 'Admit',
  ALREADY_CHECKED_IN: 'Already checked in',
  REVOKED: 'Revoked ticket',
  WRONG_EVENT: 'Wrong event',
  INVALID: 'Invalid code',
  NOT_YET_OPEN: 'Doors not open yet',
  EXITED: 'Exit recorded',
  REENTRY_NOT_ALLOWED: 'No exits: re-entry is off',
  NOT_INSIDE: 'Not inside',
};

/**
 * Every reason check-in (or this device, offline) gives, in words staff can act on at the gate; the raw label
 * never shows. See services/checkin/README.md, "Order of checks".
 */
const REASON_TEXT: Record<string, string> = {
  UNREADABLE_CODE: 'This is not a ticket code: ask for the QR code on the ticket and scan it again.',
  MALFORMED_CODE:
    'This is not a ticket code (it is damaged or incomplete): ask for the QR code and scan again.',
  INVALID_CODE: 'This is not a valid ticket code: ask for the QR code and scan again.',
  BAD_SIGNATURE:
    'This code is not genuine: it was not issued by us (it may be forged or altered). Do not admit.',
  EXPIRED_CODE:
    'This live code has run out: the screen shown is not live (a screenshot or a stale page). Ask the holder to refresh their ticket, or scan the QR code.',
  WRONG_CODE: 'This live code is wrong (mistyped or made up). Scan the QR code on the ticket instead.',
  UNKNOWN_TICKET: 'We have no ticket with this code. Do not admit; send the holder to the box office.',
  UNKNOWN_GENERATION:
    'This code is newer than this device knows (the ticket changed hands recently). It is checked when the device is back online.',
  OTHER_EVENT: 'This ticket is for another event. Do not admit.',
  WRONG_EVENT: 'This ticket is for another event. Do not admit.',
  EVENT_CANCELLED: 'This event was cancelled: no ticket admits anyone. Do not admit.',
  EVENT_ENDED: 'This event has ended: no one is admitted any more.',
  REFUNDED: 'This ticket was refunded: it no longer admits anyone. Do not admit.',
  ADMIN: 'This ticket was withdrawn by the organizer. Do not admit; send the holder to the box office.',
  REVOKED: 'This ticket was withdrawn: it no longer admits anyone. Do not admit.',
  TRANSFERRED: 'This ticket was given to someone else: this code no longer admits anyone. Do not admit.',
  OLD_GENERATION:
    'This code was replaced (the ticket was transferred or reissued): do not admit. Ask for the current ticket on the holder’s phone.',
  TRANSFER_PENDING:
    'The holder has offered this ticket to someone. To enter, they cancel the offer in their app.',
  DOORS_CLOSED: 'The doors are not open yet: ask the holder to come back when they open.',
  NOT_YET_OPEN: 'The doors are not open yet: ask the holder to come back when they open.',
  ALREADY_CHECKED_IN: 'This ticket was already used to enter: do not admit a second person.',
  ALREADY_ADMITTED: 'This ticket was already used to enter: do not admit a second person.',
  REENTRY_NOT_ALLOWED: 'This event does not allow leaving and coming back in.',
  ALREADY_OUTSIDE: 'This ticket is already recorded as outside.',
  NOT_CHECKED_IN: 'This ticket was never admitted, so it cannot leave.',
  NOT_INSIDE: 'This ticket is not recorded as inside.',
  ROTATING_CODE_NEEDS_NETWORK:
    'A live code can only be checked online. Scan the QR code on the ticket instead.',
};

/** A reason in words; one this app does not know yet is never shown raw. */
function reasonText(reason: string): string {
  return REASON_TEXT[reason] ?? 'Not admitted for a reason this app cannot explain: ask a supervisor.';
}

/** The 8 digits of a ticket's live code, typed instead of the QR code's text. */
const LIVE_CODE = /^\d{8}$/;

/** Scans per syncScans call (the API takes at most 200). */
const SYNC_BATCH = 200;
/** How often the scanner refreshes its offline data and retries the queue while online. */
const REFRESH_MS = 60_000;
/** Answers meaning this person may not scan this event at all; asked again this often while shown. */
const REFUSALS = new Set(['FORBIDDEN', 'NOT_FOUND']);
const REFUSED_RETRY_MS = 5_000;

/**
 * The check-in API's rule for gate (and device) names, `NAME_PATTERN` in services/checkin's scan-ticket input:
 * 1-64 letters, digits, spaces, `_` or `-`, beginning with a letter or digit and not ending with a space. The
 * field is checked against it as it is typed, so a scan never leaves with a gate the API would refuse.
 */
const GATE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 _-]{0,62}[A-Za-z0-9_-])?$/;
const GATE_RULE = 'Gate name: 1 to 64 letters, digits, spaces, _ or -, beginning with a letter or digit.';
/** What the scanner sends as the gate: the field without its outer spaces, "main" when left empty. */
function gateName(typed: string): string {
  return typed.trim() || 'main';
}

/** What the Gate field says: the rule while the name breaks it, else what the API last held against it. */
function gateMessage(typed: string, refusal: ApiProblem | null): string | null {
  if (!GATE_NAME.test(gateName(typed))) return GATE_RULE;
  if (!refusal) return null;
  // A refused name in the same words as the rule; anything else (a busy service...) as the API puts it.
  return refusal.code === 'BAD_USER_INPUT' ? GATE_RULE : describe(refusal);
}

function stored(key: string, make: () => string): string {
  const existing = localStorage.getItem(key);
  if (existing) return existing;
  const value = make();
  localStorage.setItem(key, value);
  return value;
}

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}

// The same code seen again within this time (still in front of the camera after an answer) is not re-sent.
const REPEAT_MS = 5000;

type LastCode = { current: { code: string; at: number } | null };

/** Reads QR codes from the rear camera until stopped; calls onCode for each new code. */
function Camera({ onCode, last, paused }: { onCode(code: string): void; last: LastCode; paused: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  // While an answer is on screen frames are still read, so a code left in front of the camera is not re-sent.
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer = 0;
    let stopped = false;
    const canvas = document.createElement('canvas');
    const Native = (window as unknown as { BarcodeDetector?: new (o: object) => Detector }).BarcodeDetector;
    const detector = Native ? new Native({ formats: ['qr_code'] }) : null;

    async function frame() {
      const v = video.current;
      if (stopped || !v || v.readyState < 2) return;
      let code: string | null = null;
      if (detector) {
        code = (await detector.detect(v).catch(() => []))[0]?.rawValue ?? null;
      } else {
        canvas.width = v.videoWidth;
        canvas.height = v.videoHeight;
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        if (!ctx || !canvas.width) return;
        ctx.drawImage(v, 0, 0);
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        code = jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
      }
      if (!code) return;
      const now = Date.now();
      const same = last.current?.code === code;
      if (pausedRef.current) {
        // Keep the answered code fresh so it is not re-sent; a new code waits for the next look.
        if (same) last.current = { code, at: now };
        return;
      }
      const seen = same && now - last.current!.at < REPEAT_MS;
      last.current = { code, at: now };
      if (!seen) onCode(code);
    }

    navigator.mediaDevices
      ?.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then((s) => {
        stream = s;
        if (stopped || !video.current) return;
        video.current.srcObject = s;
        void video.current.play();
        timer = window.setInterval(() => void frame(), 250);
      })
      .catch((err: unknown) =>
        setError(`Camera unavailable: ${err instanceof Error ? err.message : String(err)}`),
      );
    if (!navigator.mediaDevices) setError('Camera unavailable in this browser: use manual entry.');
    return () => {
      stopped = true;
      window.clearInterval(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [onCode, last]);

  return (
    <div className="camera">
      {error ? <p className="banner banner-error">{error}</p> : null}
      <video ref={video} muted playsInline aria-label="Camera preview" />
    </div>
  );
}

function Answer({ outcome, offline, onNext }: { outcome: ScanOutcome; offline: boolean; onNext(): void }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  const tone =
    outcome.result === 'ACCEPTED' || outcome.result === 'EXITED'
      ? 'ok'
      : outcome.result === 'ALREADY_CHECKED_IN' || outcome.result === 'NOT_INSIDE'
        ? 'warn'
        : 'bad';
  return (
    <div
      className={`scan-answer scan-${tone}`}
      role="alert"
      data-result={outcome.result}
      data-direction={outcome.direction ?? 'ENTRY'}
      data-offline={offline ? 'true' : undefined}
    >
      {offline ? <p className="scan-offline-badge">OFFLINE · checked on this device, syncs later</p> : null}
      {outcome.direction === 'EXIT' ? <p className="scan-direction">EXIT</p> : null}
      <p className="scan-result">
        {outcome.result === 'ACCEPTED' && outcome.reentry
          ? 'Admit (re-entry)'
          : outcome.reason === 'OLD_GENERATION'
            ? 'Replaced code: do not admit'
            : outcome.reason === 'TRANSFER_PENDING'
              ? 'Transfer pending: do not admit'
              : outcome.reason === 'EVENT_ENDED'
                ? 'Event has ended: do not admit'
                : (RESULT_TEXT[outcome.result] ?? outcome.result)}
      </p>
      {/* A replaced code: the name on it now is the new holder's, not the person in front of staff. */}
      {outcome.holderName && outcome.reason !== 'OLD_GENERATION' ? (
        <p className="scan-holder">{outcome.holderName}</p>
      ) : null}
      {outcome.ticketTypeName ? <p>{outcome.ticketTypeName}</p> : null}
      {outcome.reason && outcome.result !== 'ACCEPTED' ? (
        <p className="scan-reason" data-reason={outcome.reason}>
          {reasonText(outcome.reason)}
        </p>
      ) : null}
      {outcome.checkedInAt ? (
        <p>
          First admitted <time dateTime={outcome.checkedInAt}>{when(outcome.checkedInAt)}</time>
          {outcome.checkedInGateId ? ` at gate ${outcome.checkedInGateId}` : ''}
        </p>
      ) : null}
      <button ref={button} type="button" className="button scan-next" onClick={onNext}>
        Scan next
      </button>
    </div>
  );
}

function age(fromIso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - new Date(fromIso).getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min ago`;
}

interface SyncReport {
  at: string;
  accepted: number;
  conflicts: { holderName: string | null; checkedInAt: string | null; gateId: string | null }[];
  rejected: { message: string }[];
}

/** Whether the browser believes it is online (and hears when that changes). */
function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}

/** The offline side of the scanner: the stored bundle, the queue, and the sync. */
function OfflinePanel({
  eventId,
  online,
  stored,
  queued,
  report,
  problem,
  busy,
  verifier,
  onRefresh,
  onSync,
}: {
  eventId: string;
  online: boolean;
  stored: StoredBundle | null;
  queued: number;
  report: SyncReport | null;
  problem: ApiProblem | null;
  busy: boolean;
  verifier: string;
  onRefresh(): void;
  onSync(): void;
}) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  const bundle = stored?.bundle;
  return (
    <section className="card stack offline-panel" aria-labelledby={`offline-${eventId}`}>
      <h2 id={`offline-${eventId}`}>
        <span className={`badge ${online ? 'badge-online' : 'badge-offline'}`} data-testid="network-state">
          {online ? 'Online' : 'Offline'}
        </span>{' '}
        Offline data
      </h2>
      {bundle && stored ? (
        <p data-testid="bundle-info">
          Version <code>{bundle.version.slice(0, 10)}</code> · {bundle.tickets.length} valid ticket
          {bundle.tickets.length === 1 ? '' : 's'} · {bundle.revocations.length} revoked ·{' '}
          {bundle.keys.length} signing key
          {bundle.keys.length === 1 ? '' : 's'} · downloaded{' '}
          <time dateTime={stored.savedAt}>{age(stored.savedAt, now)}</time>
          {bundle.cancelled ? ' · event cancelled' : ''}
        </p>
      ) : (
        <p data-testid="bundle-info">
          No offline data on this device yet
          {online ? '' : ': scans cannot be checked until the network returns'}.
        </p>
      )}
      {bundle && bundle.keys.length === 0 ? (
        <p className="banner banner-error">
          The offline data has no signing keys yet: QR codes cannot be checked offline. Refresh it before
          going offline.
        </p>
      ) : null}
      <p className="muted small">Signatures checked with {verifier || '…'}.</p>
      <p aria-live="polite" data-testid="queue-info">
        {queued === 0
          ? 'No scans waiting to sync.'
          : `${queued} scan${queued === 1 ? '' : 's'} waiting to sync${online ? '' : ' (when the network returns)'}.`}
      </p>
      <ErrorBanner problem={problem} />
      {report ? (
        <div className="sync-report" role="status" data-testid="sync-report">
          <p>
            Synced <time dateTime={report.at}>{when(report.at)}</time>: {report.accepted} admitted,{' '}
            {report.conflicts.length} conflict{report.conflicts.length === 1 ? '' : 's'},{' '}
            {report.rejected.length} rejected as bad input.
          </p>
          {report.conflicts.length ? (
            <ul>
              {report.conflicts.map((c, i) => (
                <li key={i}>
                  {c.holderName ?? 'A ticket'} had already been admitted
                  {c.checkedInAt ? (
                    <>
                      {' '}
                      <time dateTime={c.checkedInAt}>{when(c.checkedInAt)}</time>
                    </>
                  ) : null}
                  {c.gateId ? ` at gate ${c.gateId}` : ''}: check this person.
                </li>
              ))}
            </ul>
          ) : null}
          {report.rejected.length ? (
            <ul>
              {report.rejected.map((r, i) => (
                <li key={i}>{r.message}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="button secondary small"
          onClick={onRefresh}
          disabled={!online || busy}
        >
          Refresh offline data
        </button>
        <button
          type="button"
          className="button secondary small"
          onClick={onSync}
          disabled={!online || busy || queued === 0}
        >
          Sync now
        </button>
      </div>
    </section>
  );
}

/** The published events where I am on the staff, each opening its scanner. */
function StaffEvents() {
  const [{ data, fetching, error }] = useQuery<{ myStaffEvents: EventSummary[] }>({
    query: MY_STAFF_EVENTS,
    requestPolicy: 'cache-and-network',
  });
  return (
    <section aria-labelledby="staff-events" className="stack">
      <h2 id="staff-events">Events where you are staff</h2>
      {fetching && !data ? <Loading label="Loading your events…" /> : null}
      <ErrorBanner problem={problemOf(error)} />
      {data && data.myStaffEvents.length === 0 ? (
        <Empty>You are not on the staff of any published event yet. An organizer can add you by email.</Empty>
      ) : null}
      {data && data.myStaffEvents.length > 0 ? (
        <ul className="plain staff-events">
          {data.myStaffEvents.map((event) => (
            <li key={event.id} className="card">
              <h3 className="card-title">
                <Link to={`/scan/${event.id}`}>{event.title}</Link>
              </h3>
              <p>
                <time dateTime={event.startsAt}>{when(event.startsAt, event.timeZone)}</time> ·{' '}
                {event.venue.name}, {event.venue.city}
              </p>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function ScannerPage() {
  const { eventId = '' } = useParams();
  const navigate = useNavigate();
  const client = useClient();
  const online = useOnline();
  const [eventInput, setEventInput] = useState(eventId);
  const [gate, setGate] = useState(() => localStorage.getItem('scanner:gate') ?? 'main');
  const deviceId = useRef(stored('scanner:device', () => `web-${crypto.randomUUID().slice(0, 8)}`));
  const [manual, setManual] = useState('');
  // The live code's digits typed in: not a ticket (the server would only say "unreadable"), so say what to do.
  const [liveCodeTyped, setLiveCodeTyped] = useState(false);
  const [camera, setCamera] = useState(false);
  const [outcome, setOutcome] = useState<{ value: ScanOutcome; offline: boolean } | null>(null);
  const [counts, setCounts] = useState({ admitted: 0, exits: 0, refused: 0 });
  const [direction, setDirection] = useState<ScanDirection>('ENTRY');
  const [checking, setChecking] = useState(false);
  const [scanProblem, setScanProblem] = useState<ApiProblem | null>(null);
  const [bundle, setBundle] = useState<StoredBundle | null>(() => (eventId ? loadBundle(eventId) : null));
  const [queued, setQueued] = useState(() => (eventId ? loadQueue(eventId).length : 0));
  const [report, setReport] = useState<SyncReport | null>(null);
  const [offlineProblem, setOfflineProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [verifier, setVerifier] = useState('');
  const [refused, setRefused] = useState<ApiProblem | null>(null);
  // An API refusal that blamed the gate (input.gateId), shown under the Gate field until the gate changes.
  const [gateProblem, setGateProblem] = useState<ApiProblem | null>(null);
  const gateFieldId = useId();
  const codeFieldId = useId();
  const cameraButton = useRef<HTMLButtonElement>(null);
  const syncing = useRef(false);
  const lastCode = useRef<{ code: string; at: number } | null>(null);
  const [{ data: eventData }] = useQuery<{ event: { title: string; allowReentry: boolean } | null }>({
    query: EVENT_TITLE,
    variables: { id: eventId },
    pause: !eventId,
  });

  // Exit scans only where the event lets people back in (the event, else the offline data, says so).
  const allowReentry = eventData?.event?.allowReentry ?? bundle?.bundle.allowReentry ?? false;
  const effectiveDirection: ScanDirection = allowReentry ? direction : 'ENTRY';
  const gateError = gateMessage(gate, gateProblem);

  useEffect(() => localStorage.setItem('scanner:gate', gate), [gate]);
  useEffect(() => {
    void verifierName().then(setVerifier);
  }, []);
  useEffect(() => {
    setBundle(eventId ? loadBundle(eventId) : null);
    setQueued(eventId ? loadQueue(eventId).length : 0);
    setRefused(null);
  }, [eventId]);

  const refreshBundle = useCallback(async () => {
    if (!eventId || !navigator.onLine) return;
    const res = await client
      .query<{ offlineBundle: OfflineBundle }>(OFFLINE_BUNDLE, { eventId }, { requestPolicy: 'network-only' })
      .toPromise();
    const problem = problemOf(res.error);
    if (problem?.code === 'NETWORK') return; // keep the stored copy
    // The check-in service does not let this person scan here (not staff, or no such published event).
    setRefused(problem && REFUSALS.has(problem.code) ? problem : null);
    if (!res.data) {
      setOfflineProblem(problem);
      return;
    }
    const saved = saveBundle(res.data.offlineBundle);
    setBundle(saved ?? { bundle: res.data.offlineBundle, savedAt: new Date().toISOString() });
    setOfflineProblem(
      saved
        ? null
        : { code: 'STORAGE', field: null, message: 'This device has no room to keep the offline data.' },
    );
  }, [client, eventId]);

  const sync = useCallback(async () => {
    if (!eventId || !navigator.onLine || syncing.current) return;
    syncing.current = true;
    setBusy(true);
    try {
      const totals: SyncReport = { at: new Date().toISOString(), accepted: 0, conflicts: [], rejected: [] };
      let answered = 0;
      for (;;) {
        const batch = loadQueue(eventId).slice(0, SYNC_BATCH);
        if (batch.length === 0) break;
        const res = await client
          .mutation<{ syncScans: SyncScansResult }>(SYNC_SCANS, {
            input: {
              eventId,
              scans: batch.map(({ code, direction: way, gateId, deviceId: device, nonce, scannedAt }) => ({
                code,
                direction: way ?? 'ENTRY',
                gateId,
                deviceId: device,
                nonce,
                scannedAt,
              })),
            },
          })
          .toPromise();
        const result = res.data?.syncScans;
        if (!result) {
          // Unreachable again, or refused as a whole: the queue stays for the next try.
          const problem = problemOf(res.error);
          if (problem?.code !== 'NETWORK') setOfflineProblem(problem);
          break;
        }
        setOfflineProblem(null);
        totals.accepted += result.accepted;
        for (const item of result.results) {
          if (item.conflict) {
            totals.conflicts.push({
              holderName: item.outcome?.holderName ?? batch[item.index]?.holderName ?? null,
              checkedInAt: item.outcome?.checkedInAt ?? null,
              gateId: item.outcome?.checkedInGateId ?? null,
            });
          }
          if (item.errorCode) {
            totals.rejected.push({
              message: `Scan at ${when(batch[item.index]?.scannedAt ?? totals.at)}: ${item.errorMessage ?? item.errorCode}`,
            });
          }
        }
        // Every item got an answer (admitted, conflict, or refused for good): none is worth resending.
        dequeue(eventId, new Set(result.results.map((r) => r.nonce)));
        answered += result.results.length;
        if (result.results.length < batch.length) break;
      }
      setQueued(loadQueue(eventId).length);
      if (answered > 0) {
        setReport(totals);
        await refreshBundle();
      }
    } finally {
      syncing.current = false;
      setBusy(false);
    }
  }, [client, eventId, refreshBundle]);

  // Online: fetch the bundle now and then, and push the queue as soon as the network is back.
  useEffect(() => {
    if (!eventId || !online) return;
    void sync().then(refreshBundle);
    const timer = window.setInterval(() => void sync().then(refreshBundle), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [eventId, online, sync, refreshBundle]);

  // Refused: ask again every few seconds, so staff added a moment ago get in without a reload.
  useEffect(() => {
    if (!refused || !online) return;
    const timer = window.setInterval(() => void refreshBundle(), REFUSED_RETRY_MS);
    return () => window.clearInterval(timer);
  }, [refused, online, refreshBundle]);

  const show = useCallback((answer: ScanOutcome, offline: boolean) => {
    setOutcome({ value: answer, offline });
    setCounts((c) =>
      answer.result === 'ACCEPTED'
        ? { ...c, admitted: c.admitted + 1 }
        : answer.result === 'EXITED'
          ? { ...c, exits: c.exits + 1 }
          : { ...c, refused: c.refused + 1 },
    );
    navigator.vibrate?.(answer.result === 'ACCEPTED' || answer.result === 'EXITED' ? 80 : [80, 60, 80]);
  }, []);

  const decideHere = useCallback(
    async (code: string) => {
      const current = loadBundle(eventId);
      if (!current) {
        setScanProblem({
          code: 'OFFLINE_NO_DATA',
          field: null,
          message: 'Offline and no offline data on this device: connect once to download it.',
        });
        return;
      }
      const gateId = gateName(gate);
      const decision = await decideOffline(current, code, gateId, effectiveDirection);
      if (decision.queue) {
        const ok = enqueue(eventId, {
          code,
          direction: effectiveDirection,
          gateId,
          deviceId: deviceId.current,
          nonce: crypto.randomUUID(),
          scannedAt: decision.outcome.scannedAt,
          localResult: decision.outcome.result,
          holderName: decision.outcome.holderName,
        });
        if (!ok) {
          setScanProblem({
            code: 'STORAGE',
            field: null,
            message: 'This device has no room to queue the scan.',
          });
        }
        setQueued(loadQueue(eventId).length);
      }
      show(decision.outcome, true);
    },
    [eventId, gate, show, effectiveDirection],
  );

  /** Checks one code; false when it was not checked because of the gate (the code is kept for a retry). */
  const submit = useCallback(
    async (raw: string): Promise<boolean> => {
      const code = raw.trim();
      if (!code) return true;
      if (!GATE_NAME.test(gateName(gate))) {
        // The rule is already shown under the Gate field: take staff there rather than send a doomed scan.
        document.getElementById(gateFieldId)?.focus();
        return false;
      }
      setScanProblem(null);
      setGateProblem(null);
      setChecking(true);
      try {
        if (!navigator.onLine) {
          await decideHere(code);
          return true;
        }
        const gateId = gateName(gate);
        const res = await client
          .mutation<{ scanTicket: ScanOutcome }>(SCAN_TICKET, {
            input: {
              eventId,
              code,
              gateId,
              deviceId: deviceId.current,
              nonce: crypto.randomUUID(),
              direction: effectiveDirection,
            },
          })
          .toPromise();
        const answer = res.data?.scanTicket;
        if (answer) {
          // What this device learns online helps it decide offline later (repeats, exits).
          if (answer.ticketId && ['ACCEPTED', 'ALREADY_CHECKED_IN', 'EXITED'].includes(answer.result)) {
            rememberAdmission(
              eventId,
              answer.ticketId,
              answer.checkedInGateId ?? gateId,
              answer.checkedInAt ?? answer.scannedAt,
              answer.result !== 'EXITED',
            );
          }
          show(answer, false);
          return true;
        }
        const problem = problemOf(res.error);
        // The server cannot be reached: the device decides.
        if (problem?.code === 'NETWORK') await decideHere(code);
        else if (fieldName(problem) === 'gateId') {
          // Blamed on the gate, not on the ticket: said under the Gate field, where it can be fixed.
          setGateProblem(problem);
          document.getElementById(gateFieldId)?.focus();
          return false;
        } else setScanProblem(problem);
        return true;
      } finally {
        setChecking(false);
      }
    },
    [client, decideHere, eventId, gate, gateFieldId, show, effectiveDirection],
  );
  const onCode = useCallback((code: string) => void submit(code), [submit]);

  // After an answer, the next scan starts at once: the Ticket code field takes the focus, so a keyboard, or a
  // USB/Bluetooth reader that types the code and Enter, goes straight on. While the camera runs, that field would
  // open a phone's on-screen keyboard over the preview, so the camera button takes the focus instead.
  const scanNext = useCallback(() => {
    setOutcome(null);
    if (camera) cameraButton.current?.focus();
    else document.getElementById(codeFieldId)?.focus();
  }, [camera, codeFieldId]);

  if (!eventId) {
    return (
      <section className="narrow stack">
        <h1>Scanner</h1>
        <StaffEvents />
        <h2>Another event</h2>
        <form
          className="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (eventInput.trim()) navigate(`/scan/${encodeURIComponent(eventInput.trim())}`);
          }}
        >
          <Field
            label="Event ID"
            required
            value={eventInput}
            onChange={(e) => setEventInput(e.target.value)}
          />
          <button type="submit" className="button">
            Open the scanner
          </button>
        </form>
      </section>
    );
  }

  if (refused) {
    return (
      <section className="narrow stack" data-testid="scanner-refused">
        <h1>Scanner{eventData?.event ? `: ${eventData.event.title}` : ''}</h1>
        <div className="banner banner-error" role="alert" data-code={refused.code}>
          <strong>
            {refused.code === 'FORBIDDEN'
              ? 'You cannot scan tickets for this event: you are not on its staff.'
              : 'No event open for scanning has this ID.'}
          </strong>{' '}
          {refused.code === 'FORBIDDEN'
            ? 'Ask its organizer to add you as staff with the email you sign in with; this page checks again by itself.'
            : 'Check the ID; an event can be scanned once it is published.'}
        </div>
        <p className="actions">
          <button type="button" className="button secondary" onClick={() => void refreshBundle()}>
            Check again
          </button>
          <Link to="/scan">Events where you are staff</Link>
        </p>
      </section>
    );
  }

  function manualSubmit(e: FormEvent) {
    e.preventDefault();
    if (!manual.trim()) return;
    if (LIVE_CODE.test(manual.trim())) {
      setLiveCodeTyped(true);
      return;
    }
    setLiveCodeTyped(false);
    void submit(manual).then((checked) => {
      if (checked) setManual('');
    });
  }

  return (
    <section className="scanner">
      <h1>Scanner{eventData?.event ? `: ${eventData.event.title}` : ''}</h1>
      <p className="muted" aria-live="polite">
        {counts.admitted} admitted ·{' '}
        {allowReentry ? `${counts.exits} exit${counts.exits === 1 ? '' : 's'} · ` : ''}
        {counts.refused} refused on this device
      </p>
      <div className="row">
        <Field
          id={gateFieldId}
          label="Gate"
          autoComplete="off"
          error={gateError}
          value={gate}
          onChange={(e) => {
            setGate(e.target.value);
            setGateProblem(null);
          }}
        />
        <button
          ref={cameraButton}
          type="button"
          className="button secondary"
          onClick={() => setCamera((c) => !c)}
          aria-pressed={camera}
        >
          {camera ? 'Stop camera' : 'Scan with camera'}
        </button>
      </div>
      {allowReentry ? (
        <div className="direction-toggle" role="group" aria-label="Scan direction">
          {(['ENTRY', 'EXIT'] as const).map((way) => (
            <button
              key={way}
              type="button"
              className={`button ${direction === way ? '' : 'secondary'}`}
              aria-pressed={direction === way}
              onClick={() => setDirection(way)}
            >
              {way === 'ENTRY' ? 'Entry' : 'Exit'}
            </button>
          ))}
        </div>
      ) : null}
      {camera ? <Camera onCode={onCode} last={lastCode} paused={outcome !== null} /> : null}
      <form className="card stack" onSubmit={manualSubmit} aria-label="Manual entry">
        <ErrorBanner problem={scanProblem} />
        <Field
          id={codeFieldId}
          label="Ticket code"
          hint="What a QR reader types: the text in the ticket's QR code (not the 8-digit live code under it)"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          value={manual}
          onChange={(e) => {
            setLiveCodeTyped(false);
            setManual(e.target.value);
          }}
        />
        {liveCodeTyped ? (
          <p className="banner banner-warn" role="status" data-testid="live-code-hint">
            That is the live code: scan the QR code. The 8 digits only show the screen is live; they do not
            identify a ticket.
          </p>
        ) : null}
        <button type="submit" className="button" disabled={checking}>
          {checking ? 'Checking…' : 'Check ticket'}
        </button>
      </form>
      <OfflinePanel
        eventId={eventId}
        online={online}
        stored={bundle}
        queued={queued}
        report={report}
        problem={offlineProblem}
        busy={busy}
        verifier={verifier}
        onRefresh={() => void refreshBundle()}
        onSync={() => void sync()}
      />
      {outcome ? <Answer outcome={outcome.value} offline={outcome.offline} onNext={scanNext} /> : null}
    </section>
  );
}
