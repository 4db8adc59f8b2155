import { dlqTopic, type EventEnvelope } from '@ticketing/contracts';
import type { Batch, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { backoffDelay, sleep } from './backoff';
import { decodeEnvelope, errorMessage, toDeadLetter } from './kafka-message.codec';
import type { SerialProducer } from './kafka-producer';
import type { KafkaLogger } from './kafka.logger';
import type { KafkaMetrics } from './kafka.metrics';
import type { ProcessedMessageStore } from './processed-messages.store';
import { DEFAULT_FETCH_WAIT_MS } from './kafka.options';

/** What a handler learns about the record besides the envelope. */
export interface ConsumeContext {
  /** Catalogue topic name (without the test prefix). */
  topic: string;
  partition: number;
  offset: string;
  /** 1 on the first try. */
  attempt: number;
  headers: IHeaders;
}

export type EnvelopeHandler = (envelope: EventEnvelope, ctx: ConsumeContext) => Promise<void> | void;

export interface ConsumeOptions {
  /** Consumer group (the topic prefix is prepended). */
  groupId: string;
  /** Catalogue topic names (the topic prefix is prepended). */
  topics: readonly string[];
  handler: EnvelopeHandler;
  /** Handler attempts before the message goes to `<topic>.dlq`. Default 3. */
  maxAttempts?: number;
  /** First retry delay; doubles each retry. Default 200 ms. */
  backoffMs?: number;
  /** Where a group without committed offsets starts. Default true. */
  fromBeginning?: boolean;
  /** Partitions handled in parallel (order is kept within each partition). Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Group membership timings; the defaults suit both services and tests. */
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Longest time the broker holds a fetch that finds nothing. It does not delay delivery (the broker answers
   * as soon as a record arrives); it sets how many empty fetches an idle consumer makes, each costing CPU in
   * kafkajs and the broker, and how long `stop()` or a rebalance may wait for the fetch in flight. Default:
   * the process's `KAFKA_FETCH_WAIT_MS` (5 s, kafkajs's own default).
   */
  maxWaitTimeMs?: number;
  /**
   * On `stop()`, how long the in-flight handler may still run. Past it the record is left uncommitted
   * (the next member of the group gets it again) and the consumer leaves, so a hung handler cannot hold
   * shutdown beyond the pod's grace period. Default 10 s.
   */
  stopGraceMs?: number;
}

/** A running consumer; `stop()` finishes the in-flight message, commits and leaves the group. */
export interface ConsumerHandle {
  /** The group id as used on the broker (prefixed). */
  readonly groupId: string;
  stop(): Promise<void>;
}

export interface ConsumerDeps {
  kafka: Kafka;
  producer: SerialProducer;
  store: ProcessedMessageStore;
  metrics: KafkaMetrics;
  logger: KafkaLogger;
  topicPrefix: string;
  /** Default empty-fetch wait (`options.maxWaitTimeMs` overrides it). */
  fetchWaitMs?: number;
  runWithTrace: <T>(traceId: string, fn: () => T) => T;
  /** Called once when `stop()` begins. */
  onStop?: (consumer: ManagedConsumer) => void;
  /** Called after a handler succeeded, before the record is marked and committed (the test-only crash hook). */
  afterWrite?: (topic: string) => void;
}

type Outcome = 'committed' | 'abandoned';

/** A store or handler wait that ended because the consumer is stopping (or lost its partition). */
const ABANDONED = Symbol('abandoned');

/**
 * One consumer group member. Offsets are committed by hand, one record at a time, only after the record
 * was handled, found to be a duplicate, or dead-lettered: a crash at any point re-delivers, never skips.
 */
export class ManagedConsumer implements ConsumerHandle {
  readonly groupId: string;
  private readonly consumer: Consumer;
  private readonly stopping = new AbortController();
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly stopGraceMs: number;
  private stopped?: Promise<void>;

  constructor(
    private readonly deps: ConsumerDeps,
    private readonly options: ConsumeOptions,
  ) {
    if (options.topics.length === 0) throw new Error('consume() needs at least one topic');
    this.groupId = deps.topicPrefix + options.groupId;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.backoffMs = options.backoffMs ?? 200;
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
    const sessionTimeout = options.sessionTimeoutMs ?? 15_000;
    this.consumer = deps.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout,
      rebalanceTimeout: options.rebalanceTimeoutMs ?? sessionTimeout,
      heartbeatInterval: options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeout / 5)),
      maxWaitTimeInMs: options.maxWaitTimeMs ?? deps.fetchWaitMs ?? DEFAULT_FETCH_WAIT_MS,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      deps.logger.error(
        { group: this.groupId, err: payload.error, restart: payload.restart },
        'Kafka consumer crashed',
      );
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((t) => this.deps.topicPrefix + t),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      this.deps.onStop?.(this);
      // disconnect() stops fetching, waits for the batch in progress (which ends after its current
      // record is committed), leaves the group and closes the connections.
      await this.consumer.disconnect();
    })();
    return this.stopped;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.stopping.signal.aborted) break;
      const outcome = await this.process(batch, message, payload);
      if (outcome === 'abandoned') break;
      const next = (BigInt(message.offset) + 1n).toString();
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
      });
      this.recordLag(batch, next);
      await heartbeat();
    }
  }

  private async process(batch: Batch, message: KafkaMessage, payload: EachBatchPayload): Promise<Outcome> {
    const topic = this.logicalTopic(batch.topic);
    const labels = { group: this.groupId, topic };
    const where = { topic: batch.topic, partition: batch.partition, offset: message.offset };

    const decoded = decodeEnvelope(message.value);
    if (!decoded.ok) {
      this.deps.logger.warn(
        { ...labels, ...where, error: decoded.error },
        'Invalid Kafka message, dead-lettering',
      );
      return this.deadLetter(batch, message, { error: decoded.error, attempts: 0, reason: 'invalid' });
    }
    const envelope = decoded.envelope;

    // The idempotency store is infrastructure: while it is down the record waits (retried with
    // backoff, heartbeating); its failures never count as handler attempts or send anything to the DLQ.
    const seen = await this.retryStore('idempotency check', payload, () =>
      this.deps.store.has(this.groupId, envelope.id),
    );
    if (seen === ABANDONED) return 'abandoned';
    if (seen) {
      this.deps.metrics.consumed.inc({ ...labels, outcome: 'duplicate' });
      return 'committed';
    }

    let lastError: unknown;
    let succeeded = false;
    for (let attempt = 1; attempt <= this.maxAttempts && !succeeded; attempt++) {
      if (attempt > 1) {
        await sleep(backoffDelay(attempt - 1, this.backoffMs), this.stopping.signal);
        // Shutting down mid-retry: leave the record uncommitted; the next member of the group retries it.
        if (this.stopping.signal.aborted || !payload.isRunning()) return 'abandoned';
        await payload.heartbeat();
      }
      const ctx: ConsumeContext = {
        topic,
        partition: batch.partition,
        offset: message.offset,
        attempt,
        headers: message.headers ?? {},
      };
      try {
        const handled = await this.untilStopGrace(
          Promise.resolve(
            this.deps.runWithTrace(envelope.traceId, () => this.options.handler(envelope, ctx)),
          ),
        );
        if (handled === ABANDONED) {
          this.deps.logger.warn(
            { ...labels, ...where, eventId: envelope.id, stopGraceMs: this.stopGraceMs },
            'Kafka handler still running at shutdown; leaving the record uncommitted',
          );
          return 'abandoned';
        }
        succeeded = true;
      } catch (err) {
        lastError = err;
        this.deps.metrics.failures.inc(labels);
        this.deps.logger.warn(
          {
            ...labels,
            ...where,
            eventId: envelope.id,
            eventType: envelope.type,
            traceId: envelope.traceId,
            attempt,
            err,
          },
          'Kafka handler failed',
        );
      }
    }
    if (!succeeded) {
      return this.deadLetter(batch, message, {
        error: errorMessage(lastError),
        attempts: this.maxAttempts,
        reason: 'failed',
        traceId: envelope.traceId,
      });
    }

    this.deps.afterWrite?.(topic);
    // Handled: remember it. If the store stays down until shutdown, the record stays uncommitted and is
    // handled again later (handlers are idempotent) — never dead-lettered for a store outage.
    const marked = await this.retryStore('idempotency write', payload, async () => {
      await this.deps.store.mark(this.groupId, envelope.id);
      return true;
    });
    if (marked === ABANDONED) return 'abandoned';
    this.deps.metrics.consumed.inc({ ...labels, outcome: 'processed' });
    return 'committed';
  }

  /** Runs a processed-messages store call until it succeeds, or until the consumer stops. */
  private async retryStore<T>(
    what: string,
    payload: EachBatchPayload,
    call: () => Promise<T>,
  ): Promise<T | typeof ABANDONED> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        this.deps.logger.warn({ group: this.groupId, attempt, err }, `Kafka ${what} failed, retrying`);
        await sleep(backoffDelay(attempt, 250, 5_000), this.stopping.signal);
        if (this.stopping.signal.aborted || !payload.isRunning() || payload.isStale()) return ABANDONED;
        await payload.heartbeat();
      }
    }
  }

  /** The handler's outcome, or ABANDONED when the consumer has been stopping for `stopGraceMs`. */
  private untilStopGrace<T>(work: Promise<T>): Promise<T | typeof ABANDONED> {
    const signal = this.stopping.signal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const grace = new Promise<typeof ABANDONED>((resolve) => {
      const arm = () => {
        timer = setTimeout(() => resolve(ABANDONED), this.stopGraceMs);
        timer.unref();
      };
      if (signal.aborted) arm();
      else {
        onAbort = arm;
        signal.addEventListener('abort', arm, { once: true });
      }
    });
    return Promise.race([work, grace]).finally(() => {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    });
  }

  /** Publishes to `<topic>.dlq`, retrying while the broker is away; gives up only when shutting down. */
  private async deadLetter(
    batch: Batch,
    message: KafkaMessage,
    failure: { error: string; attempts: number; reason: 'invalid' | 'failed'; traceId?: string },
  ): Promise<Outcome> {
    const topic = this.logicalTopic(batch.topic);
    const record = {
      topic: this.deps.topicPrefix + dlqTopic(topic),
      message: toDeadLetter(message, {
        error: failure.error,
        attempts: failure.attempts,
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        traceId: failure.traceId,
      }),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.producer.send([record]);
        this.deps.metrics.dlq.inc({ group: this.groupId, topic, reason: failure.reason });
        this.deps.metrics.consumed.inc({ group: this.groupId, topic, outcome: 'dead_lettered' });
        this.deps.logger.error(
          {
            group: this.groupId,
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            error: failure.error,
            attempts: failure.attempts,
          },
          'Kafka message dead-lettered',
        );
        return 'committed';
      } catch (err) {
        this.deps.logger.warn(
          { group: this.groupId, dlq: record.topic, attempt, err },
          'Dead-letter publish failed, retrying',
        );
        await sleep(backoffDelay(attempt, 250, 5_000), this.stopping.signal);
        if (this.stopping.signal.aborted) return 'abandoned';
      }
    }
  }

  private recordLag(batch: Batch, nextOffset: string): void {
    const lag = Number(BigInt(batch.highWatermark) - BigInt(nextOffset));
    this.deps.metrics.lag.set(
      { group: this.groupId, topic: this.logicalTopic(batch.topic), partition: String(batch.partition) },
      Math.max(0, lag),
    );
  }

  private logicalTopic(wireTopic: string): string {
    const prefix = this.deps.topicPrefix;
    return prefix && wireTopic.startsWith(prefix) ? wireTopic.slice(prefix.length) : wireTopic;
  }
}
