import { EVENT_TYPES, type Envelope } from '@ticketing/contracts';
import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Connection } from 'mongoose';
import { getLogger, runWithTrace } from '../logging';
import { RedisService } from '../redis';
import { withTimeout } from '../common/with-timeout';
import { CrashAfterWriteHook, crashAfterWriteFromEnv } from './fault-hook';
import { ManagedConsumer, type ConsumeOptions, type ConsumerHandle } from './kafka-consumer';
import { toKafkaMessage } from './kafka-message.codec';
import { applyKafkajsIdleFix } from './kafkajs-idle-fix';
import { SerialProducer, type OutgoingRecord } from './kafka-producer';
import { kafkaLogCreator, type KafkaLogger } from './kafka.logger';
import { kafkaMetrics, type KafkaMetrics } from './kafka.metrics';
import { DEFAULT_FETCH_WAIT_MS, KAFKA_OPTIONS, type KafkaOptions } from './kafka.options';
import {
  MongoProcessedMessageStore,
  RedisProcessedMessageStore,
  type ProcessedMessageStore,
} from './processed-messages.store';

/** A message bound for a catalogue topic (the prefix is added on the way out). */
export interface PublishRequest {
  topic: string;
  envelope: Envelope;
}

/** How long `processed_messages` entries are kept; redeliveries older than this are not expected. */
const PROCESSED_RETENTION_MS = 14 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;

/**
 * Publishing and consuming for a service. One idempotent producer per process (lazy), one kafkajs
 * consumer per `consume()` call. See the package README (section Kafka) for the contract.
 */
@Injectable()
export class KafkaService implements BeforeApplicationShutdown, OnApplicationShutdown {
  readonly topicPrefix: string;
  /** Empty-fetch wait for every consumer of this process (`KAFKA_FETCH_WAIT_MS`); services' own consumers use it too. */
  readonly fetchWaitMs: number;
  private readonly kafka: Kafka;
  private readonly producer: SerialProducer;
  private readonly consumers = new Set<ManagedConsumer>();
  private readonly logger: KafkaLogger;
  private readonly metrics: KafkaMetrics;
  private readonly requestTimeoutMs: number;
  private store?: ProcessedMessageStore;
  private admin?: Promise<Admin>;
  private pruneTimer?: NodeJS.Timeout;
  private closed = false;
  /** Test-only (tests/faults): FAULT_CRASH_AFTER_WRITE; refused in production (the constructor throws). */
  private readonly crashHook = new CrashAfterWriteHook(crashAfterWriteFromEnv());

  constructor(
    @Inject(KAFKA_OPTIONS) options: KafkaOptions,
    @Optional() @InjectConnection() private readonly connection?: Connection,
    @Optional() private readonly redis?: RedisService,
  ) {
    this.topicPrefix = options.topicPrefix;
    this.fetchWaitMs = options.fetchWaitMs ?? DEFAULT_FETCH_WAIT_MS;
    this.logger = getLogger('kafka');
    this.metrics = kafkaMetrics();
    const connectionTimeout = options.connectionTimeoutMs ?? 1_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    applyKafkajsIdleFix();
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout,
      requestTimeout: this.requestTimeoutMs,
      // Bounded, quick retries for connecting (producer, admin): an unreachable broker fails a publish or
      // a readiness check within about a second instead of retrying in the background for many seconds.
      // Consumers set their own, more patient, retry policy.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(this.logger),
    });
    this.producer = new SerialProducer(this.kafka, {
      connectionTimeoutMs: connectionTimeout,
      requestTimeoutMs: this.requestTimeoutMs,
    });
  }

  /** Publishes one envelope to a catalogue topic; resolves once all in-sync replicas have it. */
  publish(topic: string, envelope: Envelope): Promise<void> {
    return this.publishAll([{ topic, envelope }]);
  }

  /** Publishes to the topic the contract registry assigns to `envelope.type`. */
  publishEvent(envelope: Envelope): Promise<void> {
    return this.publish(this.topicOf(envelope), envelope);
  }

  /**
   * Publishes several envelopes in one request, in order (the outbox relay uses this). All or none are
   * acknowledged; on failure some may still have been written, so a retry can duplicate (consumers are
   * idempotent by envelope id).
   */
  async publishAll(requests: readonly PublishRequest[]): Promise<void> {
    const records: OutgoingRecord[] = requests.map((r) => ({
      topic: this.topicPrefix + r.topic,
      message: toKafkaMessage(r.envelope),
    }));
    try {
      await this.producer.send(records);
    } catch (err) {
      for (const r of requests) this.metrics.published.inc({ topic: r.topic, outcome: 'error' });
      throw err;
    }
    for (const r of requests) this.metrics.published.inc({ topic: r.topic, outcome: 'ok' });
  }

  /** The catalogue topic of an envelope's type. */
  topicOf(envelope: Envelope): string {
    const entry = (EVENT_TYPES as Record<string, { topic: string } | undefined>)[envelope.type];
    if (!entry) throw new Error(`Unknown event type "${envelope.type}": no topic in the contracts registry`);
    return entry.topic;
  }

  /**
   * Test-only crash hook (FAULT_CRASH_AFTER_WRITE, tests/faults) for consumers a service runs on its own
   * (batch folds): call it once per record of `topic` (logical name) after the records' writes are done and
   * before their offsets are committed. A no-op unless the variable names the topic.
   */
  afterWrite(topic: string, records = 1): void {
    for (let i = 0; i < records; i++) this.crashHook.afterWrite(topic);
  }

  /**
   * Starts a consumer group member; resolves once it has joined the group. Records are validated,
   * de-duplicated by envelope id, handled with retries and dead-lettered after `maxAttempts`.
   */
  async consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    if (this.closed) throw new Error('KafkaService is shut down');
    const consumer = new ManagedConsumer(
      {
        kafka: this.kafka,
        producer: this.producer,
        store: this.processedStore(),
        metrics: this.metrics,
        logger: this.logger,
        topicPrefix: this.topicPrefix,
        fetchWaitMs: this.fetchWaitMs,
        runWithTrace,
        onStop: (c) => this.consumers.delete(c),
        afterWrite: (topic) => this.crashHook.afterWrite(topic),
      },
      options,
    );
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (err) {
      await consumer.stop().catch(() => undefined);
      throw err;
    }
    this.schedulePrune();
    return consumer;
  }

  /** Readiness: the broker answers a metadata request within a second. */
  async ping(timeoutMs = 1_000): Promise<void> {
    try {
      const admin = await withTimeout(this.connectedAdmin(), timeoutMs, 'Kafka admin connect timed out');
      await withTimeout(admin.describeCluster(), timeoutMs, 'Kafka describeCluster timed out');
    } catch (err) {
      const admin = this.admin;
      this.admin = undefined;
      void admin?.then((a) => a.disconnect()).catch(() => undefined);
      throw err;
    }
  }

  /** Stops every consumer: each finishes and commits its in-flight record, then leaves its group. */
  async stopConsumers(): Promise<void> {
    clearInterval(this.pruneTimer);
    await Promise.all([...this.consumers].map((c) => c.stop()));
  }

  /** Stops consumers, flushes pending publishes and disconnects everything. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stopConsumers();
    await this.producer.close();
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Consumers go first, while Mongo and the producer (needed for dead letters) are still up.
    await this.stopConsumers();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private connectedAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  private processedStore(): ProcessedMessageStore {
    if (this.store) return this.store;
    if (this.connection) this.store = new MongoProcessedMessageStore(this.connection);
    else if (this.redis) this.store = new RedisProcessedMessageStore(this.redis);
    else
      throw new Error(
        'KafkaService.consume() needs MongoDB (processed_messages) or Redis for idempotency; enable one in PlatformModule',
      );
    return this.store;
  }

  private schedulePrune(): void {
    if (this.pruneTimer) return;
    this.pruneTimer = setInterval(() => {
      this.store
        ?.prune(new Date(Date.now() - PROCESSED_RETENTION_MS))
        .catch((err) => this.logger.warn({ err }, 'processed_messages prune failed'));
    }, PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }
}
