import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Waiting-room admission passes: `P1.<base64url payload>.<base64url HMAC-SHA256>`. The payload is compact
 * JSON `{"e":eventId,"u":userId,"p":passId,"x":expiry in unix ms}`; the MAC covers the ASCII of
 * `P1.<payload>`. Anyone may read a pass; only a holder of the key can make one, and a pass names the one
 * buyer and event it admits. Single use is not the token's business: the buyer's waiting-room entry in
 * MongoDB records which pass it was given and whether it was used (see WaitingRoomService.claimPass).
 */

const PREFIX = 'P1';
const MAX_PASS_LENGTH = 512;
const HKDF_SALT = 'ticketing/waiting-room-pass/v1';

export interface AdmissionPassClaims {
  eventId: string;
  userId: string;
  passId: string;
  expiresAt: Date;
}

export type PassProblem = 'MALFORMED' | 'BAD_SIGNATURE' | 'WRONG_EVENT' | 'WRONG_USER' | 'EXPIRED';

export type PassCheck = { ok: true; claims: AdmissionPassClaims } | { ok: false; problem: PassProblem };

/**
 * The pass key: `WAITING_ROOM_PASS_KEY` when set, else derived from the display-code master key under its own
 * label, so one Secret serves both without one key ever verifying the other's codes.
 */
export function passKeyFrom(explicitKey: string | undefined, displayCodeMasterKey: string): Buffer {
  if (explicitKey) return Buffer.from(explicitKey, 'utf8');
  return Buffer.from(hkdfSync('sha256', displayCodeMasterKey, HKDF_SALT, 'admission-pass', 32));
}

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function mac(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed, 'ascii').digest();
}

export function signAdmissionPass(key: Buffer, claims: AdmissionPassClaims): string {
  const payload = b64(
    JSON.stringify({ e: claims.eventId, u: claims.userId, p: claims.passId, x: claims.expiresAt.getTime() }),
  );
  const signed = `${PREFIX}.${payload}`;
  return `${signed}.${b64(mac(key, signed))}`;
}

/** Strict base64url (canonical: re-encoding gives the same text). */
function fromB64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

/** Checks signature, shape, event, user and expiry, in that order (nothing is read before the MAC holds). */
export function verifyAdmissionPass(
  key: Buffer,
  token: string,
  expected: { eventId: string; userId: string },
  now = Date.now(),
): PassCheck {
  if (typeof token !== 'string' || token.length > MAX_PASS_LENGTH) return { ok: false, problem: 'MALFORMED' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, problem: 'MALFORMED' };
  const signature = fromB64(parts[2]!);
  const payloadBytes = fromB64(parts[1]!);
  if (!signature || !payloadBytes) return { ok: false, problem: 'MALFORMED' };
  const wanted = mac(key, `${PREFIX}.${parts[1]}`);
  if (signature.length !== wanted.length || !timingSafeEqual(signature, wanted)) {
    return { ok: false, problem: 'BAD_SIGNATURE' };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    return { ok: false, problem: 'MALFORMED' };
  }
  const p = payload as Record<string, unknown>;
  if (
    typeof p !== 'object' ||
    p === null ||
    Object.keys(p).length !== 4 ||
    typeof p.e !== 'string' ||
    typeof p.u !== 'string' ||
    typeof p.p !== 'string' ||
    typeof p.x !== 'number' ||
    !Number.isSafeInteger(p.x)
  ) {
    return { ok: false, problem: 'MALFORMED' };
  }
  if (p.e !== expected.eventId) return { ok: false, problem: 'WRONG_EVENT' };
  if (p.u !== expected.userId) return { ok: false, problem: 'WRONG_USER' };
  if (p.x <= now) return { ok: false, problem: 'EXPIRED' };
  return { ok: true, claims: { eventId: p.e, userId: p.u, passId: p.p, expiresAt: new Date(p.x) } };
}
