import { Counter, Gauge, register, type Metric } from 'prom-client';

/**
 * Kafka and outbox metrics on prom-client's default registry (the one `/metrics` serves). Created on first
 * use and shared afterwards, so several `KafkaService` instances in one process (tests) do not clash.
 */
function getOrCreate<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export function kafkaMetrics() {
  return {
    consumed: getOrCreate(
      'kafka_messages_consumed_total',
      () =>
        new Counter({
          name: 'kafka_messages_consumed_total',
          help: 'Kafka messages taken off a topic, by outcome (processed, duplicate, dead_lettered)',
          labelNames: ['group', 'topic', 'outcome'],
        }),
    ),
    failures: getOrCreate(
      'kafka_handler_failures_total',
      () =>
        new Counter({
          name: 'kafka_handler_failures_total',
          help: 'Failed handler attempts (each retry counts)',
          labelNames: ['group', 'topic'],
        }),
    ),
    dlq: getOrCreate(
      'kafka_dlq_total',
      () =>
        new Counter({
          name: 'kafka_dlq_total',
          help: 'Messages published to a dead-letter topic, by reason (invalid, failed)',
          labelNames: ['group', 'topic', 'reason'],
        }),
    ),
    lag: getOrCreate(
      'kafka_consume_lag',
      () =>
        new Gauge({
          name: 'kafka_consume_lag',
          help: 'High watermark minus the next offset to process, per partition',
          labelNames: ['group', 'topic', 'partition'],
        }),
    ),
    published: getOrCreate(
      'kafka_messages_published_total',
      () =>
        new Counter({
          name: 'kafka_messages_published_total',
          help: 'Messages acknowledged by the broker, by outcome (ok, error)',
          labelNames: ['topic', 'outcome'],
        }),
    ),
    outboxPending: getOrCreate(
      'outbox_pending',
      () =>
        new Gauge({
          name: 'outbox_pending',
          help: 'Outbox messages written but not yet published, per collection',
          labelNames: ['collection'],
        }),
    ),
  };
}

export type KafkaMetrics = ReturnType<typeof kafkaMetrics>;
