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
  /**
   * The pending transfer offer holding this ticket at the gate (ticket.transfer-offered), or null. While set,
   * codes of `heldGeneration` do not admit: the holder is giving the ticket away.
   */
  heldBy?: string | null;
  heldGeneration?: number | null;
  /** When the holder made that offer (the ticket service's time): an offline scan from before it was not held. */
  heldSince?: Date | null;
  /** The ticket version of the last offer/withdrawal/transfer applied: the hold moves only forward. */
  holdVersion?: number;
  /**
   * The generation the last transfer replaced, and when it stopped admitting: the offer's time (from then on
   * it was held at the gate), else the transfer's. An offline scan of that code made before then admitted.
   */
  supersededGeneration?: number | null;
  supersededAt?: Date | null;
}

/**
 * Whether a pending transfer offer holds codes of `generation` of this ticket at the gate. `offlineAt`: the
 * time of a scan a device made offline, judged as of then (one made before the offer was not held).
 */
export function heldAtGate(
  ticket: TicketReplicaDoc,
  generation = ticket.generation,
  offlineAt?: Date,
): boolean {
  if (!ticket.heldBy || ticket.heldGeneration !== generation) return false;
  return !(offlineAt && ticket.heldSince && offlineAt.getTime() < new Date(ticket.heldSince).getTime());
}

/**
 * Whether codes of `generation`, which a transfer has replaced, still admitted at `offlineAt`: a scan a device
 * made offline before the holder offered the ticket away (it is judged as of then, and the ticket was used).
 */
export function admittedBeforeTransfer(
  ticket: TicketReplicaDoc,
  generation: number,
  offlineAt: Date,
): boolean {
  return (
    ticket.status !== 'REVOKED' &&
    ticket.supersededGeneration === generation &&
    generation === ticket.revokedUpTo &&
    ticket.supersededAt != null &&
    offlineAt.getTime() < new Date(ticket.supersededAt).getTime()
  );
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
    heldBy: { type: String, default: null },
    heldGeneration: { type: Number, default: null },
    heldSince: { type: Date, default: null },
    holdVersion: { type: Number, default: 0 },
    supersededGeneration: { type: Number, default: null },
    supersededAt: { type: Date, default: null },
  },
  { collection: 'ticket_replicas', versionKey: false, timestamps: true },
);
// The offline bundle lists one event's tickets.
TicketReplicaSchema.index({ eventId: 1, _id: 1 });
