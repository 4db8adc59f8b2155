import { sampleEnvelope } from '@ticketing/contracts';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  headerString,
  KAFKA_HEADERS,
  toDeadLetter,
  toKafkaMessage,
} from './kafka-message.codec';

describe('kafka message codec', () => {
  const envelope = sampleEnvelope('ticket.issued');

  it('keys the record by the envelope key and sets the tracing headers', () => {
    const message = toKafkaMessage(envelope);
    expect(message.key).toBe(envelope.key);
    expect(JSON.parse(String(message.value))).toEqual(envelope);
    expect(message.headers).toEqual({
      'trace-id': envelope.traceId,
      'event-type': 'ticket.issued',
      'event-id': envelope.id,
    });
  });

  it('decodes what it encodes', () => {
    const decoded = decodeEnvelope(Buffer.from(String(toKafkaMessage(envelope).value)));
    expect(decoded).toEqual({ ok: true, envelope });
  });

  it('reports invalid JSON, empty values and contract violations instead of throwing', () => {
    expect(decodeEnvelope(null)).toEqual({ ok: false, error: 'empty message value' });
    const notJson = decodeEnvelope(Buffer.from('{oops'));
    expect(notJson.ok).toBe(false);
    expect(!notJson.ok && notJson.error).toMatch(/^invalid JSON: /);
    const bad = decodeEnvelope(
      Buffer.from(JSON.stringify({ ...envelope, data: { ...envelope.data, ticketId: 7 } })),
    );
    expect(!bad.ok && bad.error).toMatch(/^contract violation: .*data\.ticketId/);
    const unknownType = decodeEnvelope(Buffer.from(JSON.stringify({ ...envelope, type: 'ticket.melted' })));
    expect(!unknownType.ok && unknownType.error).toMatch(/Unknown event type/);
  });

  it('builds a dead letter with the original record and the dlq headers', () => {
    const original = {
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      headers: { 'trace-id': Buffer.from('t1'), custom: 'x' },
    };
    const dead = toDeadLetter(original, {
      error: 'e'.repeat(5_000),
      attempts: 3,
      topic: 'p.ticket.tickets',
      partition: 2,
      offset: '41',
      traceId: 't2',
    });
    expect(dead.key).toBe(original.key);
    expect(dead.value).toBe(original.value);
    expect(headerString(dead.headers, 'custom')).toBe('x');
    expect(headerString(dead.headers, KAFKA_HEADERS.dlqError)).toHaveLength(2_000);
    expect(headerString(dead.headers, KAFKA_HEADERS.dlqAttempts)).toBe('3');
    expect(headerString(dead.headers, KAFKA_HEADERS.dlqOriginalTopic)).toBe('p.ticket.tickets');
    expect(headerString(dead.headers, KAFKA_HEADERS.dlqOriginalPartition)).toBe('2');
    expect(headerString(dead.headers, KAFKA_HEADERS.dlqOriginalOffset)).toBe('41');
    expect(headerString(dead.headers, KAFKA_HEADERS.traceId)).toBe('t2');
    expect(original.headers).not.toHaveProperty('dlq-error');
  });
});
