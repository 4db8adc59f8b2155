import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  appendOutbox,
  badInput,
  domainError,
  ErrorCode,
  forbidden,
  getLogger,
  InjectConfig,
  notFound,
  type AuthUser,
} from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CatalogService, priceOfStep, quoteSteps } from '../catalog/catalog.service';
import { eventClosure } from '../catalog/event-closure';
import type { EventReplicaDoc } from '../catalog/schemas/event-replica.schema';
import type { MoneyValue, TicketTypeReplicaDoc } from '../catalog/schemas/ticket-type-replica.schema';
import { ticketEnvelope } from '../common/envelopes';
import { newReservationId } from '../common/ids';
import { TicketOutbox } from '../common/ticket-outbox.service';
import type { TicketConfig } from '../config';
import { AvailabilityGate, type GateDecision } from '../inventory/availability-gate.service';
import { AvailabilityService } from '../inventory/availability.service';
import { InventoryService, type HoldRef } from '../inventory/inventory.service';
import type { ReserveTicketsInput } from './dto/reserve-tickets.input';
import { reservationFields } from './reservation-events';
import { RESERVATION, type ReservationDoc, type ReservationStatus } from './schemas/reservation.schema';

/** Statuses a buyer may see. */
const VISIBLE: ReservationStatus[] = ['HELD', 'PAYING', 'CONVERTED', 'EXPIRED', 'RELEASED'];
/** After a give-back was interrupted, wait this long before the sweeper finishes it. */
const RETURN_GRACE_MS = 5_000;
const SWEEP_BATCH = 200;

export const holdOf = (doc: ReservationDoc): HoldRef => ({
  reservationId: doc._id,
  ticketTypeId: doc.ticketTypeId,
  kind: doc.kind,
  quantity: doc.quantity,
  buyerId: doc.buyerId,
});

/**
 * Holds: reserve, release, expire. A hold is claimed in this order, each step a guarded single-document
 * update, so a crash at any point leaves something the sweeper can finish or undo:
 *   Redis gate (GA) → reservation PENDING → per-buyer counter → stock → reservation HELD + outbox.
 */
@Injectable()
export class ReservationsService {
  private readonly log = getLogger('reservations');
  private readonly holdMs: number;
  private readonly recoveryAfterMs: number;

  constructor(
    @InjectModel(RESERVATION) private readonly reservations: Model<ReservationDoc>,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly gate: AvailabilityGate,
    private readonly availability: AvailabilityService,
    private readonly outbox: TicketOutbox,
    @InjectConfig() config: TicketConfig,
  ) {
    this.holdMs = config.HOLD_TTL_SECONDS * 1000;
    this.recoveryAfterMs = config.RECOVERY_AFTER_MS;
  }

  /** Told of each hold this process creates (the sweeper schedules a run for its expiry). */
  onHoldCreated?: (expiresAt: Date) => void;

  /** One guarded update of a reservation; returns whether it matched and changed it. */
  private async transition(id: string, guard: object, update: object): Promise<boolean> {
    const result = await this.reservations.updateOne({ _id: id, ...guard }, update).exec();
    return result.modifiedCount === 1;
  }

  findById(id: string): Promise<ReservationDoc | null> {
    return this.reservations.findById(id).lean<ReservationDoc>().exec();
  }

  /** The caller's own reservation (NOT_FOUND for anyone else's: ids leak nothing). */
  async findForBuyer(user: AuthUser, id: string): Promise<ReservationDoc> {
    const doc = await this.findById(id);
    if (!doc || doc.buyerId !== user.id || !VISIBLE.includes(doc.status)) throw notFound('Reservation', 'id');
    return doc;
  }

  listForBuyer(user: AuthUser, limit = 50): Promise<ReservationDoc[]> {
    return this.reservations
      .find({ buyerId: user.id, status: { $in: VISIBLE } })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<ReservationDoc[]>()
      .exec();
  }

  // ---- reserve ----------------------------------------------------------------------------------

  async reserve(user: AuthUser, input: ReserveTicketsInput, now = new Date()): Promise<ReservationDoc> {
    const { type, event, quantity, seatIds, unitPrice } = await this.checkRequest(input, now);

    let gate: GateDecision;
    if (type.kind === 'GENERAL_ADMISSION') {
      gate = await this.gate.take(
        type._id,
        quantity,
        async () => (await this.inventory.find(type._id))?.available ?? null,
      );
      if (gate === 'refused') throw soldOut('input.quantity');
    } else {
      gate = await this.gate.takeSeats(type._id, seatIds);
      if (gate === 'refused') throw soldOut('input.seatIds', 'A seat is not available');
    }
    const undoGate = async (unavailable: readonly string[] = []) => {
      if (gate !== 'admitted') return;
      if (type.kind === 'GENERAL_ADMISSION') return this.gate.give(type._id, quantity);
      await this.gate.freeSeats(
        type._id,
        seatIds.filter((seat) => !unavailable.includes(seat)),
      );
      await this.gate.markSeatsTaken(type._id, unavailable);
    };

    const doc: ReservationDoc = {
      _id: newReservationId(),
      status: 'PENDING',
      eventId: event._id,
      ticketTypeId: type._id,
      kind: type.kind,
      buyerId: user.id,
      quantity,
      seatIds,
      // The quote itself; under a quantity ladder, the price of the hold's place in the stock claim
      // replaces it when the hold becomes HELD (markHeld).
      unitPrice: priceOfStep(unitPrice, 0),
      expiresAt: new Date(now.getTime() + this.holdMs),
      orderId: null,
      stockReturned: null,
      endedAt: null,
      version: 0,
      outbox: [],
      outboxLeaseUntil: null,
      createdAt: now,
      updatedAt: now,
    };
    const hold = holdOf(doc);
    try {
      await this.reservations.create(doc);
    } catch (error) {
      await undoGate();
      throw error;
    }

    let refusal: Error | undefined;
    let unavailable: string[] = [];
    // What this request knows it claimed, so that a refusal undoes only that (a refused flash-sale buyer
    // costs few writes); anything uncertain (an error mid-way) gets the full, marker-guarded rollback.
    let claimedLimit = false;
    let stockUntouched = false;
    // A quantity ladder (a TIERED tier that ends on a quantity): the stock claim tells the hold's place.
    const steps = quoteSteps(unitPrice);
    let step = 0;
    try {
      if (!(await this.inventory.claimBuyerLimit(hold, type.perBuyerMax, event))) {
        stockUntouched = true;
        refusal = badInput(
          seatIds.length > 0 ? 'input.seatIds' : 'input.quantity',
          await this.inventory.buyerLimitRefusal(hold, type.perBuyerMax, event),
        );
      } else {
        claimedLimit = true;
        if (type.kind === 'GENERAL_ADMISSION') {
          let claimed: number | null;
          if (steps.length === 0)
            claimed = (await this.inventory.holdGeneral(type._id, doc._id, quantity)) ? 0 : null;
          else claimed = await this.inventory.holdGeneralOnLadder(type._id, doc._id, quantity, steps);
          if (claimed === null) {
            stockUntouched = true;
            refusal = soldOut('input.quantity');
          } else step = claimed;
        } else {
          const seats = await this.inventory.holdSeats(type._id, doc._id, seatIds, steps);
          if (!seats.ok) {
            stockUntouched = true;
            unavailable = seats.unavailable;
            refusal = soldOut('input.seatIds', `Seats not available: ${seats.unavailable.join(', ')}`);
          } else step = seats.step;
        }
      }
      if (!refusal) {
        // The price of the hold's place (the quote itself without a ladder): written with HELD, carried
        // by reservation.created, shown to the buyer and charged at checkout (the order copies it).
        doc.unitPrice = priceOfStep(unitPrice, step);
        const held = await this.markHeld(doc);
        if (!held) {
          stockUntouched = false;
          refusal = domainError(ErrorCode.CONFLICT, 'The reservation was interrupted; try again');
        }
      }
    } catch (error) {
      stockUntouched = false;
      refusal = error as Error;
    }

    if (refusal) {
      const undo = stockUntouched ? this.refuse(doc, claimedLimit) : this.rollback(doc);
      await undo.catch((error: unknown) =>
        this.log.error({ err: error, reservationId: doc._id }, 'rollback failed; the sweeper will retry'),
      );
      await undoGate(unavailable);
      throw refusal;
    }
    this.outbox.nudge('reservations');
    void this.availability.changed(doc.eventId, doc.ticketTypeId);
    // What markHeld wrote (status and version; the outbox is the relay's business): no read-back needed.
    return { ...doc, status: 'HELD', version: doc.version + 1, outbox: [] };
  }

  private async checkRequest(input: ReserveTicketsInput, now: Date) {
    const hasQuantity = input.quantity !== undefined && input.quantity !== null;
    const hasSeats = input.seatIds !== undefined && input.seatIds !== null;
    if (hasQuantity === hasSeats) throw badInput('input.quantity', 'Give either quantity or seatIds');
    const sale = await this.catalog.saleContext(input.ticketTypeId);
    if (!sale) throw notFound('Ticket type', 'input.ticketTypeId');
    const { type, event, unitPrice } = sale;
    assertOnSale(event, type, now);

    if (type.kind === 'GENERAL_ADMISSION') {
      if (!hasQuantity) throw badInput('input.seatIds', 'This ticket type is sold by quantity, not by seat');
      const quantity = input.quantity!;
      if (quantity > type.perOrderMax)
        throw badInput('input.quantity', `At most ${type.perOrderMax} tickets per order`);
      assertPayable(highestPrice(unitPrice), quantity, 'input.quantity');
      return { type, event, unitPrice, quantity, seatIds: [] as string[] };
    }
    if (!hasSeats) throw badInput('input.quantity', 'This ticket type is sold by seat: give seatIds');
    const seatIds = input.seatIds!;
    if (new Set(seatIds).size !== seatIds.length) throw badInput('input.seatIds', 'A seat is listed twice');
    if (seatIds.length > type.perOrderMax)
      throw badInput('input.seatIds', `At most ${type.perOrderMax} seats per order`);
    const known = new Set(type.seatIds);
    const unknown = seatIds.find((seat) => !known.has(seat));
    if (unknown) throw badInput('input.seatIds', `Seat ${unknown} is not part of this ticket type`);
    assertPayable(highestPrice(unitPrice), seatIds.length, 'input.seatIds');
    return { type, event, unitPrice, quantity: seatIds.length, seatIds: [...seatIds] };
  }

  /** PENDING → HELD, with reservation.created queued in the same update. */
  private async markHeld(doc: ReservationDoc): Promise<boolean> {
    const envelope = ticketEnvelope('reservation.created', doc.eventId, {
      ...reservationFields(doc, 1),
      createdAt: doc.createdAt.toISOString(),
    });
    const held = await this.transition(
      doc._id,
      { status: 'PENDING' },
      {
        $set: { status: 'HELD', unitPrice: doc.unitPrice },
        $inc: { version: 1 },
        ...appendOutbox([envelope]),
      },
    );
    if (held) this.onHoldCreated?.(doc.expiresAt);
    return held;
  }

  /**
   * A refused request whose stock step took nothing: give back the buyer's limit (if claimed), then
   * PENDING → FAILED with nothing left to return. A crash in between leaves it PENDING for the sweeper.
   */
  private async refuse(doc: ReservationDoc, claimedLimit: boolean): Promise<void> {
    if (claimedLimit) await this.inventory.returnBuyerLimit(holdOf(doc));
    await this.transition(
      doc._id,
      { status: 'PENDING' },
      { $set: { status: 'FAILED', stockReturned: true } },
    );
  }

  /** Undoes whatever a PENDING reservation claimed (each step is marker-guarded, so repeating is safe). */
  private async rollback(doc: ReservationDoc): Promise<void> {
    await this.transition(
      doc._id,
      { status: 'PENDING' },
      { $set: { status: 'FAILED', stockReturned: false } },
    );
    const hold = holdOf(doc);
    await this.inventory.returnHold(hold);
    await this.inventory.returnBuyerLimit(hold);
    await this.transition(doc._id, {}, { $set: { stockReturned: true } });
  }

  // ---- release and expiry -----------------------------------------------------------------------

  async release(user: AuthUser, id: string, now = new Date()): Promise<ReservationDoc> {
    const doc = await this.findForBuyer(user, id);
    if (doc.status !== 'HELD') {
      throw domainError(ErrorCode.CONFLICT, `The reservation is ${doc.status.toLowerCase()}`, 'id');
    }
    const ended = await this.end(doc, 'RELEASED', now, user.id);
    if (!ended) {
      const current = await this.findForBuyer(user, id);
      throw domainError(ErrorCode.CONFLICT, `The reservation is ${current.status.toLowerCase()}`, 'id');
    }
    return (await this.findById(id))!;
  }

  /**
   * HELD → EXPIRED/RELEASED (guarded on status and version, event in the same update), then the stock goes
   * back. Returns false when another caller changed the reservation first.
   */
  async end(
    doc: ReservationDoc,
    status: 'EXPIRED' | 'RELEASED',
    now: Date,
    releasedBy?: string,
  ): Promise<boolean> {
    const version = doc.version + 1;
    const envelope =
      status === 'EXPIRED'
        ? ticketEnvelope('reservation.expired', doc.eventId, {
            ...reservationFields(doc, version),
            expiredAt: now.toISOString(),
          })
        : ticketEnvelope('reservation.released', doc.eventId, {
            ...reservationFields(doc, version),
            releasedAt: now.toISOString(),
            releasedBy: releasedBy ?? doc.buyerId,
          });
    const guard: Record<string, unknown> = { status: 'HELD', version: doc.version };
    if (status === 'EXPIRED') guard.expiresAt = { $lte: now };
    const ended = await this.transition(doc._id, guard, {
      $set: { status, endedAt: now, stockReturned: false },
      $inc: { version: 1 },
      ...appendOutbox([envelope]),
    });
    if (!ended) return false;
    this.outbox.nudge('reservations');
    await this.returnStock(doc);
    return true;
  }

  /** Gives an ended hold's stock back, exactly once whoever calls it how often (markers guard each step). */
  async returnStock(doc: ReservationDoc): Promise<void> {
    const hold = holdOf(doc);
    const returned = await this.inventory.returnHold(hold);
    await this.inventory.returnBuyerLimit(hold);
    if (returned && doc.kind === 'GENERAL_ADMISSION') await this.gate.give(doc.ticketTypeId, doc.quantity);
    if (doc.kind === 'RESERVED') await this.gate.freeSeats(doc.ticketTypeId, doc.seatIds);
    await this.transition(doc._id, {}, { $set: { stockReturned: true } });
    if (returned) void this.availability.changed(doc.eventId, doc.ticketTypeId);
  }

  /** Releases every live hold of a cancelled event. */
  async releaseAllOfEvent(eventId: string, releasedBy: string, now = new Date()): Promise<number> {
    let count = 0;
    for (;;) {
      const batch = await this.reservations
        .find({ eventId, status: 'HELD' })
        .limit(SWEEP_BATCH)
        .lean<ReservationDoc[]>()
        .exec();
      if (batch.length === 0) return count;
      for (const doc of batch) if (await this.end(doc, 'RELEASED', now, releasedBy)) count += 1;
    }
  }

  /**
   * One sweep: expires due holds, finishes give-backs a crash interrupted, rolls back reservations whose
   * request died half-way. Safe to run on every replica at once. Returns the number of holds expired.
   */
  async sweep(now = new Date()): Promise<number> {
    return (await this.sweepDue(now)).expired;
  }

  /**
   * One sweep of the reservations due for background work, each found by indexed equality over a small set
   * (never a scan of all reservations): due holds (`status: 'HELD'` + expiry), ended holds whose stock is not
   * back yet (`stockReturned: false`, which only ended reservations carry), abandoned claims
   * (`status: 'PENDING'`). Returns what it did and when the next hold expires.
   */
  async sweepDue(now = new Date()): Promise<{ expired: number; worked: number; nextExpiry: Date | null }> {
    let expired = 0;
    const due = await this.reservations
      .find({ status: 'HELD', expiresAt: { $lte: now } })
      .sort({ expiresAt: 1 })
      .limit(SWEEP_BATCH)
      .lean<ReservationDoc[]>()
      .exec();
    for (const doc of due) if (await this.end(doc, 'EXPIRED', now)) expired += 1;

    const unfinished = await this.reservations
      .find({ stockReturned: false, updatedAt: { $lte: new Date(now.getTime() - RETURN_GRACE_MS) } })
      .limit(SWEEP_BATCH)
      .lean<ReservationDoc[]>()
      .exec();
    for (const doc of unfinished) await this.returnStock(doc);

    const abandoned = await this.reservations
      .find({ status: 'PENDING', createdAt: { $lte: new Date(now.getTime() - this.recoveryAfterMs) } })
      .limit(SWEEP_BATCH)
      .lean<ReservationDoc[]>()
      .exec();
    for (const doc of abandoned) await this.rollback(doc);

    const next = await this.reservations
      .findOne({ status: 'HELD' }, { expiresAt: 1 })
      .sort({ expiresAt: 1 })
      .lean<Pick<ReservationDoc, 'expiresAt'>>()
      .exec();
    return {
      expired,
      worked: due.length + unfinished.length + abandoned.length,
      nextExpiry: next?.expiresAt ?? null,
    };
  }

  // ---- checkout hooks -----------------------------------------------------------------------------

  /** HELD → PAYING while the hold is still valid; returns the reservation as updated, or null (no change). */
  beginPayment(reservationId: string, buyerId: string, now: Date): Promise<ReservationDoc | null> {
    return this.reservations
      .findOneAndUpdate(
        { _id: reservationId, buyerId, status: 'HELD', expiresAt: { $gt: now } },
        { $set: { status: 'PAYING' } },
        { returnDocument: 'after' },
      )
      .lean<ReservationDoc>()
      .exec();
  }

  /** PAYING → HELD after a decline or a provider error: the hold stays until it expires. */
  async paymentFailed(reservationId: string): Promise<void> {
    await this.transition(reservationId, { status: 'PAYING' }, { $set: { status: 'HELD' } });
  }

  /** Reservations PAYING since before `before` (order recovery checks them). */
  stalePaying(before: Date): Promise<ReservationDoc[]> {
    return this.reservations
      .find({ status: 'PAYING', updatedAt: { $lte: before } })
      .limit(SWEEP_BATCH)
      .lean<ReservationDoc[]>()
      .exec();
  }

  /** PAYING → CONVERTED once the order is paid. */
  async markConverted(reservationId: string, orderId: string): Promise<void> {
    await this.transition(reservationId, { status: 'PAYING' }, { $set: { status: 'CONVERTED', orderId } });
  }
}

export function soldOut(field: string, message = 'Not enough tickets left'): Error {
  return domainError(ErrorCode.SOLD_OUT, message, field);
}

/**
 * Money amounts are whole minor units that fit a GraphQL Int (and every payment provider's amount field): an
 * order whose total would not is refused before anything is held.
 */
export const MAX_ORDER_TOTAL_MINOR = 2_147_483_647;

/** The most a hold under this quote may be priced (its quantity ladder included). */
function highestPrice(quote: MoneyValue): number {
  return Math.max(quote.amount, ...quoteSteps(quote).map((step) => step.next.amount));
}

function assertPayable(unitPriceMinor: number, quantity: number, field: string): void {
  if (unitPriceMinor * quantity > MAX_ORDER_TOTAL_MINOR)
    throw badInput(field, 'The total of this order is too large to be paid at once; reserve fewer tickets');
}

/** Refuses holds on an event that is not on sale right now. */
export function assertOnSale(
  event: EventReplicaDoc,
  type: TicketTypeReplicaDoc,
  now: Date,
  field = 'input.ticketTypeId',
): void {
  const closed = eventClosure(event, now);
  if (closed) throw forbidden(closed, field);
  if (event.status !== 'PUBLISHED') throw forbidden('The event is not on sale', field);
  if (now < type.salesStart) throw forbidden('Sales have not started yet', field);
  if (now >= type.salesEnd) throw forbidden('Sales have ended', field);
}
