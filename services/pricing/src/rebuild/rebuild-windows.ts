import { getLogger, type ServiceLogger } from '@ticketing/platform';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { type Connection, type Model, type Schema } from 'mongoose';
import { TICKET_PRICE, TicketPriceSchema, type TicketPriceDoc } from '../catalog/schemas/ticket-price.schema';
import type { PricingConfig } from '../config';
import { SIGNAL_TOPICS } from '../messaging/pricing.consumer';
import {
  DEMAND_BUCKET,
  DemandBucketSchema,
  type DemandBucketDoc,
} from '../signals/schemas/demand-bucket.schema';
import {
  SIGNAL_RECEIPT,
  SignalReceiptSchema,
  type SignalReceiptDoc,
} from '../signals/schemas/signal-receipt.schema';
import { SignalBatchConsumer } from '../signals/signal-batch-consumer';
import { SignalsService } from '../signals/signals.service';

export interface RebuildOptions {
  config: PricingConfig;
  /**
   * Empty the windows and zero every type's totals first (their offset marks too), then refold. Run it with
   * pricing's signal consumers stopped: a signal they count into an emptied bucket before the replay reaches
   * it would set that bucket's mark past the older signals the replay then brings.
   */
  reset?: boolean;
  /** Give up when the topics have not been read to their end within this. Default 10 minutes. */
  timeoutMs?: number;
  /** A connection to pricing's database (tests); else one is opened from the config and closed at the end. */
  connection?: Connection;
  logger?: ServiceLogger;
}

export interface RebuildReport {
  group: string;
  /** Records read (all types) and demand signals among them. */
  records: number;
  signals: number;
  /** Signals whose envelope id was already received at another position (not counted). */
  duplicates: number;
  /** Partitions read, each to the end it had when the rebuild started. */
  partitions: number;
  reset: boolean;
  ms: number;
}

/**
 * Rebuilds the demand windows (and the types' sold/held totals) from the signal topics: a consumer group of
 * its own (`pricing-rebuild-<time>`) reads them from the beginning up to the end each partition had at the
 * start and folds them exactly as the service does. Idempotent: what a window already counts is skipped by
 * its offset marks and duplicate envelopes by their receipts, so running it twice, or over windows that are
 * intact, changes nothing; a deleted bucket is counted again. The group is deleted at the end.
 */
export async function rebuildWindows(options: RebuildOptions): Promise<RebuildReport> {
  const { config } = options;
  const started = Date.now();
  const log = options.logger ?? getLogger('rebuild-windows');
  const connection =
    options.connection ??
    (await mongoose
      .createConnection(config.MONGO_URL, { dbName: config.MONGO_DB, autoIndex: true })
      .asPromise());
  const model = <T>(name: string, schema: Schema<T>): Model<T> =>
    (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema);
  const prices = model<TicketPriceDoc>(TICKET_PRICE, TicketPriceSchema);
  const buckets = model<DemandBucketDoc>(DEMAND_BUCKET, DemandBucketSchema);
  const receipts = model<SignalReceiptDoc>(SIGNAL_RECEIPT, SignalReceiptSchema);
  const signals = new SignalsService(buckets, receipts, prices, config);
  const prefix = config.KAFKA_TOPIC_PREFIX;
  const group = `pricing-rebuild-${started}`;
  const kafka = new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID || config.SERVICE_NAME}-rebuild`,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  let consumer: SignalBatchConsumer | undefined;
  const report: RebuildReport = {
    group: prefix + group,
    records: 0,
    signals: 0,
    duplicates: 0,
    partitions: 0,
    reset: !!options.reset,
    ms: 0,
  };
  try {
    await admin.connect();
    if (options.reset) {
      await buckets.deleteMany({}).exec();
      await prices.updateMany({}, { $set: { soldTotal: 0, heldTotal: 0 }, $unset: { hw: 1 } }).exec();
    }
    // Where each partition ends now: the rebuild is done when every one was committed up to there.
    const remaining = new Map<string, number>();
    for (const topic of SIGNAL_TOPICS) {
      for (const p of await admin.fetchTopicOffsets(prefix + topic)) {
        report.partitions += 1;
        if (Number(p.high) > Number(p.low)) remaining.set(`${prefix + topic}:${p.partition}`, Number(p.high));
      }
    }
    let finish: () => void = () => undefined;
    const caughtUp = new Promise<void>((resolve) => (finish = resolve));
    if (remaining.size === 0) finish();
    consumer = new SignalBatchConsumer({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID || config.SERVICE_NAME}-rebuild`,
      topicPrefix: prefix,
      groupId: group,
      topics: SIGNAL_TOPICS,
      fromBeginning: true,
      maxWaitTimeMs: 200,
      logger: log,
      onBatch: async (records) => {
        const result = await signals.fold(records);
        report.records += records.length;
        report.signals += result.signals;
        report.duplicates += result.duplicates;
      },
      onCommitted: (topic, partition, next) => {
        const key = `${topic}:${partition}`;
        const end = remaining.get(key);
        if (end !== undefined && next >= end) remaining.delete(key);
        if (remaining.size === 0) finish();
      },
    });
    await consumer.start();
    const timeoutMs = options.timeoutMs ?? 600_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`rebuild did not reach the end of the signal topics within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([caughtUp, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer?.stop();
    await admin.deleteGroups([prefix + group]).catch(() => undefined);
    await admin.disconnect();
    if (!options.connection) await connection.close();
  }
  report.ms = Date.now() - started;
  return report;
}
