import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { badInput } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CatalogService, priceStepAt } from '../catalog/catalog.service';
import type { TicketTypeReplicaDoc } from '../catalog/schemas/ticket-type-replica.schema';
import type { EventReplicaDoc } from '../catalog/schemas/event-replica.schema';
import { isDuplicateKey } from '../common/ids';
import {
  BUYER_LIMIT,
  buyerLimitId,
  eventBuyerLimitId,
  type BuyerLimitDoc,
} from './schemas/buyer-limit.schema';
import { INVENTORY, type InventoryDoc } from './schemas/inventory.schema';
import { SEAT, seatDocId, type SeatDoc } from './schemas/seat.schema';

/** The hold a reservation has on one ticket type. */
export interface HoldRef {
  reservationId: string;
  ticketTypeId: string;
  kind: 'GENERAL_ADMISSION' | 'RESERVED';
  quantity: number;
  buyerId: string;
}

/** `step`: where the hold falls on the quote's quantity ladder (see `claimOnLadder`); 0 without one. */
export type SeatHoldResult = { ok: true; step: number } | { ok: false; unavailable: string[] };

const marker = (reservationId: string) => `holds.${reservationId}`;

/** What the event-wide buyer limit is read from: the event's replica row. */
export type EventLimitSource = Pick<EventReplicaDoc, '_id' | 'perBuyerMax'>;

/** The event's own per-buyer limit, or null when it sets none (only the per-type counter applies then). */
function eventLimit(event: EventLimitSource): { eventId: string; max: number } | null {
  const max = event.perBuyerMax;
  return typeof max === 'number' ? { eventId: event._id, max } : null;
}

/** Ticket types whose ladder hint this process keeps (oldest dropped first). */
const LADDER_HINTS_MAX = 1_000;

/**
 * MongoDB is the truth for stock. Every method here is ONE guarded single-document update (or, for seats,
 * one per seat), so concurrent buyers, retries and several replicas can never take more than there is,
 * and a hold can be returned or sold once only (its `holds.<reservationId>` marker goes in the same update).
 */
@Injectable()
export class InventoryService {
  constructor(
    @InjectModel(INVENTORY) private readonly inventory: Model<InventoryDoc>,
    @InjectModel(SEAT) private readonly seats: Model<SeatDoc>,
    @InjectModel(BUYER_LIMIT) private readonly buyerLimits: Model<BuyerLimitDoc>,
    private readonly catalog: CatalogService,
  ) {}

  /**
   * Per ticket type under a quantity ladder: its capacity and about how many units are taken, as this process
   * last saw them. Only a guess of which step the next hold falls in; the claim's guard decides.
   */
  private readonly ladderHints = new Map<string, { capacity: number; taken: number }>();

  find(ticketTypeId: string): Promise<InventoryDoc | null> {
    return this.inventory.findById(ticketTypeId).lean<InventoryDoc>().exec();
  }

  findByEvent(eventId: string): Promise<InventoryDoc[]> {
    return this.inventory.find({ eventId }).sort({ _id: 1 }).lean<InventoryDoc[]>().exec();
  }

  // ---- stock from the event service ------------------------------------------------------------

  /** Creates the inventory of a ticket type, or moves its capacity to the new quantity / seat list. */
  async syncFromTicketType(type: TicketTypeReplicaDoc): Promise<void> {
    await this.inventory
      .updateOne(
        { _id: type._id },
        {
          $setOnInsert: {
            eventId: type.eventId,
            kind: type.kind,
            capacity: 0,
            requestedCapacity: 0,
            available: 0,
            held: 0,
            sold: 0,
            revenue: 0,
            currency: type.basePrice.currency,
            holds: {},
          },
        },
        { upsert: true },
      )
      .exec()
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
    if (type.kind === 'RESERVED') await this.syncSeats(type);
    await this.adjustCapacity(type._id, type.quantity);
  }

  /**
   * Moves capacity towards `target` without ever going below what is held + sold: the update is guarded on
   * the exact capacity and availability it was computed from and retried when something moved meanwhile.
   */
  async adjustCapacity(ticketTypeId: string, target: number): Promise<InventoryDoc | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const doc = await this.find(ticketTypeId);
      if (!doc) return null;
      const committed = doc.capacity - doc.available;
      const capacity = Math.max(target, committed);
      if (capacity === doc.capacity && doc.requestedCapacity === target) return doc;
      const result = await this.inventory
        .updateOne(
          { _id: ticketTypeId, capacity: doc.capacity, available: doc.available },
          { $set: { capacity, available: capacity - committed, requestedCapacity: target } },
        )
        .exec();
      if (result.matchedCount === 1) return this.find(ticketTypeId);
    }
    throw new Error(`capacity of ticket type ${ticketTypeId} kept moving; will retry on redelivery`);
  }

  private async syncSeats(type: TicketTypeReplicaDoc): Promise<void> {
    const docs = type.seatIds.map((seatId) => ({
      _id: seatDocId(type._id, seatId),
      ticketTypeId: type._id,
      eventId: type.eventId,
      seatId,
      state: 'AVAILABLE',
      reservationId: null,
      orderId: null,
      withdrawn: false,
    }));
    if (docs.length > 0) {
      await this.seats.insertMany(docs, { ordered: false }).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
    }
    await this.seats
      .updateMany(
        { ticketTypeId: type._id, seatId: { $in: type.seatIds }, withdrawn: true },
        { $set: { withdrawn: false } },
      )
      .exec();
    await this.seats
      .updateMany(
        { ticketTypeId: type._id, seatId: { $nin: type.seatIds }, withdrawn: false },
        { $set: { withdrawn: true } },
      )
      .exec();
  }

  // ---- holds ------------------------------------------------------------------------------------

  /** General admission: takes `quantity` if that many are available. */
  async holdGeneral(ticketTypeId: string, reservationId: string, quantity: number): Promise<boolean> {
    const result = await this.inventory
      .updateOne(
        { _id: ticketTypeId, available: { $gte: quantity }, [marker(reservationId)]: { $exists: false } },
        { $inc: { available: -quantity, held: quantity }, $set: { [marker(reservationId)]: quantity } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /**
   * General admission under a quantity ladder (price.changed's `untilSold`): takes `quantity` like
   * holdGeneral and answers where the hold falls on the ladder (`priceStepAt` of the units taken just before
   * its claim), or null when not enough are available. See `claimOnLadder`.
   */
  holdGeneralOnLadder(
    ticketTypeId: string,
    reservationId: string,
    quantity: number,
    steps: readonly { count: number }[],
  ): Promise<number | null> {
    return this.claimOnLadder(ticketTypeId, reservationId, quantity, steps, true);
  }

  /**
   * The stock claim of a hold that must also learn its place in the stock: the units taken before it
   * (sold + held = capacity - available) at the very moment of its claim, which decides its step on the
   * ladder. Still ONE atomic single-document update, so concurrent holds get distinct places:
   * - with a hint (this process's last view of the type), the guessed step's band goes into the guard:
   *   `updateOne({ _id, capacity: C, available: { $gte: max(q, C - count[i] + q), $lt: C - count[i-1] + q },
   *   'holds.<res>': { $exists: false } }, <holdGeneral's update>)`; matching it proves the step;
   * - without one, or when that guard misses (another step, capacity moved, sold out), the claim itself
   *   returns the stock as it was just before: `findOneAndUpdate(<holdGeneral's guard>, <update>,
   *   { returnDocument: 'before' })`, whose `capacity - available` is the exact place.
   * So a hold costs one write (two when the type has just crossed a step boundary), and nothing depends on
   * Redis. `needStock` false: seats already claimed one by one (the counters only follow them).
   */
  private async claimOnLadder(
    ticketTypeId: string,
    reservationId: string,
    quantity: number,
    steps: readonly { count: number }[],
    needStock: boolean,
  ): Promise<number | null> {
    const update = {
      $inc: { available: -quantity, held: quantity },
      $set: { [marker(reservationId)]: quantity },
    };
    const unclaimed = { [marker(reservationId)]: { $exists: false } };
    const hint = this.ladderHints.get(ticketTypeId);
    if (hint && (!needStock || hint.capacity - hint.taken >= quantity)) {
      const step = priceStepAt(steps, hint.taken, quantity);
      // The step's band of units taken before the hold: (low, high].
      const low = step > 0 ? steps[step - 1]!.count - quantity : -Infinity;
      const high = step < steps.length ? steps[step]!.count - quantity : Infinity;
      const min = Math.max(needStock ? quantity : -Infinity, hint.capacity - high);
      const max = hint.capacity - low; // exclusive
      if (min < max) {
        const available: Record<string, number> = {};
        if (Number.isFinite(min)) available.$gte = min;
        if (Number.isFinite(max)) available.$lt = max;
        const result = await this.inventory
          .updateOne(
            {
              _id: ticketTypeId,
              capacity: hint.capacity,
              ...(Object.keys(available).length > 0 ? { available } : {}),
              ...unclaimed,
            },
            update,
          )
          .exec();
        if (result.modifiedCount === 1) {
          hint.taken = Math.min(Math.max(hint.taken, low + 1), high) + quantity;
          return step;
        }
      }
    }
    const before = await this.inventory
      .findOneAndUpdate(
        { _id: ticketTypeId, ...(needStock ? { available: { $gte: quantity } } : {}), ...unclaimed },
        update,
        { returnDocument: 'before' },
      )
      .lean<InventoryDoc>()
      .exec();
    if (!before) {
      // Sold out as far as this process knows: the next hold goes straight to the exact claim.
      if (hint) hint.taken = hint.capacity;
      return null;
    }
    const takenBefore = before.capacity - before.available;
    this.ladderHints.delete(ticketTypeId);
    this.ladderHints.set(ticketTypeId, { capacity: before.capacity, taken: takenBefore + quantity });
    if (this.ladderHints.size > LADDER_HINTS_MAX)
      this.ladderHints.delete(this.ladderHints.keys().next().value!);
    return priceStepAt(steps, takenBefore, quantity);
  }

  /** Seat ids of a ticket type that are held or sold now (one indexed query). */
  async takenSeats(ticketTypeId: string): Promise<string[]> {
    const docs = await this.seats
      .find({ ticketTypeId, state: { $in: ['HELD', 'SOLD'] } }, { seatId: 1, _id: 0 })
      .sort({ seatId: 1 })
      .lean<{ seatId: string }[]>()
      .exec();
    return docs.map((d) => d.seatId);
  }

  /**
   * Reserved seating: one guarded update per seat (AVAILABLE → HELD by this reservation). If any seat is
   * taken, the seats this call did take are given back before it answers.
   */
  async holdSeats(
    ticketTypeId: string,
    reservationId: string,
    seatIds: readonly string[],
    steps: readonly { count: number }[] = [],
  ): Promise<SeatHoldResult> {
    const outcomes = await Promise.all(
      seatIds.map(async (seatId) => {
        const id = seatDocId(ticketTypeId, seatId);
        const result = await this.seats
          .updateOne(
            { _id: id, state: 'AVAILABLE', withdrawn: false },
            { $set: { state: 'HELD', reservationId } },
          )
          .exec();
        return { seatId, taken: result.modifiedCount === 1 };
      }),
    );
    const unavailable = outcomes.filter((o) => !o.taken).map((o) => o.seatId);
    if (unavailable.length > 0) {
      // Give back exactly the seats this call took (no query needed: it knows which).
      const taken = outcomes.filter((o) => o.taken).map((o) => seatDocId(ticketTypeId, o.seatId));
      await Promise.all(
        taken.map((id) =>
          this.seats
            .updateOne(
              { _id: id, reservationId, state: 'HELD' },
              { $set: { state: 'AVAILABLE', reservationId: null } },
            )
            .exec(),
        ),
      );
      return { ok: false, unavailable };
    }
    if (steps.length > 0) {
      // The counters' claim also gives the hold's place on the quantity ladder. Null only if this
      // reservation's marker were already there (never for a new one): then the last step, never the cheapest.
      const step = await this.claimOnLadder(ticketTypeId, reservationId, seatIds.length, steps, false);
      return { ok: true, step: step ?? steps.length };
    }
    await this.inventory
      .updateOne(
        { _id: ticketTypeId, [marker(reservationId)]: { $exists: false } },
        {
          $inc: { available: -seatIds.length, held: seatIds.length },
          $set: { [marker(reservationId)]: seatIds.length },
        },
      )
      .exec();
    return { ok: true, step: 0 };
  }

  private async releaseSeats(reservationId: string): Promise<void> {
    const held = await this.seats.find({ reservationId, state: 'HELD' }).lean<SeatDoc[]>().exec();
    await Promise.all(
      held.map((seat) =>
        this.seats
          .updateOne(
            { _id: seat._id, reservationId, state: 'HELD' },
            { $set: { state: 'AVAILABLE', reservationId: null } },
          )
          .exec(),
      ),
    );
  }

  /**
   * Gives a hold back to stock. Exactly once: the counters move only in the update that removes the
   * hold's marker. Returns true when this call returned it.
   */
  async returnHold(hold: HoldRef): Promise<boolean> {
    if (hold.kind === 'RESERVED') await this.releaseSeats(hold.reservationId);
    const result = await this.inventory
      .updateOne(
        { _id: hold.ticketTypeId, [marker(hold.reservationId)]: hold.quantity },
        {
          $inc: { available: hold.quantity, held: -hold.quantity },
          $unset: { [marker(hold.reservationId)]: '' },
        },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Turns a hold into sold stock and books its revenue, once (same marker rule as returnHold). */
  async sellHold(hold: HoldRef, orderId: string, revenue: number): Promise<boolean> {
    if (hold.kind === 'RESERVED') {
      const held = await this.seats
        .find({ reservationId: hold.reservationId, state: 'HELD' })
        .lean<SeatDoc[]>()
        .exec();
      await Promise.all(
        held.map((seat) =>
          this.seats
            .updateOne(
              { _id: seat._id, reservationId: hold.reservationId, state: 'HELD' },
              { $set: { state: 'SOLD', orderId } },
            )
            .exec(),
        ),
      );
    }
    const result = await this.inventory
      .updateOne(
        { _id: hold.ticketTypeId, [marker(hold.reservationId)]: hold.quantity },
        {
          $inc: { held: -hold.quantity, sold: hold.quantity, revenue },
          $unset: { [marker(hold.reservationId)]: '' },
        },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Seats a reservation holds or bought (to check a sale is complete, and for tests). */
  seatsOf(reservationId: string): Promise<SeatDoc[]> {
    return this.seats.find({ reservationId }).lean<SeatDoc[]>().exec();
  }

  seatsOfType(ticketTypeId: string): Promise<SeatDoc[]> {
    return this.seats.find({ ticketTypeId }).lean<SeatDoc[]>().exec();
  }

  // ---- per-buyer limit --------------------------------------------------------------------------

  /**
   * Counts `quantity` more against the buyer's limit for this ticket type, if it stays within `max`
   * (false when it would not); then, when the event sets its own perBuyerMax, against the buyer's count
   * for the whole event (over it: the type's claim is given back and BAD_USER_INPUT is thrown, which the
   * reservation's marker-guarded rollback handles). Each step is one guarded upsert. `event` is the event
   * the request was checked against (its sale context), so the claim reads nothing more.
   */
  async claimBuyerLimit(hold: HoldRef, max: number, event: EventLimitSource): Promise<boolean> {
    if (!(await this.claimCounter(buyerLimitId(hold.buyerId, hold.ticketTypeId), hold, max))) return false;
    const limit = eventLimit(event);
    if (
      limit &&
      !(await this.claimCounter(eventBuyerLimitId(hold.buyerId, limit.eventId), hold, limit.max))
    ) {
      await this.returnCounter(buyerLimitId(hold.buyerId, hold.ticketTypeId), hold);
      throw badInput(
        hold.kind === 'RESERVED' ? 'input.seatIds' : 'input.quantity',
        `At most ${limit.max} tickets of this event per buyer`,
      );
    }
    return true;
  }

  /**
   * What to tell a buyer whose claim on the type's limit was refused: the event-wide limit when that is the
   * one already reached (other requests' claims on the type, given back a moment later when their event
   * claim fails, can make the type's guard refuse first), else the type's. One read, on this refusal only.
   */
  async buyerLimitRefusal(hold: HoldRef, typeMax: number, event: EventLimitSource): Promise<string> {
    const limit = eventLimit(event);
    if (limit) {
      const counter = await this.buyerLimits
        .findById(eventBuyerLimitId(hold.buyerId, limit.eventId))
        .lean<BuyerLimitDoc>()
        .exec();
      if ((counter?.count ?? 0) + hold.quantity > limit.max)
        return `At most ${limit.max} tickets of this event per buyer`;
    }
    return `At most ${typeMax} tickets of this type per buyer`;
  }

  /**
   * How many more tickets of a type the buyer may still reserve: the type's perBuyerMax less what they hold
   * or bought of it, and, when the event sets its own perBuyerMax, no more than what is left of that (held
   * and bought across its types). Null for a type not on sale here. Advice for the page: the guarded claims
   * at reserve time decide.
   */
  async allowanceOf(buyerId: string, ticketTypeId: string): Promise<number | null> {
    const sale = await this.catalog.saleContext(ticketTypeId);
    if (!sale) return null;
    const eventMax = sale.event.perBuyerMax;
    const ids = [buyerLimitId(buyerId, ticketTypeId)];
    if (typeof eventMax === 'number') ids.push(eventBuyerLimitId(buyerId, sale.event._id));
    const counters = await this.buyerLimits
      .find({ _id: { $in: ids } }, { count: 1 })
      .lean<Pick<BuyerLimitDoc, '_id' | 'count'>[]>()
      .exec();
    const countOf = (id: string) => counters.find((c) => c._id === id)?.count ?? 0;
    let left = sale.type.perBuyerMax - countOf(ids[0]!);
    if (typeof eventMax === 'number') left = Math.min(left, eventMax - countOf(ids[1]!));
    return Math.max(0, left);
  }

  /**
   * The event-wide limit of the hold's event, from its sale context (cached at most CATALOG_CACHE_MS): null
   * when the event sets none, only the per-type counter applies then. For paths that did not just check it.
   */
  private async eventLimitOf(hold: HoldRef): Promise<{ eventId: string; max: number } | null> {
    const sale = await this.catalog.saleContext(hold.ticketTypeId);
    return sale ? eventLimit(sale.event) : null;
  }

  /** One guarded upsert: `count <= max - q` (a refused guard on an existing document hits the unique `_id`). */
  private async claimCounter(id: string, hold: HoldRef, max: number): Promise<boolean> {
    if (hold.quantity > max) return false;
    try {
      const result = await this.buyerLimits
        .updateOne(
          { _id: id, count: { $lte: max - hold.quantity } },
          { $inc: { count: hold.quantity }, $set: { [marker(hold.reservationId)]: hold.quantity } },
          { upsert: true },
        )
        .exec();
      return result.modifiedCount === 1 || result.upsertedCount === 1;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  private async returnCounter(id: string, hold: HoldRef): Promise<void> {
    await this.buyerLimits
      .updateOne(
        { _id: id, [marker(hold.reservationId)]: hold.quantity },
        { $inc: { count: -hold.quantity }, $unset: { [marker(hold.reservationId)]: '' } },
      )
      .exec();
  }

  /**
   * Gives the hold's units back to the buyer's limit (expired, released, rolled back), once. A sold hold
   * keeps counting, and keeps its marker: it records what the buyer bought (no write needed at sale time).
   */
  async returnBuyerLimit(hold: HoldRef): Promise<void> {
    await this.returnCounter(buyerLimitId(hold.buyerId, hold.ticketTypeId), hold);
    // Marker-guarded like the per-type counter. (A limit the event dropped after this hold was taken is
    // not looked for: that counter no longer matters.)
    const event = await this.eventLimitOf(hold);
    if (event) await this.returnCounter(eventBuyerLimitId(hold.buyerId, event.eventId), hold);
  }
}
