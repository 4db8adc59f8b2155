import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, type EventEnvelope, type TicketTypeSnapshot } from '@ticketing/contracts';
import { getLogger, KafkaService, type ConsumerHandle } from '@ticketing/platform';
import { CatalogService } from '../catalog/catalog.service';
import { AvailabilityGate } from '../inventory/availability-gate.service';
import { AvailabilityService } from '../inventory/availability.service';
import { InventoryService } from '../inventory/inventory.service';
import { OrdersService } from '../orders/orders.service';
import { ReservationsService } from '../reservations/reservations.service';
import { TicketsService } from '../tickets/tickets.service';
import { TransfersService } from '../transfers/transfers.service';
import { WaitingRoomService } from '../waiting-room/waiting-room.service';

export const TICKET_CONSUMER_GROUP = 'ticket';
/**
 * A reservation checked against the event just before its cancellation landed can write HELD after the
 * cancellation's release pass: a second pass this long after it releases such a hold (a request runs well
 * within it). A crash meanwhile leaves it to expire; it cannot be paid either way (checkout re-reads the event).
 */
export const LATE_HOLD_PASS_MS = 3_000;
export const CONSUMED_TOPICS = [TOPICS.events, TOPICS.prices, TOPICS.checkins] as const;

/**
 * Applies what other services publish: events and ticket types (replica + inventory), staff lists, prices,
 * cancellations (holds released, tickets revoked) and admitted check-ins. Every step is idempotent and
 * version-aware, so redelivery and reordering are harmless; the platform skips envelope ids already handled.
 */
@Injectable()
export class CatalogConsumer implements OnApplicationBootstrap {
  private readonly log = getLogger('catalog-consumer');
  private handle?: ConsumerHandle;
  private readonly latePasses = new Set<NodeJS.Timeout>();

  constructor(
    private readonly kafka: KafkaService,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly gate: AvailabilityGate,
    private readonly availability: AvailabilityService,
    private readonly reservations: ReservationsService,
    private readonly tickets: TicketsService,
    private readonly transfers: TransfersService,
    private readonly orders: OrdersService,
    private readonly waitingRoom: WaitingRoomService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.kafka.consume({
      groupId: TICKET_CONSUMER_GROUP,
      topics: CONSUMED_TOPICS,
      handler: (envelope) => this.handle_(envelope),
    });
  }

  async stop(): Promise<void> {
    for (const timer of this.latePasses) clearTimeout(timer);
    this.latePasses.clear();
    await this.handle?.stop();
  }

  /** Second release pass of a cancelled event's holds (see LATE_HOLD_PASS_MS). */
  private releaseLateHolds(eventId: string, releasedBy: string): void {
    const timer = setTimeout(() => {
      this.latePasses.delete(timer);
      this.reservations.releaseAllOfEvent(eventId, releasedBy).then(
        (released) => {
          if (released > 0) this.log.info({ eventId, released }, 'late holds of a cancelled event released');
        },
        (error: unknown) => this.log.warn({ err: error, eventId }, 'late holds not released; they expire'),
      );
    }, LATE_HOLD_PASS_MS);
    timer.unref();
    this.latePasses.add(timer);
  }

  /** Applies one envelope (public so tests and tools can feed envelopes without Kafka). */
  async apply(envelope: EventEnvelope): Promise<void> {
    return this.handle_(envelope);
  }

  private async handle_(envelope: EventEnvelope): Promise<void> {
    switch (envelope.type) {
      case 'event.published':
      case 'event.updated':
        await this.catalog.applyEventSnapshot(envelope.data);
        for (const type of envelope.data.ticketTypes) await this.applyTicketType(type);
        await this.waitingRoom.eventChanged(envelope.data.eventId);
        return;
      case 'ticket-type.upserted':
        await this.applyTicketType(envelope.data);
        return;
      case 'event.staff-changed':
        await this.catalog.applyStaff(envelope.data);
        return;
      case 'event.cancelled': {
        await this.catalog.applyCancelled(envelope.data);
        // Buyers waiting in the event's room are told at once; nobody is admitted any more.
        await this.waitingRoom.eventChanged(envelope.data.eventId);
        const at = new Date(envelope.data.cancelledAt);
        const released = await this.reservations.releaseAllOfEvent(
          envelope.data.eventId,
          envelope.data.cancelledBy,
        );
        this.releaseLateHolds(envelope.data.eventId, envelope.data.cancelledBy);
        const revoked = await this.tickets.revokeAllOfEvent(envelope.data.eventId, at);
        // After the tickets (an offer that slipped in before them ends on the revoked ticket), then every
        // confirmed order is refunded; checkouts still in flight refund themselves (OrdersService.complete).
        const transfers = await this.transfers.cancelAllOfEvent(envelope.data.eventId, 'EVENT_CANCELLED', at);
        const refunded = await this.orders.refundAllOfEvent(envelope.data.eventId);
        this.log.info(
          { eventId: envelope.data.eventId, released, revoked, transfers, refunded },
          'event cancelled: holds released, tickets revoked, transfers ended, orders refunded',
        );
        return;
      }
      case 'price.changed':
        await this.catalog.applyPrice(envelope.data);
        return;
      case 'checkin.recorded':
        if (envelope.data.result === 'ADMITTED' && envelope.data.ticketId) {
          await this.tickets.markCheckedIn(envelope.data.ticketId, new Date(envelope.data.at));
          // A ticket in use cannot change hands: an offer still pending ends, for both sides to see.
          await this.transfers.endPendingOfTicket(envelope.data.ticketId, 'TICKET_CHECKED_IN');
        }
        return;
      default:
        return;
    }
  }

  /**
   * Updates the replica (when the snapshot is newer), then brings the inventory in line with whatever the
   * replica now says — also after a stale or repeated message, so a crash between the two steps heals.
   */
  private async applyTicketType(snapshot: TicketTypeSnapshot): Promise<void> {
    await this.catalog.applyTicketType(snapshot);
    const current = await this.catalog.findTicketType(snapshot.ticketTypeId);
    if (!current || !current.kind) return;
    await this.inventory.syncFromTicketType(current);
    await this.gate.reset(current._id);
    await this.availability.changed(current.eventId, current._id);
  }
}
