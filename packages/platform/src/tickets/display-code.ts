import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The rotating display code the holder's app shows against screenshots, verifiable by the check-in service
 * without calling the ticket service (ARCHITECTURE.md §5).
 *
 * Per-ticket secret: `HKDF-SHA256(ikm = master key (UTF-8), salt = "ticketing/display-code/v1",
 * info = "<ticketId>:<generation>", 32 bytes)`. Both services hold the same master key
 * (`DISPLAY_CODE_MASTER_KEY`, a Kubernetes Secret), so a transfer (generation + 1) changes the secret and
 * nothing secret is stored per ticket or sent over Kafka.
 *
 * Code of a time step: `counter = floor(unixSeconds / 15)`; `mac = HMAC-SHA256(secret, counter as 8-byte
 * big-endian)`; `offset = mac[31] & 0x0f`; `n = uint32be(mac[offset..offset+3]) & 0x7fffffff`;
 * `code = n mod 10^8`, zero-padded to 8 digits. Verification accepts the current step and one either side.
 *
 * Scanned form (what the holder's app encodes and the scanner reads): `D1.<ticketId>.<generation>.<code>`,
 * e.g. `D1.6745a4d5c2d4e8b9a0f1e511.2.04718263`. The ticket id and generation are not secret; they let the
 * scanner find the ticket and derive its secret, and the 8-digit MAC proves the holder's app had it now.
 */
export const DISPLAY_CODE_STEP_SECONDS = 15;
export const DISPLAY_CODE_DIGITS = 8;
export const DISPLAY_CODE_PREFIX = 'D1';
/** Smallest accepted master key, in characters. */
export const DISPLAY_CODE_MASTER_KEY_MIN_LENGTH = 32;
/**
 * The master key every service uses outside production when none is configured, so `make dev` and tests
 * agree without a Secret. Production refuses to start without a real one (see the services' config).
 */
export const DEV_DISPLAY_CODE_MASTER_KEY = 'dev-only-display-code-master-key-never-use-in-production';

const HKDF_SALT = 'ticketing/display-code/v1';
/** Ticket ids are ObjectId hex or UUIDs. */
const TICKET_ID =
  /^(?:[0-9a-fA-F]{24}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export interface ScannedDisplayCode {
  ticketId: string;
  generation: number;
  code: string;
}

/** The per-ticket secret of one generation (32 bytes). */
export function deriveDisplaySecret(masterKey: string, ticketId: string, generation: number): Buffer {
  if (masterKey.length < DISPLAY_CODE_MASTER_KEY_MIN_LENGTH) {
    throw new Error(
      `display-code master key must be at least ${DISPLAY_CODE_MASTER_KEY_MIN_LENGTH} characters`,
    );
  }
  const bytes = hkdfSync(
    'sha256',
    Buffer.from(masterKey, 'utf8'),
    HKDF_SALT,
    `${ticketId}:${generation}`,
    32,
  );
  return Buffer.from(bytes);
}

export function displayCodeStep(timeMs: number, stepSeconds = DISPLAY_CODE_STEP_SECONDS): number {
  return Math.floor(timeMs / 1000 / stepSeconds);
}

/** The 8-digit code of one time step. */
export function displayCodeAt(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha256', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const n = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(n % 10 ** DISPLAY_CODE_DIGITS).padStart(DISPLAY_CODE_DIGITS, '0');
}

/** The 8-digit code for the instant `timeMs`. */
export function displayCode(secret: Buffer, timeMs: number, stepSeconds = DISPLAY_CODE_STEP_SECONDS): string {
  return displayCodeAt(secret, displayCodeStep(timeMs, stepSeconds));
}

/** True when `code` is the code of the step of `timeMs` or of one step before or after it. */
export function verifyDisplayCode(
  secret: Buffer,
  code: string,
  timeMs: number,
  stepSeconds = DISPLAY_CODE_STEP_SECONDS,
  toleranceSteps = 1,
): boolean {
  if (typeof code !== 'string' || code.length !== DISPLAY_CODE_DIGITS || !/^\d+$/.test(code)) return false;
  const step = displayCodeStep(timeMs, stepSeconds);
  let ok = false;
  for (let delta = -toleranceSteps; delta <= toleranceSteps; delta++) {
    if (timingSafeEqual(Buffer.from(displayCodeAt(secret, step + delta)), Buffer.from(code))) ok = true;
  }
  return ok;
}

/** `D1.<ticketId>.<generation>.<code>` for the instant `timeMs`. */
export function scannableDisplayCode(
  masterKey: string,
  ticketId: string,
  generation: number,
  timeMs: number,
): string {
  const code = displayCode(deriveDisplaySecret(masterKey, ticketId, generation), timeMs);
  return `${DISPLAY_CODE_PREFIX}.${ticketId}.${generation}.${code}`;
}

/** Reads the scanned form; null when it is not one (no secret is involved yet). */
export function parseDisplayCode(text: string): ScannedDisplayCode | null {
  if (typeof text !== 'string' || text.length > 128) return null;
  const parts = text.split('.');
  if (parts.length !== 4 || parts[0] !== DISPLAY_CODE_PREFIX) return null;
  const [, ticketId, gen, code] = parts as [string, string, string, string];
  if (!TICKET_ID.test(ticketId) || !/^[1-9]\d{0,8}$/.test(gen)) return null;
  if (code.length !== DISPLAY_CODE_DIGITS || !/^\d+$/.test(code)) return null;
  return { ticketId, generation: Number(gen), code };
}

/** Verifies a scanned display code under the master key; the parsed form when genuine now, else null. */
export function verifyScannedDisplayCode(
  masterKey: string,
  text: string,
  timeMs: number,
): ScannedDisplayCode | null {
  const parsed = parseDisplayCode(text);
  if (!parsed) return null;
  const secret = deriveDisplaySecret(masterKey, parsed.ticketId, parsed.generation);
  return verifyDisplayCode(secret, parsed.code, timeMs) ? parsed : null;
}

/**
 * The `DISPLAY_CODE_MASTER_KEY` config field of the services that show or verify display codes: at least
 * 32 characters, blank means unset, unset means the development key. Pair it with
 * `refuseDevDisplayCodeKey` in the schema's `superRefine`, which rejects the development key in production.
 */
export function envDisplayCodeMasterKey() {
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z
      .string()
      .trim()
      .min(DISPLAY_CODE_MASTER_KEY_MIN_LENGTH, {
        error: `expected at least ${DISPLAY_CODE_MASTER_KEY_MIN_LENGTH} characters`,
      })
      .default(DEV_DISPLAY_CODE_MASTER_KEY),
  );
}

/** `superRefine` step: with NODE_ENV=production the key must come from a Secret, not the default. */
export function refuseDevDisplayCodeKey(
  cfg: { NODE_ENV: string; DISPLAY_CODE_MASTER_KEY: string },
  ctx: z.RefinementCtx,
): void {
  if (cfg.NODE_ENV === 'production' && cfg.DISPLAY_CODE_MASTER_KEY === DEV_DISPLAY_CODE_MASTER_KEY) {
    ctx.addIssue({
      code: 'custom',
      path: ['DISPLAY_CODE_MASTER_KEY'],
      message: 'is required when NODE_ENV=production (mount it from a Secret)',
    });
  }
}
