import type { Envelope } from '@ticketing/contracts';
import { Schema } from 'mongoose';

/** An envelope waiting in its aggregate's `outbox`, with an optional explicit topic (else the registry's). */
export type OutboxMessage = Envelope & { topic?: string };

/** The fields `withOutbox` adds to an aggregate document. */
export interface OutboxFields {
  outbox: OutboxMessage[];
  /**
   * True while `outbox` may hold messages: set by every write that appends (the schema's middleware adds it),
   * cleared by the relay once the outbox is empty. The relay finds pending documents by this indexed
   * equality, so a poll reads only what is pending, never the whole collection.
   */
  outboxPending?: boolean;
  outboxLeaseUntil?: Date | null;
}

/** Pending-outbox filter: an indexed equality (see `withOutbox`). */
export const OUTBOX_PENDING_FILTER = { outboxPending: true } as const;

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

/** Update operations whose middleware sees the update document. */
const UPDATE_HOOKS: Array<'updateOne' | 'updateMany' | 'findOneAndUpdate'> = [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
];

/** Whether an update document appends to `outbox` (`appendOutbox`, or a hand-merged `$push`). */
function pushesOutbox(update: unknown): boolean {
  const push = (update as { $push?: Record<string, unknown> } | null)?.$push;
  return push !== undefined && push !== null && Object.prototype.hasOwnProperty.call(push, 'outbox');
}

/**
 * Adds `outbox` (pending envelopes, oldest first), `outboxPending` (the relay's indexed marker) and
 * `outboxLeaseUntil` (the relay's claim) to an aggregate schema, with the index the relay's poll uses.
 * Middleware sets `outboxPending: true` in the same write as any update that pushes to `outbox` and on any
 * document created with a non-empty outbox, so no writer can forget it. (Writes through the raw driver
 * collection bypass middleware: use the model.) Returns the same schema.
 */
export function withOutbox<S extends Schema>(schema: S): S {
  schema.add({
    outbox: { type: [OutboxMessageSchema], default: [] },
    outboxPending: { type: Boolean, default: false },
    outboxLeaseUntil: { type: Date, default: null },
  });
  schema.index({ outboxPending: 1, outboxLeaseUntil: 1 });
  schema.pre(UPDATE_HOOKS, function markPending(this: { getUpdate(): unknown }) {
    const update = this.getUpdate() as { $set?: Record<string, unknown> } | null;
    if (update && pushesOutbox(update)) update.$set = { ...update.$set, outboxPending: true };
  });
  schema.pre('save', function markPending(this: { outbox?: unknown[]; outboxPending?: boolean }) {
    if ((this.outbox?.length ?? 0) > 0) this.outboxPending = true;
  });
  schema.pre('insertMany', function markPending(docs: unknown) {
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      const d = doc as { outbox?: unknown[]; outboxPending?: boolean } | null;
      if (d && (d.outbox?.length ?? 0) > 0) d.outboxPending = true;
    }
  });
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
