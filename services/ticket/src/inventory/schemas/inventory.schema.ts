import { Schema } from 'mongoose';

export const INVENTORY = 'Inventory';

/**
 * One document per ticket type. For general admission it is the truth: every hold, release and sale is
 * one guarded `$inc` on it, and `holds.<reservationId>` marks a live hold so that returning or selling it
 * can happen once only. For reserved seating the seat documents are the truth and this one carries the
 * same counters, moved with the same markers (so they never drift).
 * Always: available + held + sold = capacity, and none of them negative.
 */
export interface InventoryDoc {
  _id: string;
  eventId: string;
  kind: 'GENERAL_ADMISSION' | 'RESERVED';
  capacity: number;
  /** The capacity the event service asked for; higher than `capacity` never, lower when clamped. */
  requestedCapacity: number;
  available: number;
  held: number;
  sold: number;
  /**
   * Revenue of confirmed orders, minor units of `currency`. Stored as a double: a sum of many tickets passes
   * 32 bits (80,000 tickets at 300.00 already do), and a double holds whole numbers exactly up to 2^53.
   */
  revenue: number;
  currency: string;
  holds: Record<string, number>;
}

export const InventorySchema = new Schema<InventoryDoc>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    kind: { type: String, required: true },
    capacity: { type: Number, required: true, min: 0 },
    requestedCapacity: { type: Number, required: true },
    available: { type: Number, required: true },
    held: { type: Number, required: true, default: 0 },
    sold: { type: Number, required: true, default: 0 },
    // A BSON double whatever the value (mongoose's Number would write small sums as 32-bit integers).
    revenue: { type: Schema.Types.Double as unknown as NumberConstructor, required: true, default: 0 },
    currency: { type: String, required: true },
    holds: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'inventory', versionKey: false, minimize: false },
);
InventorySchema.index({ eventId: 1 });
