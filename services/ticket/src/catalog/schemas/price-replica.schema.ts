import { Schema } from 'mongoose';
import { MoneySchema, type MoneyValue } from './ticket-type-replica.schema';

export const PRICE_REPLICA = 'PriceReplica';

/** The latest price.changed per ticket type (highest priceVersion wins). */
export interface PriceReplicaDoc {
  _id: string;
  eventId: string;
  price: MoneyValue;
  priceVersion: number;
  effectiveAt: Date;
}

export const PriceReplicaSchema = new Schema<PriceReplicaDoc>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    price: { type: MoneySchema, required: true },
    priceVersion: { type: Number, required: true },
    effectiveAt: { type: Date },
  },
  { collection: 'price_replicas', versionKey: false },
);
