import { Schema } from 'mongoose';
import { FactorSchema, type PriceReason, type StoredFactor } from '../../catalog/schemas/ticket-price.schema';

export const PRICE_HISTORY = 'PriceHistory';

/** One price change; `_id` = `<ticketTypeId>:<version>`, so writing it twice is harmless. */
export interface PriceHistoryDoc {
  _id: string;
  ticketTypeId: string;
  eventId: string;
  version: number;
  price: number;
  previous: number | null;
  currency: string;
  reason: PriceReason;
  factors: StoredFactor[];
  at: Date;
}

export const PriceHistorySchema = new Schema<PriceHistoryDoc>(
  {
    _id: { type: String, required: true },
    ticketTypeId: { type: String, required: true },
    eventId: { type: String, required: true },
    version: { type: Number, required: true },
    price: { type: Number, required: true },
    previous: { type: Number, default: null },
    currency: { type: String, required: true },
    reason: { type: String, required: true },
    factors: { type: [FactorSchema], default: [] },
    at: { type: Date, required: true },
  },
  { collection: 'price_history', versionKey: false },
);
PriceHistorySchema.index({ ticketTypeId: 1, at: 1 });
