import { z } from 'zod';
import { defineEvent } from '../define-event';
import { idSchema, instantSchema, moneySchema, positiveIntSchema } from '../primitives';
import { TOPICS } from '../topics';

export const PRICE_CHANGE_REASONS = [
  'INITIAL',
  'DEMAND',
  'TIER',
  'POLICY_CHANGED',
  'BASE_PRICE_CHANGED',
] as const;

/** One named reason of a price (for example PACE, SCARCITY, STEP_LIMIT) with the number it stands for. */
export const priceFactorSchema = z.object({
  name: z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/),
  value: z.number().refine(Number.isFinite, { message: 'Expected a finite number' }),
  detail: z.string().max(200).optional(),
});
export type PriceFactorData = z.infer<typeof priceFactorSchema>;

/** The most steps a quantity ladder has (one per price tier after the one in force). */
export const MAX_PRICE_STEPS = 20;

/** One step of a quantity ladder: past the first `count` units of the type taken, the price is `next`. */
export const priceStepSchema = z.object({
  count: positiveIntSchema,
  next: moneySchema,
});
export type PriceStepData = z.infer<typeof priceStepSchema>;

export const priceChangedSchema = z
  .object({
    ticketTypeId: idSchema,
    eventId: idSchema,
    /** The price new holds are quoted from `effectiveAt` on. */
    price: moneySchema,
    /** The price it replaces; null for the first price of a ticket type. */
    previous: moneySchema.nullable(),
    reason: z.enum(PRICE_CHANGE_REASONS),
    effectiveAt: instantSchema,
    /** Monotonic per ticket type (this event's aggregate version): drop a price.changed not above the one held. */
    priceVersion: positiveIntSchema,
    /** What produced the price, in the order applied (added in a compatible change: older events have none). */
    factors: z.array(priceFactorSchema).max(30).optional(),
    /**
     * Quantity caps on `price` (a TIERED tier that ends on a quantity sold; added in a compatible change: older
     * events, and prices that no quantity ends, have none). Units are counted as the ticket service takes them
     * (sold + held): `price` applies to a hold whose units all fall within the first `untilSold[0].count`
     * taken; else `untilSold[0].next` if they fall within `untilSold[1].count`, and so on; the last step's
     * `next` has no cap. Counts strictly increase; every amount is in `price`'s currency.
     */
    untilSold: z.array(priceStepSchema).min(1).max(MAX_PRICE_STEPS).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.previous && p.previous.currency !== p.price.currency) {
      ctx.addIssue({
        code: 'custom',
        path: ['previous', 'currency'],
        message: 'Previous price is in another currency',
      });
    }
    if (p.previous === null && p.priceVersion !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['previous'],
        message: 'Only the first price (priceVersion 1) has no previous price',
      });
    }
    p.untilSold?.forEach((step, i) => {
      if (step.next.currency !== p.price.currency) {
        ctx.addIssue({
          code: 'custom',
          path: ['untilSold', i, 'next', 'currency'],
          message: 'A step is in another currency than the price',
        });
      }
      const before = p.untilSold![i - 1];
      if (before && step.count <= before.count) {
        ctx.addIssue({
          code: 'custom',
          path: ['untilSold', i, 'count'],
          message: 'Step counts must strictly increase',
        });
      }
    });
  });
export type PriceChangedData = z.infer<typeof priceChangedSchema>;

export const priceChangedEvent = defineEvent({
  type: 'price.changed',
  version: 1,
  topic: TOPICS.prices,
  producer: 'pricing',
  schema: priceChangedSchema,
  key: (d) => d.eventId,
  description: 'The current price of a ticket type moved; existing holds keep their quote.',
});
