import { dlqTopic, validateEnvelope } from '@ticketing/contracts';
import { KAFKA_HEADERS, type ServiceLogger } from '@ticketing/platform';
import { Kafka, logLevel, type Batch, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import type { SignalRecord } from './signals.service';

/** Records handed to one `onBatch` call at most (a long fetch, e.g. a rebuild from the beginning, is cut). */
const MAX_CHUNK = 500;
const MAX_RETRY_DELAY_MS = 5_000;

export interface SignalBatchConsumerOptions {
  brokers: string[];
  clientId: string;
  /** Topic and group prefix (`KAFKA_TOPIC_PREFIX`). */
  topicPrefix: string;
  /** Group id without the prefix. */
  groupId: string;
  /** Catalogue topic names. */
  topics: readonly string[];
  /** Folds a chunk of one partition's records, in offset order; a rejection retries the chunk. */
  onBatch: (records: SignalRecord[]) => Promise<void>;
  /** After a chunk was committed: the partition (wire topic) and the next offset to read. */
  onCommitted?: (topic: string, partition: number, nextOffset: number) => void;
  /** After a chunk was folded, before its commit: its wire topic and record count (the fault suite's crash hook). */
  afterFold?: (topic: string, records: number) => void;
  logger: ServiceLogger;
  fromBeginning?: boolean;
  /**
   * A group (without the prefix) that consumed these topics before: when this group has no committed offset
   * yet, it starts where that one stopped instead of at the beginning (an upgrade must not count twice what
   * the old group already counted).
   */
  inheritOffsetsFrom?: string;
  sessionTimeoutMs?: number;
  maxWaitTimeMs?: number;
}

/**
 * A consumer group member that hands the demand signals to pricing a Kafka batch at a time (the platform's
 * consumer calls its handler once per record, and each signal then cost its own writes). Per chunk of a
 * partition's batch: parse and validate every record (a bad one goes to `<topic>.dlq` at once, as the
 * platform does), fold the valid ones in one call, then commit the chunk's last offset + 1. A failed fold
 * is retried with backoff (heartbeating) until it succeeds or the consumer stops; nothing is committed
 * before its fold succeeded, so a crash redelivers and the fold's guards make that harmless.
 */
export class SignalBatchConsumer {
  readonly groupId: string;
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private producer?: Promise<Producer>;
  private readonly stopping = new AbortController();
  private stopped?: Promise<void>;

  constructor(private readonly options: SignalBatchConsumerOptions) {
    this.groupId = options.topicPrefix + options.groupId;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 1_000,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) =>
        options.logger.warn({ kafka: entry.log.message, namespace: entry.namespace }, 'kafkajs'),
    });
    const sessionTimeout = options.sessionTimeoutMs ?? 15_000;
    this.consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout,
      rebalanceTimeout: sessionTimeout,
      heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 5)),
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 5_000,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
  }

  /** Joins the group and starts fetching. */
  async start(): Promise<void> {
    if (this.options.inheritOffsetsFrom) await this.inheritOffsets(this.options.inheritOffsetsFrom);
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((t) => this.options.topicPrefix + t),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Copies the committed offsets of `from` to this group when this group has none on any of its topics. */
  private async inheritOffsets(from: string): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = this.options.topics.map((t) => this.options.topicPrefix + t);
      const committed = (groupId: string) => admin.fetchOffsets({ groupId, topics });
      const own = await committed(this.groupId);
      if (own.some((t) => t.partitions.some((p) => Number(p.offset) >= 0))) return;
      for (const { topic, partitions } of await committed(this.options.topicPrefix + from)) {
        const known = partitions.filter((p) => Number(p.offset) >= 0);
        if (known.length === 0) continue;
        await admin.setOffsets({
          groupId: this.groupId,
          topic,
          partitions: known.map((p) => ({ partition: p.partition, offset: p.offset })),
        });
        this.options.logger.info({ topic, from, partitions: known.length }, 'signal offsets inherited');
      }
    } catch (error) {
      // Another replica joined first (the group is not empty): it inherited them already.
      this.options.logger.warn({ err: error, from }, 'could not inherit signal offsets');
    } finally {
      await admin.disconnect();
    }
  }

  /** Stops fetching, lets the chunk in progress finish and commit, leaves the group. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      await this.consumer.disconnect();
      const producer = this.producer;
      this.producer = undefined;
      await producer?.then((p) => p.disconnect()).catch(() => undefined);
    })();
    return this.stopped;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (let start = 0; start < batch.messages.length; start += MAX_CHUNK) {
      if (!payload.isRunning() || payload.isStale() || this.stopping.signal.aborted) return;
      const chunk = batch.messages.slice(start, start + MAX_CHUNK);
      const records: SignalRecord[] = [];
      for (const message of chunk) {
        const position = { topic: batch.topic, partition: batch.partition, offset: Number(message.offset) };
        try {
          const raw: unknown = JSON.parse(message.value?.toString('utf8') ?? '');
          records.push({ envelope: validateEnvelope(raw), position });
        } catch (error) {
          if (!(await this.deadLetter(batch, message, error))) return;
        }
      }
      if (!(await this.foldUntilDone(records, payload))) return;
      this.options.afterFold?.(batch.topic, records.length);
      const last = chunk[chunk.length - 1].offset;
      const next = Number(last) + 1;
      payload.resolveOffset(last);
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(next) }] }],
      });
      this.options.onCommitted?.(batch.topic, batch.partition, next);
      await payload.heartbeat();
    }
  }

  /** Runs the fold until it succeeds (true), or until the consumer stops or loses the partition (false). */
  private async foldUntilDone(records: SignalRecord[], payload: EachBatchPayload): Promise<boolean> {
    if (records.length === 0) return true;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.options.onBatch(records);
        return true;
      } catch (error) {
        this.options.logger.warn(
          { err: error, attempt, records: records.length },
          'demand fold failed, retrying',
        );
        await sleep(Math.min(MAX_RETRY_DELAY_MS, 200 * 2 ** (attempt - 1)), this.stopping.signal);
        if (this.stopping.signal.aborted || !payload.isRunning() || payload.isStale()) return false;
        await payload.heartbeat();
      }
    }
  }

  /** Sends an unreadable record to `<topic>.dlq` (retrying while the broker is away); false when stopping. */
  private async deadLetter(
    batch: Batch,
    message: Batch['messages'][number],
    error: unknown,
  ): Promise<boolean> {
    const logical = batch.topic.startsWith(this.options.topicPrefix)
      ? batch.topic.slice(this.options.topicPrefix.length)
      : batch.topic;
    const reason = error instanceof Error ? error.message : String(error);
    const headers = {
      ...(message.headers ?? {}),
      [KAFKA_HEADERS.dlqError]: `invalid: ${reason}`.slice(0, 2_000),
      [KAFKA_HEADERS.dlqAttempts]: '0',
      [KAFKA_HEADERS.dlqOriginalTopic]: batch.topic,
      [KAFKA_HEADERS.dlqOriginalPartition]: String(batch.partition),
      [KAFKA_HEADERS.dlqOriginalOffset]: message.offset,
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.producer ??= (async () => {
          const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
          await producer.connect();
          return producer;
        })();
        await (
          await this.producer
        ).send({
          topic: this.options.topicPrefix + dlqTopic(logical),
          acks: -1,
          messages: [{ key: message.key, value: message.value, headers }],
        });
        this.options.logger.error(
          { topic: batch.topic, partition: batch.partition, offset: message.offset, error: reason },
          'Invalid demand signal dead-lettered',
        );
        return true;
      } catch (err) {
        this.producer = undefined;
        this.options.logger.warn({ err, attempt }, 'dead-letter publish failed, retrying');
        await sleep(Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** attempt), this.stopping.signal);
        if (this.stopping.signal.aborted) return false;
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
