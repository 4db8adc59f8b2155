import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The rotating display code shown by the holder's app against screenshots (see the README):
 * counter = floor(unixSeconds / 15); mac = HMAC-SHA256(secret, counter as 8-byte big-endian);
 * offset = mac[31] & 0x0f; n = (mac[offset..offset+3] as big-endian uint32) & 0x7fffffff;
 * code = n mod 10^8, zero-padded to 8 digits. Verification accepts the current step and one either side.
 */
export const DISPLAY_CODE_STEP_SECONDS = 15;
export const DISPLAY_CODE_DIGITS = 8;

/** A new per-ticket secret (32 random bytes, base64url). */
export function newTicketSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function displayCodeStep(timeMs: number, stepSeconds = DISPLAY_CODE_STEP_SECONDS): number {
  return Math.floor(timeMs / 1000 / stepSeconds);
}

export function displayCodeAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha256', Buffer.from(secret, 'base64url')).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const n = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(n % 10 ** DISPLAY_CODE_DIGITS).padStart(DISPLAY_CODE_DIGITS, '0');
}

/** The code for the instant `timeMs`. */
export function displayCode(secret: string, timeMs: number, stepSeconds = DISPLAY_CODE_STEP_SECONDS): string {
  return displayCodeAt(secret, displayCodeStep(timeMs, stepSeconds));
}

/** True when `code` is the code of the step of `timeMs` or of one step before or after it. */
export function verifyDisplayCode(
  secret: string,
  code: string,
  timeMs: number,
  stepSeconds = DISPLAY_CODE_STEP_SECONDS,
  toleranceSteps = 1,
): boolean {
  if (typeof code !== 'string' || !/^\d+$/.test(code) || code.length !== DISPLAY_CODE_DIGITS) return false;
  const step = displayCodeStep(timeMs, stepSeconds);
  let ok = false;
  for (let delta = -toleranceSteps; delta <= toleranceSteps; delta++) {
    const expected = Buffer.from(displayCodeAt(secret, step + delta));
    if (timingSafeEqual(expected, Buffer.from(code))) ok = true;
  }
  return ok;
}
