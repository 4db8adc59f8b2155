import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The QR token of a ticket: `T1.<base64url payload>.<base64url Ed25519 signature>`.
 * The payload is compact JSON `{"t":ticketId,"e":eventId,"h":holderId,"g":generation,"k":keyId}` and the
 * signature covers the ASCII bytes of `T1.<base64url payload>` (so the version prefix is signed too).
 * Anyone with the public key of `k` can verify it offline; the revocation list says which generations died.
 * Shared: the ticket service signs with it, the check-in service verifies with it.
 */
export const TICKET_TOKEN_PREFIX = 'T1';

export interface TicketClaims {
  ticketId: string;
  eventId: string;
  holderId: string;
  generation: number;
  keyId: string;
}

interface CompactPayload {
  t: string;
  e: string;
  h: string;
  g: number;
  k: string;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Decodes base64url only in its canonical form (no padding, no stray bits), else null. */
function strictBase64url(text: string): Buffer | null {
  if (!B64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

/** The key id of an Ed25519 public key: base64url SHA-256 of its SPKI DER, first 16 characters. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 16);
}

export function signTicketToken(
  claims: Omit<TicketClaims, 'keyId'>,
  privateKey: KeyObject,
  keyId: string,
): string {
  const payload: CompactPayload = {
    t: claims.ticketId,
    e: claims.eventId,
    h: claims.holderId,
    g: claims.generation,
    k: keyId,
  };
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const signingInput = `${TICKET_TOKEN_PREFIX}.${encoded}`;
  const signature = sign(null, Buffer.from(signingInput, 'ascii'), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Verifies a token against the public keys by key id. Returns the claims, or null for anything that is
 * not a genuine, well-formed token (wrong shape, unknown key, bad signature, non-canonical encoding).
 */
export function verifyTicketToken(
  token: string,
  publicKeys: ReadonlyMap<string, KeyObject>,
): TicketClaims | null {
  if (typeof token !== 'string' || token.length > 1024) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TICKET_TOKEN_PREFIX) return null;
  const payloadBytes = strictBase64url(parts[1]!);
  const signature = strictBase64url(parts[2]!);
  if (!payloadBytes || !signature || signature.length !== 64) return null;

  let payload: unknown;
  try {
    payload = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    return null;
  }
  if (!isCompactPayload(payload)) return null;
  const key = publicKeys.get(payload.k);
  if (!key) return null;
  const signingInput = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
  let valid = false;
  try {
    valid = verify(null, signingInput, key, signature);
  } catch {
    return null;
  }
  if (!valid) return null;
  return {
    ticketId: payload.t,
    eventId: payload.e,
    holderId: payload.h,
    generation: payload.g,
    keyId: payload.k,
  };
}

function isCompactPayload(value: unknown): value is CompactPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const p = value as Record<string, unknown>;
  return (
    Object.keys(p).length === 5 &&
    typeof p.t === 'string' &&
    typeof p.e === 'string' &&
    typeof p.h === 'string' &&
    typeof p.k === 'string' &&
    typeof p.g === 'number' &&
    Number.isInteger(p.g) &&
    p.g >= 1
  );
}
