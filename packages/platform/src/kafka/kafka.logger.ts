import { logLevel, type logCreator } from 'kafkajs';

/** The part of a pino logger the Kafka layer uses. */
export interface KafkaLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/**
 * Warnings kafkajs prints for choices made on purpose here: bounded producer retries (a failed publish
 * must surface so the outbox retries it; the producer is replaced after any failure, so sequence numbers
 * never go stale).
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/**
 * kafkajs logs every failed connection attempt as an error; during an outage that is one line per retry.
 * The platform reports the outcome itself (publish failure, readiness), so these become warnings.
 */
const CONNECTION_NAMESPACES = new Set(['Connection', 'BrokerPool']);

/** Routes kafkajs' own logging into the platform logger. */
export function kafkaLogCreator(logger: KafkaLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { kafka: namespace, ...extra };
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          if (CONNECTION_NAMESPACES.has(namespace)) logger.warn(fields, message);
          else logger.error(fields, message);
          break;
        case logLevel.WARN:
          if (!EXPECTED_WARNINGS.some((w) => message.startsWith(w))) logger.warn(fields, message);
          break;
        case logLevel.INFO:
          logger.info(fields, message);
          break;
        default:
          logger.debug(fields, message);
      }
    };
}
