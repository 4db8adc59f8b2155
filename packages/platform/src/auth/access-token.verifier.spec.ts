import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer';
import { AccessTokenVerifier } from './access-token.verifier';

const user = { id: 'u-1', email: 'u@example.test', role: 'ATTENDEE', name: 'U' };
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'iss-test', audience: 'aud-test' });
});
afterAll(() => issuer.close());

function verifier(overrides: { jwksCooldownMs?: number; jwksMaxAgeMs?: number } = {}): AccessTokenVerifier {
  return new AccessTokenVerifier({
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audience: issuer.audience,
    cookieSecure: true,
    clockToleranceSec: 5,
    ...overrides,
  });
}

describe('AccessTokenVerifier', () => {
  it('maps claims to the AuthUser and reports expiry', async () => {
    const session = await verifier().verify(await issuer.sign(user, { expiresIn: 120 }));
    expect(session.user).toEqual({ id: 'u-1', email: 'u@example.test', role: 'ATTENDEE', name: 'U' });
    expect(session.expiresAt - Date.now()).toBeGreaterThan(100_000);
  });

  it('tolerates a few seconds of clock skew but no more', async () => {
    const subject = verifier();
    await expect(subject.verify(await issuer.sign(user, { expiresIn: -2 }))).resolves.toBeDefined();
    await expect(subject.verify(await issuer.sign(user, { expiresIn: -30 }))).rejects.toMatchObject({
      failure: 'expired',
    });
  });

  it('answers results instead of throwing in check()', async () => {
    const subject = verifier();
    expect(await subject.check(undefined)).toEqual({ session: null, failure: 'missing' });
    expect(await subject.check(issuer.signNone(user))).toEqual({ session: null, failure: 'invalid' });
  });

  it('verifies a request once however often it is asked', async () => {
    const subject = verifier();
    const req = { headers: { authorization: `Bearer ${await issuer.sign(user)}` } };
    const [first, second] = await Promise.all([
      subject.authenticateRequest(req),
      subject.authenticateRequest(req),
    ]);
    expect(first).toBe(second);
    expect(first.session?.user.id).toBe('u-1');
  });

  it('refetches the JWKS for an unknown kid at most once per cooldown', async () => {
    const subject = verifier({ jwksCooldownMs: 60_000 });
    await subject.verify(await issuer.sign(user));
    const before = issuer.jwksRequests;
    const unknown = await issuer.sign(user, { kid: 'nope' });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(subject.verify(unknown)).rejects.toMatchObject({ failure: 'invalid' });
    }
    expect(issuer.jwksRequests - before).toBe(0);
  });

  it('accepts tokens of a rotated key once the cooldown allows a refetch', async () => {
    const subject = verifier({ jwksCooldownMs: 0 });
    await subject.verify(await issuer.sign(user));
    await issuer.rotate();
    await expect(subject.verify(await issuer.sign(user))).resolves.toMatchObject({ user: { id: 'u-1' } });
  });

  it('keeps the cached keys when a refresh fails', async () => {
    const local = await createTestIssuer({ issuer: 'iss-test', audience: 'aud-test' });
    const subject = new AccessTokenVerifier({
      jwksUrl: local.jwksUrl,
      issuer: 'iss-test',
      audience: 'aud-test',
      cookieSecure: true,
      clockToleranceSec: 5,
      jwksMaxAgeMs: 0,
      jwksCooldownMs: 0,
      jwksTimeoutMs: 500,
    });
    const token = await local.sign(user);
    await subject.verify(token);
    await local.close();
    await expect(subject.verify(token)).resolves.toMatchObject({ user: { id: 'u-1' } });
  });
});
