import { useCallback, useEffect, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { LIGHT_LANE } from '../api/client';
import { JOIN_WAITING_ROOM, WAITING_ROOM_STATUS, WAITING_ROOM_UPDATED } from '../api/documents';
import type { WaitingRoomStatus } from '../api/types';
import { problemOf, type ApiProblem } from '../lib/errors';
import { Countdown, ErrorBanner } from './ui';

/** Answers meaning "busy, ask again later": a join refused with one is retried by itself. */
const BUSY = new Set(['TRY_AGAIN', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'NETWORK']);
const JOIN_RETRIES = 5;

export interface WaitingRoomGate {
  status: WaitingRoomStatus | null;
  /** Reserving needs a pass now and there is none. */
  blocked: boolean;
  /** The pass to give reserveTickets, when admitted. */
  admissionPass: string | null;
  /** Ask again (after ADMISSION_REQUIRED). */
  refresh(): void;
  join(): Promise<void>;
  joining: boolean;
  joinProblem: ApiProblem | null;
}

/** The signed-in buyer's place in the event's waiting room: the status now, then every change (graphql-ws). */
export function useWaitingRoom(eventId: string, signedIn: boolean): WaitingRoomGate {
  const [{ data }, refetch] = useQuery<{ waitingRoomStatus: WaitingRoomStatus }>({
    query: WAITING_ROOM_STATUS,
    variables: { eventId },
    requestPolicy: 'network-only',
    pause: !signedIn,
    context: LIGHT_LANE,
  });
  const [{ data: live }] = useSubscription<{ waitingRoomUpdated: WaitingRoomStatus }>({
    query: WAITING_ROOM_UPDATED,
    variables: { eventId },
    pause: !signedIn,
  });
  const [joined, setJoined] = useState<WaitingRoomStatus | null>(null);
  const [joinResult, joinMutation] = useMutation<{ joinWaitingRoom: WaitingRoomStatus }>(JOIN_WAITING_ROOM);
  // The newest of the answers (query, subscription, join) wins.
  const status =
    [data?.waitingRoomStatus, live?.waitingRoomUpdated, joined]
      .filter((s): s is WaitingRoomStatus => Boolean(s))
      .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime())
      .at(-1) ?? null;
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only', ...LIGHT_LANE }), [refetch]);
  // A pass lapses on its own: look again when it does.
  const expiresAt = status?.state === 'ADMITTED' ? status.passExpiresAt : null;
  useEffect(() => {
    if (!expiresAt) return;
    const timer = window.setTimeout(refresh, Math.max(0, new Date(expiresAt).getTime() - Date.now()) + 500);
    return () => window.clearTimeout(timer);
  }, [expiresAt, refresh]);
  // A join refused because the service is busy is tried again by itself after the API's hint (a flood is when
  // the room matters most): up to JOIN_RETRIES times, then the buyer sees the problem and the button.
  const [retrying, setRetrying] = useState(false);
  const join = useCallback(async () => {
    setRetrying(true);
    try {
      for (let attempt = 0; ; attempt++) {
        const res = await joinMutation({ eventId }, LIGHT_LANE);
        if (res.data) {
          setJoined(res.data.joinWaitingRoom);
          return;
        }
        const problem = problemOf(res.error);
        if (!problem || !BUSY.has(problem.code) || attempt >= JOIN_RETRIES) return;
        const wait =
          Math.min(5_000, Math.max(500, problem.retryAfterMs ?? 1_000)) * (0.75 + Math.random() / 2);
        await new Promise((resolve) => window.setTimeout(resolve, wait));
      }
    } finally {
      setRetrying(false);
    }
  }, [joinMutation, eventId]);
  return {
    status,
    blocked: Boolean(status && status.state !== 'NOT_NEEDED' && status.state !== 'ADMITTED'),
    admissionPass: status?.state === 'ADMITTED' ? status.admissionPass : null,
    refresh,
    join,
    joining: joinResult.fetching || retrying,
    joinProblem: problemOf(joinResult.error),
  };
}

function waitText(seconds: number | null): string {
  if (seconds == null) return 'Estimating the wait…';
  if (seconds < 60) return 'Less than a minute to wait.';
  return `About ${Math.round(seconds / 60)} min to wait.`;
}

/** The queue as the buyer sees it: join, position and estimate, then the admission with its countdown. */
export function WaitingRoomPanel({ gate }: { gate: WaitingRoomGate }) {
  const status = gate.status;
  if (!status || status.state === 'NOT_NEEDED') return null;
  return (
    <section className="card stack waiting-room" aria-labelledby="waiting-room" data-state={status.state}>
      <h2 id="waiting-room">Waiting room</h2>
      <ErrorBanner problem={gate.joinProblem} />
      <div aria-live="polite">
        {status.state === 'WAITING' ? (
          <>
            <p className="queue-position">
              You are number <strong data-testid="queue-position">{status.position ?? '…'}</strong> in the
              queue.
            </p>
            <p className="muted">
              {waitText(status.estimatedWaitSeconds)} Keep this page open: it moves on its own.
            </p>
          </>
        ) : null}
        {status.state === 'ADMITTED' ? (
          <>
            <p>It is your turn: choose your tickets now.</p>
            {status.passExpiresAt ? (
              <Countdown until={status.passExpiresAt} label="Your turn ends in" />
            ) : null}
          </>
        ) : null}
        {status.state === 'NOT_JOINED' ? (
          <p>This sale is busy: join the queue to reserve. Keep the page open to keep your place.</p>
        ) : null}
        {status.state === 'PASS_EXPIRED' ? (
          <p>Your turn ended before you reserved. Join the queue again.</p>
        ) : null}
        {status.state === 'PASS_USED' ? (
          <p>You used your turn. Join the queue again for more tickets.</p>
        ) : null}
        {status.state === 'CLOSED' ? (
          <p>This sale is over: the event was cancelled or has ended. Nobody is let in any more.</p>
        ) : null}
      </div>
      {['NOT_JOINED', 'PASS_EXPIRED', 'PASS_USED'].includes(status.state) ? (
        <button type="button" className="button" onClick={() => void gate.join()} disabled={gate.joining}>
          {gate.joining ? 'Joining…' : 'Join the queue'}
        </button>
      ) : null}
    </section>
  );
}
