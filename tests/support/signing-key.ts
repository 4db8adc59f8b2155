import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/** A P-256 private JWK (with `kid` = thumbprint), to hand to auth as `AUTH_SIGNING_KEYS` (ES256). */
export async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256' };
}

/** An Ed25519 private JWK: a valid key of an algorithm the platform refuses for access tokens. */
export async function newEd25519Jwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'EdDSA' };
}

/**
 * Signs arbitrary claims with a private JWK, as auth would (ES256 for P-256 keys, EdDSA for Ed25519 ones;
 * `kid` in the header unless overridden, `kid: null` leaves it out).
 */
export async function signWith(
  jwk: JWK,
  claims: Record<string, unknown>,
  header: { kid?: string | null } = {},
): Promise<string> {
  const alg = jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
  const key = await importJWK(jwk, alg);
  const kid = header.kid === null ? {} : { kid: header.kid ?? jwk.kid };
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...kid }).sign(key);
}
