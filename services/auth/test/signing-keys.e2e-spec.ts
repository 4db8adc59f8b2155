import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  type TestContext,
} from '@ticketing/platform/testing';
import { TOPICS } from '@ticketing/contracts';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateJwk } from '../src/keys/signing-key';
import { SigningKeysService } from '../src/keys/signing-keys.service';
import { startAuth, type RunningAuth } from './support/auth-app';
import { gql } from './support/graphql-client';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }`;
const ME = `query { me { id } }`;

let ctx: TestContext;
const running: RunningAuth[] = [];

async function fetchJwks(url: string): Promise<{ response: Response; jwks: { keys: JWK[] } }> {
  const response = await fetch(`${url}/.well-known/jwks.json`);
  return { response, jwks: (await response.json()) as { keys: JWK[] } };
}

async function signUp(url: string): Promise<{ token: string; id: string }> {
  const input = {
    email: `keys-${randomBytes(4).toString('hex')}@example.com`,
    password: 'violet-harbour-lantern-42',
    name: 'Key Tester',
    role: 'ATTENDEE',
  };
  const result = await gql(url, SIGN_UP, { input });
  expect(result.errors).toBeUndefined();
  return { token: result.data.signUp.accessToken, id: result.data.signUp.user.id };
}

beforeAll(async () => {
  ctx = createTestContext('auth-keys');
  await ensureTopics(ctx, [TOPICS.users]);
});

afterAll(async () => {
  for (const app of running) await app.close();
  if (ctx) await dropTestContext(ctx);
});

describe('JWKS and signed access tokens', () => {
  it('serves public keys only, unauthenticated and cacheable; tokens carry kid, iss, aud, claims and ≤ 15 min', async () => {
    const auth = await startAuth(ctx);
    running.push(auth);
    const { response, jwks } = await fetchJwks(auth.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key.kid).toEqual(expect.any(String));
      expect(key.d).toBeUndefined();
    }

    const { token, id } = await signUp(auth.url);
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe('ES256');
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: auth.config.AUTH_ISSUER,
      audience: auth.config.AUTH_AUDIENCE,
    });
    expect(payload).toMatchObject({ sub: id, role: 'ATTENDEE', name: 'Key Tester', sid: expect.any(String) });
    expect(payload.email).toMatch(/@example\.com$/);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(900);
  });

  it('stored keys (development mode): rotation publishes the new key, signs with it, keeps the old one until its tokens expire', async () => {
    const auth = running[0];
    const keys = auth.app.get(SigningKeysService);
    const before = await signUp(auth.url);
    const oldKid = decodeProtectedHeader(before.token).kid;

    const newKid = await keys.rotate(0);
    expect(newKid).not.toBe(oldKid);
    const { jwks } = await fetchJwks(auth.url);
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKid, oldKid]);

    const after = await signUp(auth.url);
    expect(decodeProtectedHeader(after.token).kid).toBe(newKid);
    // Both verify against the published set, and the old token still opens a session.
    const set = createLocalJWKSet(jwks);
    await expect(jwtVerify(after.token, set)).resolves.toBeTruthy();
    await expect(jwtVerify(before.token, set)).resolves.toBeTruthy();
    const me = await gql(auth.url, ME, {}, { bearer: before.token });
    expect(me.data?.me.id).toBe(before.id);

    // Once every token of the old key has expired, it leaves the JWKS.
    const later = Date.now() + (auth.config.ACCESS_TOKEN_TTL_SECONDS + 600) * 1000;
    expect(keys.jwks(later).keys.map((k) => k.kid)).toEqual([newKid]);
  });

  it('configured keys (production mode): the first signs, all are published, a token of the previous key verifies', async () => {
    const previous = await generatePrivateJwk();
    const next = await generatePrivateJwk();
    const before = await startAuth(ctx, { AUTH_SIGNING_KEYS: JSON.stringify([previous]) });
    running.push(before);
    const oldToken = await signUp(before.url);
    expect(decodeProtectedHeader(oldToken.token).kid).toBe(previous.kid);

    // Rotation: the new key goes first, the previous one stays listed.
    const after = await startAuth(ctx, { AUTH_SIGNING_KEYS: JSON.stringify([next, previous]) });
    running.push(after);
    const { jwks } = await fetchJwks(after.url);
    expect(jwks.keys.map((k) => k.kid)).toEqual([next.kid, previous.kid]);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    const newToken = await signUp(after.url);
    expect(decodeProtectedHeader(newToken.token).kid).toBe(next.kid);

    const me = await gql(after.url, ME, {}, { bearer: oldToken.token });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me.id).toBe(oldToken.id);
    await expect(jwtVerify(oldToken.token, createLocalJWKSet(jwks))).resolves.toBeTruthy();
  });
});
