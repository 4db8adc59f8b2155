import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, type EventEnvelope } from '@ticketing/contracts';
import { KafkaService, type ConsumerHandle } from '@ticketing/platform';
import { CatalogService } from '../catalog/catalog.service';
import { Repricer } from '../repricing/repricer.service';
import { SignalsService } from '../signals/signals.service';

export const PRICING_CONSUMER_GROUP = 'pricing';
export const CONSUMED_TOPICS = [
  TOPICS.events,
  TOPICS.eventViews,
  TOPICS.reservations,
  TOPICS.orders,
] as const;

/**
 * Applies the event service's events (ownership, ticket types, policies) and folds demand signals into the
 * windows. Each demand signal is counted once (its envelope id guards the bucket update; the platform also
 * skips envelope ids already handled), then the ticket type is repriced (debounced).
 */
@Injectable()
export class PricingConsumer implements OnApplicationBootstrap {
  private handle?: ConsumerHandle;

  constructor(
    private readonly kafka: KafkaService,
    private readonly catalog: CatalogService,
    private readonly signals: SignalsService,
    private readonly repricer: Repricer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.kafka.consume({
      groupId: PRICING_CONSUMER_GROUP,
      topics: CONSUMED_TOPICS,
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
        await this.catalog.applyEvent(envelope.data);
        for (const type of envelope.data.ticketTypes) await this.applyTicketType(type.ticketTypeId, type);
        return;
      case 'ticket-type.upserted':
        await this.applyTicketType(envelope.data.ticketTypeId, envelope.data);
        return;
      case 'event.cancelled':
        await this.catalog.applyCancelled(envelope.data);
        return;
      case 'event.viewed': {
        const d = envelope.data;
        if (await this.signals.record(d.eventId, new Date(d.windowEnd), { views: d.count }, envelope.id)) {
          for (const id of await this.catalog.dynamicTypesOf(d.eventId)) this.repricer.schedule(id);
        }
        return;
      }
      case 'reservation.created': {
        const d = envelope.data;
        await this.count(d.ticketTypeId, new Date(d.createdAt), { held: d.quantity }, envelope.id, {
          heldTotal: d.quantity,
        });
        return;
      }
      case 'reservation.expired':
      case 'reservation.released': {
        const d = envelope.data;
        const at = new Date('expiredAt' in d ? d.expiredAt : d.releasedAt);
        await this.count(d.ticketTypeId, at, { lapsed: d.quantity }, envelope.id, { heldTotal: -d.quantity });
        return;
      }
      case 'order.confirmed': {
        const d = envelope.data;
        const at = new Date(d.confirmedAt);
        for (const [i, line] of d.lines.entries()) {
          await this.count(line.ticketTypeId, at, { sold: line.quantity }, `${envelope.id}:${i}`, {
            soldTotal: line.quantity,
            heldTotal: -line.quantity,
          });
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * Counts a signal in its window bucket, then (only when it was new) in the type's totals. A crash between
   * the two leaves the totals one signal short until a rebuild, never counted twice.
   */
  private async count(
    ticketTypeId: string,
    at: Date,
    counts: Parameters<SignalsService['record']>[2],
    signalId: string,
    totals: { soldTotal?: number; heldTotal?: number },
  ): Promise<void> {
    if (await this.signals.record(ticketTypeId, at, counts, signalId)) {
      await this.catalog.addTotals(ticketTypeId, totals);
    }
    this.repricer.schedule(ticketTypeId);
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
