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
  /**
   * price.changed's quantity ladder (null or absent: none): `price` holds for a hold whose units all fall
   * within the first `untilSold[0].count` units of the type taken (sold + held), then each step's `next`.
   */
  untilSold?: PriceStep[] | null;
}

/** Past the first `count` units of the type taken (sold + held), the price is `next`. */
export interface PriceStep {
  count: number;
  next: MoneyValue;
}

const PriceStepSchema = new Schema<PriceStep>(
  { count: { type: Number, required: true }, next: { type: MoneySchema, required: true } },
  { _id: false },
);

export const PriceReplicaSchema = new Schema<PriceReplicaDoc>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    price: { type: MoneySchema, required: true },
    priceVersion: { type: Number, required: true },
    effectiveAt: { type: Date },
    untilSold: { type: [PriceStepSchema], default: undefined },
  },
  { collection: 'price_replicas', versionKey: false },
);
