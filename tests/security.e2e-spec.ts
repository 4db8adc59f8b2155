import { randomUUID } from 'node:crypto';
import { createTestIssuer, type RunningService } from '@ticketing/platform/testing';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientAddress,
  CookieSession,
  errorCodes,
  postGraphql,
  STRONG_PASSWORD,
  uniqueEmail,
} from './support/graphql-client';
import { newEd25519Jwk, newPrivateJwk, signWith } from './support/signing-key';
import { APP_ORIGIN, startStack, type Stack } from './support/stack';

const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { user { id email role } accessToken }
}`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { user { id } } }`;
const ME = '{ me { id email role } }';
const REFRESH = 'mutation { refreshSession { user { id } } }';
const SIGN_OUT = 'mutation { signOut }';
const MY_EVENTS = '{ myEvents { id } }';
const ACCESS = '__Host-at';
const REFRESH_COOKIE = '__Host-rt';

describe('security through the gateway (auth + event + gateway processes, real stack)', () => {
  let stack: Stack;
  let addressSeq = 10;
  /** A session coming from its own client address (per-address throttles stay independent). */
  const session = () =>
    new CookieSession(stack.graphqlUrl, { 'x-forwarded-for': clientAddress(addressSeq++) });

  async function signUp(
    s: CookieSession,
    role: 'ATTENDEE' | 'ORGANIZER' = 'ATTENDEE',
    email = uniqueEmail('user'),
  ) {
    const answer = await s.post(SIGN_UP, {
      input: { email, password: STRONG_PASSWORD, name: 'Test User', role },
    });
    expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
    return { email, id: answer.body.data.signUp.user.id as string, answer };
  }

  beforeAll(async () => {
    stack = await startStack('security', {
      authEnv: { LOGIN_SOFT_LIMIT: '20', LOGIN_DELAY_BASE_MS: '60000' },
      // Every subgraph, so "a signed-out session is refused everywhere" is checked everywhere.
      checkin: true,
      pricing: true,
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  describe('cookie sessions', () => {
    it('sign up sets both session cookies; `me` works with them; sign-out ends the session', async () => {
      const s = session();
      const { email, id, answer } = await signUp(s);
      const access = answer.setCookies.find((c) => c.startsWith(`${ACCESS}=`));
      const refresh = answer.setCookies.find((c) => c.startsWith(`${REFRESH_COOKIE}=`));
      for (const cookie of [access, refresh]) {
        expect(cookie).toBeDefined();
        expect(cookie).toMatch(/; HttpOnly/i);
        expect(cookie).toMatch(/; Secure/i);
        expect(cookie).toMatch(/; SameSite=Lax/i);
        expect(cookie).toMatch(/; Path=\//i);
        expect(cookie).not.toMatch(/; Domain=/i);
      }

      const me = await s.post(ME);
      expect(me.body).toEqual({ data: { me: { id, email, role: 'ATTENDEE' } } });

      const out = await s.post(SIGN_OUT);
      expect(out.body.data).toEqual({ signOut: true });
      expect(s.cookie(REFRESH_COOKIE)).toBeUndefined();
      expect(s.cookie(ACCESS)).toBeUndefined();
      expect((await s.post(ME)).body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('sign-out revokes the refresh token server-side, not only the cookie', async () => {
      const s = session();
      await signUp(s);
      const oldRefresh = s.cookie(REFRESH_COOKIE)!;
      await s.post(SIGN_OUT);
      s.setCookie(REFRESH_COOKIE, oldRefresh);
      const again = await s.post(REFRESH);
      expect(errorCodes(again)).toEqual(['UNAUTHENTICATED']);
    });

    it('refresh rotates; replaying the previous refresh token revokes the whole family', async () => {
      const s = session();
      await signUp(s);
      const first = s.cookie(REFRESH_COOKIE)!;
      const rotated = await s.post(REFRESH);
      expect(rotated.body.errors).toBeUndefined();
      const second = s.cookie(REFRESH_COOKIE)!;
      expect(second).toBeDefined();
      expect(second).not.toBe(first);

      const attacker = new CookieSession(stack.graphqlUrl, {
        'x-forwarded-for': clientAddress(addressSeq++),
      });
      attacker.setCookie(REFRESH_COOKIE, first);
      const replay = await attacker.post(REFRESH);
      expect(errorCodes(replay)).toEqual(['UNAUTHENTICATED']);

      // The legitimate holder's newer token belongs to the revoked family too.
      const afterReplay = await s.post(REFRESH);
      expect(errorCodes(afterReplay)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('access tokens are verified by another subgraph (event), not only by auth', () => {
    let organizer: { id: string; email: string };
    const claimsFor = (overrides: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return {
        sub: organizer.id,
        email: organizer.email,
        role: 'ORGANIZER',
        name: 'Test User',
        iss: stack.issuer,
        aud: stack.audience,
        iat: now,
        exp: now + 600,
        sid: randomUUID(),
        ...overrides,
      };
    };
    const asBearer = (token: string) =>
      postGraphql(stack.graphqlUrl, MY_EVENTS, undefined, { headers: { authorization: `Bearer ${token}` } });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

    beforeAll(async () => {
      const s = session();
      const signed = await signUp(s, 'ORGANIZER');
      organizer = { id: signed.id, email: signed.email };
    });

    it('accepts a correctly signed organizer token (the control)', async () => {
      const answer = await asBearer(await signWith(stack.signingJwk, claimsFor()));
      expect(answer.body).toEqual({ data: { myEvents: [] } });
    });

    it('refuses alg none', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT', kid: stack.signingJwk.kid })}.${b64(claimsFor())}.`;
      expect(errorCodes(await asBearer(token))).toEqual(['UNAUTHENTICATED']);
      const viaCookie = await postGraphql(stack.graphqlUrl, MY_EVENTS, undefined, {
        headers: { cookie: `${ACCESS}=${token}` },
      });
      expect(errorCodes(viaCookie)).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses HS256 signed with the public key (key confusion)', async () => {
      const { createPublicKey, createHmac } = await import('node:crypto');
      const { d: _d, ...publicJwk } = stack.signingJwk;
      const pem = createPublicKey({ key: publicJwk as any, format: 'jwk' }).export({
        type: 'spki',
        format: 'pem',
      });
      const jwksPem = String(pem);
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: stack.signingJwk.kid })}.${b64(claimsFor())}`;
      const token = `${input}.${createHmac('sha256', jwksPem).update(input).digest('base64url')}`;
      expect(errorCodes(await asBearer(token))).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await signWith(stack.signingJwk, claimsFor({ iat: now - 3600, exp: now - 600 }));
      expect(errorCodes(await asBearer(token))).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses a wrong audience and a wrong issuer', async () => {
      const wrongAud = await signWith(stack.signingJwk, claimsFor({ aud: 'another-app' }));
      expect(errorCodes(await asBearer(wrongAud))).toEqual(['UNAUTHENTICATED']);
      const wrongIss = await signWith(stack.signingJwk, claimsFor({ iss: 'https://evil.test' }));
      expect(errorCodes(await asBearer(wrongIss))).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses an unknown kid, and a key auth never published', async () => {
      const unknownKid = await signWith(stack.signingJwk, claimsFor(), { kid: 'no-such-key' });
      expect(errorCodes(await asBearer(unknownKid))).toEqual(['UNAUTHENTICATED']);
      const stranger = await newPrivateJwk();
      const foreign = await signWith(stranger, claimsFor());
      expect(errorCodes(await asBearer(foreign))).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses a valid ES256 token of another issuer (its own key and JWKS), with its kid or ours', async () => {
      const other = await createTestIssuer({ issuer: stack.issuer, audience: stack.audience });
      try {
        const user = { id: organizer.id, email: organizer.email, role: 'ORGANIZER', name: 'Test User' };
        const foreign = await other.sign(user);
        // The control: the token is valid for the other issuer's own JWKS.
        const { createRemoteJWKSet, jwtVerify } = await import('jose');
        await expect(
          jwtVerify(foreign, createRemoteJWKSet(new URL(other.jwksUrl)), { algorithms: ['ES256'] }),
        ).resolves.toBeTruthy();
        expect(errorCodes(await asBearer(foreign))).toEqual(['UNAUTHENTICATED']);
        const withOurKid = await other.sign(user, { kid: stack.signingJwk.kid as string });
        expect(errorCodes(await asBearer(withOurKid))).toEqual(['UNAUTHENTICATED']);
      } finally {
        await other.close();
      }
    });

    it('refuses EdDSA (even under the published kid), and a token without kid or sid', async () => {
      const ed = await signWith(await newEd25519Jwk(), claimsFor(), { kid: stack.signingJwk.kid as string });
      expect(errorCodes(await asBearer(ed))).toEqual(['UNAUTHENTICATED']);
      const noKid = await signWith(stack.signingJwk, claimsFor(), { kid: null });
      expect(errorCodes(await asBearer(noKid))).toEqual(['UNAUTHENTICATED']);
      const noSid = await signWith(stack.signingJwk, claimsFor({ sid: undefined }));
      expect(errorCodes(await asBearer(noSid))).toEqual(['UNAUTHENTICATED']);
    });

    it('the ticket subgraph verifies tokens the same way: the control passes, forgeries are refused', async () => {
      const myTickets = (token: string) =>
        postGraphql(stack.graphqlUrl, '{ myTickets { id } }', undefined, {
          headers: { authorization: `Bearer ${token}` },
        });
      const control = await myTickets(await signWith(stack.signingJwk, claimsFor({ role: 'ATTENDEE' })));
      expect(control.body).toEqual({ data: { myTickets: [] } });
      const now = Math.floor(Date.now() / 1000);
      const forgeries = [
        `${b64({ alg: 'none', typ: 'JWT', kid: stack.signingJwk.kid })}.${b64(claimsFor())}.`,
        await signWith(stack.signingJwk, claimsFor({ iat: now - 3600, exp: now - 600 })),
        await signWith(stack.signingJwk, claimsFor({ aud: 'another-app' })),
        await signWith(await newPrivateJwk(), claimsFor()),
        await signWith(await newEd25519Jwk(), claimsFor()),
      ];
      for (const token of forgeries) expect(errorCodes(await myTickets(token))).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses an attendee on the organizer-only query (authorization, not just authentication)', async () => {
      const answer = await asBearer(await signWith(stack.signingJwk, claimsFor({ role: 'ATTENDEE' })));
      expect(errorCodes(answer)).toEqual(['FORBIDDEN']);
    });
  });

  describe('abusive documents answer HTTP 400 before any resolver runs', () => {
    /** A signUp the rejected document contained: if it had run, this email would now be taken. */
    async function expectNotCreated(email: string) {
      const s = session();
      await signUp(s, 'ATTENDEE', email);
    }
    const signUpField = (alias: string, email: string) =>
      `${alias}: signUp(input: { email: "${email}", password: "${STRONG_PASSWORD}", name: "X" }) { user { id } }`;

    it('a text/plain POST without the preflight header (CSRF)', async () => {
      const email = uniqueEmail('csrf');
      const answer = await postGraphql(stack.graphqlUrl, null, undefined, {
        headers: { 'content-type': 'text/plain' },
        rawBody: JSON.stringify({ query: `mutation { ${signUpField('a', email)} }` }),
      });
      expect(answer.status).toBe(400);
      await expectNotCreated(email);
    });

    it('a depth-8 query (in the same document as a signUp)', async () => {
      const email = uniqueEmail('depth');
      // events(1) edges(2) node(3) venue(4) seatMap(5) sections(6) rows(7) name(8): one level past the limit.
      const document = `
        mutation Create { ${signUpField('a', email)} }
        query Deep { events { edges { node { venue { seatMap { sections { rows { name } } } } } } } }`;
      const answer = await postGraphql(stack.graphqlUrl, { query: document, operationName: 'Create' });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(/depth/i);
      await expectNotCreated(email);
      // One level less is served.
      const seven = await postGraphql(
        stack.graphqlUrl,
        '{ events { edges { node { venue { seatMap { sections { name } } } } } } }',
      );
      expect(seven.status).toBe(200);
      expect(seven.body.errors).toBeUndefined();
    });

    it('20 aliases', async () => {
      const emails = Array.from({ length: 20 }, () => uniqueEmail('alias'));
      const fields = emails.map((email, i) => signUpField(`a${i}`, email));
      const answer = await postGraphql(stack.graphqlUrl, `mutation { ${fields.join(' ')} }`);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(/alias/i);
      await expectNotCreated(emails[0]);
      await expectNotCreated(emails[19]);
    });

    it('a batched array', async () => {
      const email = uniqueEmail('batch');
      const answer = await postGraphql(stack.graphqlUrl, [
        { query: `mutation { ${signUpField('a', email)} }` },
        { query: ME },
      ]);
      expect(answer.status).toBe(400);
      await expectNotCreated(email);
    });
  });

  it('20 aliased signIn attempts (2 documents x 10 aliases) count as 20 for throttling', async () => {
    const s = session();
    const { email } = await signUp(s);
    const headers = { 'x-forwarded-for': clientAddress(addressSeq++) };
    const attempts = Array.from(
      { length: 10 },
      (_, i) =>
        `a${i}: signIn(input: { email: "${email}", password: "wrong password ${i}" }) { user { id } }`,
    ).join(' ');
    const codes: unknown[] = [];
    for (let doc = 0; doc < 2; doc += 1) {
      const answer = await postGraphql(stack.graphqlUrl, `mutation { ${attempts} }`, undefined, { headers });
      expect(answer.status).toBe(200);
      codes.push(...errorCodes(answer));
    }
    expect(codes).toHaveLength(20);
    expect(
      codes.every((c) => c === 'UNAUTHENTICATED'),
      JSON.stringify(codes),
    ).toBe(true);
    // LOGIN_SOFT_LIMIT=20: the 21st attempt — even with the right password — must wait.
    const next = await postGraphql(
      stack.graphqlUrl,
      SIGN_IN,
      { input: { email, password: STRONG_PASSWORD } },
      { headers },
    );
    expect(errorCodes(next)).toEqual(['RATE_LIMITED']);
    expect(next.body.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
    // The caller's pace, not an outage: 429 with its Retry-After, not a 5xx.
    expect(next.status).toBe(429);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  describe('text and DateTime inputs (issue 13): BAD_USER_INPUT with the field, never a database message', () => {
    const CREATE_EVENT = `mutation($input: CreateEventInput!) { createEvent(input: $input) { id description } }`;
    const eventInput = (overrides: Record<string, unknown> = {}) => ({
      title: 'Harbour Jazz',
      description: 'An evening by the river',
      category: 'MUSIC',
      venue: { name: 'Dock Hall', address: '1 Quay Street', city: 'Lyon', capacity: 100 },
      startsAt: '2031-03-03T19:00:00Z',
      endsAt: '2031-03-03T23:00:00Z',
      timeZone: 'Europe/Paris',
      ...overrides,
    });
    const refused = (
      answer: { status: number; body: { data?: unknown; errors?: unknown[] } },
      field: string,
    ) => {
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.[0], JSON.stringify(answer.body)).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field },
      });
      expect(JSON.stringify(answer.body)).not.toMatch(/postgres|SQLSTATE|msg_find|mongo/i);
    };

    it('an anonymous signIn whose email holds U+0000', async () => {
      const answer = await session().post(SIGN_IN, {
        input: { email: 'a\u0000@example.com', password: STRONG_PASSWORD },
      });
      refused(answer, 'input.email');
    });

    it('reservation and releaseReservation ids holding U+0000 (plain ID arguments)', async () => {
      const s = session();
      await signUp(s);
      refused(await s.post('query($id: ID!) { reservation(id: $id) { id } }', { id: 'abc\u0000' }), 'id');
      refused(await s.post('mutation { releaseReservation(id: "abc\\u0000") { id } }'), 'id');
    });

    it('createEvent title, venue name and city with U+0000, a bell, U+202E or a zero-width space', async () => {
      const s = session();
      await signUp(s, 'ORGANIZER');
      const venue = eventInput().venue;
      refused(await s.post(CREATE_EVENT, { input: eventInput({ title: 'Jazz\u0000' }) }), 'input.title');
      refused(await s.post(CREATE_EVENT, { input: eventInput({ title: 'Jazz\u0007' }) }), 'input.title');
      refused(
        await s.post(CREATE_EVENT, { input: eventInput({ description: 'ok\n\u0000' }) }),
        'input.description',
      );
      refused(
        await s.post(CREATE_EVENT, { input: eventInput({ venue: { ...venue, name: 'Dock\u0000' } }) }),
        'input.venue.name',
      );
      refused(
        await s.post(CREATE_EVENT, { input: eventInput({ venue: { ...venue, city: '\u202Enoyl' } }) }),
        'input.venue.city',
      );
      refused(
        await s.post(CREATE_EVENT, { input: eventInput({ venue: { ...venue, city: 'Ly\u200bon' } }) }),
        'input.venue.city',
      );
      // The one multi-line field keeps its line breaks through the gateway.
      const ok = await s.post(CREATE_EVENT, {
        input: eventInput({ description: 'Doors 19:00.\nNo re-entry.' }),
      });
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data.createEvent.description).toBe('Doors 19:00.\nNo re-entry.');
      // A line break where one line is expected is refused by the event subgraph; the gateway relays it.
      refused(await s.post(CREATE_EVENT, { input: eventInput({ title: 'Harbour\nJazz' }) }), 'input.title');
    });

    it('createEvent DateTime: a number, prose, an impossible date, no offset and a bare year', async () => {
      const s = session();
      await signUp(s, 'ORGANIZER');
      for (const startsAt of [
        0,
        'March 3, 2031 10:00',
        '2031-02-30T10:00:00Z',
        '2031-03-03T10:00:00',
        '2031',
      ]) {
        refused(await s.post(CREATE_EVENT, { input: eventInput({ startsAt }) }), 'input.startsAt');
      }
    });
  });

  it('CORS: the app origin is allowed with credentials; a foreign origin gets no Access-Control-Allow-Origin', async () => {
    const preflight = (origin: string) =>
      fetch(stack.graphqlUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const foreign = await preflight('https://evil.test');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const foreignPost = await postGraphql(stack.graphqlUrl, ME, undefined, {
      headers: { origin: 'https://evil.test' },
    });
    expect(foreignPost.headers.get('access-control-allow-origin')).toBeNull();
  });
  describe('sessions that really end (sid revocation through Redis)', () => {
    const CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`;
    const SIGN_IN_TOKEN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { accessToken } }`;
    const NEW_PASSWORD = 'another horse battery staple 43';
    let eventB: RunningService;
    let redis: Redis;

    const sidOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;
    const revokedKey = (sid: string) => `${stack.ctx.redisPrefix}auth:revoked-sid:${sid}`;
    const bearer = (url: string, query: string, token: string) =>
      postGraphql(url, query, undefined, { headers: { authorization: `Bearer ${token}` } });
    const codeOf = async (url: string, query: string, token: string) =>
      ((await bearer(url, query, token)).body.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';

    /** Every place an access token is checked: each subgraph, a second event process, and the gateway. */
    const targets = (): Array<{ name: string; url: string; query: string }> => [
      { name: 'gateway', url: stack.graphqlUrl, query: ME },
      { name: 'gateway (event field)', url: stack.graphqlUrl, query: MY_EVENTS },
      { name: 'auth', url: `${stack.auth.url}/graphql`, query: ME },
      { name: 'event', url: `${stack.event.url}/graphql`, query: MY_EVENTS },
      { name: 'event, second process', url: `${eventB.url}/graphql`, query: MY_EVENTS },
      { name: 'ticket', url: `${stack.ticket!.url}/graphql`, query: '{ myTickets { id } }' },
      {
        name: 'checkin',
        url: `${stack.checkin!.url}/graphql`,
        query: `{ attendance(eventId: "${randomUUID()}") { __typename } }`,
      },
      {
        name: 'pricing',
        url: `${stack.pricing!.url}/graphql`,
        query: `{ pricingSettings(ticketTypeId: "${randomUUID()}") { __typename } }`,
      },
    ];

    /** Polls until `token` is UNAUTHENTICATED at `url`; resolves with the ms it took, or Infinity after `limitMs`. */
    async function refusedWithin(url: string, query: string, token: string, since: number, limitMs: number) {
      while (Date.now() - since <= limitMs) {
        if ((await codeOf(url, query, token)) === 'UNAUTHENTICATED') return Date.now() - since;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return Number.POSITIVE_INFINITY;
    }

    /** An ADMIN's access token, signed with the stack's key (no ADMIN can sign up). */
    async function adminToken() {
      const now = Math.floor(Date.now() / 1000);
      return signWith(stack.signingJwk, {
        sub: randomUUID(),
        email: 'ops@example.test',
        role: 'ADMIN',
        name: 'Ops',
        iss: stack.issuer,
        aud: stack.audience,
        iat: now,
        exp: now + 600,
        sid: randomUUID(),
      });
    }

    async function signedUp(role: 'ATTENDEE' | 'ORGANIZER' = 'ORGANIZER') {
      const s = session();
      const { answer, email, id } = await signUp(s, role);
      return { s, email, id, token: answer.body.data.signUp.accessToken as string };
    }

    beforeAll(async () => {
      eventB = await stack.startExtra('event');
      redis = new Redis(stack.ctx.env.REDIS_URL ?? 'redis://127.0.0.1:6390', { maxRetriesPerRequest: 1 });
    }, 120_000);

    afterAll(async () => {
      redis?.disconnect();
    });

    it('after signOut the old access token is UNAUTHENTICATED at every subgraph, a second process and the gateway within a second', async () => {
      const user = await signedUp();
      for (const target of targets()) {
        expect(await codeOf(target.url, target.query, user.token), `${target.name} before`).not.toBe(
          'UNAUTHENTICATED',
        );
      }
      expect((await user.s.post(SIGN_OUT)).body.data).toEqual({ signOut: true });
      const since = Date.now();
      const delays = await Promise.all(
        targets().map(async (t) => [t.name, await refusedWithin(t.url, t.query, user.token, since, 1000)]),
      );
      expect(Object.fromEntries(delays.filter(([, ms]) => !((ms as number) <= 1000)))).toEqual({});

      // Redis holds the revocation for as long as a token of the session can live (15 min + skew).
      const ttl = await redis.pttl(revokedKey(sidOf(user.token)));
      expect(ttl).toBeGreaterThan(14 * 60_000);
      expect(ttl).toBeLessThanOrEqual(16 * 60_000);
      // A process started afterwards loads the revocation from Redis; a live session still passes there.
      const fresh = await stack.startExtra('event');
      expect(await codeOf(`${fresh.url}/graphql`, MY_EVENTS, user.token)).toBe('UNAUTHENTICATED');
      const other = await signedUp();
      expect(await codeOf(`${fresh.url}/graphql`, MY_EVENTS, other.token)).toBe('OK');
    }, 150_000);

    it('a Bearer-only client (no refresh cookie) signing out ends the session of its access token', async () => {
      const user = await signedUp();
      const out = await bearer(stack.graphqlUrl, SIGN_OUT, user.token);
      expect(out.body.data).toEqual({ signOut: true });
      expect(
        await refusedWithin(`${eventB.url}/graphql`, MY_EVENTS, user.token, Date.now(), 1000),
      ).toBeLessThanOrEqual(1000);
    });

    it('changePassword refuses every other session of the user within a second; the calling session keeps working', async () => {
      const first = await signedUp();
      const second = session();
      const signedIn = await second.post(SIGN_IN_TOKEN, {
        input: { email: first.email, password: STRONG_PASSWORD },
      });
      expect(signedIn.body.errors).toBeUndefined();
      const otherToken = signedIn.body.data.signIn.accessToken as string;
      expect(await codeOf(`${eventB.url}/graphql`, MY_EVENTS, otherToken)).toBe('OK');

      const changed = await first.s.post(CHANGE_PASSWORD, {
        input: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
      });
      expect(changed.body).toEqual({ data: { changePassword: true } });
      const since = Date.now();
      const delays = await Promise.all(
        targets().map(async (t) => [t.name, await refusedWithin(t.url, t.query, otherToken, since, 1000)]),
      );
      expect(Object.fromEntries(delays.filter(([, ms]) => !((ms as number) <= 1000)))).toEqual({});
      // The other session cannot refresh either; the caller's token and session keep working.
      expect(errorCodes(await second.post(REFRESH))).toEqual(['UNAUTHENTICATED']);
      expect(await codeOf(stack.graphqlUrl, ME, first.token)).toBe('OK');
      expect(await codeOf(`${eventB.url}/graphql`, MY_EVENTS, first.token)).toBe('OK');
      expect((await first.s.post(REFRESH)).body.errors).toBeUndefined();
    }, 30_000);

    it('an admin lock ends every session at once and refuses sign-in until unlocked', async () => {
      const user = await signedUp('ATTENDEE');
      const admin = await adminToken();
      const LOCK = `mutation($id: ID!) { lockAccount(userId: $id) }`;
      const UNLOCK = `mutation($id: ID!) { unlockAccount(userId: $id) }`;
      // Only an admin may lock.
      expect(
        errorCodes(
          await bearer(stack.graphqlUrl, `mutation { lockAccount(userId: "${user.id}") }`, user.token),
        ),
      ).toEqual(['FORBIDDEN']);
      const locked = await postGraphql(
        stack.graphqlUrl,
        LOCK,
        { id: user.id },
        { headers: { authorization: `Bearer ${admin}` } },
      );
      expect(locked.body).toEqual({ data: { lockAccount: 1 } });
      expect(await refusedWithin(stack.graphqlUrl, ME, user.token, Date.now(), 1000)).toBeLessThanOrEqual(
        1000,
      );
      expect(await codeOf(`${eventB.url}/graphql`, MY_EVENTS, user.token)).toBe('UNAUTHENTICATED');
      const refused = await session().post(SIGN_IN_TOKEN, {
        input: { email: user.email, password: STRONG_PASSWORD },
      });
      expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
      expect(refused.body.errors?.[0]?.message).toMatch(/locked/);
      const unknown = await postGraphql(
        stack.graphqlUrl,
        LOCK,
        { id: randomUUID() },
        { headers: { authorization: `Bearer ${admin}` } },
      );
      expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'userId' });

      const unlocked = await postGraphql(
        stack.graphqlUrl,
        UNLOCK,
        { id: user.id },
        { headers: { authorization: `Bearer ${admin}` } },
      );
      expect(unlocked.body).toEqual({ data: { unlockAccount: true } });
      const again = await session().post(SIGN_IN_TOKEN, {
        input: { email: user.email, password: STRONG_PASSWORD },
      });
      expect(again.body.errors).toBeUndefined();
      expect(await codeOf(stack.graphqlUrl, ME, again.body.data.signIn.accessToken)).toBe('OK');
    }, 30_000);

    it('an admin finds an account by email or id and sees whether it is locked; nobody else may', async () => {
      const user = await signedUp('ATTENDEE');
      const other = await signedUp('ORGANIZER');
      const admin = await adminToken();
      const BY_EMAIL = `query($email: String!) { userByEmail(email: $email) { id name email role locked } }`;
      const BY_ID = `query($id: ID!) { user(id: $id) { id email locked } }`;
      const asAdmin = (query: string, variables: Record<string, unknown>) =>
        postGraphql(stack.graphqlUrl, query, variables, { headers: { authorization: `Bearer ${admin}` } });

      // Case and spaces around the address do not matter, as at sign-in.
      const found = await asAdmin(BY_EMAIL, { email: `  ${user.email.toUpperCase()} ` });
      expect(found.body.errors).toBeUndefined();
      expect(found.body.data.userByEmail).toMatchObject({
        id: user.id,
        email: user.email,
        role: 'ATTENDEE',
        locked: false,
      });
      await asAdmin(`mutation($id: ID!) { lockAccount(userId: $id) }`, { id: user.id });
      expect((await asAdmin(BY_ID, { id: user.id })).body.data.user).toEqual({
        id: user.id,
        email: user.email,
        locked: true,
      });

      // Unknown or malformed: named on the argument.
      const unknown = await asAdmin(BY_EMAIL, { email: `nobody-${randomUUID()}@example.com` });
      expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'email' });
      const malformed = await asAdmin(BY_EMAIL, { email: 'not an address' });
      expect(malformed.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'email',
      });
      const noId = await asAdmin(BY_ID, { id: randomUUID() });
      expect(noId.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });

      // Anyone else: refused, and the lock state is not theirs to see, not even through `me`. (The locked
      // user's own token is dead already.)
      const asOrganizer = { headers: { authorization: `Bearer ${other.token}` } };
      for (const [query, variables] of [
        [BY_EMAIL, { email: user.email }],
        [BY_ID, { id: user.id }],
      ] as const) {
        expect(errorCodes(await postGraphql(stack.graphqlUrl, query, variables, asOrganizer))).toEqual([
          'FORBIDDEN',
        ]);
      }
      expect(errorCodes(await postGraphql(stack.graphqlUrl, BY_ID, { id: user.id }))).toEqual([
        'UNAUTHENTICATED',
      ]);
      const own = await postGraphql(
        stack.graphqlUrl,
        '{ me { id locked } }',
        {},
        {
          headers: { authorization: `Bearer ${other.token}` },
        },
      );
      expect(errorCodes(own)).toEqual(['FORBIDDEN']);
      expect((own.body.errors?.[0] as { path?: unknown } | undefined)?.path).toEqual(['me', 'locked']);
    }, 30_000);

    it('a revocation lost from Redis (restart, flush) is re-asserted by auth from MongoDB, and a fresh process refuses it', async () => {
      const user = await signedUp();
      await user.s.post(SIGN_OUT);
      const key = revokedKey(sidOf(user.token));
      expect(await redis.exists(key)).toBe(1);
      // What a Redis restart without persistence does to this key.
      await redis.del(key);
      const deadline = Date.now() + 12_000;
      while ((await redis.exists(key)) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await redis.exists(key)).toBe(1);
      expect(await redis.pttl(key)).toBeGreaterThan(60_000);
      // Processes that saw it never forgot it; one started now learns it from Redis.
      expect(await codeOf(`${eventB.url}/graphql`, MY_EVENTS, user.token)).toBe('UNAUTHENTICATED');
      const fresh = await stack.startExtra('event');
      expect(await codeOf(`${fresh.url}/graphql`, MY_EVENTS, user.token)).toBe('UNAUTHENTICATED');
    }, 150_000);

    it('a process whose subscriber reconnects rebuilds its set from Redis (CLIENT KILL of its own connection only)', async () => {
      const user = await signedUp();
      const sid = sidOf(user.token);
      // A revocation this process cannot have heard of: written to Redis, never announced.
      await redis.set(revokedKey(sid), String(Date.now() + 600_000), 'PX', 600_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await codeOf(`${eventB.url}/graphql`, MY_EVENTS, user.token)).toBe('OK');

      const clients = (await redis.client('LIST')) as string;
      const name = `name=event:revocations:${eventB.child.pid}`;
      const subscriber = clients
        .split('\n')
        .find((line) => line.includes(` ${name} `) && /\bsub=1\b/.test(line));
      expect(subscriber, clients).toBeDefined();
      const id = /\bid=(\d+)\b/.exec(subscriber!)![1];
      await redis.client('KILL', 'ID', id);

      expect(
        await refusedWithin(`${eventB.url}/graphql`, MY_EVENTS, user.token, Date.now(), 5000),
      ).toBeLessThanOrEqual(5000);
      // The process whose connection stayed up did not rebuild, so it has not heard of it: only the
      // reconnect refused the token.
      expect(await codeOf(`${stack.event.url}/graphql`, MY_EVENTS, user.token)).toBe('OK');
    }, 30_000);
  });
});
