import { Schema } from 'mongoose';

export const TICKET_TYPE_REPLICA = 'TicketTypeReplica';

export interface MoneyValue {
  amount: number;
  currency: string;
}

/** A ticket type as the event service last published it (version-aware replica). */
export interface TicketTypeReplicaDoc {
  _id: string;
  eventId: string;
  name: string;
  kind: 'GENERAL_ADMISSION' | 'RESERVED';
  basePrice: MoneyValue;
  quantity: number;
  seatIds: string[];
  perOrderMax: number;
  perBuyerMax: number;
  salesStart: Date;
  salesEnd: Date;
  aggregateVersion: number;
}

export const MoneySchema = new Schema<MoneyValue>(
  { amount: { type: Number, required: true }, currency: { type: String, required: true } },
  { _id: false },
);

export const TicketTypeReplicaSchema = new Schema<TicketTypeReplicaDoc>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    name: { type: String },
    kind: { type: String },
    basePrice: { type: MoneySchema },
    quantity: { type: Number },
    seatIds: { type: [String], default: [] },
    perOrderMax: { type: Number },
    perBuyerMax: { type: Number },
    salesStart: { type: Date },
    salesEnd: { type: Date },
    aggregateVersion: { type: Number, default: 0 },
  },
  { collection: 'ticket_type_replicas', versionKey: false, timestamps: true },
);
TicketTypeReplicaSchema.index({ eventId: 1 });
