import {
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { generatePrivateJwk, signingKeyFromJwk } from './signing-key';
import { loadConfiguredKeys } from './signing-keys.service';

describe('signing keys', () => {
  it('publish only public members, with kid, alg and use', async () => {
    const jwk = await generatePrivateJwk();
    const key = await signingKeyFromJwk(jwk);
    expect(key.alg).toBe('ES256');
    expect(key.kid).toBe(jwk.kid);
    expect(key.publicJwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: jwk.x,
      y: jwk.y,
      kid: jwk.kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('sign tokens the published key verifies', async () => {
    const key = await signingKeyFromJwk(await generatePrivateJwk());
    const token = await new SignJWT({ role: 'ATTENDEE' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setExpirationTime('1m')
      .sign(key.privateKey);
    expect(decodeProtectedHeader(token).kid).toBe(key.kid);
    const { payload } = await jwtVerify(token, await importJWK(key.publicJwk, 'ES256'));
    expect(payload.role).toBe('ATTENDEE');
  });

  it('refuse Ed25519 keys: access tokens are ES256 only', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const ed25519 = { ...(await exportJWK(privateKey)), kid: 'ed' };
    await expect(signingKeyFromJwk(ed25519)).rejects.toThrow(/unsupported key type OKP\/Ed25519/);
    await expect(loadConfiguredKeys([ed25519])).rejects.toThrow(/AUTH_SIGNING_KEYS\[0\].*EC P-256/);
  });

  it('refuse public-only, symmetric and duplicate configured keys', async () => {
    const jwk = await generatePrivateJwk();
    const { d: _d, ...publicOnly } = jwk;
    await expect(loadConfiguredKeys([publicOnly as JWK])).rejects.toThrow(/AUTH_SIGNING_KEYS\[0\].*private/);
    await expect(loadConfiguredKeys([jwk, { kty: 'oct', k: 'c2VjcmV0', d: 'x' } as JWK])).rejects.toThrow(
      /AUTH_SIGNING_KEYS\[1\].*unsupported/,
    );
    await expect(loadConfiguredKeys([jwk, jwk])).rejects.toThrow(/duplicate/);
    const loaded = await loadConfiguredKeys([jwk, await generatePrivateJwk()]);
    expect(loaded).toHaveLength(2);
    expect(loaded[0].kid).toBe(jwk.kid);
  });
});
