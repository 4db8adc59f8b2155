import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { EventCancelledData, TicketTypeSnapshot } from '@ticketing/contracts';
import { getLogger, InjectConfig, isDuplicateKeyError } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { demandDefaults, isDynamic, policyFromSnapshot, type DemandDefaults } from '../common/policy-mapping';
import type { PricingConfig } from '../config';
import { ReadCopies, type OwnerReadState, type PriceReadState } from '../common/read-copies.service';
import { EVENT_OWNER, type EventOwnerDoc } from './schemas/event-owner.schema';
import { TICKET_PRICE, type PriceReason, type TicketPriceDoc } from './schemas/ticket-price.schema';

/**
 * Pricing's replica of what the event service says: who organizes each event, and each ticket type's base
 * price, capacity, sales window and (event-side) policy. Every apply is guarded by the aggregate version,
 * so redelivered and reordered messages change nothing.
 */
@Injectable()
export class CatalogService implements OnApplicationShutdown {
  private readonly log = getLogger('catalog');
  private readonly defaults: DemandDefaults;
  /** Copies being refilled after a read missed. */
  private readonly refills = new Set<Promise<void>>();

  constructor(
    @InjectModel(EVENT_OWNER) private readonly owners: Model<EventOwnerDoc>,
    @InjectModel(TICKET_PRICE) private readonly prices: Model<TicketPriceDoc>,
    private readonly copies: ReadCopies,
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

  /**
   * What a read of the type's price needs: its Redis copy, else the document (the read does not wait for the
   * copy to be refilled; a type not priced yet has none).
   */
  async readType(ticketTypeId: string): Promise<PriceReadState | null> {
    const copy = await this.copies.type(ticketTypeId);
    if (copy) return copy;
    const doc = await this.findType(ticketTypeId);
    if (doc?.price != null) this.track(this.refillType(doc));
    return doc;
  }

  /** From the event's owner copy, else its document (then copied). */
  async isOrganizer(userId: string, eventId: string): Promise<boolean> {
    return (await this.owner(eventId))?.organizerId === userId;
  }

  /** The event's owner copy, else its document (then copied); null for an event never published. */
  async owner(eventId: string): Promise<OwnerReadState | null> {
    const copy = await this.copies.owner(eventId);
    if (copy) return copy;
    const doc = await this.findEvent(eventId);
    if (doc) this.track(this.refillOwner(doc));
    return doc;
  }

  /**
   * Writes a missed copy from the document a read found, then reads the document again and copies it once
   * more if it moved. The guard alone is not enough here: a newer write whose copy a FLUSHDB (or an expiry)
   * erased while this read was in flight would leave this older snapshot in place until its TTL. Every write
   * after the second read copies itself, so from then on the copy is at least what MongoDB held.
   */
  async refillType(doc: PriceReadState): Promise<void> {
    if (!(await this.copies.putType(doc, true))) return;
    const now = await this.findType(doc._id);
    const moved = (d: PriceReadState) => [d.version, d.typeVersion ?? 0, d.soldTotal ?? 0].join();
    if (now && moved(now) !== moved(doc)) await this.copies.putType(now);
  }

  /** `refillType` for an event's owner copy. */
  async refillOwner(owner: OwnerReadState): Promise<void> {
    if (!(await this.copies.putOwner(owner, true))) return;
    const now = await this.findEvent(owner._id);
    if (now && now.aggregateVersion !== owner.aggregateVersion) await this.copies.putOwner(now);
  }

  /** Resolves when the refills started so far are done (shutdown waits for them; so can a test). */
  async refilled(): Promise<void> {
    await Promise.all([...this.refills]);
  }

  onApplicationShutdown(): Promise<void> {
    return this.refilled();
  }

  private track(refill: Promise<void>): void {
    const done = refill
      .catch((error: unknown) => this.log.debug({ err: error }, 'read copy not refilled'))
      .finally(() => this.refills.delete(done));
    this.refills.add(done);
  }

  /**
   * Applies an event's owner (and its end, which event.published/updated carry and event.cancelled does not)
   * when its aggregateVersion is newer than the one stored.
   */
  async applyEvent(data: {
    eventId: string;
    organizerId: string;
    aggregateVersion: number;
    endsAt?: string;
  }): Promise<void> {
    try {
      const result = await this.owners
        .updateOne(
          {
            _id: data.eventId,
            $or: [
              { aggregateVersion: { $lt: data.aggregateVersion } },
              { aggregateVersion: { $exists: false } },
            ],
          },
          {
            $set: {
              organizerId: data.organizerId,
              aggregateVersion: data.aggregateVersion,
              ...(data.endsAt ? { endsAt: new Date(data.endsAt) } : {}),
            },
          },
          { upsert: true },
        )
        .exec();
      // Only what MongoDB took: a stale event must not reach the copy (with no copy there, the guard has
      // nothing to compare it with).
      if (result.modifiedCount === 1 || result.upsertedCount === 1) {
        await this.copies.putOwner({
          _id: data.eventId,
          organizerId: data.organizerId,
          aggregateVersion: data.aggregateVersion,
        });
      }
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
