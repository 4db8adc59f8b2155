import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type {
  EventCancelledData,
  EventPublishedData,
  EventStaffChangedData,
  EventUpdatedData,
  TicketIssuedData,
  TicketRevokedData,
  TicketTransferOfferedData,
  TicketTransferredData,
  TicketTransferWithdrawnData,
} from '@ticketing/contracts';
import { EventFence, InjectConfig, isDuplicateKeyError, RecentCache } from '@ticketing/platform';
import type { Model } from 'mongoose';
import type { CheckinConfig } from '../config';
import { EVENT_REPLICA, type EventReplicaDoc } from './schemas/event-replica.schema';
import { TICKET_REPLICA, type TicketReplicaDoc } from './schemas/ticket-replica.schema';

/** Guard matching a document whose `field` is below `value` (or missing). */
const olderThan = (field: string, value: number) => ({
  $or: [{ [field]: { $lt: value } }, { [field]: { $exists: false } }],
});

/** The newest event change a replica row holds: its snapshot's or its staff list's version. */
const eventVersion = (event: EventReplicaDoc): number =>
  Math.max(event.aggregateVersion ?? 0, event.staffVersion ?? 0);

/** Most events kept in the per-process event cache (the oldest is dropped first). */
const EVENT_CACHE_MAX = 10_000;

/**
 * The validation replica: events (times, cancellation, organizer, staff) and tickets (holder, generation,
 * revocations), applied from Kafka. Every apply is idempotent and order-tolerant: versioned fields move
 * only forward behind a guard (aggregateVersion, staffVersion, generation), revocations only grow (`$max`),
 * and cancellation is final. So duplicates and reordering change nothing.
 *
 * Every scan needs its event's row (who may scan, doors, cancellation), so rows are kept in this process
 * for EVENT_CACHE_MS: at a gate rush that is one read per event every 250 ms instead of one per scan.
 * Applying an event change here drops the row once written; other replicas see it within EVENT_CACHE_MS
 * (well inside the second a cancellation or staff change may take to reach the gates). Tickets are not
 * cached: a transfer or revocation must answer REVOKED on the very next scan after it is applied.
 */
@Injectable()
export class ReplicaService {
  private readonly eventCache: RecentCache<string, EventReplicaDoc | null>;

  constructor(
    @InjectModel(EVENT_REPLICA) private readonly events: Model<EventReplicaDoc>,
    @InjectModel(TICKET_REPLICA) private readonly tickets: Model<TicketReplicaDoc>,
    @InjectConfig() config: CheckinConfig,
    private readonly fence: EventFence,
  ) {
    this.eventCache = new RecentCache({ maxAgeMs: config.EVENT_CACHE_MS, maxEntries: EVENT_CACHE_MAX });
  }

  /**
   * The event's replica row, at most EVENT_CACHE_MS old (see the class comment), and never older than a change
   * the event service has already confirmed to its organizer (platform EventFence: a cancellation or a staff
   * removal answered a moment ago is waited for, not scanned past). Treat it as read-only.
   */
  async findEvent(eventId: string): Promise<EventReplicaDoc | null> {
    const cached = await this.eventCache.get(eventId, () => this.readEvent(eventId));
    return this.fence.settle(eventId, cached, eventVersion, async () => {
      this.eventCache.forget(eventId);
      return this.eventCache.get(eventId, () => this.readEvent(eventId));
    });
  }

  private readEvent(eventId: string): Promise<EventReplicaDoc | null> {
    return this.events.findById(eventId).lean<EventReplicaDoc>().exec();
  }

  findTicket(ticketId: string): Promise<TicketReplicaDoc | null> {
    return this.tickets.findById(ticketId).lean<TicketReplicaDoc>().exec();
  }

  /** One event's tickets, in id order (offline bundle); `limit` bounds the answer. */
  ticketsOfEvent(eventId: string, limit: number): Promise<TicketReplicaDoc[]> {
    return this.tickets.find({ eventId }).sort({ _id: 1 }).limit(limit).lean<TicketReplicaDoc[]>().exec();
  }

  applyEventSnapshot(data: EventPublishedData | EventUpdatedData): Promise<boolean> {
    return this.eventWrite(
      data.eventId,
      this.guardedUpsert(this.events, data.eventId, olderThan('aggregateVersion', data.aggregateVersion), {
        $set: {
          organizerId: data.organizerId,
          title: data.title,
          status: data.status,
          startsAt: new Date(data.startsAt),
          endsAt: new Date(data.endsAt),
          // Older producers leave these out: the defaults (doors from DOORS_OPEN_MINUTES, no re-entry).
          doorsOpenAt: data.doorsOpenAt ? new Date(data.doorsOpenAt) : null,
          allowReentry: data.allowReentry ?? false,
          aggregateVersion: data.aggregateVersion,
        },
      }),
    );
  }

  applyCancelled(data: EventCancelledData): Promise<boolean> {
    return this.eventWrite(data.eventId, this.cancel(data));
  }

  private async cancel(data: EventCancelledData): Promise<boolean> {
    // Final whatever the versions say.
    const changed = await this.guardedUpsert(
      this.events,
      data.eventId,
      { cancelled: { $ne: true } },
      { $set: { organizerId: data.organizerId, title: data.title, cancelled: true } },
    );
    await this.events
      .updateOne({ _id: data.eventId }, { $max: { aggregateVersion: data.aggregateVersion } })
      .exec();
    return changed;
  }

  applyStaff(data: EventStaffChangedData): Promise<boolean> {
    return this.eventWrite(
      data.eventId,
      this.guardedUpsert(this.events, data.eventId, olderThan('staffVersion', data.aggregateVersion), {
        $set: {
          organizerId: data.organizerId,
          staff: data.staff.map((s) => ({ userId: s.userId, email: s.email.toLowerCase() })),
          staffVersion: data.aggregateVersion,
        },
      }),
    );
  }

  /** A write to an event row: its cached copy is dropped once the write is done. */
  private eventWrite<T>(eventId: string, write: Promise<T>): Promise<T> {
    return this.eventCache.forgetAfter(write, eventId);
  }

  async applyIssued(data: TicketIssuedData): Promise<boolean> {
    const fixed = { ticketTypeId: data.ticketTypeId, ticketTypeName: data.ticketTypeName };
    const changed = await this.guardedUpsert(
      this.tickets,
      data.ticketId,
      olderThan('generation', data.generation),
      {
        $set: {
          ...fixed,
          eventId: data.eventId,
          holderId: data.holderId,
          holderName: data.holderName,
          generation: data.generation,
        },
        $max: { aggregateVersion: data.aggregateVersion },
      },
    );
    // Stale (a transfer got here first): still record the fields that never change. One write when fresh.
    if (!changed) {
      await this.tickets
        .updateOne({ _id: data.ticketId }, { $set: fixed, $max: { aggregateVersion: data.aggregateVersion } })
        .exec();
    }
    return changed;
  }

  /**
   * A pending offer holds the ticket at the gate (ticket.transfer-offered) or lets it go
   * (ticket.transfer-withdrawn). Ordered by the ticket's version in `holdVersion`: a late offer never
   * re-holds a ticket that was since withdrawn or transferred.
   */
  applyHold(data: TicketTransferOfferedData | TicketTransferWithdrawnData, held: boolean): Promise<boolean> {
    return this.guardedUpsert(this.tickets, data.ticketId, olderThan('holdVersion', data.aggregateVersion), {
      $set: {
        eventId: data.eventId,
        heldBy: held ? data.transferId : null,
        heldGeneration: held ? data.generation : null,
        heldSince: held ? new Date((data as TicketTransferOfferedData).offeredAt) : null,
        holdVersion: data.aggregateVersion,
      },
      $max: { aggregateVersion: data.aggregateVersion },
    });
  }

  async applyTransferred(data: TicketTransferredData): Promise<boolean> {
    // When the replaced code stopped admitting: the offer's time when this replica holds that offer (a
    // ticket's messages arrive in order, one at a time), else the transfer's.
    const before = await this.findTicket(data.ticketId);
    const offered =
      before?.heldGeneration === data.previousGeneration && before.heldSince ? before.heldSince : null;
    const supersededAt = offered ? new Date(offered) : new Date(data.transferredAt);
    // The re-key ends the offer too: `holdVersion` moves past it, so a late transfer-offered cannot hold the
    // new holder's ticket (and a hold of the old generation no longer matches the current one anyway).
    const grow = {
      revokedUpTo: data.previousGeneration,
      aggregateVersion: data.aggregateVersion,
      holdVersion: data.aggregateVersion,
    };
    const changed = await this.guardedUpsert(
      this.tickets,
      data.ticketId,
      olderThan('generation', data.generation),
      {
        $set: {
          eventId: data.eventId,
          ticketTypeId: data.ticketTypeId,
          holderId: data.toHolderId,
          holderName: data.toHolderName,
          generation: data.generation,
          heldBy: null,
          heldGeneration: null,
          heldSince: null,
          supersededGeneration: data.previousGeneration,
          supersededAt,
        },
        $max: grow,
      },
    );
    // Stale or repeated: the previous generation is revoked all the same.
    if (!changed) await this.tickets.updateOne({ _id: data.ticketId }, { $max: grow }).exec();
    return changed;
  }

  async applyRevoked(data: TicketRevokedData): Promise<void> {
    const update = {
      $max: { revokedUpTo: data.generation, aggregateVersion: data.aggregateVersion },
      // Anything but a transfer kills the ticket for good.
      ...(data.reason === 'TRANSFERRED' ? {} : { $set: { status: 'REVOKED', revokedReason: data.reason } }),
    };
    try {
      await this.tickets
        .updateOne(
          { _id: data.ticketId },
          { ...update, $setOnInsert: { eventId: data.eventId } },
          { upsert: true },
        )
        .exec();
    } catch (error) {
      // Two replicas inserted the same new document at once: apply to the one that won.
      if (!isDuplicateKeyError(error)) throw error;
      await this.tickets.updateOne({ _id: data.ticketId }, update).exec();
    }
  }

  /**
   * `updateOne({_id, ...guard}, update, {upsert})`: when the document exists but the guard fails, the
   * upsert's insert collides with `_id`; that is the "stale" answer, not an error.
   */
  private async guardedUpsert<T>(
    model: Model<T>,
    id: string,
    guard: object,
    update: object,
  ): Promise<boolean> {
    try {
      const result = await model.updateOne({ _id: id, ...guard }, update, { upsert: true }).exec();
      return result.modifiedCount === 1 || result.upsertedCount === 1;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}
