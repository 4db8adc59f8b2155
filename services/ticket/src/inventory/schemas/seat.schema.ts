import { Schema } from 'mongoose';

export const SEAT = 'Seat';

export type SeatState = 'AVAILABLE' | 'HELD' | 'SOLD';

/** One reserved seat; `_id` = `<ticketTypeId>:<seatId>`. Every state change is a guarded update. */
export interface SeatDoc {
  _id: string;
  ticketTypeId: string;
  eventId: string;
  seatId: string;
  state: SeatState;
  reservationId: string | null;
  orderId: string | null;
  /** No longer part of the ticket type: never held again (a held or sold one keeps its state). */
  withdrawn: boolean;
}

export const seatDocId = (ticketTypeId: string, seatId: string): string => `${ticketTypeId}:${seatId}`;

export const SeatSchema = new Schema<SeatDoc>(
  {
    _id: { type: String, required: true },
    ticketTypeId: { type: String, required: true },
    eventId: { type: String, required: true },
    seatId: { type: String, required: true },
    state: { type: String, required: true, default: 'AVAILABLE' },
    reservationId: { type: String, default: null },
    orderId: { type: String, default: null },
    withdrawn: { type: Boolean, default: false },
  },
  { collection: 'seats', versionKey: false },
);
SeatSchema.index({ ticketTypeId: 1, state: 1 });
SeatSchema.index({ reservationId: 1 });
