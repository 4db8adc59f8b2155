import { Schema } from 'mongoose';

export const BUYER_LIMIT = 'BuyerLimit';

/**
 * How many tickets of one type (`_id` = `<buyerId>:<ticketTypeId>`) or of one whole event (`_id` =
 * `<buyerId>:event:<eventId>`, when the event sets its own perBuyerMax) a buyer holds or bought. Raised
 * with a guarded upsert (`count <= max - q`); `holds.<reservationId>` marks a hold that may still be given back.
 */
export interface BuyerLimitDoc {
  _id: string;
  count: number;
  holds: Record<string, number>;
}

export const buyerLimitId = (buyerId: string, ticketTypeId: string): string => `${buyerId}:${ticketTypeId}`;
export const eventBuyerLimitId = (buyerId: string, eventId: string): string => `${buyerId}:event:${eventId}`;

export const BuyerLimitSchema = new Schema<BuyerLimitDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true, default: 0 },
    holds: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'buyer_limits', versionKey: false, minimize: false },
);
