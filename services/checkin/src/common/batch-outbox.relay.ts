import type { Envelope } from '@ticketing/contracts';
import { getLogger, KafkaService, OUTBOX_PENDING_FILTER, type OutboxMessage } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';

/** A document with an outbox as `withOutbox` shapes it, plus the claim of a relay round. */
export interface BatchOutboxDoc {
  _id: string;
  outbox: OutboxMessage[];
  outboxPending?: boolean;
  outboxLeaseUntil?: Date | null;
  outboxClaim?: string | null;
}

export interface BatchRelayOptions {
  /**
   * First idle poll (writers in this process nudge; the poll covers other replicas and crashed relays).
   * Each poll that finds nothing doubles the wait up to `maxPollMs`; a nudge or a publication resets it.
   */
  pollMs: number;
  /** Longest wait between two idle polls (bounds how late a crashed writer's message goes out). */
  maxPollMs: number;
  /** Nudges within this window start one round. */
  coalesceMs: number;
  /** Documents per round. */
  maxDocs: number;
  /** How long a claimed document stays reserved for this relay. */
  leaseMs: number;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Publishes the outboxes of one collection many documents per round, where the platform's `OutboxRelay`
 * claims, publishes and clears one document at a time (two writes and a Kafka request per document: at a
 * gate rush, one document per scan, that queue was the dashboard's lag). A round:
 * 1. reads up to `maxDocs` pending, unleased ids (an indexed equality on `outboxPending`, a read);
 * 2. claims them in one `updateMany` guarded by "still pending and unleased", stamping a fresh claim id and
 *    a lease, and reads back exactly the documents that carry this claim (another relay's round cannot
 *    hold them at the same time);
 * 3. publishes every message of every claimed document in one producer request (in document order, and
 *    each document's messages in order; all of one event's documents share its partition);
 * 4. clears them in one bulk write, each document guarded by "its outbox is still what went out" (first id
 *    and length); a document a writer appended to meanwhile (an exit or a return pushes onto a check-in
 *    record) has just its published prefix popped and its lease released, so the rest goes next round.
 * A crash anywhere leaves the messages (published or not) for the round after the lease lapses: at least
 * once, as before; the consumers de-duplicate by envelope id.
 */
export class BatchOutboxRelay {
  private readonly log = getLogger('outbox-batch');
  private running = false;
  private done?: Promise<void>;
  private wake?: () => void;
  private nudged = false;
  private coalescing?: NodeJS.Timeout;

  constructor(
    private readonly model: Model<BatchOutboxDoc>,
    private readonly kafka: KafkaService,
    private readonly options: BatchRelayOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.coalescing);
    this.coalescing = undefined;
    this.wake?.();
    await this.done;
  }

  nudge(): void {
    if (this.coalescing || !this.running) return;
    this.coalescing = setTimeout(() => {
      this.coalescing = undefined;
      this.nudged = true;
      this.wake?.();
    }, this.options.coalesceMs);
    this.coalescing.unref();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let idleWait = this.options.pollMs;
    while (this.running) {
      // A nudge (a write in this process) starts the idle backoff over.
      if (this.nudged) idleWait = this.options.pollMs;
      this.nudged = false;
      let published = 0;
      try {
        published = await this.round();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.log.warn(
          { collection: this.model.collection.collectionName, err: error, failures },
          'outbox round failed, will retry',
        );
      }
      if (!this.running) break;
      if (published > 0 || this.nudged) idleWait = this.options.pollMs;
      if (failures > 0) {
        await this.idle(Math.min(MAX_BACKOFF_MS, this.options.pollMs * 2 ** (failures - 1)), false);
      } else if (published < this.options.maxDocs && !this.nudged) {
        await this.idle(idleWait, true);
        idleWait = Math.min(this.options.maxPollMs, idleWait * 2);
      }
    }
  }

  private idle(ms: number, nudgeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wake = nudgeable ? finish : () => (this.running ? undefined : finish());
    });
  }

  /** One round; returns how many documents it published. */
  private async round(): Promise<number> {
    const now = new Date();
    const unleased = { $or: [{ outboxLeaseUntil: null }, { outboxLeaseUntil: { $lte: now } }] };
    const candidates = await this.model
      .find({ ...OUTBOX_PENDING_FILTER, ...unleased }, { _id: 1 })
      .limit(this.options.maxDocs)
      .lean<Array<{ _id: string }>>()
      .exec();
    if (candidates.length === 0) return 0;
    const ids = candidates.map((c) => c._id);
    const claim = randomUUID();
    const lease = new Date(now.getTime() + this.options.leaseMs);
    await this.model
      .updateMany(
        { _id: { $in: ids }, ...OUTBOX_PENDING_FILTER, ...unleased },
        { $set: { outboxLeaseUntil: lease, outboxClaim: claim } },
      )
      .exec();
    const docs = await this.model
      .find({ _id: { $in: ids }, outboxClaim: claim })
      .lean<BatchOutboxDoc[]>()
      .exec();
    if (docs.length === 0) return 0;
    const requests = docs.flatMap((doc) =>
      (doc.outbox ?? []).map((m) => ({
        topic: m.topic ?? this.kafka.topicOf(envelopeOf(m)),
        envelope: envelopeOf(m),
      })),
    );
    try {
      if (requests.length > 0) await this.kafka.publishAll(requests);
    } catch (error) {
      // Give them back after a short while rather than the whole lease.
      await this.model
        .updateMany(
          { _id: { $in: docs.map((d) => d._id) }, outboxClaim: claim },
          { $set: { outboxLeaseUntil: new Date(Date.now() + 2 * this.options.pollMs), outboxClaim: null } },
        )
        .exec()
        .catch(() => undefined);
      throw error;
    }
    await this.finish(docs, claim);
    return docs.length;
  }

  private async finish(docs: readonly BatchOutboxDoc[], claim: string): Promise<void> {
    await this.model.bulkWrite(
      docs.map((doc) => ({
        updateOne: {
          filter: {
            _id: doc._id,
            outboxClaim: claim,
            'outbox.0.id': doc.outbox[0]?.id,
            outbox: { $size: doc.outbox.length },
          },
          update: { $set: { outbox: [], outboxPending: false, outboxLeaseUntil: null, outboxClaim: null } },
        },
      })),
      { ordered: false },
    );
    // Still claimed: a writer appended after the claim. Pop what went out, release the rest.
    const appended = await this.model
      .find({ _id: { $in: docs.map((d) => d._id) }, outboxClaim: claim }, { _id: 1 })
      .lean<Array<{ _id: string }>>()
      .exec();
    for (const { _id } of appended) {
      const published = docs.find((d) => d._id === _id)!.outbox;
      for (const message of published) {
        await this.model.updateOne({ _id, 'outbox.0.id': message.id }, { $pop: { outbox: -1 } }).exec();
      }
      const cleared = await this.model
        .updateOne(
          { _id, outboxClaim: claim, outbox: { $size: 0 } },
          { $set: { outboxPending: false, outboxLeaseUntil: null, outboxClaim: null } },
        )
        .exec();
      if (cleared.matchedCount === 0) {
        await this.model
          .updateOne({ _id, outboxClaim: claim }, { $set: { outboxLeaseUntil: null, outboxClaim: null } })
          .exec();
        this.nudge();
      }
    }
  }
}

/** The envelope of an outbox entry (without `topic` and anything the driver added). */
function envelopeOf(message: OutboxMessage): Envelope {
  const { id, type, version, occurredAt, source, key, traceId, data } = message;
  return { id, type, version, occurredAt, source, key, traceId, data } as Envelope;
}
