import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorBanner, Field, Notice } from '../../components/ui';
import { SET_WAITING_ROOM, WAITING_ROOM } from '../../api/documents';
import type { WaitingRoom, WaitingRoomTuning } from '../../api/types';
import { describe, fieldErrors, problemOf, type ApiProblem } from '../../lib/errors';
import { useWhileVisible } from '../../lib/visible';

/** How often the panel asks for the room while the page is visible (the API has no organizer subscription). */
export const ROOM_REFRESH_MS = 2000;

/** The tuning fields: API name, label, range and default (services/ticket SetWaitingRoomInput, ROOM_DEFAULTS). */
const TUNING: { name: keyof WaitingRoomTuning; label: string; min: number; max: number; hint: string }[] = [
  {
    name: 'passTtlSeconds',
    label: 'Pass lifetime (seconds)',
    min: 10,
    max: 900,
    hint: 'How long an admitted buyer has to reserve, 10 to 900 (default 120)',
  },
  {
    name: 'initialLimit',
    label: 'Starting limit',
    min: 1,
    max: 10_000,
    hint: 'Passes outstanding at first, between the minimum and the maximum (default 20)',
  },
  {
    name: 'minLimit',
    label: 'Minimum limit',
    min: 1,
    max: 10_000,
    hint: 'The limit never drops below this, 1 to 10000 (default 2)',
  },
  {
    name: 'maxLimit',
    label: 'Maximum limit',
    min: 1,
    max: 10_000,
    hint: 'The limit never grows above this, 1 to 10000 (default 500)',
  },
  {
    name: 'targetLatencyMs',
    label: 'Target reserve latency (ms)',
    min: 50,
    max: 10_000,
    hint: 'The limit shrinks when reserving gets slower than this, 50 to 10000 (default 500)',
  },
];

type TuningDraft = Record<keyof WaitingRoomTuning, string>;

const draftOf = (room: WaitingRoom): TuningDraft =>
  Object.fromEntries(TUNING.map((f) => [f.name, String(room[f.name])])) as TuningDraft;

/** Why the room cannot be read (FORBIDDEN), in words an organizer can act on. */
const FORBIDDEN_TEXT =
  'The waiting room is only for the event’s organizer, once the event is published (the ticket service ' +
  'learns of a new event a few seconds after publishing).';
/**
 * Answers meaning the ticket service does not know the event as this organizer's (yet): FORBIDDEN, or
 * NOT_FOUND for a draft or an event published a moment ago.
 */
const UNKNOWN_TO_TICKETS = new Set(['FORBIDDEN', 'NOT_FOUND']);

/** Why a change was refused (FORBIDDEN); the API's own reason is shown above it. */
const FORBIDDEN_CHANGE =
  'Only the event’s organizer can change its waiting room, and only while the event is published and still on sale.';

/**
 * The organizer's side of an event's waiting room: on or off, the queue, the outstanding passes, the current
 * admission limit and rate, refreshed every 2 s while the page is visible; the switch and the tuning.
 */
export function OrganizerWaitingRoomPanel({ eventId }: { eventId: string }) {
  const [{ data, error }, refetch] = useQuery<{ waitingRoom: WaitingRoom }>({
    query: WAITING_ROOM,
    variables: { eventId },
    requestPolicy: 'network-only',
  });
  useWhileVisible(() => refetch({ requestPolicy: 'network-only' }), ROOM_REFRESH_MS);
  // The newest answer wins (a poll sent before a switch may come back after it); a failed poll keeps the last.
  const [room, setRoom] = useState<WaitingRoom | null>(null);
  const accept = useCallback(
    (next: WaitingRoom) =>
      setRoom((known) => (!known || new Date(next.at) >= new Date(known.at) ? next : known)),
    [],
  );
  useEffect(() => {
    if (data?.waitingRoom) accept(data.waitingRoom);
  }, [data, accept]);
  const loadProblem = problemOf(error);

  return (
    <section aria-labelledby="waiting-room-heading" className="organizer-room">
      <h2 id="waiting-room-heading">Waiting room</h2>
      {room ? (
        <RoomView room={room} eventId={eventId} onChange={accept} stale={loadProblem} />
      ) : loadProblem && UNKNOWN_TO_TICKETS.has(loadProblem.code) ? (
        <p
          className="banner banner-error"
          role="status"
          data-code={loadProblem.code}
          data-testid="room-forbidden"
        >
          {FORBIDDEN_TEXT}
        </p>
      ) : loadProblem ? (
        <p className="banner banner-error" role="status" data-code={loadProblem.code}>
          {describe(loadProblem)}
        </p>
      ) : (
        <p className="muted">Loading the waiting room…</p>
      )}
    </section>
  );
}

function RoomView({
  room,
  eventId,
  onChange,
  stale,
}: {
  room: WaitingRoom;
  eventId: string;
  onChange(room: WaitingRoom): void;
  stale: ApiProblem | null;
}) {
  const [switchResult, setRoomSwitch] = useMutation<{ setWaitingRoom: WaitingRoom }>(SET_WAITING_ROOM);
  // Memoised: the banner takes focus when its problem changes, not on every refresh of the panel.
  const switchProblem = useMemo(() => problemOf(switchResult.error), [switchResult.error]);

  async function toggle() {
    // Only `enabled`: unset tuning keeps its current value.
    const res = await setRoomSwitch({ eventId, input: { enabled: !room.enabled } });
    if (res.data) onChange(res.data.setWaitingRoom);
  }

  return (
    <div className="card stack" data-enabled={room.enabled}>
      <div className="room-switch-row">
        <button
          type="button"
          className="room-switch"
          aria-pressed={room.enabled}
          aria-describedby="room-switch-hint"
          disabled={switchResult.fetching}
          onClick={() => void toggle()}
        >
          <span className="room-switch-track" aria-hidden="true">
            <span className="room-switch-thumb" />
          </span>
          Use a waiting room
        </button>
        <strong data-testid="room-enabled" className={room.enabled ? 'room-on' : 'room-off'}>
          {room.enabled ? 'On' : 'Off'}
        </strong>
      </div>
      <small id="room-switch-hint" className="hint">
        On: buyers queue and reserve only with a turn (a pass), let in as fast as reserving stays quick. Off:
        everyone reserves directly.
      </small>
      <ErrorBanner problem={switchProblem}>
        {switchProblem && UNKNOWN_TO_TICKETS.has(switchProblem.code) ? <p>{FORBIDDEN_CHANGE}</p> : null}
      </ErrorBanner>
      <div className="stats room-stats">
        <div className="stat card">
          <span className="muted">Waiting</span>
          <strong data-testid="room-waiting">{room.waiting}</strong>
          <span className="muted">buyers in the queue</span>
        </div>
        <div className="stat card">
          <span className="muted">Passes outstanding</span>
          <strong data-testid="room-outstanding">{room.admittedOutstanding}</strong>
          <span className="muted">
            of a limit of <span data-testid="room-limit">{room.currentLimit}</span> now
          </span>
        </div>
        <div className="stat card">
          <span className="muted">Admitted</span>
          <strong data-testid="room-rate">{room.admittedPerMinute}</strong>
          <span className="muted">per minute</span>
        </div>
        <div className="stat card">
          <span className="muted">Average reserve latency</span>
          <strong data-testid="room-latency">
            {room.averageReserveLatencyMs == null ? '—' : `${Math.round(room.averageReserveLatencyMs)} ms`}
          </strong>
          <span className="muted">target {room.targetLatencyMs} ms</span>
        </div>
      </div>
      <p className="muted">
        Updated <time dateTime={room.at}>{new Date(room.at).toLocaleTimeString()}</time>
        {stale ? ` · could not refresh: ${describe(stale)}` : ''}
      </p>
      <TuningForm room={room} eventId={eventId} onChange={onChange} />
    </div>
  );
}

function TuningForm({
  room,
  eventId,
  onChange,
}: {
  room: WaitingRoom;
  eventId: string;
  onChange(room: WaitingRoom): void;
}) {
  // The draft starts from the room and is then the organizer's own: refreshes do not overwrite typing.
  const [draft, setDraft] = useState<TuningDraft>(() => draftOf(room));
  const [result, save] = useMutation<{ setWaitingRoom: WaitingRoom }>(SET_WAITING_ROOM);
  const problem = useMemo(() => problemOf(result.error), [result.error]);
  const err = fieldErrors(problem);

  async function submit(e: FormEvent) {
    e.preventDefault();
    // Only what differs from the settings in force: an unset field keeps its value (and a starting limit
    // that is not sent lets the limit the room has learnt carry on). Empty fields are left out too.
    const tuning = Object.fromEntries(
      TUNING.filter((f) => draft[f.name].trim() !== '' && Number(draft[f.name]) !== room[f.name]).map((f) => [
        f.name,
        Number(draft[f.name]),
      ]),
    );
    const res = await save({ eventId, input: { enabled: room.enabled, ...tuning } });
    if (res.data) {
      onChange(res.data.setWaitingRoom);
      setDraft(draftOf(res.data.setWaitingRoom));
    }
  }

  return (
    <form className="stack" onSubmit={submit} aria-label="Waiting room settings">
      <h3>Settings</h3>
      <ErrorBanner problem={problem}>
        {problem && UNKNOWN_TO_TICKETS.has(problem.code) ? <p>{FORBIDDEN_CHANGE}</p> : null}
      </ErrorBanner>
      {result.data && !result.error ? <Notice>Waiting room settings saved.</Notice> : null}
      <div className="row">
        {TUNING.map((f) => (
          <Field
            key={f.name}
            label={f.label}
            type="number"
            inputMode="numeric"
            step={1}
            min={f.min}
            max={f.max}
            value={draft[f.name]}
            hint={f.hint}
            error={err(f.name)}
            onChange={(e) => setDraft((d) => ({ ...d, [f.name]: e.target.value }))}
          />
        ))}
      </div>
      <p className="muted" data-testid="room-in-force">
        In force: starting limit {room.initialLimit}, limit between {room.minLimit} and {room.maxLimit},
        passes for {room.passTtlSeconds} s, target {room.targetLatencyMs} ms.
      </p>
      <div className="actions">
        <button type="submit" className="button secondary" disabled={result.fetching}>
          Save settings
        </button>
      </div>
    </form>
  );
}
