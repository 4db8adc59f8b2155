// The envelope every Kafka message carries. `data` is checked against the schema registered for `type`
// (see registry.ts, which also holds `newEnvelope`, the typed way to build one).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { idSchema, instantSchema } from './primitives';

export interface Envelope<T = unknown> {
  /** UUID v4, unique per message; consumers are idempotent by it. */
  id: string;
  /** Event type, for example `ticket.issued`. */
  type: string;
  /** Contract version of `data` for this type (integer, starts at 1). */
  version: number;
  /** When the change happened: ISO-8601 in UTC (`...Z`). */
  occurredAt: string;
  /** Name of the producing service, for example `ticket`. */
  source: string;
  /** Partition key: the event id (the user id on `auth.users`). */
  key: string;
  /** Trace id carried through logs and across services. */
  traceId: string;
  data: T;
}

export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const TRACE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

export const envelopeSchema = z.object({
  id: z.uuidv4(),
  type: z.string().regex(EVENT_TYPE_PATTERN, 'Invalid event type'),
  version: z.int().min(1),
  occurredAt: instantSchema,
  source: z.string().regex(SERVICE_NAME_PATTERN, 'Invalid service name'),
  key: idSchema,
  traceId: z.string().regex(TRACE_ID_PATTERN, 'Invalid trace id'),
  data: z.unknown(),
});

/** A new trace id in the W3C trace-context format (32 lower-case hex digits). */
export function newTraceId(): string {
  return randomUUID().replace(/-/g, '');
}

export function newEnvelopeId(): string {
  return randomUUID();
}
