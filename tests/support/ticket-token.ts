import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

/** What a ticket QR token binds (see services/ticket/README.md, "Tickets and QR"). */
export interface TicketTokenClaims {
  ticketId: string;
  eventId: string;
  holderId: string;
  generation: number;
  keyId: string;
}

/** A public verification key as the ticket service publishes it (Ed25519 JWK). */
export interface TicketVerificationJwk {
  kid: string;
  kty: string;
  crv: string;
  x: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Reads a `T1.<payload>.<signature>` token without checking its signature; null when malformed. */
export function readTicketToken(token: string): TicketTokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'T1' || !BASE64URL.test(parts[1]!) || !BASE64URL.test(parts[2]!)) {
    return null;
  }
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const { t, e, h, g, k } = payload;
    if (typeof t !== 'string' || typeof e !== 'string' || typeof h !== 'string' || typeof k !== 'string') {
      return null;
    }
    if (typeof g !== 'number' || !Number.isInteger(g)) return null;
    return { ticketId: t, eventId: e, holderId: h, generation: g, keyId: k };
  } catch {
    return null;
  }
}

/**
 * Verifies a QR token offline, as a scanner would: the Ed25519 signature over the ASCII of `T1.<payload>`
 * with the published key named by the payload's `k`. Returns the claims, or null when anything is off.
 */
export function verifyTicketToken(
  token: string,
  keys: readonly TicketVerificationJwk[],
): TicketTokenClaims | null {
  const claims = readTicketToken(token);
  if (!claims) return null;
  const jwk = keys.find((key) => key.kid === claims.keyId);
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return null;
  const [, payload, signature] = token.split('.');
  const publicKey = createPublicKey({
    key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JsonWebKey,
    format: 'jwk',
  });
  const signed = Buffer.from(`T1.${payload}`, 'ascii');
  return verify(null, signed, publicKey, Buffer.from(signature!, 'base64url')) ? claims : null;
}
