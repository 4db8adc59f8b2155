import { createHash } from 'node:crypto';

const ID_PATTERN =
  /^(?:[0-9a-fA-F]{24}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/** The id shapes the platform uses (ObjectId hex or UUID). */
export const ENTITY_ID = ID_PATTERN;

export function isEntityId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * The id of a scan attempt: derived from (event, device, nonce), so resending the same scan can only hit
 * the same `_id` (24 hex digits, shaped like an ObjectId, as checkin.recorded's `checkinId` expects).
 */
export function scanEntryIdFor(eventId: string, deviceId: string, nonce: string): string {
  return createHash('sha256').update(`scan:${eventId}:${deviceId}:${nonce}`).digest('hex').slice(0, 24);
}
