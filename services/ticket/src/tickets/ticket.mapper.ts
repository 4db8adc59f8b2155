import { TicketStatusEnum, type Ticket } from './models/ticket.model';
import type { TicketDoc } from './schemas/ticket.schema';

export function toTicket(doc: TicketDoc): Ticket {
  return {
    id: doc._id,
    eventId: doc.eventId,
    ticketTypeId: doc.ticketTypeId,
    ticketTypeName: doc.ticketTypeName,
    seatId: doc.seatId,
    holderId: doc.holderId,
    holderName: doc.holderName,
    generation: doc.generation,
    status: doc.status as TicketStatusEnum,
    checkedIn: doc.checkedIn,
    pendingTransferId: doc.pendingTransferId,
    issuedAt: doc.issuedAt,
  };
}
