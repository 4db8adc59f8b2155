import { Schema } from 'mongoose';

export const TRANSFER = 'Transfer';

/**
 * PENDING    offered, waiting for the recipient
 * ACCEPTING  the recipient's accept claimed it (the single point of decision); the ticket is being re-keyed
 *            (a crash here is finished by `TransfersService.finishDueAccepts`)
 * ACCEPTED / DECLINED / CANCELLED  final
 */
export type TransferStatus = 'PENDING' | 'ACCEPTING' | 'ACCEPTED' | 'DECLINED' | 'CANCELLED';

/** Why a transfer ended CANCELLED without its holder cancelling it. */
export type TransferEndReason =
  'EVENT_CANCELLED' | 'TICKET_REVOKED' | 'TICKET_CHECKED_IN' | 'TICKET_CHANGED' | 'DEADLINE_PASSED';

/** A transfer offer; kept for ever as history. */
export interface TransferDoc {
  _id: string;
  ticketId: string;
  eventId: string;
  fromHolderId: string;
  /**
   * What was offered, copied from the ticket when offered, so the offer keeps saying it whatever the ticket
   * becomes: the sender's name as on the ticket, its type's name, its seat (null: general admission).
   * Absent on offers written before they were kept (`TransfersService.describe` reads them from the ticket).
   */
  fromHolderName?: string | null;
  ticketTypeName?: string | null;
  seatId?: string | null;
  /** Lower-cased. */
  toEmail: string;
  /** Set when the recipient accepts (with the name the ticket will carry). */
  toHolderId: string | null;
  toHolderName?: string | null;
  status: TransferStatus;
  /** Generation of the ticket when offered; accept only succeeds against it. */
  generation: number;
  /** When the accept was claimed (the re-keyed ticket's transfer time). */
  acceptedAt?: Date | null;
  /** Set when it ended CANCELLED for a reason other than its holder's cancel. */
  reason?: TransferEndReason | null;
  resolvedAt: Date | null;
  /**
   * True from the write that ends the offer without a re-key (declined, cancelled) until its ticket is freed
   * (marker cleared, ticket.transfer-withdrawn queued): a crash in between is finished by the sweeper, so the
   * ticket is never left held at the gate.
   */
  releasePending?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const TransferSchema = new Schema<TransferDoc>(
  {
    _id: { type: String, required: true },
    ticketId: { type: String, required: true },
    eventId: { type: String, required: true },
    fromHolderId: { type: String, required: true },
    // No defaults: an absent ticketTypeName is how an offer written before these were kept is recognised.
    fromHolderName: { type: String },
    ticketTypeName: { type: String },
    seatId: { type: String },
    toEmail: { type: String, required: true },
    toHolderId: { type: String, default: null },
    toHolderName: { type: String, default: null },
    status: { type: String, required: true },
    generation: { type: Number, required: true },
    acceptedAt: { type: Date, default: null },
    reason: { type: String, default: null },
    resolvedAt: { type: Date, default: null },
    releasePending: { type: Boolean, default: false },
  },
  { collection: 'transfers', versionKey: false, timestamps: true },
);
TransferSchema.index({ ticketId: 1, createdAt: -1 });
TransferSchema.index({ toEmail: 1, status: 1 });
TransferSchema.index({ fromHolderId: 1, status: 1 });
// Recovery of interrupted accepts: { status: 'ACCEPTING', updatedAt: { $lte } }.
TransferSchema.index({ status: 1, updatedAt: 1 });
// Pending offers of a cancelled event: { eventId, status: 'PENDING' }.
TransferSchema.index({ eventId: 1, status: 1 });
// Offers ended whose ticket a crash left unfreed: { releasePending: true, updatedAt: { $lte } }.
TransferSchema.index({ releasePending: 1, updatedAt: 1 });
