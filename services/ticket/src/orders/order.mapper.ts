import { OrderStatusEnum, type Order } from './models/order.model';
import type { OrderDoc } from './schemas/order.schema';

export function toOrder(doc: OrderDoc): Order {
  return {
    id: doc._id,
    status: doc.status as OrderStatusEnum,
    reservationId: doc.reservationId,
    eventId: doc.eventId,
    lines: doc.lines.map((l) => ({
      ticketTypeId: l.ticketTypeId,
      ticketTypeName: l.ticketTypeName,
      quantity: l.quantity,
      seatIds: l.seatIds,
      unitPrice: { amount: l.unitPrice.amount, currency: l.unitPrice.currency },
    })),
    total: { amount: doc.total.amount, currency: doc.total.currency },
    createdAt: doc.createdAt,
    confirmedAt: doc.confirmedAt,
    buyerId: doc.buyerId,
  };
}
