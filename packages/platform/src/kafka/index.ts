export { KafkaModule } from './kafka.module';
export { KafkaService, type PublishRequest } from './kafka.service';
export type { ConsumeContext, ConsumeOptions, ConsumerHandle, EnvelopeHandler } from './kafka-consumer';
export { KAFKA_HEADERS, toKafkaMessage } from './kafka-message.codec';
export {
  KAFKA_OPTIONS,
  kafkaOptionsFromConfig,
  type KafkaConfigFields,
  type KafkaOptions,
} from './kafka.options';
export { PROCESSED_MESSAGES_COLLECTION } from './processed-messages.store';
export { OutboxRelay, type OutboxRegistration, type OutboxRegistrationOptions } from './outbox/outbox.relay';
export {
  OUTBOX_PENDING_FILTER,
  OutboxMessageSchema,
  appendOutbox,
  withOutbox,
  type OutboxFields,
  type OutboxMessage,
} from './outbox/outbox.schema';
