import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type {
  EventCancelledData,
  EventPublishedData,
  EventStaffChangedData,
  EventUpdatedData,
  PriceChangedData,
  TicketTypeSnapshot,
} from '@ticketing/contracts';
import { InjectConfig, RecentCache } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../common/ids';
import type { TicketConfig } from '../config';
import { EVENT_REPLICA, type EventReplicaDoc } from './schemas/event-replica.schema';
import { PRICE_REPLICA, type PriceReplicaDoc } from './schemas/price-replica.schema';
import {
  TICKET_TYPE_REPLICA,
  type MoneyValue,
  type TicketTypeReplicaDoc,
} from './schemas/ticket-type-replica.schema';

/** What reserveTickets checks a request against. */
export interface SaleContext {
  type: TicketTypeReplicaDoc;
  event: EventReplicaDoc;
  unitPrice: MoneyValue;
}

/** Most ticket types kept in the sale-context cache (oldest dropped first). */
const SALE_CACHE_MAX = 1_000;

/** Guard matching a replica older than `version` (or one that has none yet). */
const olderThan = (field: string, version: number) => ({
  $or: [{ [field]: { $lt: version } }, { [field]: { $exists: false } }],
});

/**
 * The local replica of events, ticket types and prices. Every apply is one version-guarded upsert: an
 * update whose aggregateVersion is not above the stored one changes nothing (stale or duplicate), so
 * redelivery and reordering are harmless. Returns whether the replica changed.
 */
@Injectable()
export class CatalogService {
  /** Sale contexts by ticket type id. */
  private readonly saleCache: RecentCache<string, SaleContext | null>;

  constructor(
    @InjectModel(EVENT_REPLICA) private readonly events: Model<EventReplicaDoc>,
    @InjectModel(TICKET_TYPE_REPLICA) private readonly types: Model<TicketTypeReplicaDoc>,
    @InjectModel(PRICE_REPLICA) private readonly prices: Model<PriceReplicaDoc>,
    @InjectConfig() config: TicketConfig,
  ) {
    this.saleCache = new RecentCache({ maxAgeMs: config.CATALOG_CACHE_MS, maxEntries: SALE_CACHE_MAX });
  }

  findEvent(eventId: string): Promise<EventReplicaDoc | null> {
    return this.events.findById(eventId).lean<EventReplicaDoc>().exec();
  }

  findTicketType(ticketTypeId: string): Promise<TicketTypeReplicaDoc | null> {
    return this.types.findById(ticketTypeId).lean<TicketTypeReplicaDoc>().exec();
  }

  /**
   * What a new hold needs to know (ticket type, its event, the price quote), from a per-process cache at
   * most CATALOG_CACHE_MS old: a flash sale asks the same three questions thousands of times a second.
   * Applying a change in this process drops the entry at once; other replicas see it within the cache age.
   * Nothing that must be exact depends on it: stock is decided by guarded updates, and checkout re-reads
   * the event (a hold taken on a just-cancelled event cannot be paid).
   */
  saleContext(ticketTypeId: string): Promise<SaleContext | null> {
    return this.saleCache.get(ticketTypeId, () => this.loadSaleContext(ticketTypeId));
  }

  private async loadSaleContext(ticketTypeId: string): Promise<SaleContext | null> {
    const type = await this.findTicketType(ticketTypeId);
    if (!type || !type.kind) return null;
    const [event, unitPrice] = await Promise.all([this.findEvent(type.eventId), this.quote(type)]);
    if (!event || !event.status) return null;
    return { type, event, unitPrice };
  }

  /**
   * Drops the cached sale contexts once `write` is done (a read that raced it cannot stay cached): one
   * ticket type's, or all of them when an event changed (rare).
   */
  private forgetAfter<T>(ids: { ticketTypeId?: string; eventId?: string }, write: Promise<T>): Promise<T> {
    return this.saleCache.forgetAfter(write, ids.eventId ? undefined : ids.ticketTypeId);
  }

  findTicketTypes(eventId: string): Promise<TicketTypeReplicaDoc[]> {
    return this.types.find({ eventId }).sort({ _id: 1 }).lean<TicketTypeReplicaDoc[]>().exec();
  }

  /** The price a new hold is quoted: the latest price.changed in the type's currency, else its base price. */
  async quote(type: TicketTypeReplicaDoc): Promise<MoneyValue> {
    const price = await this.prices.findById(type._id).lean<PriceReplicaDoc>().exec();
    if (
      price &&
      price.price.currency === type.basePrice.currency &&
      price.effectiveAt.getTime() <= Date.now()
    ) {
      return { amount: price.price.amount, currency: price.price.currency };
    }
    return { amount: type.basePrice.amount, currency: type.basePrice.currency };
  }

  async applyEventSnapshot(data: EventPublishedData | EventUpdatedData): Promise<boolean> {
    return this.forgetAfter(
      { eventId: data.eventId },
      this.guardedUpsert(this.events, data.eventId, olderThan('aggregateVersion', data.aggregateVersion), {
        organizerId: data.organizerId,
        title: data.title,
        status: data.status,
        startsAt: new Date(data.startsAt),
        endsAt: new Date(data.endsAt),
        salesStart: new Date(data.salesStart),
        salesEnd: new Date(data.salesEnd),
        transferAllowed: data.transferPolicy.allowed,
        transferDeadline: data.transferPolicy.deadline ? new Date(data.transferPolicy.deadline) : null,
        perBuyerMax: data.perBuyerMax ?? null,
        aggregateVersion: data.aggregateVersion,
      }),
    );
  }

  async applyCancelled(data: EventCancelledData): Promise<boolean> {
    // Cancellation is final whatever the versions say; the version is still recorded when newer.
    const changed = await this.guardedUpsert(
      this.events,
      data.eventId,
      { cancelled: { $ne: true } },
      {
        organizerId: data.organizerId,
        title: data.title,
        cancelled: true,
      },
    );
    await this.events
      .updateOne(
        { _id: data.eventId, aggregateVersion: { $lt: data.aggregateVersion } },
        { $set: { aggregateVersion: data.aggregateVersion } },
      )
      .exec();
    this.saleCache.clear();
    return changed;
  }

  async applyStaff(data: EventStaffChangedData): Promise<boolean> {
    return this.guardedUpsert(this.events, data.eventId, olderThan('staffVersion', data.aggregateVersion), {
      organizerId: data.organizerId,
      staff: data.staff.map((s) => ({ userId: s.userId, email: s.email.toLowerCase() })),
      staffVersion: data.aggregateVersion,
    });
  }

  /** Applies a ticket-type snapshot; returns the stored replica when it changed (null when stale). */
  async applyTicketType(snapshot: TicketTypeSnapshot): Promise<TicketTypeReplicaDoc | null> {
    const changed = await this.forgetAfter(
      { ticketTypeId: snapshot.ticketTypeId },
      this.guardedUpsert(
        this.types,
        snapshot.ticketTypeId,
        olderThan('aggregateVersion', snapshot.aggregateVersion),
        {
          eventId: snapshot.eventId,
          name: snapshot.name,
          kind: snapshot.kind,
          basePrice: snapshot.basePrice,
          quantity: snapshot.quantity,
          seatIds: snapshot.kind === 'RESERVED' ? snapshot.seatIds : [],
          perOrderMax: snapshot.perOrderMax,
          perBuyerMax: snapshot.perBuyerMax,
          salesStart: new Date(snapshot.salesStart),
          salesEnd: new Date(snapshot.salesEnd),
          aggregateVersion: snapshot.aggregateVersion,
        },
      ),
    );
    return changed ? this.findTicketType(snapshot.ticketTypeId) : null;
  }

  async applyPrice(data: PriceChangedData): Promise<boolean> {
    return this.forgetAfter(
      { ticketTypeId: data.ticketTypeId },
      this.guardedUpsert(this.prices, data.ticketTypeId, olderThan('priceVersion', data.priceVersion), {
        eventId: data.eventId,
        price: data.price,
        priceVersion: data.priceVersion,
        effectiveAt: new Date(data.effectiveAt),
      }),
    );
  }

  /**
   * `updateOne({_id, ...guard}, {$set}, {upsert})`: when a document exists but the guard fails, the upsert's
   * insert collides with `_id`; that is the "stale" answer, not an error.
   */
  private async guardedUpsert<T>(model: Model<T>, id: string, guard: object, set: object): Promise<boolean> {
    try {
      const result = await model.updateOne({ _id: id, ...guard }, { $set: set }, { upsert: true }).exec();
      return result.modifiedCount === 1 || result.upsertedCount === 1;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }
}
