import { Schema } from 'mongoose';

export const TICKET_REPLICA = 'CheckinTicketReplica';

/** What check-in knows of a ticket, from ticket.issued / transferred / revoked. */
export interface TicketReplicaDoc {
  _id: string;
  eventId: string;
  ticketTypeId?: string;
  ticketTypeName?: string;
  holderId?: string;
  holderName?: string;
  /** The current QR generation (highest seen in issued/transferred). */
  generation: number;
  /** Codes of this generation and older never admit (0: none revoked). Only ever raised, with `$max`. */
  revokedUpTo: number;
  /** VALID, or REVOKED for good (refund, admin, cancelled event): no generation admits. */
  status: 'VALID' | 'REVOKED';
  revokedReason: string | null;
  aggregateVersion: number;
}

export const TicketReplicaSchema = new Schema<TicketReplicaDoc>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    ticketTypeId: { type: String },
    ticketTypeName: { type: String },
    holderId: { type: String },
    holderName: { type: String },
    generation: { type: Number, default: 0 },
    revokedUpTo: { type: Number, default: 0 },
    status: { type: String, default: 'VALID' },
    revokedReason: { type: String, default: null },
    aggregateVersion: { type: Number, default: 0 },
  },
  { collection: 'ticket_replicas', versionKey: false, timestamps: true },
);
// The offline bundle lists one event's tickets.
TicketReplicaSchema.index({ eventId: 1, _id: 1 });
