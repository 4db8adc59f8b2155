import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';

/** The JWS algorithm access tokens are signed with (the platform's passport-jwt strategy allows only it). */
export type SigningAlg = 'ES256';

/** A private key ready to sign, with the public half that goes into the JWKS. */
export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

/** The algorithm a private JWK signs with, or an error naming what is wrong with it. */
export function algorithmOf(jwk: JWK): SigningAlg {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new Error(`unsupported key type ${String(jwk.kty)}/${String(jwk.crv)} (use EC P-256, ES256)`);
}

/** Whether a private JWK is one this service can sign with (EC P-256). */
export function isSigningJwk(jwk: JWK): boolean {
  return jwk.kty === 'EC' && jwk.crv === 'P-256';
}

/** The public members of a JWK plus `kid`, `alg` and `use`. */
export function publicJwkOf(jwk: JWK, kid: string, alg: SigningAlg): JWK {
  const pub: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete pub[member];
  delete pub.key_ops;
  delete pub.ext;
  return { ...pub, kid, alg, use: 'sig' } as JWK;
}

/** Turns a private JWK (from the Secret or from Mongo) into a signing key. `kid` defaults to its thumbprint. */
export async function signingKeyFromJwk(jwk: JWK): Promise<SigningKey> {
  if (typeof jwk.d !== 'string' || jwk.d.length === 0) throw new Error('is not a private key (no "d")');
  const alg = algorithmOf(jwk);
  const kid = typeof jwk.kid === 'string' && jwk.kid.length > 0 ? jwk.kid : await calculateJwkThumbprint(jwk);
  const privateKey = (await importJWK({ ...jwk, alg }, alg)) as CryptoKey;
  return { kid, alg, privateKey, publicJwk: publicJwkOf(jwk, kid, alg) };
}

/** A fresh P-256 (ES256) private JWK whose `kid` is its RFC 7638 thumbprint. */
export async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: 'ES256' };
}
