import jsQR from 'jsqr';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorBanner, Field } from '../components/ui';
import { EVENT_TITLE, SCAN_TICKET } from '../api/documents';
import type { ScanOutcome } from '../api/types';
import { problemOf } from '../lib/errors';
import { when } from '../lib/format';

// The gate: camera scanning (the browser's BarcodeDetector where present, else jsQR on video frames), manual
// entry as the fallback, and one full-screen answer per scan.

const RESULT_TEXT: Record<string, string> = {
  ACCEPTED: 'Admit',
  ALREADY_CHECKED_IN: 'Already checked in',
  REVOKED: 'Revoked ticket',
  WRONG_EVENT: 'Wrong event',
  INVALID: 'Invalid code',
  NOT_YET_OPEN: 'Doors not open yet',
};

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

function Answer({ outcome, onNext }: { outcome: ScanOutcome; onNext(): void }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  const tone =
    outcome.result === 'ACCEPTED' ? 'ok' : outcome.result === 'ALREADY_CHECKED_IN' ? 'warn' : 'bad';
  return (
    <div className={`scan-answer scan-${tone}`} role="alert" data-result={outcome.result}>
      <p className="scan-result">{RESULT_TEXT[outcome.result] ?? outcome.result}</p>
      {outcome.holderName ? <p className="scan-holder">{outcome.holderName}</p> : null}
      {outcome.ticketTypeName ? <p>{outcome.ticketTypeName}</p> : null}
      {outcome.reason ? <p>Reason: {outcome.reason.replace(/_/g, ' ').toLowerCase()}</p> : null}
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

export function ScannerPage() {
  const { eventId = '' } = useParams();
  const navigate = useNavigate();
  const [eventInput, setEventInput] = useState(eventId);
  const [gate, setGate] = useState(() => localStorage.getItem('scanner:gate') ?? 'main');
  const deviceId = useRef(stored('scanner:device', () => `web-${crypto.randomUUID().slice(0, 8)}`));
  const [manual, setManual] = useState('');
  const [camera, setCamera] = useState(false);
  const [outcome, setOutcome] = useState<ScanOutcome | null>(null);
  const [counts, setCounts] = useState({ admitted: 0, refused: 0 });
  const lastCode = useRef<{ code: string; at: number } | null>(null);
  const [result, scan] = useMutation<{ scanTicket: ScanOutcome }>(SCAN_TICKET);
  const [{ data: eventData }] = useQuery<{ event: { title: string } | null }>({
    query: EVENT_TITLE,
    variables: { id: eventId },
    pause: !eventId,
  });

  useEffect(() => localStorage.setItem('scanner:gate', gate), [gate]);

  const submit = useCallback(
    async (code: string) => {
      const res = await scan({
        input: {
          eventId,
          code: code.trim(),
          gateId: gate || 'main',
          deviceId: deviceId.current,
          nonce: crypto.randomUUID(),
        },
      });
      const answer = res.data?.scanTicket;
      if (answer) {
        setOutcome(answer);
        setCounts((c) =>
          answer.result === 'ACCEPTED'
            ? { ...c, admitted: c.admitted + 1 }
            : { ...c, refused: c.refused + 1 },
        );
        navigator.vibrate?.(answer.result === 'ACCEPTED' ? 80 : [80, 60, 80]);
      }
    },
    [scan, eventId, gate],
  );
  const onCode = useCallback((code: string) => void submit(code), [submit]);

  if (!eventId) {
    return (
      <section className="narrow">
        <h1>Scanner</h1>
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

  function manualSubmit(e: FormEvent) {
    e.preventDefault();
    if (!manual.trim()) return;
    void submit(manual).then(() => setManual(''));
  }

  return (
    <section className="scanner">
      <h1>Scanner{eventData?.event ? `: ${eventData.event.title}` : ''}</h1>
      <p className="muted" aria-live="polite">
        {counts.admitted} admitted · {counts.refused} refused on this device
      </p>
      <div className="row">
        <Field label="Gate" value={gate} onChange={(e) => setGate(e.target.value)} />
        <button
          type="button"
          className="button secondary"
          onClick={() => setCamera((c) => !c)}
          aria-pressed={camera}
        >
          {camera ? 'Stop camera' : 'Scan with camera'}
        </button>
      </div>
      {camera ? <Camera onCode={onCode} last={lastCode} paused={outcome !== null} /> : null}
      <form className="card stack" onSubmit={manualSubmit} aria-label="Manual entry">
        <ErrorBanner problem={problemOf(result.error)} />
        <Field
          label="Ticket code"
          hint="The QR content or the code under it"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          value={manual}
          onChange={(e) => setManual(e.target.value)}
        />
        <button type="submit" className="button" disabled={result.fetching}>
          {result.fetching ? 'Checking…' : 'Check ticket'}
        </button>
      </form>
      {outcome ? <Answer outcome={outcome} onNext={() => setOutcome(null)} /> : null}
    </section>
  );
}
