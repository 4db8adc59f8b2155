import { createHash } from 'node:crypto';

/**
 * The id of a scan attempt: derived from (event, device, nonce), so resending the same scan can only hit
 * the same `_id` (24 hex digits, shaped like an ObjectId, as checkin.recorded's `checkinId` expects).
 */
export function scanEntryIdFor(eventId: string, deviceId: string, nonce: string): string {
  return createHash('sha256').update(`scan:${eventId}:${deviceId}:${nonce}`).digest('hex').slice(0, 24);
}

/** The digest a scan entry keeps of a code that names no ticket (see ScanEntryDoc.codeKey). */
export function scanCodeKey(code: string): string {
  return createHash('sha256').update(`code:${code.trim()}`).digest('hex').slice(0, 24);
}
