import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Model } from 'mongoose';
import { getLogger } from '../../logging';
import { backoffDelay } from '../backoff';
import type { KafkaLogger } from '../kafka.logger';
import { kafkaMetrics } from '../kafka.metrics';
import { KafkaService } from '../kafka.service';
import {
  OUTBOX_PENDING_FILTER,
  outboxEnvelope,
  type OutboxFields,
  type OutboxMessage,
} from './outbox.schema';

export interface OutboxRegistrationOptions {
  /** Topic of a message; default: its `topic` field, else the contracts registry for its type. */
  topicFor?(message: OutboxMessage): string;
  /**
   * First poll period once idle. Each poll that finds nothing doubles the wait, up to `maxPollMs`; a nudge or
   * a publication brings it back here. Default 250 ms.
   */
  pollMs?: number;
  /** Longest wait between two polls when idle (bounds how late another replica's message goes out). Default 5 s. */
  maxPollMs?: number;
  /**
   * Nudges within this window wake the loop once (one relay round per burst of writes instead of one per
   * write, each round ending with a claim that finds nothing), for at most this much publication delay.
   * Default 0: every nudge wakes the loop at once.
   */
  nudgeCoalesceMs?: number;
  /** How long a claimed document stays reserved for this relay. Default 30 s. */
  leaseMs?: number;
  /** How often the `outbox_pending` gauge is refreshed. Default 5 s. */
  gaugeEveryMs?: number;
}

/** A registered model's loop; `stop()` lets the round in progress finish. */
export interface OutboxRegistration {
  readonly collection: string;
  nudge(): void;
  stop(): Promise<void>;
}

/** Documents claimed per round before the loop checks for stop/nudges again. */
const MAX_DOCS_PER_ROUND = 100;
const MAX_BACKOFF_MS = 10_000;
/** Documents whose failed attempts are remembered (a bound on memory, not a limit on anything else). */
const MAX_TRACKED_FAILURES = 10_000;

type OutboxDoc = OutboxFields & { _id: unknown };

/**
 * Publishes what aggregates put in their `outbox` (see `withOutbox`/`appendOutbox`). For each registered
 * model a loop claims one pending document at a time with a lease, publishes its messages in order,
 * then removes exactly those entries from the front of the array. A crash or broker outage leaves the
 * messages in place for a later round (after the lease lapses), so publication is at-least-once; consumers
 * de-duplicate by id. A document whose publication fails keeps a lease that grows with its own failures, so
 * one that can never go out (a message the broker refuses) is retried less and less often and never holds
 * back the documents behind it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loops = new Set<OutboxLoop>();
  private readonly logger: KafkaLogger = getLogger('outbox');
  private started = false;

  constructor(private readonly kafka: KafkaService) {}

  /** Adds a model; its loop starts with the application (or at once when already started). */
  register<T extends OutboxFields>(
    model: Model<T>,
    options: OutboxRegistrationOptions = {},
  ): OutboxRegistration {
    const loop = new OutboxLoop(model as unknown as Model<OutboxDoc>, this.kafka, this.logger, options, (l) =>
      this.loops.delete(l),
    );
    this.loops.add(loop);
    if (this.started) loop.start();
    return loop;
  }

  /** Publish now instead of at the next poll (call after writing an outbox). */
  nudge(): void {
    for (const loop of this.loops) loop.nudge();
  }

  start(): void {
    this.started = true;
    for (const loop of this.loops) loop.start();
  }

  /** Stops every loop after its current round. */
  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.loops].map((l) => l.halt()));
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}

class OutboxLoop implements OutboxRegistration {
  readonly collection: string;
  private running = false;
  private done?: Promise<void>;
  private wake?: () => void;
  private nudgeable = false;
  private nudged = false;
  private coalescing?: NodeJS.Timeout;
  private lastGauge = 0;
  /** Failed publication attempts per document id, forgotten once it goes out. */
  private readonly failedAttempts = new Map<string, number>();
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly leaseMs: number;
  private readonly gaugeEveryMs: number;
  private readonly metrics = kafkaMetrics();

  constructor(
    private readonly model: Model<OutboxDoc>,
    private readonly kafka: KafkaService,
    private readonly logger: KafkaLogger,
    private readonly options: OutboxRegistrationOptions,
    private readonly onRemove: (loop: OutboxLoop) => void,
  ) {
    this.collection = model.collection.collectionName;
    this.pollMs = options.pollMs ?? 250;
    this.maxPollMs = Math.max(this.pollMs, options.maxPollMs ?? 5_000);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.gaugeEveryMs = options.gaugeEveryMs ?? 5_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
  }

  nudge(): void {
    const coalesceMs = this.options.nudgeCoalesceMs ?? 0;
    if (coalesceMs <= 0) return this.wakeNow();
    if (this.coalescing) return;
    this.coalescing = setTimeout(() => {
      this.coalescing = undefined;
      this.wakeNow();
    }, coalesceMs);
    this.coalescing.unref();
  }

  private wakeNow(): void {
    this.nudged = true;
    if (this.nudgeable) this.wake?.();
  }

  /** Pauses the loop (the relay may start it again). */
  async halt(): Promise<void> {
    this.running = false;
    clearTimeout(this.coalescing);
    this.coalescing = undefined;
    this.wake?.();
    await this.done;
  }

  /** Unregisters for good. */
  async stop(): Promise<void> {
    this.onRemove(this);
    await this.halt();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let idleWait = this.pollMs;
    while (this.running) {
      let published = 0;
      const nudged = this.nudged;
      try {
        this.nudged = false;
        published = await this.drainRound();
        failures = 0;
      } catch (err) {
        failures += 1;
        this.logger.warn({ collection: this.collection, err, failures }, 'Outbox publish failed, will retry');
      }
      await this.refreshGauge().catch(() => undefined);
      if (!this.running) break;
      // After a failure back off (nudges do not cut it short). When idle, wait for a nudge or poll, each
      // empty poll waiting twice as long as the last (up to maxPollMs): polls only cover other replicas'
      // writes and crashed relays, while this process's writers nudge.
      if (published > 0 || nudged) idleWait = this.pollMs;
      if (failures > 0) await this.idle(backoffDelay(failures, this.pollMs, MAX_BACKOFF_MS), false);
      else if (published === 0 && !this.nudged) {
        await this.idle(idleWait, true);
        idleWait = Math.min(this.maxPollMs, idleWait * 2);
      }
    }
  }

  /** Waits `ms`, or less when stopped (or nudged, if `nudgeable`). */
  private idle(ms: number, nudgeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.nudgeable = false;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wake = finish;
      this.nudgeable = nudgeable;
    });
  }

  /** Claims and publishes pending documents; returns how many messages went out. Throws when Kafka fails. */
  private async drainRound(): Promise<number> {
    let published = 0;
    for (let i = 0; i < MAX_DOCS_PER_ROUND && this.running; i++) {
      const claimed = await this.claim();
      if (!claimed) break;
      published += await this.publishClaimed(claimed.doc, claimed.lease);
    }
    return published;
  }

  private async claim(): Promise<{ doc: OutboxDoc; lease: Date } | null> {
    const now = new Date();
    const lease = new Date(now.getTime() + this.leaseMs);
    const doc = await this.model
      .findOneAndUpdate(
        { ...OUTBOX_PENDING_FILTER, $or: [{ outboxLeaseUntil: null }, { outboxLeaseUntil: { $lte: now } }] },
        { $set: { outboxLeaseUntil: lease } },
        { returnDocument: 'after' },
      )
      .lean<OutboxDoc>()
      .exec();
    return doc ? { doc, lease } : null;
  }

  private async publishClaimed(doc: OutboxDoc, lease: Date): Promise<number> {
    const messages = doc.outbox ?? [];
    let requests;
    try {
      requests = messages.map((m) => ({ topic: this.topicFor(m), envelope: outboxEnvelope(m) }));
    } catch (err) {
      // A message no topic can be found for: keep the lease so it is retried only after it lapses,
      // and let the other documents through.
      this.logger.error(
        { collection: this.collection, docId: String(doc._id), err },
        'Outbox message has no topic',
      );
      return 0;
    }
    const key = String(doc._id);
    try {
      await this.kafka.publishAll(requests);
    } catch (err) {
      // Retry this document after its own backoff, beyond the loop's next wake-up (the loop backs off from
      // the same count), so the next round reaches the documents behind it: during an outage they fail too
      // and the loop backs off; when only this one is refused they go out.
      const attempts = (this.failedAttempts.get(key) ?? 0) + 1;
      if (this.failedAttempts.size >= MAX_TRACKED_FAILURES) this.failedAttempts.clear();
      this.failedAttempts.set(key, attempts);
      const retryMs = Math.min(this.leaseMs, 2 * backoffDelay(attempts, this.pollMs, MAX_BACKOFF_MS));
      this.logger.warn(
        { collection: this.collection, docId: key, attempts, retryMs },
        'Outbox document not published',
      );
      await this.model
        .updateOne(
          { _id: doc._id, outboxLeaseUntil: lease },
          { $set: { outboxLeaseUntil: new Date(Date.now() + retryMs) } },
        )
        .exec()
        .catch(() => undefined);
      throw err;
    }
    this.failedAttempts.delete(key);
    await this.finish(doc._id, messages, lease);
    return messages.length;
  }

  /**
   * Takes the published messages off the document and, when nothing else is waiting, clears its marker and
   * lease. Common case, one write: the outbox still holds exactly what went out (writers only append and only
   * relays remove a prefix, so "same first id and same length" means "the same messages"). Otherwise (a
   * writer appended meanwhile, or another relay got there first) the published prefix is popped one by one,
   * and the marker is cleared only if the outbox is then empty.
   */
  private async finish(id: unknown, messages: readonly OutboxMessage[], lease: Date): Promise<void> {
    const emptied = await this.model
      .updateOne(
        { _id: id, 'outbox.0.id': messages[0]?.id, outbox: { $size: messages.length } },
        { $set: { outbox: [], outboxPending: false, outboxLeaseUntil: null } },
      )
      .exec();
    if (emptied.matchedCount === 1) return;
    await this.removePublished(id, messages);
    const cleared = await this.model
      .updateOne(
        { _id: id, outbox: { $size: 0 } },
        { $set: { outboxPending: false, outboxLeaseUntil: null } },
      )
      .exec();
    if (cleared.matchedCount === 0) {
      await this.model
        .updateOne({ _id: id, outboxLeaseUntil: lease }, { $set: { outboxLeaseUntil: null } })
        .exec();
    }
  }

  /**
   * Removes the published messages from the front of the outbox. Writers only append (`$push`) and only
   * the relay removes, so what was published is still a prefix: each step pops the first entry if, and
   * only if, it is the expected id — safe even if a relay whose lease lapsed got there first. (A single
   * `$pull: {outbox: {id: {$in: ids}}}` would be one round trip, but the MongoDB-compatible server used
   * locally ignores `$pull` conditions on sub-document fields, so it would remove nothing there.) Only the
   * uncommon path of `finish` gets here.
   */
  private async removePublished(id: unknown, messages: readonly OutboxMessage[]): Promise<void> {
    for (const message of messages) {
      // No match: another relay already removed this one; the next may still be ours to remove.
      await this.model.updateOne({ _id: id, 'outbox.0.id': message.id }, { $pop: { outbox: -1 } }).exec();
    }
  }

  private topicFor(message: OutboxMessage): string {
    return this.options.topicFor?.(message) ?? message.topic ?? this.kafka.topicOf(outboxEnvelope(message));
  }

  private async refreshGauge(): Promise<void> {
    if (Date.now() - this.lastGauge < this.gaugeEveryMs) return;
    this.lastGauge = Date.now();
    const [row] = await this.model
      .aggregate<{ n: number }>([{ $match: OUTBOX_PENDING_FILTER }, { $unwind: '$outbox' }, { $count: 'n' }])
      .exec();
    this.metrics.outboxPending.set({ collection: this.collection }, row?.n ?? 0);
  }
}
