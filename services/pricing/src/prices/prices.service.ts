import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  type AuthUser,
  badInput,
  conflict,
  forbidden,
  InjectConfig,
  isEntityId,
  notFound,
} from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CatalogService } from '../catalog/catalog.service';
import { demandDefaults, type DemandDefaults } from '../common/policy-mapping';
import type { PriceReadState } from '../common/read-copies.service';
import type { PricingConfig } from '../config';
import { minorUnitOf } from '../engine';
import { Repricer } from '../repricing/repricer.service';
import type { SetPricingPolicyInput } from './dto/set-pricing-policy.input';
import {
  PricingPolicyKind,
  type PriceChange,
  type PricingSettings,
  type TicketPrice,
} from './models/price.models';
import { policyFromInput } from './policy-input';
import { PRICE_HISTORY, type PriceHistoryDoc } from './schemas/price-history.schema';

/** Most history entries one priceHistory call returns (oldest first). */
export const HISTORY_LIMIT = 1_000;
/** Attempts of setPricingPolicy when a concurrent repricing wins the version race. */
const POLICY_ATTEMPTS = 5;
/**
 * How long priceChanged waits for an event it has not heard of: one published a moment ago whose
 * event.published is still on its way (a buyer opening the page at once).
 */
const JUST_PUBLISHED_WAIT_MS = 1_500;

@Injectable()
export class PricesService {
  private readonly defaults: DemandDefaults;

  constructor(
    private readonly catalog: CatalogService,
    private readonly repricer: Repricer,
    @InjectModel(PRICE_HISTORY) private readonly history: Model<PriceHistoryDoc>,
    @InjectConfig() config: PricingConfig,
  ) {
    this.defaults = demandDefaults(config);
  }

  /**
   * Refuses a priceChanged subscription to something that is not a published event: a malformed id is
   * BAD_USER_INPUT, an event pricing has not heard of (a draft, a typo, none at all) NOT_FOUND, both on
   * `eventId`, instead of a feed that stays silent for ever.
   */
  async requirePublishedEvent(eventId: string): Promise<void> {
    if (!isEntityId(eventId)) throw badInput('eventId', 'eventId must be an event id');
    const deadline = Date.now() + JUST_PUBLISHED_WAIT_MS;
    for (let pause = 50; ; pause = Math.min(pause * 2, 250)) {
      if (await this.catalog.owner(eventId)) return;
      if (Date.now() + pause > deadline) throw notFound('Event', 'eventId');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** The public price of a ticket type, with the next tier of a TIERED policy (from the read copy). */
  async priceOf(ticketTypeId: string): Promise<TicketPrice | null> {
    const doc = await this.catalog.readType(ticketTypeId);
    return doc ? this.toPrice(doc) : null;
  }

  private async toPrice(doc: PriceReadState): Promise<TicketPrice | null> {
    if (doc.price == null || !doc.currency) return null;
    let nextTier: TicketPrice['nextTier'] = null;
    if (doc.policy?.kind === 'TIERED') {
      const next = (await this.repricer.evaluate(doc)).nextTier;
      if (next) {
        nextTier = {
          price: { amount: next.amount, currency: doc.currency },
          startsAt: next.at === null ? null : new Date(next.at),
          afterSold: next.afterSold,
        };
      }
    }
    return {
      amount: doc.price,
      currency: doc.currency,
      version: doc.version,
      updatedAt: doc.lastChange?.at ?? null,
      nextTier,
    };
  }

  /**
   * A known ticket type the user may manage (its event's organizer, or ADMIN): from the read copies, or from
   * MongoDB (`fresh`) before a write.
   */
  private async managedType(user: AuthUser, ticketTypeId: string, fresh = false): Promise<PriceReadState> {
    const doc = fresh ? await this.catalog.findType(ticketTypeId) : await this.catalog.readType(ticketTypeId);
    if (!doc?.policy || !doc.eventId) throw notFound('Ticket type', 'ticketTypeId');
    if (user.role !== 'ADMIN' && !(await this.catalog.isOrganizer(user.id, doc.eventId))) {
      throw forbidden("Only the event's organizer may manage its prices");
    }
    return doc;
  }

  async settings(user: AuthUser, ticketTypeId: string): Promise<PricingSettings> {
    return this.toSettings(await this.managedType(user, ticketTypeId));
  }

  /**
   * Replaces the policy and publishes the price it gives now, reason POLICY_CHANGED, in one guarded update.
   * Invalid input, an unknown type or someone else's type change nothing.
   */
  async setPolicy(
    user: AuthUser,
    ticketTypeId: string,
    input: SetPricingPolicyInput,
  ): Promise<PricingSettings> {
    const doc = await this.managedType(user, ticketTypeId, true);
    // Dated tiers end by the end of the event: its end as the replica last heard it (event.published/updated).
    const dated = input.kind === 'TIERED' && (input.tiers ?? []).some((t) => t.until != null);
    const eventEndsAt = dated ? (await this.catalog.findEvent(doc.eventId))?.endsAt : null;
    const storedUntil = new Set(
      (doc.policy.tiers ?? []).flatMap((t) => (t.until ? [new Date(t.until).getTime()] : [])),
    );
    const policy = policyFromInput(
      input,
      doc.currency,
      minorUnitOf(doc.currency),
      this.defaults,
      doc.basePrice,
      doc.capacity,
      { eventEndsAt, now: new Date(), storedUntil },
    );
    for (let attempt = 0; attempt < POLICY_ATTEMPTS; attempt += 1) {
      const outcome = await this.repricer.reprice(ticketTypeId, { policy, cause: 'POLICY_CHANGED' });
      if (outcome.status === 'changed') return this.toSettings(outcome.doc);
      if (outcome.status === 'skipped') throw notFound('Ticket type', 'ticketTypeId');
      if (outcome.status === 'cancelled') throw cancelledEvent();
    }
    throw conflict('The price changed meanwhile; try again', 'ticketTypeId');
  }

  async historyOf(
    user: AuthUser,
    ticketTypeId: string,
    from?: Date | null,
    to?: Date | null,
  ): Promise<PriceChange[]> {
    if (from && to && from.getTime() > to.getTime()) throw badInput('to', '`to` is before `from`');
    await this.managedType(user, ticketTypeId);
    const at: Record<string, Date> = {};
    if (from) at.$gte = from;
    if (to) at.$lte = to;
    const docs = await this.history
      .find({ ticketTypeId, ...(from || to ? { at } : {}) })
      .sort({ at: 1 })
      .limit(HISTORY_LIMIT)
      .lean<PriceHistoryDoc[]>()
      .exec();
    return docs.map((d) => ({
      ticketTypeId: d.ticketTypeId,
      version: d.version,
      price: { amount: d.price, currency: d.currency },
      previous: d.previous === null ? null : { amount: d.previous, currency: d.currency },
      reason: d.reason,
      factors: d.factors.map((f) => ({ name: f.name, value: f.value, detail: f.detail ?? '' })),
      at: d.at,
    }));
  }

  private async toSettings(doc: PriceReadState): Promise<PricingSettings> {
    const p = doc.policy;
    return {
      ticketTypeId: doc._id,
      kind: p.kind as PricingPolicyKind,
      currency: doc.currency,
      basePrice: doc.basePrice,
      floor: p.floor ?? null,
      ceiling: p.ceiling ?? null,
      maxStepPct: p.maxStepPct ?? null,
      minIntervalSeconds: p.kind === 'DEMAND' ? Math.round((p.minIntervalMs ?? 0) / 1000) : null,
      sensitivity: p.sensitivity ?? null,
      hysteresisPct: p.hysteresisPct ?? null,
      priceEnding: p.ending ?? null,
      tiers: (p.tiers ?? []).map((t) => ({
        amount: t.amount,
        until: t.until ? new Date(t.until) : null,
        untilSold: t.untilSold ?? null,
      })),
      price: await this.toPrice(doc),
    };
  }
}

/** The event was cancelled: its prices stay as they were (the event service refuses its edits the same way). */
function cancelledEvent() {
  return conflict('The event is cancelled: its prices can no longer change', 'ticketTypeId');
}
