import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer';
import { AccessTokenStrategy } from './access-token.strategy';
import { AccessTokenVerifier } from './access-token.verifier';
import type { AuthOptions } from './auth.options';
import type { RevocationCheck, RevocationVerdict } from './session-revocations';

const user = { id: 'u-1', email: 'u@example.test', role: 'ATTENDEE', name: 'U' };
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'iss-test', audience: 'aud-test' });
});
afterAll(() => issuer.close());

/** An in-memory revocation list standing in for the Redis-fed one (its own tests use real Redis). */
class LocalRevocations implements RevocationCheck {
  readonly revoked = new Set<string>();
  stale = false;
  verdict(sid: string): RevocationVerdict {
    if (this.revoked.has(sid)) return 'revoked';
    return this.stale ? 'stale' : 'live';
  }
}

function verifier(
  overrides: Partial<AuthOptions> = {},
  revocations: RevocationCheck = new LocalRevocations(),
  from: TestIssuer = issuer,
): AccessTokenVerifier {
  const options: AuthOptions = {
    jwksUrl: from.jwksUrl,
    issuer: 'iss-test',
    audience: 'aud-test',
    cookieSecure: true,
    clockToleranceSec: 5,
    ...overrides,
  };
  return new AccessTokenVerifier(new AccessTokenStrategy(options, revocations));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('AccessTokenVerifier (passport-jwt strategy, jwks-rsa keys)', () => {
  it('maps claims to the AuthUser and reports the session id and expiry', async () => {
    const token = await issuer.sign(user, { expiresIn: 120, sid: 'session-1' });
    const session = await verifier().verify(token);
    expect(session.user).toEqual({
      id: 'u-1',
      email: 'u@example.test',
      role: 'ATTENDEE',
      name: 'U',
      sessionId: 'session-1',
    });
    expect(session.sessionId).toBe('session-1');
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

  const refused: Array<[string, () => Promise<string> | string]> = [
    ['alg none', () => issuer.signNone(user)],
    ['HS256 with the public key as secret', () => issuer.signHs256WithPublicKey(user)],
    ['EdDSA, even by a key the JWKS publishes', () => issuer.sign(user, { alg: 'EdDSA' })],
    ['no kid', () => issuer.sign(user, { kid: null })],
    ['an unknown kid', () => issuer.sign(user, { kid: 'not-published' })],
    ['a wrong audience', () => issuer.sign(user, { aud: 'another-app' })],
    ['a wrong issuer', () => issuer.sign(user, { iss: 'https://evil.test' })],
    ['no iss', () => issuer.sign(user, { claims: { iss: undefined } })],
    ['no aud', () => issuer.sign(user, { claims: { aud: undefined } })],
    ['no exp', () => issuer.sign(user, { claims: { exp: undefined } })],
    ['no sid', () => issuer.sign(user, { sid: null })],
    ['no sub', () => issuer.sign(user, { claims: { sub: undefined } })],
    ['an unknown role', () => issuer.sign(user, { claims: { role: 'ROOT' } })],
    [
      'a not-yet-valid nbf',
      () => issuer.sign(user, { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }),
    ],
    ['garbage', () => 'not.a.jwt'],
  ];
  for (const [name, mint] of refused) {
    it(`refuses ${name}`, async () => {
      expect(await verifier().check(await mint())).toEqual({ session: null, failure: 'invalid' });
    });
  }

  it('refuses an ES256 token of another issuer (its own valid key and JWKS), with its kid or ours', async () => {
    const other = await createTestIssuer({ issuer: 'iss-test', audience: 'aud-test' });
    try {
      const subject = verifier();
      // The control: the other issuer's token verifies against the other issuer's own JWKS.
      await expect(
        verifier({}, new LocalRevocations(), other).verify(await other.sign(user)),
      ).resolves.toBeDefined();
      expect(await subject.check(await other.sign(user))).toMatchObject({ failure: 'invalid' });
      expect(await subject.check(await other.sign(user, { kid: issuer.kid }))).toMatchObject({
        failure: 'invalid',
      });
    } finally {
      await other.close();
    }
  });

  it('refuses a hand-made HS256 token whose secret is the JWK itself', async () => {
    const claims = payloadOf(await issuer.sign(user));
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: issuer.kid })}.${b64(claims)}`;
    const jwks = (await (await fetch(issuer.jwksUrl)).json()) as { keys: unknown[] };
    const secret = JSON.stringify(jwks.keys[1]);
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect(await verifier().check(token)).toMatchObject({ failure: 'invalid' });
  });

  it('refuses a revoked session, and answers "expired" when the revocation list is stale', async () => {
    const revocations = new LocalRevocations();
    const subject = verifier({}, revocations);
    const token = await issuer.sign(user, { sid: 'gone' });
    await expect(subject.verify(token)).resolves.toMatchObject({ sessionId: 'gone' });
    revocations.revoked.add('gone');
    expect(await subject.check(token)).toEqual({ session: null, failure: 'invalid' });
    revocations.revoked.clear();
    revocations.stale = true;
    expect(await subject.check(token)).toEqual({ session: null, failure: 'expired' });
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

  it('rate-limits JWKS refetches for unknown kids', async () => {
    const subject = verifier({ jwksRequestsPerMinute: 2 });
    await subject.verify(await issuer.sign(user));
    const before = issuer.jwksRequests;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const unknown = await issuer.sign(user, { kid: `nope-${attempt}` });
      await expect(subject.verify(unknown)).rejects.toMatchObject({ failure: 'invalid' });
    }
    // One token of the bucket went to the first (known) kid.
    expect(issuer.jwksRequests - before).toBeLessThanOrEqual(1);
  });

  it('fetches once for a burst of one unknown kid', async () => {
    const subject = verifier();
    await subject.verify(await issuer.sign(user));
    const before = issuer.jwksRequests;
    const unknown = await issuer.sign(user, { kid: 'made-up' });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(subject.verify(unknown)).rejects.toMatchObject({ failure: 'invalid' });
    }
    await Promise.all(Array.from({ length: 5 }, () => subject.check(unknown)));
    expect(issuer.jwksRequests - before).toBe(1);
  });

  it('accepts tokens of a rotated key (a new kid is fetched)', async () => {
    const subject = verifier();
    await subject.verify(await issuer.sign(user));
    await issuer.rotate();
    await expect(subject.verify(await issuer.sign(user))).resolves.toMatchObject({ user: { id: 'u-1' } });
  });

  it('keeps serving a cached key while the JWKS endpoint is down', async () => {
    const local = await createTestIssuer({ issuer: 'iss-test', audience: 'aud-test' });
    const subject = verifier({ jwksCacheMaxAgeMs: 1, jwksTimeoutMs: 500 }, new LocalRevocations(), local);
    const token = await local.sign(user);
    await subject.verify(token);
    await local.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(subject.verify(token)).resolves.toMatchObject({ user: { id: 'u-1' } });
  });
});
