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
import { EventFence, InjectConfig, RecentCache } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../common/ids';
import type { TicketConfig } from '../config';
import { EVENT_REPLICA, type EventReplicaDoc } from './schemas/event-replica.schema';
import { PRICE_REPLICA, type PriceReplicaDoc, type PriceStep } from './schemas/price-replica.schema';
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

/** The newest event change a replica row holds: its snapshot's or its staff list's version. */
const eventVersion = (event: EventReplicaDoc): number =>
  Math.max(event.aggregateVersion ?? 0, event.staffVersion ?? 0);

/**
 * A price quote. `untilSold` (from price.changed, a TIERED tier that ends on a quantity) caps it: the quote
 * applies to a hold whose units all fall within the first `untilSold[0].count` units of the type taken
 * (sold + held), else the first step's `next` whose count they fit within, else the last step's `next`.
 */
export interface Quote extends MoneyValue {
  untilSold?: PriceStep[];
}

/** The quantity ladder of a quote (empty when nothing caps it). */
export function quoteSteps(quote: MoneyValue): readonly PriceStep[] {
  return (quote as Quote).untilSold ?? [];
}

/**
 * Which price of a quote a hold of `quantity` units gets when `takenBefore` units of the type were taken
 * (sold + held) just before its own claim: 0 for the quote itself, i for `untilSold[i - 1].next`. The whole hold
 * gets one price, the first whose cap it fits inside; so at most `count` live units ever carry a price capped
 * at `count` (a unit given back frees its place).
 */
export function priceStepAt(
  steps: readonly { count: number }[],
  takenBefore: number,
  quantity: number,
): number {
  const index = steps.findIndex((step) => takenBefore + quantity <= step.count);
  return index === -1 ? steps.length : index;
}

/** The price of step `index` of a quote (see `priceStepAt`), as a plain amount and currency. */
export function priceOfStep(quote: MoneyValue, index: number): MoneyValue {
  const steps = quoteSteps(quote);
  // Past the last step is the last step's price, never the capped one.
  const price = index <= 0 || steps.length === 0 ? quote : steps[Math.min(index, steps.length) - 1]!.next;
  return { amount: price.amount, currency: price.currency };
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
    private readonly fence: EventFence,
  ) {
    this.saleCache = new RecentCache({ maxAgeMs: config.CATALOG_CACHE_MS, maxEntries: SALE_CACHE_MAX });
  }

  /**
   * The event's replica row, never older than a change the event service has already confirmed to its
   * organizer (platform EventFence): a checkout or transfer right after "cancelled" or "transfers off" is
   * decided on the new event, not on the row Kafka has not updated yet.
   */
  async findEvent(eventId: string): Promise<EventReplicaDoc | null> {
    const row = await this.readEvent(eventId);
    return this.fence.settle(eventId, row, eventVersion, () => this.readEvent(eventId));
  }

  private readEvent(eventId: string): Promise<EventReplicaDoc | null> {
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
  async saleContext(ticketTypeId: string): Promise<SaleContext | null> {
    const sale = await this.saleCache.get(ticketTypeId, () => this.loadSaleContext(ticketTypeId));
    if (!sale) return sale;
    // An event change already confirmed to the organizer (a cancellation) is waited for, not sold past.
    const event = await this.fence.settle(sale.event._id, sale.event, eventVersion, () =>
      this.readEvent(sale.event._id),
    );
    if (event === sale.event) return sale;
    this.saleCache.forget(ticketTypeId);
    return this.saleCache.get(ticketTypeId, () => this.loadSaleContext(ticketTypeId));
  }

  private async loadSaleContext(ticketTypeId: string): Promise<SaleContext | null> {
    const type = await this.findTicketType(ticketTypeId);
    if (!type || !type.kind) return null;
    const [event, unitPrice] = await Promise.all([this.readEvent(type.eventId), this.quote(type)]);
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

  /**
   * The price a new hold is quoted: the latest price.changed in the type's currency, else its base price.
   * When that price.changed carries a quantity ladder (`untilSold`), the quote carries it too (see `Quote`):
   * the hold's price is then decided by its place in the stock claim (`priceAt`).
   */
  async quote(type: TicketTypeReplicaDoc): Promise<Quote> {
    const price = await this.prices.findById(type._id).lean<PriceReplicaDoc>().exec();
    if (
      price &&
      price.price.currency === type.basePrice.currency &&
      price.effectiveAt.getTime() <= Date.now()
    ) {
      const quote: Quote = { amount: price.price.amount, currency: price.price.currency };
      const steps = (price.untilSold ?? []).filter((step) => step.next.currency === quote.currency);
      if (steps.length > 0)
        quote.untilSold = steps.map((step) => ({
          count: step.count,
          next: { amount: step.next.amount, currency: step.next.currency },
        }));
      return quote;
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
        // Replaced with every price: a price no quantity ends has none (null).
        untilSold: data.untilSold ?? null,
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
