import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, type EventEnvelope } from '@ticketing/contracts';
import { KafkaService, type ConsumerHandle } from '@ticketing/platform';
import { ReplicaService } from './replica.service';

export const CHECKIN_REPLICA_GROUP = 'checkin';
export const REPLICA_TOPICS = [TOPICS.events, TOPICS.tickets] as const;

/**
 * Feeds the validation replica from `event.lifecycle` and `ticket.tickets`. A new consumer group starts
 * at the topics' beginning, so a fresh database catches up with every event and ticket ever published.
 */
@Injectable()
export class ReplicaConsumer implements OnApplicationBootstrap {
  private handle?: ConsumerHandle;

  constructor(
    private readonly kafka: KafkaService,
    private readonly replica: ReplicaService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.kafka.consume({
      groupId: CHECKIN_REPLICA_GROUP,
      topics: REPLICA_TOPICS,
      fromBeginning: true,
      handler: (envelope) => this.apply(envelope),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
  }

  /** Applies one envelope (public so tests can feed envelopes without Kafka). */
  async apply(envelope: EventEnvelope): Promise<void> {
    switch (envelope.type) {
      case 'event.published':
      case 'event.updated':
        await this.replica.applyEventSnapshot(envelope.data);
        return;
      case 'event.cancelled':
        await this.replica.applyCancelled(envelope.data);
        return;
      case 'event.staff-changed':
        await this.replica.applyStaff(envelope.data);
        return;
      case 'ticket.issued':
        await this.replica.applyIssued(envelope.data);
        return;
      case 'ticket.transferred':
        await this.replica.applyTransferred(envelope.data);
        return;
      case 'ticket.transfer-offered':
        await this.replica.applyHold(envelope.data, true);
        return;
      case 'ticket.transfer-withdrawn':
        await this.replica.applyHold(envelope.data, false);
        return;
      case 'ticket.revoked':
        await this.replica.applyRevoked(envelope.data);
        return;
      default:
        return;
    }
  }
}
