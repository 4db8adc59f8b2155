import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { newEnvelope } from '@ticketing/contracts';
import { appendOutbox, getLogger, InjectConfig, isDuplicateKeyError } from '@ticketing/platform';
import type { Model } from 'mongoose';
import {
  TICKET_PRICE,
  type LastChange,
  type PriceReason,
  type StoredPolicy,
  type TicketPriceDoc,
} from '../catalog/schemas/ticket-price.schema';
import { PricingOutbox } from '../common/pricing-outbox.service';
import { ReadCopies, type PriceReadState } from '../common/read-copies.service';
import { demandDefaults, enginePolicy, isDynamic, type DemandDefaults } from '../common/policy-mapping';
import { PRICING_SERVICE_NAME, type PricingConfig } from '../config';
import { computePrice, minorUnitOf, type PricingResult, type QuantityStep } from '../engine';
import { PriceFeed } from '../prices/price-feed.service';
import { PRICE_HISTORY, type PriceHistoryDoc } from '../prices/schemas/price-history.schema';
import { SignalsService } from '../signals/signals.service';

export interface RepriceOptions {
  /** A new policy, written in the same update as the price it produces (setPricingPolicy). */
  policy?: StoredPolicy;
  /** Publish a change with this reason even when the price stays. */
  cause?: PriceReason;
}

/** A ticket type's place in the signal-driven repricing (see `schedule`). */
interface ScheduleSlot {
  /** When its last run started (ms since epoch). */
  lastStart: number;
  running: boolean;
  /** A signal came during the run: run once more when the period is over. */
  again: boolean;
  /** The planned run. */
  timer?: NodeJS.Timeout;
  /** Forgets the slot when the period of its last run is over. */
  cooldown?: NodeJS.Timeout;
}

export type RepriceOutcome =
  | { status: 'changed'; doc: TicketPriceDoc }
  // `cancelled`: a new policy for a type whose event was cancelled (refused; nothing written).
  | { status: 'unchanged' | 'skipped' | 'conflict' | 'cancelled' };

/**
 * Runs the pricing function for a ticket type and publishes a change: one update guarded on `version`
 * writes the price, version + 1, the last change (with its factors) and price.changed into the outbox;
 * then the relay nudge, the Redis read copy with the live update, and the history entry (idempotent `_id`).
 * Triggered by demand signals (throttled per ticket type, see `schedule`), by a timer over the DEMAND/TIERED
 * types on sale, and by applied snapshots and policy changes.
 */
@Injectable()
export class Repricer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = getLogger('repricer');
  private readonly defaults: DemandDefaults;
  private readonly slots = new Map<string, ScheduleSlot>();
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;
  private stopped = false;

  constructor(
    @InjectModel(TICKET_PRICE) private readonly prices: Model<TicketPriceDoc>,
    @InjectModel(PRICE_HISTORY) private readonly history: Model<PriceHistoryDoc>,
    private readonly signals: SignalsService,
    private readonly outbox: PricingOutbox,
    private readonly feed: PriceFeed,
    private readonly copies: ReadCopies,
    @InjectConfig() private readonly config: PricingConfig,
  ) {
    this.defaults = demandDefaults(config);
  }

  onApplicationBootstrap(): void {
    if (!this.config.REPRICER_ENABLED) return;
    this.timer = setInterval(() => {
      // A sweep that fails (MongoDB away) is logged and tried again on the next tick; left uncaught, the
      // rejection would end the process (found by tests/faults: pricing exited during a MongoDB outage).
      if (!this.sweeping)
        this.sweeping = this.sweep()
          .then(() => undefined)
          .catch((error: unknown) =>
            this.log.warn({ err: error }, 'repricing sweep failed (the timer retries)'),
          )
          .finally(() => (this.sweeping = undefined));
    }, this.config.REPRICE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const slot of this.slots.values()) {
      clearTimeout(slot.timer);
      clearTimeout(slot.cooldown);
    }
    this.slots.clear();
    await this.sweeping;
  }

  /**
   * Reprices a ticket type after a signal: at once when its last repricing started REPRICE_DEBOUNCE_MS ago or
   * more, else when that period is over (signals meanwhile join that one run). One repricing of a type at a
   * time: a signal during a run asks for one more after it, so the last signal of a burst is always priced.
   * A run that loses the version race to another writer (the timer, an applied snapshot, another replica)
   * runs once more too, rather than leave its signal to the next sweep.
   */
  schedule(ticketTypeId: string): void {
    if (this.stopped) return;
    const slot = this.slots.get(ticketTypeId);
    if (!slot) return this.runScheduled(ticketTypeId);
    if (slot.timer) return; // a run is planned: it reads what this signal added
    if (slot.running) {
      slot.again = true;
      return;
    }
    this.planRun(ticketTypeId, slot);
  }

  private planRun(ticketTypeId: string, slot: ScheduleSlot): void {
    clearTimeout(slot.cooldown);
    slot.cooldown = undefined;
    const wait = Math.max(0, slot.lastStart + this.config.REPRICE_DEBOUNCE_MS - Date.now());
    slot.timer = setTimeout(() => this.runScheduled(ticketTypeId), wait);
    slot.timer.unref();
  }

  private runScheduled(ticketTypeId: string): void {
    let slot = this.slots.get(ticketTypeId);
    if (!slot) {
      slot = { lastStart: 0, running: false, again: false };
      this.slots.set(ticketTypeId, slot);
    }
    const own = slot;
    clearTimeout(own.cooldown);
    own.timer = own.cooldown = undefined;
    own.running = true;
    own.lastStart = Date.now();
    this.reprice(ticketTypeId)
      .then(
        (outcome) => {
          // Another repricing took the version, maybe from totals read before this signal: price it again.
          if (outcome.status === 'conflict') own.again = true;
        },
        (error: unknown) =>
          this.log.warn({ err: error, ticketTypeId }, 'repricing failed (the timer retries)'),
      )
      .finally(() => {
        own.running = false;
        if (this.stopped) return;
        if (own.again) {
          own.again = false;
          return this.planRun(ticketTypeId, own);
        }
        // Kept until its period is over, so the next signal still waits for it; then forgotten.
        const rest = own.lastStart + this.config.REPRICE_DEBOUNCE_MS - Date.now();
        if (rest <= 0) this.slots.delete(ticketTypeId);
        else {
          own.cooldown = setTimeout(() => this.slots.delete(ticketTypeId), rest);
          own.cooldown.unref();
        }
      });
  }

  /**
   * The timer: every DEMAND/TIERED type still on sale, found by the indexed equality `dynamic: true` alone. A
   * type whose sales have ended loses the mark here (guarded on the end it was read with; a later
   * ticket-type.upserted that moves the end sets it again), so the set stays as small as what is on sale.
   */
  async sweep(now = Date.now()): Promise<number> {
    const marked = await this.prices
      .find({ dynamic: true }, { _id: 1, salesEnd: 1 })
      .lean<Array<{ _id: string; salesEnd?: Date | null }>>()
      .exec();
    const due: Array<{ _id: string }> = [];
    for (const doc of marked) {
      if (doc.salesEnd && new Date(doc.salesEnd).getTime() <= now) {
        await this.prices
          .updateOne({ _id: doc._id, dynamic: true, salesEnd: doc.salesEnd }, { $set: { dynamic: false } })
          .exec();
      } else due.push(doc);
    }
    let changed = 0;
    for (const { _id } of due) {
      if (this.stopped) break;
      try {
        if ((await this.reprice(_id)).status === 'changed') changed += 1;
      } catch (error) {
        this.log.warn({ err: error, ticketTypeId: _id }, 'repricing failed');
      }
    }
    return changed;
  }

  /** What the pricing function says for a stored type now (no write). */
  async evaluate(
    doc: PriceReadState,
    policy: StoredPolicy = doc.policy,
    now = Date.now(),
  ): Promise<PricingResult> {
    // Only DEMAND reads the window (FIXED and TIERED never look at it): skipping its bucket reads makes a
    // TIERED repricing and every read of a TIERED price (nextTier) two reads instead of thirty-two.
    const window =
      policy.kind === 'DEMAND'
        ? await this.signals.window(doc._id, doc.eventId, now)
        : { windowMs: this.config.DEMAND_WINDOW_MS, views: 0, held: 0, lapsed: 0, sold: 0 };
    const soldTotal = Math.max(0, doc.soldTotal ?? 0);
    return computePrice({
      policy: enginePolicy(policy, this.defaults),
      basePrice: doc.basePrice,
      minorUnit: minorUnitOf(doc.currency),
      current: doc.price ?? null,
      lastChangedAt: doc.lastChangedAt ? new Date(doc.lastChangedAt).getTime() : null,
      now,
      window,
      capacity: doc.capacity,
      soldTotal,
      stockLeft: Math.max(0, doc.capacity - soldTotal - Math.max(0, doc.heldTotal ?? 0)),
      salesEndAt: new Date(doc.salesEnd).getTime(),
    });
  }

  async reprice(ticketTypeId: string, options: RepriceOptions = {}): Promise<RepriceOutcome> {
    const doc = await this.prices.findById(ticketTypeId).lean<TicketPriceDoc>().exec();
    if (!doc?.policy || !doc.eventId || doc.basePrice == null) return { status: 'skipped' };
    if ((doc.historyVersion ?? 0) < doc.version && doc.lastChange)
      await this.writeHistory(doc, doc.lastChange);
    if (doc.cancelled && options.policy) return { status: 'cancelled' };
    if (doc.cancelled) {
      // Its price stays, but a snapshot applied since (a new base price) reaches the copy.
      await this.copies.putType(doc);
      return { status: 'skipped' };
    }

    const policy = options.policy ?? doc.policy;
    const now = Date.now();
    const result = await this.evaluate(doc, policy, now);
    const cause = options.cause ?? doc.pendingCause ?? null;
    const current = doc.price ?? null;
    const ladder = result.untilSold ?? null;
    if (current !== null && result.price === current && cause === null && sameLadder(ladder, doc.untilSold)) {
      // The copy follows the totals and applied snapshots too (a tier of the same price may have passed)
      // and heals a lost write.
      await this.copies.putType(doc);
      return { status: 'unchanged' };
    }

    const reason: PriceReason =
      current === null
        ? 'INITIAL'
        : (cause ??
          (policy.kind === 'TIERED' ? 'TIER' : policy.kind === 'DEMAND' ? 'DEMAND' : 'BASE_PRICE_CHANGED'));
    const version = doc.version + 1;
    const at = new Date(now);
    const factors = result.factors.map((f) => ({ name: f.name, value: f.value, detail: f.detail }));
    const envelope = newEnvelope(
      'price.changed',
      doc.eventId,
      {
        ticketTypeId: doc._id,
        eventId: doc.eventId,
        price: { amount: result.price, currency: doc.currency },
        previous: current === null ? null : { amount: current, currency: doc.currency },
        reason,
        effectiveAt: at.toISOString(),
        priceVersion: version,
        factors,
        ...(ladder
          ? {
              untilSold: ladder.map((step) => ({
                count: step.count,
                next: { amount: step.next, currency: doc.currency },
              })),
            }
          : {}),
      },
      { source: PRICING_SERVICE_NAME },
    );
    const lastChange: LastChange = { version, price: result.price, previous: current, reason, factors, at };
    const set: Record<string, unknown> = {
      price: result.price,
      version,
      lastChange,
      pendingCause: null,
      untilSold: ladder,
    };
    if (result.price !== current) set.lastChangedAt = at;
    if (options.policy) {
      set.policy = options.policy;
      set.dynamic = isDynamic(options.policy) && !doc.cancelled;
    }
    const outbox = appendOutbox([envelope]) as Record<string, Record<string, unknown>>;
    const update: Record<string, Record<string, unknown>> = {
      ...outbox,
      $set: { ...(outbox.$set ?? {}), ...set },
    };
    // A cancellation landing meanwhile does not move `version`: a new policy is also guarded on it.
    const guard = options.policy ? { cancelled: { $ne: true } } : {};
    const written = await this.prices
      .updateOne({ _id: doc._id, version: doc.version, ...guard }, update)
      .exec();
    if (written.modifiedCount !== 1) return { status: 'conflict' };

    const changed: TicketPriceDoc = { ...doc, ...(set as Partial<TicketPriceDoc>) };
    this.outbox.nudge();
    // Live subscribers first: the history entry is two more writes nobody on the live path waits for. The read
    // copy is sent before the announcement on the same connection, so Redis stores it first: a subscriber
    // that reads on hearing the change reads the new price.
    const copied = this.copies.putType(changed);
    const announced = this.feed.publish({
      ticketTypeId: doc._id,
      eventId: doc.eventId,
      amount: result.price,
      previous: current,
      currency: doc.currency,
      version,
      reason,
      at: at.toISOString(),
    });
    await Promise.all([copied, announced]);
    await this.writeHistory(changed, lastChange);
    return { status: 'changed', doc: changed };
  }

  private async writeHistory(doc: TicketPriceDoc, change: LastChange): Promise<void> {
    try {
      await this.history.create({
        _id: `${doc._id}:${change.version}`,
        ticketTypeId: doc._id,
        eventId: doc.eventId,
        version: change.version,
        price: change.price,
        previous: change.previous,
        currency: doc.currency,
        reason: change.reason,
        factors: change.factors,
        at: change.at,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    await this.prices
      .updateOne(
        { _id: doc._id, historyVersion: { $lt: change.version } },
        { $set: { historyVersion: change.version } },
      )
      .exec();
  }
}

/** Whether a ladder is the one last published (none and an absent field are the same). */
function sameLadder(
  ladder: readonly QuantityStep[] | null,
  stored: readonly QuantityStep[] | null | undefined,
) {
  const before = stored ?? [];
  const now = ladder ?? [];
  return (
    before.length === now.length &&
    now.every((step, i) => step.count === before[i]!.count && step.next === before[i]!.next)
  );
}
