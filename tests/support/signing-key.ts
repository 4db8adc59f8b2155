import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/** An Ed25519 private JWK (with `kid` = thumbprint), to hand to auth as `AUTH_SIGNING_KEYS`. */
export async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'EdDSA' };
}

/** Signs arbitrary claims with a private JWK, as auth would (EdDSA, `kid` in the header unless overridden). */
export async function signWith(
  jwk: JWK,
  claims: Record<string, unknown>,
  header: { kid?: string } = {},
): Promise<string> {
  const key = await importJWK(jwk, 'EdDSA');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: header.kid ?? jwk.kid })
    .sign(key);
}
