import { sampleEnvelope } from '@ticketing/contracts';
import { model, Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { appendOutbox, outboxEnvelope, withOutbox, type OutboxFields } from './outbox.schema';

describe('outbox schema helpers', () => {
  it('withOutbox adds the outbox array, the marker, the lease and the pending index', async () => {
    const schema = withOutbox(new Schema({ name: String }));
    expect(schema.path('outbox')).toBeDefined();
    expect(schema.path('outboxPending')).toBeDefined();
    expect(schema.path('outboxLeaseUntil')).toBeDefined();
    expect(schema.indexes()).toContainEqual([{ outboxPending: 1, outboxLeaseUntil: 1 }, expect.anything()]);

    const Doc = model<OutboxFields & { name: string }>('OutboxSchemaSpec', schema);
    const envelope = sampleEnvelope('event.viewed');
    const doc = new Doc({ name: 'a', outbox: [{ ...envelope, topic: 'event.views' }] });
    await expect(doc.validate()).resolves.toBeUndefined();
    expect(doc.outboxLeaseUntil).toBeNull();
    expect(doc.outboxPending).toBe(false);
    expect(outboxEnvelope(doc.toObject().outbox[0])).toEqual(envelope);
  });

  it('rejects an outbox entry missing envelope fields', async () => {
    const Doc = model('OutboxSchemaSpecStrict', withOutbox(new Schema({})));
    const { id: _id, ...withoutId } = sampleEnvelope('event.viewed');
    await expect(new Doc({ outbox: [withoutId] }).validate()).rejects.toThrow(/outbox\.0\.id/);
  });

  it('appendOutbox returns the $push/$each fragment with copies of the envelopes', () => {
    const a = sampleEnvelope('event.viewed');
    const b = { ...sampleEnvelope('event.published'), topic: 'custom' };
    const fragment = appendOutbox([a, b]);
    expect(fragment).toEqual({ $push: { outbox: { $each: [a, b] } } });
    expect(fragment.$push.outbox.$each[0]).not.toBe(a);
  });
});
