import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  type AuthUser,
  badInput,
  conflict,
  forbidden,
  getLogger,
  InjectConfig,
  isEntityId,
  isValidEmail,
  normaliseEmail,
  notFound,
} from '@ticketing/platform';
import type { TicketTransferWithdrawnData } from '@ticketing/contracts';
import type { Model } from 'mongoose';
import { CatalogService } from '../catalog/catalog.service';
import type { EventReplicaDoc } from '../catalog/schemas/event-replica.schema';
import { ticketEnvelope } from '../common/envelopes';
import { newObjectId } from '../common/ids';
import { TicketOutbox } from '../common/ticket-outbox.service';
import type { TicketConfig } from '../config';
import { TICKET, type TicketDoc } from '../tickets/schemas/ticket.schema';
import { displayName, TicketsService } from '../tickets/tickets.service';
import { mergeOutbox } from './merge-outbox';
import { TRANSFER, type TransferDoc, type TransferEndReason } from './schemas/transfer.schema';

/** Re-reads of a ticket whose version moved under an accept (a check-in mark, say) before giving up. */
const REKEY_ATTEMPTS = 5;
const RECOVERY_BATCH = 100;

/**
 * Ticket transfers. The transfer document is the single point of decision: accept, decline and cancel
 * each move it out of PENDING with one guarded update, so exactly one of them wins. Accept claims it
 * (PENDING → ACCEPTING, recording the recipient) and only then re-keys the ticket with ONE guarded update
 * on its holder, generation, pending transfer, status and version (new holder, generation + 1 and so a new
 * display code, the old generation on the revocation list, ticket.transferred and ticket.revoked in its
 * outbox), then ends ACCEPTED. A re-key the ticket refuses (revoked, checked in meanwhile) ends the transfer CANCELLED with
 * the reason; a crash after the claim is finished by `finishDueAccepts` (the sweeper).
 */
@Injectable()
export class TransfersService {
  private readonly log = getLogger('transfers');
  private readonly recoveryAfterMs: number;
  private readonly acceptSettleMs: number;

  constructor(
    @InjectModel(TRANSFER) private readonly transfers: Model<TransferDoc>,
    @InjectModel(TICKET) private readonly ticketModel: Model<TicketDoc>,
    private readonly tickets: TicketsService,
    private readonly catalog: CatalogService,
    private readonly outbox: TicketOutbox,
    @InjectConfig() config: TicketConfig,
  ) {
    this.recoveryAfterMs = config.RECOVERY_AFTER_MS;
    this.acceptSettleMs = config.TRANSFER_ACCEPT_SETTLE_MS;
  }

  findById(id: string): Promise<TransferDoc | null> {
    if (!isEntityId(id)) return Promise.resolve(null);
    return this.transfers.findById(id).lean<TransferDoc>().exec();
  }

  async offer(user: AuthUser, ticketId: string, toEmail: string, now = new Date()): Promise<TransferDoc> {
    const email = normaliseEmail(toEmail);
    // Only an address an account can have (sign-up's rule): an offer to any other could never be accepted,
    // and would hold the ticket at the gate until it ended.
    if (!isValidEmail(email)) throw badInput('toEmail', 'Enter a valid email address');
    let ticket = await this.tickets.findHeld(user, ticketId, 'ticketId');
    if (email === (user.email ?? '').toLowerCase()) throw badInput('toEmail', 'You already hold this ticket');
    await this.assertTransferable(ticket, now, 'ticketId');
    if (ticket.pendingTransferId) {
      // A decline/cancel that crashed before clearing the ticket's marker must not block it for ever.
      if (!(await this.clearStaleMarker(ticket)))
        throw conflict('A transfer of this ticket is already pending', 'ticketId');
      ticket = await this.tickets.findHeld(user, ticketId, 'ticketId');
    }

    const transfer: TransferDoc = {
      _id: newObjectId(),
      ticketId: ticket._id,
      eventId: ticket.eventId,
      fromHolderId: user.id,
      // What is offered, as the ticket says it now: the offer keeps saying it after the ticket is re-keyed.
      fromHolderName: ticket.holderName,
      ticketTypeName: ticket.ticketTypeName,
      seatId: ticket.seatId ?? null,
      toEmail: email,
      toHolderId: null,
      toHolderName: null,
      status: 'PENDING',
      generation: ticket.generation,
      acceptedAt: null,
      reason: null,
      resolvedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.transfers.create(transfer);
    // The claim tells check-in in the same write (ticket.transfer-offered): the gate holds this generation's
    // codes until the offer is withdrawn or accepted, so a code its holder is giving away cannot get in meanwhile.
    const version = ticket.aggregateVersion + 1;
    const offered = ticketEnvelope('ticket.transfer-offered', ticket.eventId, {
      ticketId: ticket._id,
      eventId: ticket.eventId,
      transferId: transfer._id,
      generation: ticket.generation,
      offeredAt: now.toISOString(),
      aggregateVersion: version,
    });
    const claimed = await this.ticketModel
      .updateOne(
        {
          _id: ticket._id,
          holderId: user.id,
          generation: ticket.generation,
          status: 'VALID',
          checkedIn: false,
          pendingTransferId: null,
          aggregateVersion: ticket.aggregateVersion,
        },
        mergeOutbox({ $set: { pendingTransferId: transfer._id, aggregateVersion: version } }, [offered]),
      )
      .exec();
    if (claimed.modifiedCount === 1) this.outbox.nudge('tickets');
    if (claimed.modifiedCount !== 1) {
      // A refused offer was never made: it leaves no trace in either side's myTransfers. Only a recipient who
      // claimed it in this instant keeps it (status no longer PENDING), and its accept ends it CANCELLED.
      await this.transfers.deleteOne({ _id: transfer._id, status: 'PENDING' }).exec();
      throw conflict('The ticket changed or a transfer is already pending', 'ticketId');
    }
    return transfer;
  }

  async accept(user: AuthUser, transferId: string, now = new Date()): Promise<TransferDoc> {
    let transfer = await this.findIncoming(user, transferId);
    // An offer younger than TRANSFER_ACCEPT_SETTLE_MS: wait for the gates to have heard of it, and for a scan
    // made just before it to have ended it (TICKET_CHECKED_IN), then look again.
    const settleLeft = new Date(transfer.createdAt).getTime() + this.acceptSettleMs - Date.now();
    if (transfer.status === 'PENDING' && settleLeft > 0) {
      await new Promise((resolve) => setTimeout(resolve, settleLeft));
      transfer = await this.findIncoming(user, transferId);
    }
    // The same recipient retrying an accept that was interrupted finishes it.
    if (transfer.status === 'ACCEPTING' && transfer.toHolderId === user.id)
      return this.answerAccept(await this.finishAccept(transfer, now));
    if (transfer.status !== 'PENDING') throw notPending(transfer);
    const ticket = await this.tickets.findById(transfer.ticketId);
    if (!ticket) throw notFound('Transfer', 'transferId');
    try {
      await this.assertTransferable(ticket, now, 'transferId');
    } catch (refusal) {
      // An offer that can never be accepted any more ends now, with its reason, for both sides to see.
      const reason = await this.deadReason(ticket, now);
      if (reason) await this.endPending(transfer, reason, now);
      throw refusal;
    }
    if (
      ticket.pendingTransferId !== transfer._id ||
      ticket.generation !== transfer.generation ||
      ticket.holderId !== transfer.fromHolderId
    ) {
      // Usually a cancel or decline that won meanwhile (it frees the ticket): say so.
      const current = await this.findById(transfer._id);
      if (current && current.status !== 'PENDING') throw notPending(current);
      throw conflict('The ticket changed; this transfer can no longer be accepted', 'transferId');
    }

    const toHolderName = displayName(user.name, user.email);
    const claimed = await this.transfers
      .updateOne(
        { _id: transfer._id, status: 'PENDING' },
        { $set: { status: 'ACCEPTING', toHolderId: user.id, toHolderName, acceptedAt: now } },
      )
      .exec();
    if (claimed.modifiedCount !== 1) throw notPending((await this.findById(transfer._id)) ?? transfer);
    const accepting: TransferDoc = {
      ...transfer,
      status: 'ACCEPTING',
      toHolderId: user.id,
      toHolderName,
      acceptedAt: now,
    };
    return this.answerAccept(await this.finishAccept(accepting, now));
  }

  /**
   * Finishes a claimed accept (ACCEPTING): re-keys the ticket unless that already happened, then ends the
   * transfer ACCEPTED; a ticket that can no longer be re-keyed ends it CANCELLED with the reason.
   * Repeatable by any number of callers at once. Returns the transfer as it ended.
   */
  async finishAccept(transfer: TransferDoc, now = new Date()): Promise<TransferDoc> {
    const toHolderId = transfer.toHolderId!;
    const at = transfer.acceptedAt ?? now;
    for (let attempt = 0; attempt < REKEY_ATTEMPTS; attempt += 1) {
      const ticket = await this.tickets.findById(transfer.ticketId);
      if (ticket && ticket.history.some((h) => h.transferId === transfer._id && h.action === 'TRANSFERRED'))
        return this.settle(transfer, 'ACCEPTED', null, now);
      const refusal = rekeyRefusal(ticket, transfer);
      if (refusal) {
        await this.releaseTicket(transfer, refusal, now);
        return this.settle(transfer, 'CANCELLED', refusal, now);
      }
      if (await this.rekey(ticket!, transfer, toHolderId, at)) {
        this.outbox.nudge('tickets');
        return this.settle(transfer, 'ACCEPTED', null, now);
      }
    }
    throw conflict('The ticket is changing; try again', 'transferId');
  }

  /**
   * Recovery of accepts a crash left half-done: ACCEPTING transfers not touched for RECOVERY_AFTER_MS
   * (query `{ status: 'ACCEPTING', updatedAt: { $lte } }`, index `{ status, updatedAt }`). Safe on every
   * replica at once. Returns how many it finished.
   */
  async finishDueAccepts(now = new Date()): Promise<number> {
    const due = await this.transfers
      .find({ status: 'ACCEPTING', updatedAt: { $lte: new Date(now.getTime() - this.recoveryAfterMs) } })
      .limit(RECOVERY_BATCH)
      .lean<TransferDoc[]>()
      .exec();
    let finished = 0;
    for (const transfer of due) {
      try {
        await this.finishAccept(transfer, now);
        finished += 1;
      } catch (error) {
        this.log.warn({ err: error, transferId: transfer._id }, 'accept recovery failed; will retry');
      }
    }
    return finished;
  }

  /**
   * Frees the tickets of offers that ended without a re-key while a crash (or a ticket that kept moving)
   * stopped the release: `{ releasePending: true, updatedAt: { $lte } }` (index `{ releasePending, updatedAt }`),
   * older than RECOVERY_AFTER_MS. Safe on every replica at once. Returns how many it looked at.
   */
  async finishDueReleases(now = new Date()): Promise<number> {
    const due = await this.transfers
      .find({ releasePending: true, updatedAt: { $lte: new Date(now.getTime() - this.recoveryAfterMs) } })
      .limit(RECOVERY_BATCH)
      .lean<TransferDoc[]>()
      .exec();
    for (const transfer of due) await this.releaseTicket(transfer, withdrawalReason(transfer), now);
    return due.length;
  }

  /**
   * A pending offer of this ticket ends `reason` (the ticket was checked in: the consumer of checkin.recorded
   * calls this). Nothing happens when none is pending.
   */
  async endPendingOfTicket(ticketId: string, reason: TransferEndReason, now = new Date()): Promise<boolean> {
    const pending = await this.transfers.findOne({ ticketId, status: 'PENDING' }).lean<TransferDoc>().exec();
    return pending ? this.endPending(pending, reason, now) : false;
  }

  /** PENDING → CANCELLED with `reason` (guarded: an accept, decline or cancel that won stays), ticket freed. */
  private async endPending(transfer: TransferDoc, reason: TransferEndReason, now: Date): Promise<boolean> {
    const ended = await this.transfers
      .updateOne(
        { _id: transfer._id, status: 'PENDING' },
        { $set: { status: 'CANCELLED', reason, resolvedAt: now, releasePending: true } },
      )
      .exec();
    if (ended.modifiedCount !== 1) return false;
    await this.releaseTicket(transfer, reason, now);
    return true;
  }

  /**
   * Why an offer of this ticket can never be accepted any more, or null while it might (transfers switched
   * off by the organizer may be switched on again, so that one keeps the offer).
   */
  private async deadReason(ticket: TicketDoc, now: Date): Promise<TransferEndReason | null> {
    const ended = ticketEndReason(ticket);
    if (ended) return ended;
    const event = await this.catalog.findEvent(ticket.eventId);
    if (!event || event.cancelled) return 'EVENT_CANCELLED';
    if (now >= transferDeadline(event)) return 'DEADLINE_PASSED';
    return null;
  }

  /**
   * Ends the PENDING offers no one can accept any more because their event's transfer deadline passed (or the
   * event is gone): the sweeper's pass, so an offer does not stay PENDING until someone tries to accept it.
   * One `distinct` over the pending offers' events (a handful), then the cached event rows.
   */
  async endPastDeadline(now = new Date()): Promise<number> {
    const eventIds = (await this.transfers.distinct('eventId', { status: 'PENDING' }).exec()) as string[];
    let ended = 0;
    for (const eventId of eventIds) {
      const event = await this.catalog.findEvent(eventId);
      // An event not in the replica yet is left alone (its rows may be on their way).
      if (!event) continue;
      if (event.cancelled) ended += await this.cancelAllOfEvent(eventId, 'EVENT_CANCELLED', now);
      else if (now >= transferDeadline(event))
        ended += await this.cancelAllOfEvent(eventId, 'DEADLINE_PASSED', now);
    }
    return ended;
  }

  /** Ends every PENDING offer of an event: CANCELLED with the reason, each ticket freed. */
  async cancelAllOfEvent(eventId: string, reason: TransferEndReason, now = new Date()): Promise<number> {
    let count = 0;
    for (;;) {
      const batch = await this.transfers
        .find({ eventId, status: 'PENDING' })
        .limit(RECOVERY_BATCH)
        .lean<TransferDoc[]>()
        .exec();
      if (batch.length === 0) return count;
      for (const transfer of batch) {
        const ended = await this.transfers
          .updateOne(
            { _id: transfer._id, status: 'PENDING' },
            { $set: { status: 'CANCELLED', reason, resolvedAt: now, releasePending: true } },
          )
          .exec();
        if (ended.modifiedCount === 1) {
          count += 1;
          await this.releaseTicket(transfer, reason, now);
        }
      }
    }
  }

  async decline(user: AuthUser, transferId: string, now = new Date()): Promise<TransferDoc> {
    const transfer = await this.findIncoming(user, transferId);
    return this.close(transfer, 'DECLINED', now);
  }

  async cancel(user: AuthUser, transferId: string, now = new Date()): Promise<TransferDoc> {
    const transfer = await this.findById(transferId);
    if (!transfer || transfer.fromHolderId !== user.id) throw notFound('Transfer', 'transferId');
    return this.close(transfer, 'CANCELLED', now);
  }

  /**
   * Transfers the user offered, and those offered to their email. A pending offer whose deadline has passed
   * is ended here (DEADLINE_PASSED) before it is shown, so neither side sees an offer that cannot be taken.
   */
  async list(user: AuthUser, now = new Date()): Promise<TransferDoc[]> {
    const found = await this.transfers
      .find({ $or: [{ fromHolderId: user.id }, { toEmail: (user.email ?? '').toLowerCase() }] })
      .sort({ createdAt: -1 })
      .limit(100)
      .lean<TransferDoc[]>()
      .exec();
    return Promise.all(
      found.map(async (transfer) => {
        if (transfer.status !== 'PENDING') return transfer;
        const event = await this.catalog.findEvent(transfer.eventId);
        if (!event) return transfer;
        const reason = event.cancelled
          ? 'EVENT_CANCELLED'
          : now >= transferDeadline(event)
            ? 'DEADLINE_PASSED'
            : null;
        if (!reason) return transfer;
        await this.endPending(transfer, reason, now);
        return (await this.findById(transfer._id)) ?? transfer;
      }),
    );
  }

  /**
   * `transfers` with what was offered filled in for offers written before the transfer document kept it (no
   * `ticketTypeName`), from their tickets in one query. A ticket's type and seat never change; the sender's
   * name is the ticket's only while the sender still holds it at the offered generation (after an accept it
   * names the recipient), else null. Newer offers are returned as they are, without a read.
   */
  async describe(transfers: TransferDoc[]): Promise<TransferDoc[]> {
    const old = transfers.filter((transfer) => transfer.ticketTypeName == null);
    if (old.length === 0) return transfers;
    const tickets = await this.ticketModel
      .find({ _id: { $in: [...new Set(old.map((transfer) => transfer.ticketId))] } })
      .select({ ticketTypeName: 1, seatId: 1, holderId: 1, holderName: 1, generation: 1 })
      .lean<
        Pick<TicketDoc, '_id' | 'ticketTypeName' | 'seatId' | 'holderId' | 'holderName' | 'generation'>[]
      >()
      .exec();
    const byId = new Map(tickets.map((ticket) => [ticket._id, ticket]));
    return transfers.map((transfer) => {
      const ticket = transfer.ticketTypeName == null ? byId.get(transfer.ticketId) : undefined;
      if (!ticket) return transfer;
      const asOffered =
        ticket.holderId === transfer.fromHolderId && ticket.generation === transfer.generation;
      return {
        ...transfer,
        fromHolderName: asOffered ? ticket.holderName : null,
        ticketTypeName: ticket.ticketTypeName,
        seatId: ticket.seatId ?? null,
      };
    });
  }

  /** PENDING → DECLINED/CANCELLED (guarded: an accept that claimed it first wins), then frees the ticket. */
  private async close(
    transfer: TransferDoc,
    status: 'DECLINED' | 'CANCELLED',
    now: Date,
  ): Promise<TransferDoc> {
    const result = await this.transfers
      .updateOne(
        { _id: transfer._id, status: 'PENDING' },
        { $set: { status, resolvedAt: now, releasePending: true } },
      )
      .exec();
    if (result.modifiedCount !== 1) throw notPending((await this.findById(transfer._id)) ?? transfer);
    await this.releaseTicket(transfer, status, now);
    return (await this.findById(transfer._id))!;
  }

  /** One guarded update of the ticket: the re-key. False when the ticket moved (the caller re-reads). */
  private async rekey(
    ticket: TicketDoc,
    transfer: TransferDoc,
    toHolderId: string,
    at: Date,
  ): Promise<boolean> {
    const generation = transfer.generation + 1;
    const version = ticket.aggregateVersion + 1;
    const holderName = transfer.toHolderName ?? 'Ticket holder';
    const transferred = ticketEnvelope('ticket.transferred', ticket.eventId, {
      ticketId: ticket._id,
      eventId: ticket.eventId,
      ticketTypeId: ticket.ticketTypeId,
      transferId: transfer._id,
      fromHolderId: transfer.fromHolderId,
      toHolderId,
      toHolderName: holderName,
      generation,
      previousGeneration: transfer.generation,
      transferredAt: at.toISOString(),
      aggregateVersion: version,
    });
    const revoked = ticketEnvelope('ticket.revoked', ticket.eventId, {
      ticketId: ticket._id,
      eventId: ticket.eventId,
      generation: transfer.generation,
      reason: 'TRANSFERRED',
      revokedAt: at.toISOString(),
      aggregateVersion: version,
    });
    const result = await this.ticketModel
      .updateOne(
        {
          _id: ticket._id,
          holderId: transfer.fromHolderId,
          generation: transfer.generation,
          pendingTransferId: transfer._id,
          status: 'VALID',
          checkedIn: false,
          aggregateVersion: ticket.aggregateVersion,
        },
        mergeOutbox(
          {
            $set: {
              holderId: toHolderId,
              holderName,
              generation,
              pendingTransferId: null,
              aggregateVersion: version,
            },
            $push: {
              revokedGenerations: { generation: transfer.generation, reason: 'TRANSFERRED', revokedAt: at },
              history: {
                at,
                action: 'TRANSFERRED',
                holderId: toHolderId,
                generation,
                transferId: transfer._id,
                fromHolderId: transfer.fromHolderId,
              },
            },
          },
          [transferred, revoked],
        ),
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** ACCEPTING → final (guarded); returns the transfer as stored afterwards (another caller may have ended it). */
  private async settle(
    transfer: TransferDoc,
    status: 'ACCEPTED' | 'CANCELLED',
    reason: TransferEndReason | null,
    now: Date,
  ): Promise<TransferDoc> {
    await this.transfers
      .updateOne({ _id: transfer._id, status: 'ACCEPTING' }, { $set: { status, reason, resolvedAt: now } })
      .exec();
    return (await this.findById(transfer._id))!;
  }

  /**
   * Clears the ticket's pending-transfer marker if it still points at this transfer, with
   * ticket.transfer-withdrawn in the same write (the gate admits the holder again). Guarded on the ticket's
   * version, re-read when something else moved it.
   */
  private async releaseTicket(
    transfer: Pick<TransferDoc, '_id' | 'ticketId' | 'generation'>,
    reason: WithdrawalReason,
    now = new Date(),
  ): Promise<void> {
    const released = () =>
      this.transfers
        .updateOne({ _id: transfer._id, releasePending: true }, { $set: { releasePending: false } })
        .exec();
    for (let attempt = 0; attempt < REKEY_ATTEMPTS; attempt += 1) {
      const ticket = await this.tickets.findById(transfer.ticketId);
      if (!ticket || ticket.pendingTransferId !== transfer._id) {
        await released();
        return;
      }
      const version = ticket.aggregateVersion + 1;
      const withdrawn = ticketEnvelope('ticket.transfer-withdrawn', ticket.eventId, {
        ticketId: ticket._id,
        eventId: ticket.eventId,
        transferId: transfer._id,
        generation: transfer.generation,
        reason,
        withdrawnAt: now.toISOString(),
        aggregateVersion: version,
      });
      const result = await this.ticketModel
        .updateOne(
          { _id: ticket._id, pendingTransferId: transfer._id, aggregateVersion: ticket.aggregateVersion },
          mergeOutbox({ $set: { pendingTransferId: null, aggregateVersion: version } }, [withdrawn]),
        )
        .exec();
      if (result.modifiedCount === 1) {
        this.outbox.nudge('tickets');
        await released();
        return;
      }
    }
    // Still pointing at this ended transfer after every try: the sweeper tries again (finishDueReleases).
    this.log.warn(
      { transferId: transfer._id },
      'could not free the ticket of an ended offer yet; will retry',
    );
  }

  /** True when the ticket's marker pointed at a transfer that already ended (and is now cleared). */
  private async clearStaleMarker(ticket: TicketDoc): Promise<boolean> {
    const pending = await this.findById(ticket.pendingTransferId!);
    if (pending && (pending.status === 'PENDING' || pending.status === 'ACCEPTING')) return false;
    const ended = { _id: ticket.pendingTransferId!, ticketId: ticket._id, generation: ticket.generation };
    await this.releaseTicket(ended, pending ? withdrawalReason(pending) : 'CANCELLED');
    const after = await this.tickets.findById(ticket._id);
    return !after || after.pendingTransferId !== ticket.pendingTransferId;
  }

  private answerAccept(transfer: TransferDoc): TransferDoc {
    if (transfer.status === 'ACCEPTED') return transfer;
    throw notPending(transfer);
  }

  /** A transfer offered to the signed-in user's email (NOT_FOUND for anyone else). */
  private async findIncoming(user: AuthUser, transferId: string): Promise<TransferDoc> {
    const transfer = await this.findById(transferId);
    if (!transfer || !user.email || transfer.toEmail !== user.email.trim().toLowerCase())
      throw notFound('Transfer', 'transferId');
    return transfer;
  }

  /** Refusals name `field`: the argument that brought the ticket (`ticketId` to offer, `transferId` to accept). */
  private async assertTransferable(ticket: TicketDoc, now: Date, field: string): Promise<void> {
    if (ticket.status !== 'VALID') throw forbidden('This ticket is no longer valid', field);
    if (ticket.checkedIn) throw forbidden('A checked-in ticket cannot be transferred', field);
    const event = await this.catalog.findEvent(ticket.eventId);
    if (!event || event.cancelled) throw forbidden('The event is cancelled', field);
    if (!event.transferAllowed)
      throw forbidden('The organizer does not allow transfers for this event', field);
    if (now >= transferDeadline(event)) throw forbidden('The transfer deadline has passed', field);
  }
}

/** Why an offer ended without a transfer, as ticket.transfer-withdrawn says it. */
type WithdrawalReason = TicketTransferWithdrawnData['reason'];

/** The withdrawal reason of a transfer that ended (or vanished) without re-keying its ticket. */
function withdrawalReason(transfer: Pick<TransferDoc, 'status' | 'reason'>): WithdrawalReason {
  if (transfer.status === 'DECLINED') return 'DECLINED';
  return transfer.reason ?? 'CANCELLED';
}

export function transferDeadline(event: EventReplicaDoc): Date {
  return event.transferDeadline ?? event.startsAt;
}

/** Why no offer of this ticket can go through any more (revoked, or checked in), or null. */
function ticketEndReason(ticket: TicketDoc | null): TransferEndReason | null {
  if (!ticket || ticket.status !== 'VALID') {
    const last = ticket?.revokedGenerations.at(-1);
    return last?.reason === 'EVENT_CANCELLED' ? 'EVENT_CANCELLED' : 'TICKET_REVOKED';
  }
  return ticket.checkedIn ? 'TICKET_CHECKED_IN' : null;
}

/** Why a claimed accept can no longer re-key the ticket (null: it still can). */
function rekeyRefusal(ticket: TicketDoc | null, transfer: TransferDoc): TransferEndReason | null {
  const ended = ticketEndReason(ticket);
  if (ended || !ticket) return ended;
  if (
    ticket.pendingTransferId !== transfer._id ||
    ticket.generation !== transfer.generation ||
    ticket.holderId !== transfer.fromHolderId
  ) {
    return 'TICKET_CHANGED';
  }
  return null;
}

const REASON_TEXT: Record<TransferEndReason, string> = {
  EVENT_CANCELLED: 'the event was cancelled',
  TICKET_REVOKED: 'the ticket was revoked',
  TICKET_CHECKED_IN: 'the ticket was checked in',
  TICKET_CHANGED: 'the ticket changed',
  DEADLINE_PASSED: 'it was not accepted before the transfer deadline',
};

/** The truthful CONFLICT for a transfer that is no longer PENDING. */
function notPending(transfer: TransferDoc): Error {
  switch (transfer.status) {
    case 'ACCEPTED':
      return conflict('This transfer was already accepted', 'transferId');
    case 'ACCEPTING':
      return conflict('This transfer is being accepted', 'transferId');
    case 'DECLINED':
      return conflict('This transfer was declined', 'transferId');
    case 'CANCELLED':
      return conflict(
        transfer.reason
          ? `This transfer was cancelled: ${REASON_TEXT[transfer.reason]}`
          : 'This transfer was cancelled',
        'transferId',
      );
    default:
      return conflict('This transfer can no longer be changed', 'transferId');
  }
}
