import { withOutbox, type OutboxFields } from '@ticketing/platform';
import { Schema } from 'mongoose';

export const CHECKIN = 'Checkin';

/**
 * The admission of a ticket. `_id` is the ticket id, so the unique `_id` admits a ticket at most once,
 * whatever Redis says (ARCHITECTURE.md §3.3, §3.6). Its checkin.recorded (ADMITTED) sits in the outbox of
 * this same insert: an admission is never without its event.
 *
 * With re-entry the record is also the ticket's inside/outside state: an exit is
 * `updateOne({ _id, inside: {$ne: false} }, { inside: false, $inc: { v, exits }, $push outbox EXITED })` and a
 * return `updateOne({ _id, inside: false, v }, { inside: true, $inc: { v, entries }, $push outbox ADMITTED })`:
 * each transition is one guarded single-document write on the state and its version, so of two gates (or
 * processes) re-admitting the same exited ticket exactly one matches; the other reads "inside".
 */
export interface CheckinDoc extends OutboxFields {
  _id: string;
  eventId: string;
  generation: number;
  gateId: string;
  deviceId: string;
  scannedBy: string;
  at: Date;
  /** The scan (entry log id) that admitted it: a resent scan with the same nonce answers ACCEPTED again. */
  entryId: string;
  method: 'QR' | 'ROTATING_CODE';
  offline: boolean;
  /** Inside now (absent on records written before re-entry existed: inside). */
  inside?: boolean;
  /** State version: 1 at the first admission, +1 on every exit and return. */
  v?: number;
  /** Admissions of this ticket (1 + returns) and exits. */
  entries?: number;
  exits?: number;
  /** The latest admission (the first one until the ticket leaves and comes back). */
  lastEntryAt?: Date | null;
  lastEntryGateId?: string | null;
  /** The scan (entry log id) of the latest exit: the same exit resent answers EXITED again. */
  exitEntryId?: string | null;
  lastExitAt?: Date | null;
  /** The relay round holding this document's outbox (see BatchOutboxRelay). */
  outboxClaim?: string | null;
}

export const CheckinSchema = withOutbox(
  new Schema<CheckinDoc>(
    {
      _id: { type: String, required: true },
      eventId: { type: String, required: true },
      generation: { type: Number, required: true },
      gateId: { type: String, required: true },
      deviceId: { type: String, required: true },
      scannedBy: { type: String, required: true },
      at: { type: Date, required: true },
      entryId: { type: String, required: true },
      method: { type: String, required: true },
      offline: { type: Boolean, default: false },
      inside: { type: Boolean, default: true },
      v: { type: Number, default: 1 },
      entries: { type: Number, default: 1 },
      exits: { type: Number, default: 0 },
      lastEntryAt: { type: Date, default: null },
      lastEntryGateId: { type: String, default: null },
      exitEntryId: { type: String, default: null },
      lastExitAt: { type: Date, default: null },
      outboxClaim: { type: String, default: null },
    },
    { collection: 'checkins', versionKey: false },
  ),
);
CheckinSchema.index({ eventId: 1 });
