import { TransferStatusEnum, type TicketTransfer } from './models/transfer.model';
import type { TransferDoc } from './schemas/transfer.schema';

export function toTransfer(doc: TransferDoc): TicketTransfer {
  return {
    id: doc._id,
    ticketId: doc.ticketId,
    eventId: doc.eventId,
    fromHolderId: doc.fromHolderId,
    fromHolderName: doc.fromHolderName ?? null,
    ticketTypeName: doc.ticketTypeName ?? null,
    seatId: doc.seatId ?? null,
    toEmail: doc.toEmail,
    status: doc.status as TransferStatusEnum,
    generation: doc.generation,
    createdAt: doc.createdAt,
    resolvedAt: doc.resolvedAt,
    reason: doc.reason ?? null,
  };
}
