import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { EventEnvelope } from '@ticketing/contracts';
import { type AuthUser, forbidden, InjectConfig, isEntityId, notFound } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CatalogService } from '../catalog/catalog.service';
import { ticketEnvelope } from '../common/envelopes';
import { TicketOutbox } from '../common/ticket-outbox.service';
import { isDuplicateKey, ticketIdFor } from '../common/ids';
import { mergeOutbox } from '../transfers/merge-outbox';
import type { OrderDoc } from '../orders/schemas/order.schema';
import type { TicketConfig } from '../config';
import {
  DISPLAY_CODE_STEP_SECONDS,
  deriveDisplaySecret,
  displayCode,
  displayCodeStep,
} from './qr/display-code';
import { TicketKeysService } from './ticket-keys.service';
import { TICKET, type RevocationReason, type TicketDoc } from './schemas/ticket.schema';

export interface RevocationEntry {
  ticketId: string;
  generation: number;
  reason: RevocationReason;
  revokedAt: Date;
}

const MAX_LIST = 500;

export interface IssuedTickets {
  ticketIds: string[];
  /** ticket.issued of each ticket, for the order's outbox. */
  events: Array<EventEnvelope<'ticket.issued'>>;
}

/** The deterministic ticket ids of an order: one per unit (per seat for reserved seating). */
export function ticketIdsOf(orderId: string, quantity: number): string[] {
  return Array.from({ length: quantity }, (_, unit) => ticketIdFor(orderId, 0, unit));
}

/** A name the contracts accept (trimmed, 1..120 characters). */
export function displayName(name: string | undefined, email: string | undefined): string {
  const candidate = (name ?? '').trim() || (email ?? '').split('@')[0]?.trim() || 'Ticket holder';
  return candidate.slice(0, 120).trim() || 'Ticket holder';
}

@Injectable()
export class TicketsService {
  constructor(
    @InjectModel(TICKET) private readonly tickets: Model<TicketDoc>,
    private readonly keys: TicketKeysService,
    private readonly catalog: CatalogService,
    private readonly outbox: TicketOutbox,
    @InjectConfig() private readonly config: TicketConfig,
  ) {}

  /**
   * Issues the tickets of a paid order and returns their ticket.issued events, which the caller appends to
   * the order's outbox in the same update that confirms it (one relay round for the whole order instead of
   * one per ticket, and the events only go out once the order is confirmed). Ids are derived from
   * (order, unit), so running this again (retry, crash recovery) inserts nothing new: the unique `_id` (and
   * `seatKey`) refuse duplicates.
   */
  async issueForOrder(order: OrderDoc, now = new Date()): Promise<IssuedTickets> {
    const line = order.lines[0]!;
    const ids = ticketIdsOf(order._id, line.quantity);
    const events: Array<EventEnvelope<'ticket.issued'>> = [];
    const docs: TicketDoc[] = ids.map((ticketId, unit) => {
      const seatId = line.seatIds[unit] ?? null;
      events.push(
        ticketEnvelope('ticket.issued', order.eventId, {
          ticketId,
          eventId: order.eventId,
          ticketTypeId: line.ticketTypeId,
          ticketTypeName: line.ticketTypeName,
          orderId: order._id,
          holderId: order.buyerId,
          holderName: order.buyerName,
          generation: 1,
          ...(seatId ? { seatId } : {}),
          issuedAt: now.toISOString(),
          aggregateVersion: 1,
        }),
      );
      return {
        _id: ticketId,
        orderId: order._id,
        eventId: order.eventId,
        ticketTypeId: line.ticketTypeId,
        ticketTypeName: line.ticketTypeName,
        seatId,
        seatKey: seatId ? `${line.ticketTypeId}:${seatId}` : ticketId,
        holderId: order.buyerId,
        holderName: order.buyerName,
        generation: 1,
        status: 'VALID',
        checkedIn: false,
        pendingTransferId: null,
        revokedGenerations: [],
        history: [{ at: now, action: 'ISSUED', holderId: order.buyerId, generation: 1 }],
        aggregateVersion: 1,
        issuedAt: now,
        outbox: [],
        outboxLeaseUntil: null,
      };
    });
    await this.tickets.insertMany(docs, { ordered: false }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
    return { ticketIds: ids, events };
  }

  findById(id: string): Promise<TicketDoc | null> {
    if (!isEntityId(id)) return Promise.resolve(null);
    return this.tickets.findById(id).lean<TicketDoc>().exec();
  }

  /** Holder, the event's organizer, or ADMIN. */
  async canRead(user: AuthUser | null | undefined, ticket: TicketDoc): Promise<boolean> {
    if (!user) return false;
    if (user.role === 'ADMIN' || ticket.holderId === user.id) return true;
    const event = await this.catalog.findEvent(ticket.eventId);
    return !!event && event.organizerId === user.id;
  }

  /** A ticket the user may read; NOT_FOUND on `field` otherwise (existence is not revealed). */
  async findReadable(user: AuthUser, id: string, field = 'id'): Promise<TicketDoc> {
    const ticket = await this.findById(id);
    if (!ticket || !(await this.canRead(user, ticket))) throw notFound('Ticket', field);
    return ticket;
  }

  /** A ticket the user holds right now; NOT_FOUND on `field` otherwise. */
  async findHeld(user: AuthUser, id: string, field = 'id'): Promise<TicketDoc> {
    const ticket = await this.findById(id);
    if (!ticket || ticket.holderId !== user.id) throw notFound('Ticket', field);
    return ticket;
  }

  listHeld(user: AuthUser): Promise<TicketDoc[]> {
    return this.tickets
      .find({ holderId: user.id })
      .sort({ issuedAt: -1 })
      .limit(MAX_LIST)
      .lean<TicketDoc[]>()
      .exec();
  }

  listOfOrder(orderId: string): Promise<TicketDoc[]> {
    return this.tickets.find({ orderId }).sort({ _id: 1 }).lean<TicketDoc[]>().exec();
  }

  /** The QR token of the ticket's current generation. */
  qrToken(ticket: Pick<TicketDoc, '_id' | 'eventId' | 'holderId' | 'generation'>): string {
    return this.keys.sign({
      ticketId: ticket._id,
      eventId: ticket.eventId,
      holderId: ticket.holderId,
      generation: ticket.generation,
    });
  }

  /**
   * The rotating code for now, with the window it is valid in. The secret is derived from
   * DISPLAY_CODE_MASTER_KEY, the ticket id and its generation (a stored `secret` of old documents is
   * ignored), so the check-in service verifies `scanCode` without asking this service.
   */
  displayCode(
    ticket: Pick<TicketDoc, '_id' | 'generation'> & { status?: TicketDoc['status'] },
    now = Date.now(),
  ): { code: string; scanCode: string; validFrom: Date; validUntil: Date; stepSeconds: number } {
    // A revoked ticket admits nobody, so it gets no code to show at the gate.
    if (ticket.status !== undefined && ticket.status !== 'VALID')
      throw forbidden('This ticket is revoked: it has no display code', 'id');
    const step = displayCodeStep(now);
    const stepMs = DISPLAY_CODE_STEP_SECONDS * 1000;
    const secret = deriveDisplaySecret(this.config.DISPLAY_CODE_MASTER_KEY, ticket._id, ticket.generation);
    const code = displayCode(secret, now);
    return {
      code,
      scanCode: `D1.${ticket._id}.${ticket.generation}.${code}`,
      validFrom: new Date(step * stepMs),
      validUntil: new Date((step + 1) * stepMs),
      stepSeconds: DISPLAY_CODE_STEP_SECONDS,
    };
  }

  /** Revoked ticket generations of an event (for scanners' offline bundle). */
  async revocations(eventId: string): Promise<RevocationEntry[]> {
    const docs = await this.tickets
      .find({ eventId, 'revokedGenerations.0': { $exists: true } })
      .lean<TicketDoc[]>()
      .exec();
    return docs.flatMap((ticket) =>
      ticket.revokedGenerations.map((r) => ({
        ticketId: ticket._id,
        generation: r.generation,
        reason: r.reason,
        revokedAt: r.revokedAt,
      })),
    );
  }

  /** Revokes every valid ticket of a cancelled event (ticket.revoked per ticket, in the same update). */
  async revokeAllOfEvent(eventId: string, now = new Date()): Promise<number> {
    let count = 0;
    for (;;) {
      const batch = await this.tickets
        .find({ eventId, status: 'VALID' })
        .limit(MAX_LIST)
        .lean<TicketDoc[]>()
        .exec();
      if (batch.length === 0) return count;
      for (const ticket of batch) if (await this.revoke(ticket, 'EVENT_CANCELLED', now)) count += 1;
    }
  }

  async revoke(ticket: TicketDoc, reason: RevocationReason, now = new Date()): Promise<boolean> {
    const version = ticket.aggregateVersion + 1;
    const envelope = ticketEnvelope('ticket.revoked', ticket.eventId, {
      ticketId: ticket._id,
      eventId: ticket.eventId,
      generation: ticket.generation,
      reason,
      revokedAt: now.toISOString(),
      aggregateVersion: version,
    });
    const result = await this.tickets
      .updateOne(
        { _id: ticket._id, status: 'VALID', aggregateVersion: ticket.aggregateVersion },
        mergeOutbox(
          {
            $set: { status: 'REVOKED', pendingTransferId: null, aggregateVersion: version },
            $push: {
              revokedGenerations: { generation: ticket.generation, reason, revokedAt: now },
              history: {
                at: now,
                action: 'REVOKED',
                holderId: ticket.holderId,
                generation: ticket.generation,
              },
            },
          },
          [envelope],
        ),
      )
      .exec();
    if (result.modifiedCount === 1) this.outbox.nudge('tickets');
    return result.modifiedCount === 1;
  }

  /** Revokes a ticket whatever else changes it meanwhile (re-reads on a lost version race); false if already not valid. */
  async revokeUntilDone(ticketId: string, reason: RevocationReason, now = new Date()): Promise<boolean> {
    for (;;) {
      const ticket = await this.findById(ticketId);
      if (!ticket || ticket.status !== 'VALID') return false;
      if (await this.revoke(ticket, reason, now)) return true;
    }
  }

  /** From checkin.recorded (ADMITTED): the ticket can no longer be transferred. */
  async markCheckedIn(ticketId: string, at: Date): Promise<void> {
    const ticket = await this.findById(ticketId);
    if (!ticket || ticket.checkedIn) return;
    await this.tickets
      .updateOne(
        { _id: ticketId, checkedIn: false },
        {
          $set: { checkedIn: true },
          $push: {
            history: { at, action: 'CHECKED_IN', holderId: ticket.holderId, generation: ticket.generation },
          },
        },
      )
      .exec();
  }
}
