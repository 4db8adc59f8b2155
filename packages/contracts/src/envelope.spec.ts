import { describe, expect, it } from 'vitest';
import { envelopeSchema, newTraceId } from './envelope';
import { ContractError } from './errors';
import {
  EVENT_TYPE_LIST,
  newEnvelope,
  safeValidateEnvelope,
  validateEnvelope,
  validateEventData,
  type EventData,
  type EventEnvelope,
} from './registry';
import { SAMPLE_IDS, sampleData, sampleEnvelope } from './samples';
import { contractError } from './testing/contract-error';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const paths = (fn: () => unknown) => contractError(fn).issues.map((i) => i.path);

describe('newEnvelope', () => {
  it('fills id, version, occurredAt and traceId', () => {
    const before = Date.now();
    const env = newEnvelope('ticket.issued', SAMPLE_IDS.event, sampleData('ticket.issued'), {
      source: 'ticket',
    });
    expect(env.id).toMatch(UUID_V4);
    expect(env.type).toBe('ticket.issued');
    expect(env.version).toBe(1);
    expect(env.source).toBe('ticket');
    expect(env.key).toBe(SAMPLE_IDS.event);
    expect(env.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(env.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(env.occurredAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(env.occurredAt)).toBeLessThanOrEqual(Date.now());
    expect(env.data).toEqual(sampleData('ticket.issued'));
  });

  it('keeps a given trace id and makes a fresh id each time', () => {
    const traceId = newTraceId();
    const a = newEnvelope('event.viewed', SAMPLE_IDS.event, sampleData('event.viewed'), {
      source: 'event',
      traceId,
    });
    const b = newEnvelope('event.viewed', SAMPLE_IDS.event, sampleData('event.viewed'), {
      source: 'event',
      traceId,
    });
    expect(a.traceId).toBe(traceId);
    expect(b.traceId).toBe(traceId);
    expect(a.id).not.toBe(b.id);
  });

  it('refuses a key other than the event id, so ordering per event holds', () => {
    expect(
      paths(() =>
        newEnvelope('ticket.issued', SAMPLE_IDS.ticket1, sampleData('ticket.issued'), { source: 'ticket' }),
      ),
    ).toEqual(['key']);
    const env = newEnvelope('user.registered', SAMPLE_IDS.buyer, sampleData('user.registered'), {
      source: 'auth',
    });
    expect(env.key).toBe(SAMPLE_IDS.buyer);
  });

  it('refuses bad data at the producer, naming the path', () => {
    const data = { ...sampleData('order.confirmed'), total: { amount: 1, currency: 'EUR' } };
    const error = contractError(() =>
      newEnvelope('order.confirmed', SAMPLE_IDS.event, data, { source: 'ticket' }),
    );
    expect(error.eventType).toBe('order.confirmed');
    expect(error.issues.map((i) => i.path)).toEqual(['data.total.amount']);
    expect(error.message).toMatch(/^Invalid order\.confirmed envelope: data\.total\.amount: /);
  });

  it('refuses a bad source, trace id or time', () => {
    const data = sampleData('ticket.revoked');
    expect(
      paths(() => newEnvelope('ticket.revoked', SAMPLE_IDS.event, data, { source: 'Ticket Service' })),
    ).toEqual(['source']);
    expect(
      paths(() =>
        newEnvelope('ticket.revoked', SAMPLE_IDS.event, data, { source: 'ticket', traceId: 'a b\n' }),
      ),
    ).toEqual(['traceId']);
    expect(
      paths(() =>
        newEnvelope('ticket.revoked', SAMPLE_IDS.event, data, { source: 'ticket', occurredAt: 'now' }),
      ),
    ).toEqual(['occurredAt']);
  });

  it('checks data against the type at compile time', () => {
    const { holderName: _omitted, ...withoutName } = sampleData('ticket.issued');
    const missingField = () =>
      // @ts-expect-error holderName is required by ticket.issued
      newEnvelope('ticket.issued', SAMPLE_IDS.event, withoutName, { source: 'ticket' });
    const wrongPayload = () =>
      // @ts-expect-error a price.changed payload is not a ticket.revoked payload
      newEnvelope('ticket.revoked', SAMPLE_IDS.event, sampleData('price.changed'), { source: 'ticket' });
    expect(missingField).toThrow(ContractError);
    expect(wrongPayload).toThrow(ContractError);
    const typed: EventData<'price.changed'> = sampleData('price.changed');
    expect(typed.price.currency).toBe('EUR');
  });
});

describe('validateEnvelope', () => {
  it.each(EVENT_TYPE_LIST)('accepts the sample envelope of %s after a JSON round trip', (type) => {
    const env = sampleEnvelope(type);
    const wire = JSON.parse(JSON.stringify(env));
    const read = validateEnvelope(wire);
    expect(read).toEqual(env);
    expect(read.type).toBe(type);
  });

  it('narrows data on type', () => {
    const env: EventEnvelope = validateEnvelope(sampleEnvelope('ticket.transferred'));
    if (env.type !== 'ticket.transferred') throw new Error('wrong type');
    expect(env.data.generation).toBe(env.data.previousGeneration + 1);
  });

  it('drops unknown fields, so additive changes do not break old consumers', () => {
    const env = { ...sampleEnvelope('ticket.revoked'), extra: 1 } as Record<string, unknown>;
    env.data = { ...(env.data as object), note: 'added in a later release' };
    const read = validateEnvelope(env) as unknown as Record<string, Record<string, unknown>>;
    expect(read).not.toHaveProperty('extra');
    expect(read.data).not.toHaveProperty('note');
    expect(read.data.reason).toBe('TRANSFERRED');
  });

  it.each([
    ['id', { id: 'not-a-uuid' }],
    ['id', { id: '3f2b8c1e-7d4a-1e6b-9a5c-1d0e2f3a4b5c' }],
    ['version', { version: 0 }],
    ['version', { version: 1.5 }],
    ['occurredAt', { occurredAt: '2026-12-02T11:04:30+01:00' }],
    ['source', { source: '' }],
    ['key', { key: 'event-1' }],
    ['traceId', { traceId: '' }],
    ['type', { type: 'Ticket Issued' }],
  ])('refuses a bad %s', (path, patch) => {
    expect(paths(() => validateEnvelope({ ...sampleEnvelope('ticket.issued'), ...patch }))).toContain(path);
  });

  it('refuses each missing envelope field', () => {
    for (const field of ['id', 'type', 'version', 'occurredAt', 'source', 'key', 'traceId'] as const) {
      const env: Record<string, unknown> = { ...sampleEnvelope('checkin.recorded') };
      delete env[field];
      expect(
        paths(() => validateEnvelope(env)),
        field,
      ).toContain(field);
    }
  });

  it('refuses missing data', () => {
    const { data: _data, ...env } = sampleEnvelope('checkin.recorded');
    expect(paths(() => validateEnvelope(env)).some((p) => p === 'data' || p.startsWith('data.'))).toBe(true);
  });

  it('refuses an unknown type and an unknown version', () => {
    expect(
      paths(() => validateEnvelope({ ...sampleEnvelope('ticket.issued'), type: 'ticket.scanned' })),
    ).toEqual(['type']);
    expect(
      paths(() => validateEnvelope({ ...sampleEnvelope('ticket.issued'), type: 'constructor.x' })),
    ).toEqual(['type']);
    const error = contractError(() => validateEnvelope({ ...sampleEnvelope('ticket.issued'), version: 2 }));
    expect(error.issues).toEqual([
      { path: 'version', message: expect.stringContaining('Unsupported version 2') },
    ]);
  });

  it('validates data against the schema of the envelope type, not another', () => {
    const env = { ...sampleEnvelope('ticket.issued'), data: sampleData('ticket.revoked') };
    const found = paths(() => validateEnvelope(env));
    expect(found).toContain('data.holderName');
    expect(found).toContain('data.ticketTypeId');
  });

  it('lists every bad path at once', () => {
    const env = {
      ...sampleEnvelope('ticket.issued'),
      source: 'X',
      data: { ...sampleData('ticket.issued'), generation: 0, holderId: 'h' },
    };
    expect(envelopeSchema.safeParse(env).success).toBe(false);
    expect(paths(() => validateEnvelope(env)).sort()).toEqual(['data.generation', 'data.holderId', 'source']);
    const keyToo = { ...env, key: SAMPLE_IDS.ticket1, data: sampleData('ticket.issued') };
    expect(paths(() => validateEnvelope(keyToo)).sort()).toEqual(['key', 'source']);
  });

  it('refuses things that are not envelopes', () => {
    for (const raw of [null, undefined, 'ticket.issued', 42, [], {}]) {
      expect(() => validateEnvelope(raw)).toThrow(ContractError);
    }
  });
});

describe('safeValidateEnvelope and validateEventData', () => {
  it('returns the envelope or the error without throwing', () => {
    const ok = safeValidateEnvelope(sampleEnvelope('price.changed'));
    expect(ok.success).toBe(true);
    if (ok.success) expect(ok.data.type).toBe('price.changed');
    const bad = safeValidateEnvelope({ ...sampleEnvelope('price.changed'), key: SAMPLE_IDS.gaType });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.issues.map((i) => i.path)).toEqual(['key']);
  });

  it('checks data alone', () => {
    expect(validateEventData('event.viewed', sampleData('event.viewed')).count).toBe(137);
    expect(
      paths(() => validateEventData('event.viewed', { ...sampleData('event.viewed'), count: -3 })),
    ).toEqual(['data.count']);
  });
});
