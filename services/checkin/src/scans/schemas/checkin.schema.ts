import { withOutbox, type OutboxFields } from '@ticketing/platform';
import { Schema } from 'mongoose';

export const CHECKIN = 'Checkin';

/**
 * The admission of a ticket. `_id` is the ticket id, so the unique `_id` admits a ticket at most once,
 * whatever Redis says (ARCHITECTURE.md §3.3, §3.6). Its checkin.recorded (ADMITTED) sits in the outbox of
 * this same insert: an admission is never without its event.
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
    },
    { collection: 'checkins', versionKey: false },
  ),
);
CheckinSchema.index({ eventId: 1 });
