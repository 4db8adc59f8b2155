import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../graphql/error-codes';
import type { MetricsService } from '../metrics/metrics.service';
import { LoadShedder, type Admission, type Refusal } from './load-shedder';
import type { OverloadConfig } from './overload.config';

/** The request header that asks for the light lane (`light`), see OVERLOAD_LIGHT_OPERATIONS. */
export const LANE_HEADER = 'x-shed-lane';

/**
 * The light lane's shedder, or null when the service names no light operations (or sheds nothing). Its
 * operations are cheap, so it may run four times the other lane's most, starts at that lane's most, and does
 * not refuse on event-loop lag (that would refuse the cheap work that lets the flood through in order).
 */
export function lightShedderFromConfig(config: OverloadConfig): LoadShedder | null {
  if (config.OVERLOAD_MAX_INFLIGHT === 0 || config.OVERLOAD_LIGHT_OPERATIONS.length === 0) return null;
  const maxLimit = config.OVERLOAD_MAX_INFLIGHT * 4;
  return new LoadShedder({
    initialLimit: config.OVERLOAD_MAX_INFLIGHT,
    minLimit: Math.min(config.OVERLOAD_MIN_INFLIGHT, maxLimit),
    maxLimit,
    queueSize: config.OVERLOAD_QUEUE_SIZE,
    queueTimeoutMs: config.OVERLOAD_QUEUE_TIMEOUT_MS,
    targetLatencyMs: config.OVERLOAD_TARGET_LATENCY_MS,
  });
}

/** The shedder a config describes, or null when `OVERLOAD_MAX_INFLIGHT=0`. */
export function loadShedderFromConfig(config: OverloadConfig): LoadShedder | null {
  if (config.OVERLOAD_MAX_INFLIGHT === 0) return null;
  const maxLimit = config.OVERLOAD_MAX_INFLIGHT;
  const minLimit = Math.min(config.OVERLOAD_MIN_INFLIGHT, maxLimit);
  return new LoadShedder({
    initialLimit: config.OVERLOAD_INITIAL_INFLIGHT,
    minLimit,
    maxLimit,
    queueSize: config.OVERLOAD_QUEUE_SIZE,
    queueTimeoutMs: config.OVERLOAD_QUEUE_TIMEOUT_MS,
    targetLatencyMs: config.OVERLOAD_TARGET_LATENCY_MS,
    maxLagMs: config.OVERLOAD_MAX_LAG_MS,
  });
}

/** The body of a refused GraphQL request: a GraphQL error with the retryable code and its hint. */
export function tryAgainBody(serviceName: string, retryAfterMs: number) {
  return {
    errors: [
      {
        message: `The ${serviceName} service is busy; try again in ${retryAfterMs} ms`,
        extensions: {
          code: ErrorCode.TRY_AGAIN,
          field: null,
          retryAfterMs,
          retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)),
        },
      },
    ],
  };
}

/**
 * Express middleware for the GraphQL path: each HTTP operation holds one shedder slot from admission until
 * its response is finished (or the connection closes). A refused one is answered at once, before its body is
 * parsed: HTTP 503 with `Retry-After` and a GraphQL error `TRY_AGAIN` with `extensions.retryAfterMs`.
 * Health (`/healthz`, `/readyz`) and `/metrics` live on other paths and are never shed.
 */
export function loadShedMiddleware(
  shedder: LoadShedder,
  serviceName: string,
  metrics?: MetricsService,
  light?: LoadShedder | null,
) {
  const refused = metrics?.counter('overload_refused_total', 'GraphQL requests refused by the load shedder', [
    'reason',
    'lane',
  ]);
  const limit = metrics?.gauge('overload_limit', 'Current adaptive concurrency limit of GraphQL operations');
  const inFlight = metrics?.gauge('overload_in_flight', 'GraphQL operations running now');
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'OPTIONS') return next();
    // The lane is asked for by header; the operation is held to the lane's fields once parsed (laneGuardPlugin).
    const lane = light && req.headers[LANE_HEADER] === 'light' ? light : shedder;
    const proceed = (result: Admission | Refusal) => {
      if (!result.admitted) {
        refused?.inc({ reason: result.reason, lane: lane === shedder ? 'default' : 'light' });
        res.status(503);
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))));
        res.json(tryAgainBody(serviceName, result.retryAfterMs));
        return;
      }
      const release = () => {
        result.release();
        inFlight?.set(shedder.stats().inFlight);
      };
      res.once('finish', release);
      res.once('close', release);
      limit?.set(shedder.limit);
      inFlight?.set(shedder.stats().inFlight);
      next();
    };
    const result = lane.acquire();
    if (result instanceof Promise) result.then(proceed, next);
    else proceed(result);
  };
}
