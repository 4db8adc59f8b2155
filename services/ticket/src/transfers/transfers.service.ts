import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { appendOutbox, badInput, conflict, forbidden, notFound, type AuthUser } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CatalogService } from '../catalog/catalog.service';
import type { EventReplicaDoc } from '../catalog/schemas/event-replica.schema';
import { ticketEnvelope } from '../common/envelopes';
import { TicketOutbox } from '../common/ticket-outbox.service';
import { isEntityId, newObjectId } from '../common/ids';
import { newTicketSecret } from '../tickets/qr/display-code';
import { TICKET, type TicketDoc } from '../tickets/schemas/ticket.schema';
import { displayName, TicketsService } from '../tickets/tickets.service';
import { TRANSFER, type TransferDoc } from './schemas/transfer.schema';

/**
 * Ticket transfers. Offer: a transfer document, then the ticket is marked (one pending transfer at a time,
 * guarded). Accept: ONE guarded update on the ticket (its generation, pending transfer and status) re-keys
 * it — new holder, generation + 1, new secret, the old generation on the revocation list, ticket.transferred
 * and ticket.revoked in its outbox — so of two concurrent accepts exactly one wins.
 */
@Injectable()
export class TransfersService {
  constructor(
    @InjectModel(TRANSFER) private readonly transfers: Model<TransferDoc>,
    @InjectModel(TICKET) private readonly ticketModel: Model<TicketDoc>,
    private readonly tickets: TicketsService,
    private readonly catalog: CatalogService,
    private readonly outbox: TicketOutbox,
  ) {}

  async offer(user: AuthUser, ticketId: string, toEmail: string, now = new Date()): Promise<TransferDoc> {
    const email = toEmail.trim().toLowerCase();
    const ticket = await this.tickets.findHeld(user, ticketId);
    if (email === (user.email ?? '').toLowerCase()) throw badInput('toEmail', 'You already hold this ticket');
    await this.assertTransferable(ticket, now);
    if (ticket.pendingTransferId) throw conflict('A transfer of this ticket is already pending', 'ticketId');

    const transfer: TransferDoc = {
      _id: newObjectId(),
      ticketId: ticket._id,
      eventId: ticket.eventId,
      fromHolderId: user.id,
      toEmail: email,
      toHolderId: null,
      status: 'PENDING',
      generation: ticket.generation,
      resolvedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.transfers.create(transfer);
    const claimed = await this.ticketModel
      .updateOne(
        {
          _id: ticket._id,
          holderId: user.id,
          generation: ticket.generation,
          status: 'VALID',
          checkedIn: false,
          pendingTransferId: null,
        },
        { $set: { pendingTransferId: transfer._id } },
      )
      .exec();
    if (claimed.modifiedCount !== 1) {
      await this.transfers
        .updateOne({ _id: transfer._id }, { $set: { status: 'CANCELLED', resolvedAt: now } })
        .exec();
      throw conflict('The ticket changed or a transfer is already pending', 'ticketId');
    }
    return transfer;
  }

  async accept(user: AuthUser, transferId: string, now = new Date()): Promise<TransferDoc> {
    const transfer = await this.findIncoming(user, transferId);
    if (transfer.status !== 'PENDING')
      throw conflict(`The transfer is ${transfer.status.toLowerCase()}`, 'transferId');
    const ticket = await this.tickets.findById(transfer.ticketId);
    if (!ticket) throw notFound('Transfer');
    if (ticket.holderId === user.id) throw conflict('This transfer was already accepted', 'transferId');
    await this.assertTransferable(ticket, now);

    const generation = transfer.generation + 1;
    const version = ticket.aggregateVersion + 1;
    const holderName = displayName(user.name, user.email);
    const transferred = ticketEnvelope('ticket.transferred', ticket.eventId, {
      ticketId: ticket._id,
      eventId: ticket.eventId,
      ticketTypeId: ticket.ticketTypeId,
      transferId: transfer._id,
      fromHolderId: transfer.fromHolderId,
      toHolderId: user.id,
      toHolderName: holderName,
      generation,
      previousGeneration: transfer.generation,
      transferredAt: now.toISOString(),
      aggregateVersion: version,
    });
    const revoked = ticketEnvelope('ticket.revoked', ticket.eventId, {
      ticketId: ticket._id,
      eventId: ticket.eventId,
      generation: transfer.generation,
      reason: 'TRANSFERRED',
      revokedAt: now.toISOString(),
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
        },
        {
          $set: {
            holderId: user.id,
            holderName,
            generation,
            secret: newTicketSecret(),
            pendingTransferId: null,
            aggregateVersion: version,
          },
          $push: {
            revokedGenerations: { generation: transfer.generation, reason: 'TRANSFERRED', revokedAt: now },
            history: {
              at: now,
              action: 'TRANSFERRED',
              holderId: user.id,
              generation,
              transferId: transfer._id,
              fromHolderId: transfer.fromHolderId,
            },
            outbox: { $each: appendOutbox([transferred, revoked]).$push.outbox.$each },
          },
        },
      )
      .exec();
    if (result.modifiedCount !== 1)
      throw conflict('The ticket changed; this transfer can no longer be accepted', 'transferId');
    this.outbox.nudge('tickets');
    await this.transfers
      .updateOne(
        { _id: transfer._id, status: 'PENDING' },
        { $set: { status: 'ACCEPTED', toHolderId: user.id, resolvedAt: now } },
      )
      .exec();
    return (await this.transfers.findById(transfer._id).lean<TransferDoc>().exec())!;
  }

  async decline(user: AuthUser, transferId: string, now = new Date()): Promise<TransferDoc> {
    const transfer = await this.findIncoming(user, transferId);
    return this.close(transfer, 'DECLINED', now);
  }

  async cancel(user: AuthUser, transferId: string, now = new Date()): Promise<TransferDoc> {
    const transfer = isEntityId(transferId)
      ? await this.transfers.findById(transferId).lean<TransferDoc>().exec()
      : null;
    if (!transfer || transfer.fromHolderId !== user.id) throw notFound('Transfer');
    return this.close(transfer, 'CANCELLED', now);
  }

  /** Transfers the user offered, and those offered to their email. */
  list(user: AuthUser): Promise<TransferDoc[]> {
    return this.transfers
      .find({ $or: [{ fromHolderId: user.id }, { toEmail: (user.email ?? '').toLowerCase() }] })
      .sort({ createdAt: -1 })
      .limit(100)
      .lean<TransferDoc[]>()
      .exec();
  }

  private async close(
    transfer: TransferDoc,
    status: 'DECLINED' | 'CANCELLED',
    now: Date,
  ): Promise<TransferDoc> {
    const result = await this.transfers
      .updateOne({ _id: transfer._id, status: 'PENDING' }, { $set: { status, resolvedAt: now } })
      .exec();
    if (result.modifiedCount !== 1)
      throw conflict(`The transfer is ${transfer.status.toLowerCase()}`, 'transferId');
    await this.ticketModel
      .updateOne(
        { _id: transfer.ticketId, pendingTransferId: transfer._id },
        { $set: { pendingTransferId: null } },
      )
      .exec();
    return (await this.transfers.findById(transfer._id).lean<TransferDoc>().exec())!;
  }

  /** A transfer offered to the signed-in user's email (NOT_FOUND for anyone else). */
  private async findIncoming(user: AuthUser, transferId: string): Promise<TransferDoc> {
    const transfer = isEntityId(transferId)
      ? await this.transfers.findById(transferId).lean<TransferDoc>().exec()
      : null;
    if (!transfer || !user.email || transfer.toEmail !== user.email.trim().toLowerCase())
      throw notFound('Transfer');
    return transfer;
  }

  private async assertTransferable(ticket: TicketDoc, now: Date): Promise<void> {
    if (ticket.status !== 'VALID') throw forbidden('This ticket is no longer valid');
    if (ticket.checkedIn) throw forbidden('A checked-in ticket cannot be transferred');
    const event = await this.catalog.findEvent(ticket.eventId);
    if (!event || event.cancelled) throw forbidden('The event is cancelled');
    if (!event.transferAllowed) throw forbidden('The organizer does not allow transfers for this event');
    if (now >= transferDeadline(event)) throw forbidden('The transfer deadline has passed');
  }
}

export function transferDeadline(event: EventReplicaDoc): Date {
  return event.transferDeadline ?? event.startsAt;
}
