import { z } from 'zod';
import { defineEvent } from '../define-event';
import {
  aggregateVersionSchema,
  idSchema,
  instantSchema,
  moneySchema,
  positiveIntSchema,
  seatIdsSchema,
} from '../primitives';
import { TOPICS } from '../topics';

export const orderLineSchema = z.object({
  ticketTypeId: idSchema,
  quantity: positiveIntSchema,
  /** Reserved seating only: one seat per unit. */
  seatIds: seatIdsSchema.optional(),
  /** The quoted price paid per unit. */
  unitPrice: moneySchema,
});

export const orderConfirmedSchema = z
  .object({
    orderId: idSchema,
    /** The hold this order converted. */
    reservationId: idSchema,
    eventId: idSchema,
    buyerId: idSchema,
    lines: z.array(orderLineSchema).min(1),
    /** Sum of quantity x unitPrice over the lines. */
    total: moneySchema,
    /** The tickets issued for this order, one per unit. */
    ticketIds: z.array(idSchema).min(1),
    confirmedAt: instantSchema,
    aggregateVersion: aggregateVersionSchema,
  })
  .superRefine((o, ctx) => {
    let units = 0;
    let sum = 0;
    o.lines.forEach((line, i) => {
      units += line.quantity;
      sum += line.quantity * line.unitPrice.amount;
      if (line.unitPrice.currency !== o.total.currency) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'unitPrice', 'currency'],
          message: 'Line currency differs from the total',
        });
      }
      if (line.seatIds && line.seatIds.length !== line.quantity) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'seatIds'],
          message: 'Expected one seat per unit',
        });
      }
    });
    if (sum !== o.total.amount) {
      ctx.addIssue({
        code: 'custom',
        path: ['total', 'amount'],
        message: `Total ${o.total.amount} differs from the lines' sum ${sum}`,
      });
    }
    if (new Set(o.ticketIds).size !== o.ticketIds.length) {
      ctx.addIssue({ code: 'custom', path: ['ticketIds'], message: 'Duplicate ticket id' });
    }
    if (o.ticketIds.length !== units) {
      ctx.addIssue({
        code: 'custom',
        path: ['ticketIds'],
        message: `Expected ${units} tickets, got ${o.ticketIds.length}`,
      });
    }
  });
export type OrderConfirmedData = z.infer<typeof orderConfirmedSchema>;

export const orderConfirmedEvent = defineEvent({
  type: 'order.confirmed',
  version: 1,
  topic: TOPICS.orders,
  producer: 'ticket',
  schema: orderConfirmedSchema,
  key: (d) => d.eventId,
  description: 'A paid order: its lines, total and the ids of the tickets issued for it.',
});
