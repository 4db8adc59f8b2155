import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { EventCancelledData, TicketTypeSnapshot } from '@ticketing/contracts';
import { InjectConfig, isDuplicateKeyError } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { demandDefaults, isDynamic, policyFromSnapshot, type DemandDefaults } from '../common/policy-mapping';
import type { PricingConfig } from '../config';
import { EVENT_OWNER, type EventOwnerDoc } from './schemas/event-owner.schema';
import { TICKET_PRICE, type PriceReason, type TicketPriceDoc } from './schemas/ticket-price.schema';

/**
 * Pricing's replica of what the event service says: who organizes each event, and each ticket type's base
 * price, capacity, sales window and (event-side) policy. Every apply is guarded by the aggregate version,
 * so redelivered and reordered messages change nothing.
 */
@Injectable()
export class CatalogService {
  private readonly defaults: DemandDefaults;

  constructor(
    @InjectModel(EVENT_OWNER) private readonly owners: Model<EventOwnerDoc>,
    @InjectModel(TICKET_PRICE) private readonly prices: Model<TicketPriceDoc>,
    @InjectConfig() config: PricingConfig,
  ) {
    this.defaults = demandDefaults(config);
  }

  findEvent(eventId: string): Promise<EventOwnerDoc | null> {
    return this.owners.findById(eventId).lean<EventOwnerDoc>().exec();
  }

  findType(ticketTypeId: string): Promise<TicketPriceDoc | null> {
    return this.prices.findById(ticketTypeId).lean<TicketPriceDoc>().exec();
  }

  async isOrganizer(userId: string, eventId: string): Promise<boolean> {
    const event = await this.findEvent(eventId);
    return !!event && event.organizerId === userId;
  }

  async applyEvent(data: { eventId: string; organizerId: string; aggregateVersion: number }): Promise<void> {
    try {
      await this.owners
        .updateOne(
          {
            _id: data.eventId,
            $or: [
              { aggregateVersion: { $lt: data.aggregateVersion } },
              { aggregateVersion: { $exists: false } },
            ],
          },
          { $set: { organizerId: data.organizerId, aggregateVersion: data.aggregateVersion } },
          { upsert: true },
        )
        .exec();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // a newer version is stored
    }
  }

  /** Cancellation is final: the event's prices stop moving. */
  async applyCancelled(data: EventCancelledData): Promise<void> {
    await this.applyEvent(data);
    await this.owners.updateOne({ _id: data.eventId }, { $set: { cancelled: true } }).exec();
    await this.prices
      .updateMany({ eventId: data.eventId }, { $set: { cancelled: true, dynamic: false } })
      .exec();
  }

  /**
   * Applies a ticket-type snapshot when it is newer than the one stored. The event service's policy replaces
   * the stored one only when it differs from the last one the event service sent (so a policy the organizer
   * set here survives unrelated edits), or when the currency changed. Returns whether anything changed.
   */
  async applyTicketType(snapshot: TicketTypeSnapshot): Promise<boolean> {
    const existing = await this.findType(snapshot.ticketTypeId);
    if (existing?.typeVersion != null && existing.typeVersion >= snapshot.aggregateVersion) return false;
    const eventPolicy = JSON.stringify(snapshot.pricingPolicy);
    const set: Partial<TicketPriceDoc> = {
      eventId: snapshot.eventId,
      currency: snapshot.basePrice.currency,
      basePrice: snapshot.basePrice.amount,
      capacity: snapshot.quantity,
      salesStart: new Date(snapshot.salesStart),
      salesEnd: new Date(snapshot.salesEnd),
      typeVersion: snapshot.aggregateVersion,
    };
    let cause: PriceReason | null = null;
    const currencyChanged = !!existing?.currency && existing.currency !== snapshot.basePrice.currency;
    if (!existing?.policy || existing.eventPolicy !== eventPolicy || currencyChanged) {
      set.policy = policyFromSnapshot(snapshot, this.defaults);
      set.eventPolicy = eventPolicy;
      set.dynamic = isDynamic(set.policy) && !existing?.cancelled;
      if (existing?.policy) cause = 'POLICY_CHANGED';
    } else if (existing.basePrice !== snapshot.basePrice.amount) {
      cause = 'BASE_PRICE_CHANGED';
    }
    if (cause) set.pendingCause = cause;
    if (existing && existing.version == null) {
      // A stub made by demand totals that arrived before the ticket type: give it its price state.
      Object.assign(set, {
        version: 0,
        historyVersion: 0,
        price: null,
        lastChangedAt: null,
        lastChange: null,
      });
    }
    const guard =
      existing?.typeVersion != null
        ? { typeVersion: existing.typeVersion }
        : { typeVersion: { $exists: false } };
    try {
      const result = await this.prices
        .updateOne({ _id: snapshot.ticketTypeId, ...guard }, { $set: set }, { upsert: true })
        .exec();
      return result.modifiedCount === 1 || result.upsertedCount === 1;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false; // another apply won the race
      throw error;
    }
  }

  /** Adds sold/held units to a ticket type's totals (a stub document when the type is not known yet). */
  async addTotals(ticketTypeId: string, inc: { soldTotal?: number; heldTotal?: number }): Promise<void> {
    await this.prices
      .updateOne({ _id: ticketTypeId }, { $inc: inc }, { upsert: true, setDefaultsOnInsert: false })
      .exec();
  }

  /** Ids of an event's ticket types whose price moves with demand or tiers. */
  async dynamicTypesOf(eventId: string): Promise<string[]> {
    const docs = await this.prices
      .find({ eventId, dynamic: true }, { _id: 1 })
      .lean<{ _id: string }[]>()
      .exec();
    return docs.map((d) => d._id);
  }
}
