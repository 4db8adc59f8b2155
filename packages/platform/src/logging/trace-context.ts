import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

interface TraceStore {
  traceId: string;
}

const storage = new AsyncLocalStorage<TraceStore>();

/** Runs `fn` with `traceId` as the current trace (visible to logs, Kafka headers, envelopes). */
export function runWithTrace<T>(traceId: string, fn: () => T): T {
  return storage.run({ traceId }, fn);
}

/** The trace id of the current request/message, or undefined outside any trace. */
export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}

/** A new W3C-compatible trace id: 32 lowercase hex characters. */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

const TRACE_ID = /^[A-Za-z0-9._-]{8,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Accepts a client-supplied trace id only when it is a plain token of sane length (no log injection). */
export function sanitizeTraceId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return TRACE_ID.test(value) ? value : undefined;
}

/** The trace-id part of a W3C `traceparent` header, when well-formed and not all zeros. */
export function traceIdFromTraceparent(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match || /^0+$/.test(match[1])) return undefined;
  return match[1];
}
