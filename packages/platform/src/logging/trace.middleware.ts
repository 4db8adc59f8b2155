import type { NextFunction, Request, Response } from 'express';
import { newTraceId, runWithTrace, sanitizeTraceId, traceIdFromTraceparent } from './trace-context';

export const TRACE_HEADER = 'x-trace-id';

declare module 'http' {
  interface IncomingMessage {
    /** Set by the platform trace middleware. */
    traceId?: string;
  }
}

/**
 * Express middleware: takes the trace id from `x-trace-id` (or a W3C `traceparent`), or makes one;
 * echoes it in the `x-trace-id` response header and runs the rest of the request inside it.
 */
export function traceMiddleware() {
  return function trace(req: Request, res: Response, next: NextFunction): void {
    const traceId =
      sanitizeTraceId(req.headers[TRACE_HEADER]) ??
      traceIdFromTraceparent(req.headers.traceparent) ??
      newTraceId();
    req.traceId = traceId;
    res.setHeader(TRACE_HEADER, traceId);
    runWithTrace(traceId, () => next());
  };
}
