import { createRequire } from 'node:module';

/** A request on the wire, as kafkajs's request queue keeps it. */
interface InflightRequest {
  sentAt: number | null;
  requestTimeout: number;
  timeoutRequest(): void;
}

/** The part of kafkajs's per-connection request queue the fix touches. */
interface RequestQueueLike {
  pending: unknown[];
  inflight: Map<number, InflightRequest>;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  enforceRequestTimeout: boolean;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  /** Set by this fix: when the armed request-timeout check fires (ms since the epoch). */
  requestTimeoutCheckAt?: number;
  isConnected(): boolean;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
  sendSocketRequest(request: unknown): void;
  destroy(): void;
}

/** kafkajs's own recheck period while requests wait behind client-side throttling. */
const CHECK_PENDING_REQUESTS_MS = 10;

let applied = false;

/**
 * kafkajs 2.2.4 (its last release) keeps every idle broker connection awake, twice over; this replaces the
 * three methods involved, once per process:
 * - Its request queue re-arms a timer after each check of waiting requests, with a negative delay when
 *   nothing is throttled: about a thousand wake-ups a second per connection, 2-3 % of a core per idle
 *   service here, for nothing (kafkajs issues 1556 and 1704, fixed upstream only in unmerged pull
 *   requests). A check is now scheduled only while requests are waiting (`push()` of a new request and
 *   every answered request check the queue anyway), at the end of the throttle or kafkajs's own 10 ms period.
 * - It looks for timed-out requests with a 100 ms interval per connection for as long as the connection is
 *   open, requests or not: ten wake-ups a second per connection, and a service holds several (producer,
 *   each consumer's group coordinator and fetch connections, admin). Now one timer per connection is armed
 *   only while requests are in flight, for the earliest deadline among them; it times out what is due and
 *   re-arms for the next. A request still fails at its deadline (a little sooner than the stock check,
 *   which could be up to 100 ms late); a closed connection rejects its requests as before.
 */
export function applyKafkajsIdleFix(): void {
  if (applied) return;
  applied = true;
  const require = createRequire(__filename);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueueLike;
  };
  const proto = RequestQueue.prototype;

  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueLike): void {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const throttled = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      throttled > 0 ? throttled : CHECK_PENDING_REQUESTS_MS,
    );
  };

  // Called by the connection once connected: nothing is in flight yet, so nothing is armed.
  proto.scheduleRequestTimeoutCheck = function scheduleRequestTimeoutCheck(this: RequestQueueLike): void {
    if (!this.enforceRequestTimeout) return;
    this.destroy();
    armRequestTimeoutCheck(this);
  };

  const sendSocketRequest = proto.sendSocketRequest;
  proto.sendSocketRequest = function sendAndArm(this: RequestQueueLike, request: unknown): void {
    sendSocketRequest.call(this, request);
    if (this.enforceRequestTimeout) armRequestTimeoutCheck(this);
  };

  const destroy = proto.destroy;
  proto.destroy = function destroyAndDisarm(this: RequestQueueLike): void {
    destroy.call(this);
    this.requestTimeoutIntervalId = undefined;
    this.requestTimeoutCheckAt = undefined;
  };
}

/**
 * Arms the queue's one timeout check for the earliest deadline of its in-flight requests, unless one is
 * armed already at or before it; arms nothing when nothing is in flight.
 */
function armRequestTimeoutCheck(queue: RequestQueueLike): void {
  let due = Number.POSITIVE_INFINITY;
  for (const request of queue.inflight.values()) {
    if (request.sentAt !== null) due = Math.min(due, request.sentAt + request.requestTimeout);
  }
  if (due === Number.POSITIVE_INFINITY) return;
  if (queue.requestTimeoutCheckAt !== undefined && queue.requestTimeoutCheckAt <= due) return;
  clearTimeout(queue.requestTimeoutIntervalId);
  queue.requestTimeoutCheckAt = due;
  // +1: kafkajs times a request out once strictly more than its timeout has passed.
  queue.requestTimeoutIntervalId = setTimeout(
    () => checkRequestTimeouts(queue),
    Math.max(0, due - Date.now()) + 1,
  );
}

function checkRequestTimeouts(queue: RequestQueueLike): void {
  queue.requestTimeoutIntervalId = undefined;
  queue.requestTimeoutCheckAt = undefined;
  const now = Date.now();
  for (const request of [...queue.inflight.values()]) {
    if (request.sentAt !== null && now - request.sentAt > request.requestTimeout) request.timeoutRequest();
  }
  if (queue.isConnected()) armRequestTimeoutCheck(queue);
}
