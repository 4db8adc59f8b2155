import { Schema } from 'mongoose';

export const TRANSFER = 'Transfer';

export type TransferStatus = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'CANCELLED';

/** A transfer offer; kept for ever as history. */
export interface TransferDoc {
  _id: string;
  ticketId: string;
  eventId: string;
  fromHolderId: string;
  /** Lower-cased. */
  toEmail: string;
  toHolderId: string | null;
  status: TransferStatus;
  /** Generation of the ticket when offered; accept only succeeds against it. */
  generation: number;
  resolvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const TransferSchema = new Schema<TransferDoc>(
  {
    _id: { type: String, required: true },
    ticketId: { type: String, required: true },
    eventId: { type: String, required: true },
    fromHolderId: { type: String, required: true },
    toEmail: { type: String, required: true },
    toHolderId: { type: String, default: null },
    status: { type: String, required: true },
    generation: { type: Number, required: true },
    resolvedAt: { type: Date, default: null },
  },
  { collection: 'transfers', versionKey: false, timestamps: true },
);
TransferSchema.index({ ticketId: 1, createdAt: -1 });
TransferSchema.index({ toEmail: 1, status: 1 });
TransferSchema.index({ fromHolderId: 1, status: 1 });
