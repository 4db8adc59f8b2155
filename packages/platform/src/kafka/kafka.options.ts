/**
 * Resolved settings for the Kafka layer. `KafkaModule.forRoot()` builds them from the platform config;
 * tests and tools may build a `KafkaService` straight from a literal.
 */
export interface KafkaOptions {
  /** `host:port` list. */
  brokers: string[];
  clientId: string;
  /** Prepended to every topic and consumer group (tests use it for isolation). */
  topicPrefix: string;
  /** Service name; the default `source` of envelopes and the label of the metrics. */
  serviceName: string;
  /** Socket connect timeout. */
  connectionTimeoutMs?: number;
  /** Upper bound for a single broker request. */
  requestTimeoutMs?: number;
  /**
   * How long the broker holds a consumer's fetch when nothing is there (records are returned as soon as
   * they arrive). Longer costs less at rest; a stopping consumer and a rebalance wait up to this long.
   */
  fetchWaitMs?: number;
}

/** The subset of the platform config (`PLATFORM_CONFIG`) the Kafka layer reads. */
export interface KafkaConfigFields {
  KAFKA_BROKERS: string[];
  KAFKA_CLIENT_ID: string;
  KAFKA_TOPIC_PREFIX: string;
  KAFKA_FETCH_WAIT_MS?: number;
  SERVICE_NAME: string;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

/** kafkajs's own default: an idle consumer asks the broker every 5 s instead of every second. */
export const DEFAULT_FETCH_WAIT_MS = 5_000;

export function kafkaOptionsFromConfig(
  config: KafkaConfigFields,
  overrides: Partial<KafkaOptions> = {},
): KafkaOptions {
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID || config.SERVICE_NAME,
    topicPrefix: config.KAFKA_TOPIC_PREFIX ?? '',
    serviceName: config.SERVICE_NAME,
    fetchWaitMs: config.KAFKA_FETCH_WAIT_MS,
    ...overrides,
  };
}
