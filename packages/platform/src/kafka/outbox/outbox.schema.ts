import type { Envelope } from '@ticketing/contracts';
import { Schema } from 'mongoose';

/** An envelope waiting in its aggregate's `outbox`, with an optional explicit topic (else the registry's). */
export type OutboxMessage = Envelope & { topic?: string };

/** The fields `withOutbox` adds to an aggregate document. */
export interface OutboxFields {
  outbox: OutboxMessage[];
  outboxLeaseUntil?: Date | null;
}

/**
 * Pending-outbox filter. Envelope ids are non-empty strings, so "some element has an id greater than the
 * empty string" means "the outbox is not empty", and unlike `{'outbox.0': {$exists: true}}` it can walk
 * the `outbox.id` index instead of scanning the collection.
 */
export const OUTBOX_PENDING_FILTER = { 'outbox.id': { $gt: '' } } as const;

/** Sub-schema of one outbox entry: the envelope fields as written, `data` kept verbatim. */
export const OutboxMessageSchema = new Schema<OutboxMessage>(
  {
    id: { type: String, required: true },
    type: { type: String, required: true },
    version: { type: Number, required: true },
    occurredAt: { type: String, required: true },
    source: { type: String, required: true },
    key: { type: String, required: true },
    traceId: { type: String, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    topic: { type: String },
  },
  { _id: false, minimize: false, strict: 'throw' },
);

/**
 * Adds `outbox` (pending envelopes, oldest first) and `outboxLeaseUntil` (the relay's claim) to an
 * aggregate schema, plus the index the relay's pending query uses. Returns the same schema.
 */
export function withOutbox<S extends Schema>(schema: S): S {
  schema.add({
    outbox: { type: [OutboxMessageSchema], default: [] },
    outboxLeaseUntil: { type: Date, default: null },
  });
  schema.index({ 'outbox.id': 1 });
  return schema;
}

/**
 * The update fragment that queues envelopes in the same atomic write as the state change:
 * `Model.updateOne(guard, { $set: {...}, $inc: {...}, ...appendOutbox([envelope]) })`.
 * (The fragment owns `$push`; an update that pushes elsewhere too must merge the two `$push` objects.)
 */
export function appendOutbox(envelopes: readonly OutboxMessage[]): {
  $push: { outbox: { $each: OutboxMessage[] } };
} {
  return { $push: { outbox: { $each: envelopes.map((e) => ({ ...e })) } } };
}

/** The envelope part of an outbox entry (drops `topic` and anything the driver added). */
export function outboxEnvelope(message: OutboxMessage): Envelope {
  const { id, type, version, occurredAt, source, key, traceId, data } = message;
  return { id, type, version, occurredAt, source, key, traceId, data } as Envelope;
}
