import { type Envelope, type EventEnvelope, validateEnvelope } from '@ticketing/contracts';
import type { IHeaders, Message } from 'kafkajs';

/** Header names written on every message and on dead letters. */
export const KAFKA_HEADERS = {
  traceId: 'trace-id',
  eventType: 'event-type',
  eventId: 'event-id',
  dlqError: 'dlq-error',
  dlqAttempts: 'dlq-attempts',
  dlqOriginalTopic: 'dlq-original-topic',
  dlqOriginalPartition: 'dlq-original-partition',
  dlqOriginalOffset: 'dlq-original-offset',
} as const;

/** Longest `dlq-error` header kept; the rest of a long message or stack is cut. */
const MAX_ERROR_HEADER = 2_000;

/** The Kafka record for an envelope: key = envelope key (the partition key), JSON value, tracing headers. */
export function toKafkaMessage(envelope: Envelope): Message {
  return {
    key: envelope.key,
    value: JSON.stringify(envelope),
    headers: {
      [KAFKA_HEADERS.traceId]: envelope.traceId,
      [KAFKA_HEADERS.eventType]: envelope.type,
      [KAFKA_HEADERS.eventId]: envelope.id,
    },
  };
}

export type DecodeResult = { ok: true; envelope: EventEnvelope } | { ok: false; error: string };

/** Parses and validates a record value. Never throws: a bad record is a result, sent to the DLQ by the caller. */
export function decodeEnvelope(value: Buffer | null): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, error: 'empty message value' };
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${errorMessage(err)}` };
  }
  try {
    return { ok: true, envelope: validateEnvelope(raw) };
  } catch (err) {
    return { ok: false, error: `contract violation: ${errorMessage(err)}` };
  }
}

/** A header as a string (Kafka headers arrive as buffers). */
export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

export interface DeadLetterInfo {
  error: string;
  attempts: number;
  topic: string;
  partition: number;
  offset: string;
  traceId?: string;
}

/** The dead letter for a record: same key and value, original headers plus the `dlq-*` headers. */
export function toDeadLetter(
  original: { key: Buffer | null; value: Buffer | null; headers?: IHeaders },
  info: DeadLetterInfo,
): Message {
  const headers: IHeaders = { ...(original.headers ?? {}) };
  headers[KAFKA_HEADERS.dlqError] = info.error.slice(0, MAX_ERROR_HEADER);
  headers[KAFKA_HEADERS.dlqAttempts] = String(info.attempts);
  headers[KAFKA_HEADERS.dlqOriginalTopic] = info.topic;
  headers[KAFKA_HEADERS.dlqOriginalPartition] = String(info.partition);
  headers[KAFKA_HEADERS.dlqOriginalOffset] = info.offset;
  if (info.traceId) headers[KAFKA_HEADERS.traceId] = info.traceId;
  return { key: original.key, value: original.value, headers };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}
