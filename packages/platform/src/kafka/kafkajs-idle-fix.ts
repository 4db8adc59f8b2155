import { createRequire } from 'node:module';

/** The part of kafkajs's per-connection request queue the fix touches. */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own recheck period while requests wait behind client-side throttling. */
const CHECK_PENDING_REQUESTS_MS = 10;

let applied = false;

/**
 * kafkajs 2.2.4 (its last release) re-arms a timer in every broker connection's request queue after each
 * check, with a negative delay when nothing is throttled, so every idle connection spins through its timer
 * about a thousand times a second: 2-3 % of a core per idle service here, for nothing (kafkajs issues 1556
 * and 1704, fixed upstream only in unmerged pull requests). This replaces that one method, once per
 * process: a check is scheduled only while requests are waiting (`push()` of a new request and every
 * answered request check the queue anyway), at the end of the throttle or kafkajs's own 10 ms period.
 */
export function applyKafkajsIdleFix(): void {
  if (applied) return;
  applied = true;
  const require = createRequire(__filename);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueueLike;
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
    this: RequestQueueLike,
  ): void {
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
}
