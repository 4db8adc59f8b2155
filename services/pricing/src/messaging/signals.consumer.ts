import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { getLogger, InjectConfig, KafkaService } from '@ticketing/platform';
import type { PricingConfig } from '../config';
import { SignalBatchConsumer } from '../signals/signal-batch-consumer';
import { SignalsService } from '../signals/signals.service';
import { PRICING_CONSUMER_GROUP, PricingConsumer, SIGNAL_TOPICS } from './pricing.consumer';

export const SIGNALS_CONSUMER_GROUP = 'pricing-signals';
const PRUNE_EVERY_MS = 3600 * 1000;

/**
 * The demand signals, folded a Kafka batch at a time (group `pricing-signals`), and the hourly clean-up of
 * the signal receipts older than SIGNAL_RECEIPT_RETENTION_HOURS.
 */
@Injectable()
export class SignalsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('signals');
  private consumer?: SignalBatchConsumer;
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    private readonly pricing: PricingConsumer,
    private readonly signals: SignalsService,
    @InjectConfig() private readonly config: PricingConfig,
    private readonly kafka: KafkaService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new SignalBatchConsumer({
      brokers: this.config.KAFKA_BROKERS,
      clientId: `${this.config.KAFKA_CLIENT_ID || this.config.SERVICE_NAME}-signals`,
      topicPrefix: this.config.KAFKA_TOPIC_PREFIX,
      groupId: SIGNALS_CONSUMER_GROUP,
      topics: SIGNAL_TOPICS,
      maxWaitTimeMs: this.kafka.fetchWaitMs,
      // Before this consumer existed, the signals went through the `pricing` group, record by record.
      inheritOffsetsFrom: PRICING_CONSUMER_GROUP,
      onBatch: async (records) => {
        await this.pricing.foldSignals(records);
      },
      logger: this.log,
      afterFold: (topic, records) =>
        this.kafka.afterWrite(topic.slice(this.config.KAFKA_TOPIC_PREFIX.length), records),
    });
    await this.consumer.start();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.consumer?.stop();
  }

  /** Deletes the receipts of the whole hours older than the retention. */
  async prune(now = Date.now()): Promise<number> {
    try {
      return await this.signals.pruneReceipts(
        new Date(now - this.config.SIGNAL_RECEIPT_RETENTION_HOURS * 3600 * 1000),
      );
    } catch (error) {
      this.log.warn({ err: error }, 'signal receipt clean-up failed (retried next hour)');
      return 0;
    }
  }
}
