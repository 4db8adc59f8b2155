import { createHash, randomUUID } from 'node:crypto';
import { Types } from 'mongoose';

/** A new ObjectId in hex (orders, transfers). */
export function newObjectId(): string {
  return new Types.ObjectId().toHexString();
}

/** A new reservation id (UUID v4: also safe as a MongoDB field name, used as the hold marker). */
export function newReservationId(): string {
  return randomUUID();
}

/**
 * The id of the `unit`-th ticket of line `line` of an order: the same inputs always give the same id
 * (24 hex digits, shaped like an ObjectId), so a retried issue can never create a second ticket.
 */
export function ticketIdFor(orderId: string, line: number, unit: number): string {
  return createHash('sha256').update(`ticket:${orderId}:${line}:${unit}`).digest('hex').slice(0, 24);
}

/** MongoDB duplicate-key error (unique index). */
export function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; writeErrors?: Array<{ code?: unknown }> };
  return e.code === 11000 || (Array.isArray(e.writeErrors) && e.writeErrors.every((w) => w.code === 11000));
}
