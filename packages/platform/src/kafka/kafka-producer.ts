import {
  CompressionTypes,
  Partitioners,
  type Kafka,
  type Message,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import { withTimeout } from '../common/with-timeout';

/** One record bound for one (already prefixed) topic. */
export interface OutgoingRecord {
  topic: string;
  message: Message;
}

interface Pending {
  records: OutgoingRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Most records put in one produce request when callers pile up behind a slow one. */
const MAX_RECORDS_PER_REQUEST = 500;

export interface SerialProducerOptions {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * The idempotent producer behind `KafkaService.publish`.
 *
 * - kafkajs' idempotent producer only keeps sequence numbers consistent with one request in flight, so
 *   sends go out one request at a time. Callers that arrive while a request is in flight are coalesced
 *   into the next request (no linger timer: a lone message leaves at once, a burst shares a request).
 * - Order is kept: records of one `send` call, and of successive calls, reach each partition in order.
 * - It connects on first use. Retries are bounded so a broker outage fails the send in about a second
 *   (the outbox then retries later); after any failure the producer is discarded and the next send builds
 *   a fresh one with a new producer id, so a half-acknowledged request can never make the broker drop a
 *   later message as a "duplicate" sequence number.
 */
export class SerialProducer {
  private producer?: Producer;
  private connecting?: Promise<Producer>;
  private readonly queue: Pending[] = [];
  private draining?: Promise<void>;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: SerialProducerOptions,
  ) {}

  /** Resolves once every record is acknowledged by all in-sync replicas; rejects when the broker cannot take them. */
  send(records: OutgoingRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('Kafka producer is shut down'));
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
  }

  /** Whether a producer is currently connected (it connects lazily). */
  get isConnected(): boolean {
    return this.producer !== undefined;
  }

  /** Lets queued sends finish, then disconnects. Later sends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.discard();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        const producer = await this.connected();
        await producer.sendBatch({
          topicMessages: toTopicMessages(batch.flatMap((p) => p.records)),
          acks: -1,
          timeout: this.options.requestTimeoutMs,
          compression: CompressionTypes.None,
        });
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
        await this.discard();
      }
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (batch.length > 0 && count + next.records.length > MAX_RECORDS_PER_REQUEST) break;
      batch.push(this.queue.shift()!);
      count += next.records.length;
    }
    return batch;
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Producer> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    try {
      await withTimeout(
        producer.connect(),
        this.options.connectionTimeoutMs * 3,
        'Kafka producer connect timed out',
      );
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.producer = producer;
    return producer;
  }

  private async discard(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}

/** One entry per record: kafkajs merges entries of the same topic in order. */
function toTopicMessages(records: OutgoingRecord[]): TopicMessages[] {
  return records.map((r) => ({ topic: r.topic, messages: [r.message] }));
}
