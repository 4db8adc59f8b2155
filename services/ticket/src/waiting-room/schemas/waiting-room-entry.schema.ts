import { Schema } from 'mongoose';

export const WAITING_ROOM_ENTRY = 'WaitingRoomEntry';

/**
 * WAITING   in the queue at `seq` (Redis holds the fast copy of the queue; this is what rebuilds it)
 * ADMITTED  given pass `passId`, valid until `passExpiresAt`
 * USED      the pass was spent on a reservation (or on its last allowed attempt)
 */
export type WaitingRoomEntryState = 'WAITING' | 'ADMITTED' | 'USED';

/** One buyer's place in one event's waiting room. `_id` is `<eventId>:<userId>` (one place per buyer). */
export interface WaitingRoomEntryDoc {
  _id: string;
  eventId: string;
  userId: string;
  /** Arrival order (Redis INCR); a buyer who joins again after their turn gets a new, later one. */
  seq: number;
  state: WaitingRoomEntryState;
  passId: string | null;
  passExpiresAt: Date | null;
  /** Reservation attempts made with the current pass. */
  attempts: number;
  joinedAt: Date;
  admittedAt: Date | null;
}

export const entryIdOf = (eventId: string, userId: string) => `${eventId}:${userId}`;

export const WaitingRoomEntrySchema = new Schema<WaitingRoomEntryDoc>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    userId: { type: String, required: true },
    seq: { type: Number, required: true },
    state: { type: String, required: true },
    passId: { type: String, default: null },
    passExpiresAt: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
    joinedAt: { type: Date, required: true },
    admittedAt: { type: Date, default: null },
  },
  { collection: 'waiting_room_entries', versionKey: false },
);
// Rebuilding the Redis queue after a flush: one event's waiting (or admitted) entries in arrival order.
WaitingRoomEntrySchema.index({ eventId: 1, state: 1, seq: 1 });
// The highest sequence handed out for an event (the Redis counter restarts above it).
WaitingRoomEntrySchema.index({ eventId: 1, seq: -1 });
