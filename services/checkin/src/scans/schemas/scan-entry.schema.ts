import { withOutbox, type OutboxFields } from '@ticketing/platform';
import { Schema } from 'mongoose';

export const SCAN_ENTRY = 'ScanEntry';

export type ScanResultValue =
  | 'ACCEPTED'
  | 'ALREADY_CHECKED_IN'
  | 'REVOKED'
  | 'WRONG_EVENT'
  | 'INVALID'
  | 'NOT_YET_OPEN'
  | 'EXITED'
  | 'REENTRY_NOT_ALLOWED'
  | 'NOT_INSIDE';
export type ScanDirectionValue = 'ENTRY' | 'EXIT';

/**
 * One scan attempt, whatever its result (the entry log). `_id` derives from (event, device, nonce): the
 * same scan resent finds its first answer here and records nothing new. Refused scans carry their
 * checkin.recorded in this document's outbox; an admission's travels with its check-in record.
 */
export interface ScanEntryDoc extends OutboxFields {
  _id: string;
  eventId: string;
  ticketId: string | null;
  generation: number | null;
  /**
   * For a code that names no ticket (unreadable, forged, mistyped): a digest of the code, so the same nonce
   * sent with another such code is told CONFLICT rather than the first code's answer. Absent otherwise.
   */
  codeKey?: string;
  result: ScanResultValue;
  /** Why, in one word (BAD_SIGNATURE, OLD_GENERATION, EVENT_CANCELLED, ...); null when admitted. */
  reason: string | null;
  gateId: string;
  deviceId: string;
  scannedBy: string;
  /** When the scan happened (the device's time for an offline scan). */
  at: Date;
  method: 'QR' | 'ROTATING_CODE' | null;
  holderName: string | null;
  ticketTypeName: string | null;
  /** For ALREADY_CHECKED_IN: the admission this scan ran into. */
  firstAt: Date | null;
  firstGateId: string | null;
  offline: boolean;
  /** Absent on entries written before re-entry existed: ENTRY. */
  direction?: ScanDirectionValue;
  /** ACCEPTED after an exit. */
  reentry?: boolean;
  recordedAt: Date;
  /** The relay round holding this document's outbox (see BatchOutboxRelay). */
  outboxClaim?: string | null;
}

export const ScanEntrySchema = withOutbox(
  new Schema<ScanEntryDoc>(
    {
      _id: { type: String, required: true },
      eventId: { type: String, required: true },
      ticketId: { type: String, default: null },
      generation: { type: Number, default: null },
      codeKey: { type: String },
      result: { type: String, required: true },
      reason: { type: String, default: null },
      gateId: { type: String, required: true },
      deviceId: { type: String, required: true },
      scannedBy: { type: String, required: true },
      at: { type: Date, required: true },
      method: { type: String, default: null },
      holderName: { type: String, default: null },
      ticketTypeName: { type: String, default: null },
      firstAt: { type: Date, default: null },
      firstGateId: { type: String, default: null },
      offline: { type: Boolean, default: false },
      direction: { type: String, default: 'ENTRY' },
      reentry: { type: Boolean, default: false },
      recordedAt: { type: Date, required: true },
      outboxClaim: { type: String, default: null },
    },
    { collection: 'scan_log', versionKey: false },
  ),
);
// scanLog pages: newest first, optionally one result or one gate (every query is one of these shapes).
ScanEntrySchema.index({ eventId: 1, at: -1, _id: -1 });
ScanEntrySchema.index({ eventId: 1, result: 1, at: -1, _id: -1 });
ScanEntrySchema.index({ eventId: 1, gateId: 1, at: -1, _id: -1 });
ScanEntrySchema.index({ eventId: 1, gateId: 1, result: 1, at: -1, _id: -1 });
