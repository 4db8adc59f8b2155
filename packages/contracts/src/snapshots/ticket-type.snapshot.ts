// The full state of a ticket type as the event service publishes it: carried by `ticket-type.upserted`
// and, for every ticket type of the event, inside `event.published` / `event.updated`.
import { z } from 'zod';
import {
  aggregateVersionSchema,
  idSchema,
  instantSchema,
  isBefore,
  moneySchema,
  positiveIntSchema,
  seatIdsSchema,
  textSchema,
} from '../primitives';

export const TICKET_KINDS = ['GENERAL_ADMISSION', 'RESERVED'] as const;
export const PRICING_POLICY_KINDS = ['FIXED', 'DEMAND', 'TIERED'] as const;

const fixedPolicySchema = z.object({ kind: z.literal('FIXED') });

const demandPolicySchema = z.object({
  kind: z.literal('DEMAND'),
  /** Lowest price pricing may set. */
  floor: moneySchema,
  /** Highest price pricing may set. */
  ceiling: moneySchema,
  /** Largest change in one step, in percent of the current price (0 < x <= 100). */
  maxStepPct: z.number().gt(0).max(100),
  /** Demand must move by at least this many percent before the price changes again (default decided by pricing). */
  hysteresisPct: z.number().min(0).max(100).optional(),
});

const priceTierSchema = z.object({
  price: moneySchema,
  /** The tier applies while fewer than this many tickets of the type are sold. */
  untilSold: positiveIntSchema.optional(),
  /** The tier applies until this instant. */
  until: instantSchema.optional(),
});

/** The most tiers a TIERED policy has, its open-ended last one included (the event service's base price). */
export const MAX_PRICE_TIERS = 20;

const tieredPolicySchema = z.object({
  kind: z.literal('TIERED'),
  /** In order; every tier but the last has `untilSold` and/or `until`. The last one is open-ended. */
  tiers: z.array(priceTierSchema).min(1).max(MAX_PRICE_TIERS),
});

export const pricingPolicySchema = z.discriminatedUnion('kind', [
  fixedPolicySchema,
  demandPolicySchema,
  tieredPolicySchema,
]);
export type PricingPolicy = z.infer<typeof pricingPolicySchema>;

const ticketTypeBase = {
  ticketTypeId: idSchema,
  eventId: idSchema,
  name: textSchema(120),
  /** Price before any demand pricing, in integer minor units. */
  basePrice: moneySchema,
  /** Number of units (general admission) or of seats (reserved) this type sells. */
  quantity: positiveIntSchema,
  perOrderMax: positiveIntSchema,
  /** Most tickets of this type one buyer may hold for the event, across orders. */
  perBuyerMax: positiveIntSchema,
  /** The effective sales window (the event's window when the type has none of its own). */
  salesStart: instantSchema,
  salesEnd: instantSchema,
  pricingPolicy: pricingPolicySchema,
  /** Version of this ticket type, counted by the event service. */
  aggregateVersion: aggregateVersionSchema,
};

const generalAdmissionSchema = z.object({ ...ticketTypeBase, kind: z.literal('GENERAL_ADMISSION') });
const reservedSchema = z.object({
  ...ticketTypeBase,
  kind: z.literal('RESERVED'),
  /** The seats this type covers; `quantity` equals their number. */
  seatIds: seatIdsSchema,
});

export const ticketTypeSnapshotSchema = z
  .discriminatedUnion('kind', [generalAdmissionSchema, reservedSchema])
  .superRefine((t, ctx) => {
    if (!isBefore(t.salesStart, t.salesEnd)) {
      ctx.addIssue({ code: 'custom', path: ['salesEnd'], message: 'Sales must end after they start' });
    }
    if (t.perOrderMax > t.perBuyerMax) {
      ctx.addIssue({ code: 'custom', path: ['perOrderMax'], message: 'perOrderMax exceeds perBuyerMax' });
    }
    if (t.kind === 'RESERVED' && t.seatIds.length !== t.quantity) {
      ctx.addIssue({
        code: 'custom',
        path: ['quantity'],
        message: 'quantity must equal the number of seats',
      });
    }
    const currency = t.basePrice.currency;
    const policy = t.pricingPolicy;
    if (policy.kind === 'DEMAND') {
      if (policy.floor.currency !== currency || policy.ceiling.currency !== currency) {
        ctx.addIssue({
          code: 'custom',
          path: ['pricingPolicy'],
          message: 'floor and ceiling must be in the base price currency',
        });
      } else if (!(
        policy.floor.amount <= t.basePrice.amount && t.basePrice.amount <= policy.ceiling.amount
      )) {
        ctx.addIssue({
          code: 'custom',
          path: ['pricingPolicy'],
          message: 'Expected floor <= basePrice <= ceiling',
        });
      }
    }
    if (policy.kind === 'TIERED') {
      policy.tiers.forEach((tier, i) => {
        if (tier.price.currency !== currency) {
          ctx.addIssue({
            code: 'custom',
            path: ['pricingPolicy', 'tiers', i, 'price'],
            message: 'Tier price must be in the base price currency',
          });
        }
        if (i < policy.tiers.length - 1 && tier.untilSold === undefined && tier.until === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['pricingPolicy', 'tiers', i],
            message: 'Only the last tier may be open-ended',
          });
        }
      });
    }
  });

export type TicketTypeSnapshot = z.infer<typeof ticketTypeSnapshotSchema>;
