import { withOutbox, type OutboxFields } from '@ticketing/platform';
import { Schema } from 'mongoose';

export const TICKET = 'Ticket';

export type TicketStatus = 'VALID' | 'REVOKED';
export type RevocationReason = 'TRANSFERRED' | 'EVENT_CANCELLED' | 'REFUNDED' | 'ADMIN';

export interface RevokedGeneration {
  generation: number;
  reason: RevocationReason;
  revokedAt: Date;
}

export interface TicketHistoryEntry {
  at: Date;
  action: 'ISSUED' | 'TRANSFERRED' | 'REVOKED' | 'CHECKED_IN';
  holderId: string;
  generation: number;
  transferId?: string | null;
  fromHolderId?: string | null;
}

/** `_id` is derived from (order, line, unit): issuing twice can only hit the unique `_id`. */
export interface TicketDoc extends OutboxFields {
  _id: string;
  orderId: string;
  eventId: string;
  ticketTypeId: string;
  ticketTypeName: string;
  seatId: string | null;
  /** `<ticketTypeId>:<seatId>` for a seat, else the ticket id: unique, so no seat is on two tickets. */
  seatKey: string;
  holderId: string;
  holderName: string;
  generation: number;
  /**
   * Legacy per-ticket display-code secret. Unused: the secret is now derived from
   * DISPLAY_CODE_MASTER_KEY, the ticket id and the generation. Old documents keep it, harmlessly.
   */
  secret?: string;
  status: TicketStatus;
  checkedIn: boolean;
  pendingTransferId: string | null;
  revokedGenerations: RevokedGeneration[];
  history: TicketHistoryEntry[];
  aggregateVersion: number;
  issuedAt: Date;
}

export const TicketSchema = withOutbox(
  new Schema<TicketDoc>(
    {
      _id: { type: String, required: true },
      orderId: { type: String, required: true },
      eventId: { type: String, required: true },
      ticketTypeId: { type: String, required: true },
      ticketTypeName: { type: String, required: true },
      seatId: { type: String, default: null },
      seatKey: { type: String, required: true },
      holderId: { type: String, required: true },
      holderName: { type: String, required: true },
      generation: { type: Number, required: true },
      secret: { type: String },
      status: { type: String, required: true },
      checkedIn: { type: Boolean, default: false },
      pendingTransferId: { type: String, default: null },
      revokedGenerations: {
        type: [{ generation: Number, reason: String, revokedAt: Date, _id: false }],
        default: [],
      },
      history: {
        type: [
          {
            at: Date,
            action: String,
            holderId: String,
            generation: Number,
            transferId: { type: String, default: null },
            fromHolderId: { type: String, default: null },
            _id: false,
          },
        ],
        default: [],
      },
      aggregateVersion: { type: Number, required: true },
      issuedAt: { type: Date, required: true },
    },
    { collection: 'tickets', versionKey: false, timestamps: true },
  ),
);
TicketSchema.index({ holderId: 1, eventId: 1 });
TicketSchema.index({ eventId: 1, status: 1 });
TicketSchema.index({ orderId: 1 });
// No seat can be on two tickets: the unique index is the last line of defence.
TicketSchema.index({ seatKey: 1 }, { unique: true });
