import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, type EventEnvelope } from '@ticketing/contracts';
import { KafkaService, type ConsumerHandle } from '@ticketing/platform';
import { CatalogService } from '../catalog/catalog.service';
import { Repricer } from '../repricing/repricer.service';
import { SIGNAL_TYPES, SignalsService, type FoldResult, type SignalRecord } from '../signals/signals.service';

export const PRICING_CONSUMER_GROUP = 'pricing';
/** The event service's events, one record at a time through the platform's consumer. */
export const CATALOG_TOPICS = [TOPICS.events] as const;
/** Demand signals, a batch at a time (SignalsConsumer). */
export const SIGNAL_TOPICS = [TOPICS.eventViews, TOPICS.reservations, TOPICS.orders] as const;

/** Wire topic of envelopes applied by hand (`apply`): their own offsets, never a Kafka partition's. */
const DIRECT_TOPIC = 'direct';

/**
 * Applies the event service's events (ownership, ticket types, policies) and reprices what they change.
 * Demand signals arrive in batches through SignalsConsumer; `foldSignals` is the step both share.
 */
@Injectable()
export class PricingConsumer implements OnApplicationBootstrap {
  private handle?: ConsumerHandle;
  /** Offsets for `apply`'d signals: increasing within the process and across restarts (the clock). */
  private directOffset = Date.now() * 1000;

  constructor(
    private readonly kafka: KafkaService,
    private readonly catalog: CatalogService,
    private readonly signals: SignalsService,
    private readonly repricer: Repricer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.kafka.consume({
      groupId: PRICING_CONSUMER_GROUP,
      topics: CATALOG_TOPICS,
      handler: (envelope) => this.apply(envelope),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
  }

  /**
   * Applies one envelope (public so tests can feed envelopes without Kafka). A demand signal applied here
   * gets a position of its own, so it is deduplicated by its envelope id exactly as on the Kafka path.
   */
  async apply(envelope: EventEnvelope): Promise<void> {
    if (SIGNAL_TYPES.has(envelope.type)) {
      await this.foldSignals([
        { envelope, position: { topic: DIRECT_TOPIC, partition: 0, offset: this.directOffset++ } },
      ]);
      return;
    }
    switch (envelope.type) {
      case 'event.published':
      case 'event.updated':
        await this.catalog.applyEvent(envelope.data);
        for (const type of envelope.data.ticketTypes) await this.applyTicketType(type.ticketTypeId, type);
        return;
      case 'ticket-type.upserted':
        await this.applyTicketType(envelope.data.ticketTypeId, envelope.data);
        return;
      case 'event.cancelled':
        await this.catalog.applyCancelled(envelope.data);
        return;
      default:
        return;
    }
  }

  /** Folds signals into the windows and schedules the repricing of what they touched (debounced). */
  async foldSignals(records: SignalRecord[]): Promise<FoldResult> {
    const result = await this.signals.fold(records);
    for (const id of result.ticketTypeIds) this.repricer.schedule(id);
    for (const eventId of result.eventIds) {
      for (const id of await this.catalog.dynamicTypesOf(eventId)) this.repricer.schedule(id);
    }
    return result;
  }

  private async applyTicketType(
    ticketTypeId: string,
    snapshot: Parameters<CatalogService['applyTicketType']>[0],
  ): Promise<void> {
    await this.catalog.applyTicketType(snapshot);
    // Also after a stale or repeated snapshot: a crash between the two steps heals on redelivery.
    await this.repricer.reprice(ticketTypeId);
  }
}
