import { TOPICS, validateEnvelope } from '@ticketing/contracts';
import { RedisService } from '@ticketing/platform';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  type TestContext,
} from '@ticketing/platform/testing';
import { getModelToken } from '@nestjs/mongoose';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRevoker } from '../src/sessions/session-revoker';
import { LoginThrottle } from '../src/throttle/login-throttle.service';
import { UserRecord } from '../src/users/schemas/user.schema';
import { startAuth, type RunningAuth } from './support/auth-app';
import { errorOf, gql } from './support/graphql-client';

const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { accessToken accessTokenExpiresAt user { id name email role } }
}`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { accessToken user { id email role } } }`;
const REFRESH = `mutation { refreshSession { accessToken user { id } } }`;
const SIGN_OUT = `mutation { signOut }`;
const ME = `query { me { id name email role } }`;
const CHANGE_PASSWORD = `mutation Change($input: ChangePasswordInput!) { changePassword(input: $input) }`;

const PASSWORD = 'violet-harbour-lantern-42';
/** A revoked session's access tokens must be refused within this (README, "Sessions that end at once"). */
const REVOKED_WITHIN_MS = 1000;
/** Per-account hard limit the app under test is configured with. */
const MAX_FAILURES = 20;

let ctx: TestContext;
let auth: RunningAuth;
let url: string;

const uniqueEmail = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}@example.com`;

async function signUp(tag: string, overrides: Record<string, unknown> = {}) {
  const input = {
    email: uniqueEmail(tag),
    password: PASSWORD,
    name: `Test ${tag}`,
    role: 'ATTENDEE',
    ...overrides,
  };
  const result = await gql(url, SIGN_UP, { input });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return {
    input,
    result,
    user: result.data.signUp.user,
    at: result.cookies.at.value,
    rt: result.cookies.rt.value,
  };
}

/**
 * Polls `me` with `token` every 50 ms from `since` until it is refused; returns after how many ms, or
 * Infinity when it still worked after `limitMs`.
 */
async function refusedAfter(token: string, since: number, limitMs = REVOKED_WITHIN_MS): Promise<number> {
  while (Date.now() - since <= limitMs) {
    if (errorOf(await gql(url, ME, {}, { bearer: token }))?.code === 'UNAUTHENTICATED')
      return Date.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Runs `body` with the revoker's periodic repair (every 5 s it re-asserts recent revocations from MongoDB)
 * paused, so a refusal within a second proves the ending itself announced the session, not the repair.
 */
async function withoutRevocationRepair(body: () => Promise<void>): Promise<void> {
  const revoker = auth.app.get(SessionRevoker);
  revoker.onModuleDestroy();
  try {
    await body();
  } finally {
    revoker.onApplicationBootstrap();
  }
}

beforeAll(async () => {
  ctx = createTestContext('auth-e2e');
  await ensureTopics(ctx, [TOPICS.users]);
  auth = await startAuth(ctx, {
    LOGIN_SOFT_LIMIT: '1000',
    LOGIN_MAX_FAILURES_PER_HOUR: String(MAX_FAILURES),
  });
  url = auth.url;
});

afterAll(async () => {
  await auth?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('sign-up', () => {
  it('creates the account and sets both session cookies with the right attributes', async () => {
    const { input, result, user } = await signUp('cookies', { email: '  Mixed.Case@Example.COM ' });
    expect(user).toMatchObject({ name: input.name, email: 'mixed.case@example.com', role: 'ATTENDEE' });
    expect(result.data.signUp.accessToken).toBe(result.cookies.at.value);
    const { at, rt } = result.cookies;
    for (const cookie of [at, rt]) {
      expect(cookie.attributes.httponly).toBe(true);
      expect(cookie.attributes.samesite).toBe('Lax');
      expect(cookie.attributes.path).toBe('/');
      expect(cookie.attributes.secure).toBeUndefined(); // COOKIE_SECURE=false in tests: plain names, no Secure
      expect(cookie.attributes.domain).toBeUndefined();
    }
    expect(at.attributes['max-age']).toBe('900');
    expect(Number(rt.attributes['max-age'])).toBe(auth.config.REFRESH_TOKEN_TTL_SECONDS);
    expect(rt.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores the password as argon2id with OWASP parameters and the refresh token only hashed', async () => {
    const { user, rt } = await signUp('storage');
    const users = auth.app.get<Model<UserRecord>>(getModelToken(UserRecord.name));
    const stored = await users.findById(user.id).lean().exec();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const families = auth.app.get<Model<{ currentHash: string }>>(getModelToken('TokenFamily'));
    const family = await families.findOne({ userId: user.id }).lean().exec();
    expect(family?.currentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(family)).not.toContain(rt);
  });

  it.each([
    ['a bad email', { email: 'not-an-email' }, 'input.email'],
    ['a short password', { password: 'short-pass' }, 'input.password'],
    ['a very common password', { password: 'Password1234' }, 'input.password'],
    ['a 300-character password', { password: 'Xy7-'.repeat(75) }, 'input.password'],
    [
      'an email whose local part exceeds 64 characters',
      { email: `${'a'.repeat(65)}@example.com` },
      'input.email',
    ],
    ['an empty name', { name: '   ' }, 'input.name'],
    ['a name of Hangul fillers only (U+3164)', { name: '\u3164\u3164' }, 'input.name'],
    ['a name of combining marks only', { name: '\u0301\u0301' }, 'input.name'],
  ])('refuses %s with BAD_USER_INPUT on its field and creates nothing', async (_label, overrides, field) => {
    const users = auth.app.get<Model<UserRecord>>(getModelToken(UserRecord.name));
    const before = await users.countDocuments().exec();
    const input = {
      email: uniqueEmail('bad'),
      password: PASSWORD,
      name: 'Bad Input',
      role: 'ATTENDEE',
      ...overrides,
    };
    const result = await gql(url, SIGN_UP, { input });
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(result.cookies.at).toBeUndefined();
    expect(await users.countDocuments().exec()).toBe(before);
  });

  it('offers no way to sign up as ADMIN', async () => {
    const users = auth.app.get<Model<UserRecord>>(getModelToken(UserRecord.name));
    const before = await users.countDocuments().exec();
    const email = uniqueEmail('admin');
    const result = await gql(
      url,
      `mutation { signUp(input: { email: "${email}", password: "${PASSWORD}", name: "Eve", role: ADMIN }) { accessToken } }`,
    );
    // ADMIN is not a SignUpRole value: GraphQL validation refuses the document before any resolver, as bad
    // input on the argument (the same answer as for the value sent in a variable).
    expect(result.status).toBe(400);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.role' });
    expect(await users.countDocuments().exec()).toBe(before);
  });

  it('accepts a 64-character password', async () => {
    const password = 'Tickets-for-the-harbour-concert-2026-are-on-sale-from-monday!!!!';
    expect(password).toHaveLength(64);
    const { input } = await signUp('long', { password });
    const again = await gql(url, SIGN_IN, { input: { email: input.email, password } });
    expect(again.errors).toBeUndefined();
  });

  it("an absurdly long value is refused with its own rule's limit, not the parser's bound", async () => {
    const base = {
      email: 'long-values@example.test',
      password: 'Harbour-concert-2026!',
      name: 'Long Values',
    };
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['input.email', { email: `${'e'.repeat(1100)}@example.test` }, /^Enter a valid email address$/],
      ['input.password', { password: 'p'.repeat(1100) }, /at most 256 characters/],
      ['input.name', { name: 'N'.repeat(1100) }, /at most 120 characters/],
    ];
    for (const [field, change, message] of cases) {
      const result = await gql(url, SIGN_UP, { input: { ...base, ...change } });
      expect(errorOf(result), field).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(errorOf(result)?.message, field).toMatch(message);
    }
  });

  it('refuses a taken email (whatever its case and spacing) with CONFLICT on input.email', async () => {
    const { input } = await signUp('taken');
    const result = await gql(url, SIGN_UP, { input: { ...input, email: `  ${input.email.toUpperCase()}` } });
    expect(errorOf(result)).toMatchObject({ code: 'CONFLICT', field: 'input.email' });
  });

  it('gives ORGANIZER on request', async () => {
    const { user } = await signUp('organizer', { role: 'ORGANIZER' });
    expect(user.role).toBe('ORGANIZER');
  });
});

describe('sign-in and me', () => {
  it('me works with the access cookie and with a Bearer token, and not without either', async () => {
    const { user, at } = await signUp('me');
    const viaCookie = await gql(url, ME, {}, { cookies: { at } });
    expect(viaCookie.data?.me).toMatchObject({ id: user.id, email: user.email });
    const viaBearer = await gql(url, ME, {}, { bearer: at });
    expect(viaBearer.data?.me.id).toBe(user.id);
    const anonymous = await gql(url, ME);
    expect(errorOf(anonymous)?.code).toBe('UNAUTHENTICATED');
    const forged = await gql(url, ME, {}, { bearer: `${at.slice(0, -4)}AAAA` });
    expect(errorOf(forged)?.code).toBe('UNAUTHENTICATED');
  });

  it('answers the same generic error for a wrong password and an unknown email', async () => {
    const { input } = await signUp('generic');
    const wrong = await gql(url, SIGN_IN, { input: { email: input.email, password: 'wrong-password-123' } });
    const unknown = await gql(url, SIGN_IN, {
      input: { email: uniqueEmail('nobody'), password: 'wrong-password-123' },
    });
    for (const result of [wrong, unknown]) {
      expect(errorOf(result)).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'Invalid email or password',
      });
      expect(result.cookies.at).toBeUndefined();
    }
    const right = await gql(url, SIGN_IN, {
      input: { email: ` ${input.email.toUpperCase()} `, password: PASSWORD },
    });
    expect(right.errors).toBeUndefined();
    expect(right.cookies.rt.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('counts 20 aliased sign-in attempts (two documents of 10) as 20, then locks the account', async () => {
    const { input } = await signUp('aliases');
    const document = (offset: number) =>
      `mutation {\n${Array.from(
        { length: 10 },
        (_, i) =>
          `  a${offset + i}: signIn(input: { email: "${input.email}", password: "wrong-guess-${offset + i}" }) { accessToken }`,
      ).join('\n')}\n}`;
    for (const offset of [0, 10]) {
      const batch = await gql(url, document(offset));
      expect(batch.status).toBe(200);
      expect(batch.errors).toHaveLength(10);
      expect(batch.errors?.every((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    }
    const throttle = auth.app.get(LoginThrottle);
    const redis = auth.app.get(RedisService);
    expect(await redis.client.hget(throttle.accountKey(input.email), 'count')).toBe(String(MAX_FAILURES));

    // The right password is now refused too: the limit configured for this test is reached.
    const locked = await gql(url, SIGN_IN, { input: { email: input.email, password: PASSWORD } });
    expect(errorOf(locked)?.code).toBe('RATE_LIMITED');
    expect(locked.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
    expect(locked.cookies.at).toBeUndefined();
  });
});

describe('refresh and sign-out', () => {
  it('rotates the refresh token; replaying the old one fails and revokes the whole family', async () => {
    const { rt: first, user } = await signUp('rotate');
    const rotated = await gql(url, REFRESH, {}, { cookies: { rt: first } });
    expect(rotated.errors).toBeUndefined();
    expect(rotated.data.refreshSession.user.id).toBe(user.id);
    const second = rotated.cookies.rt.value;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    expect(rotated.cookies.at.value).toBe(rotated.data.refreshSession.accessToken);

    const replay = await gql(url, REFRESH, {}, { cookies: { rt: first } });
    expect(errorOf(replay)?.code).toBe('UNAUTHENTICATED');
    // The reuse revoked the family: the newest token is dead as well.
    const afterReplay = await gql(url, REFRESH, {}, { cookies: { rt: second } });
    expect(errorOf(afterReplay)?.code).toBe('UNAUTHENTICATED');
  });

  it('a reused refresh token ends the session at once: its access tokens are refused within a second, like after sign-out', async () => {
    await withoutRevocationRepair(async () => {
      const { rt: first, at: firstAccess } = await signUp('reuse-at');
      const rotated = await gql(url, REFRESH, {}, { cookies: { rt: first } });
      expect(rotated.errors).toBeUndefined();
      const currentAccess = rotated.data.refreshSession.accessToken as string;
      expect((await gql(url, ME, {}, { bearer: currentAccess })).errors).toBeUndefined();

      const replay = await gql(url, REFRESH, {}, { cookies: { rt: first } });
      expect(errorOf(replay)).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: expect.stringMatching(/Session expired or revoked/),
      });
      const since = Date.now();
      expect(await refusedAfter(currentAccess, since)).toBeLessThan(REVOKED_WITHIN_MS);
      expect(await refusedAfter(firstAccess, since)).toBeLessThan(REVOKED_WITHIN_MS);
    });
  });

  it('lets at most one of several parallel refreshes with the same token succeed, and the race ends the family', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { rt } = await signUp(`parallel${round}`);
      const results = await Promise.all([1, 2, 3, 4].map(() => gql(url, REFRESH, {}, { cookies: { rt } })));
      const ok = results.filter((r) => r.errors === undefined);
      // Exactly one claims the token; whether its answer beats the losers' revocation is timing.
      expect(ok.length).toBeLessThanOrEqual(1);
      expect(results.filter((r) => errorOf(r)?.code === 'UNAUTHENTICATED')).toHaveLength(4 - ok.length);
      // The losers were replays: the family is revoked, so no token of this session works any more.
      for (const token of [rt, ...ok.map((r) => r.cookies.rt.value)]) {
        expect(errorOf(await gql(url, REFRESH, {}, { cookies: { rt: token } }))?.code).toBe(
          'UNAUTHENTICATED',
        );
      }
    }
  });

  it("the losers of a parallel refresh end the session at once: its access tokens, the winner's too, are refused within a second", async () => {
    await withoutRevocationRepair(async () => {
      const { rt, at } = await signUp('race-at');
      const results = await Promise.all([1, 2, 3].map(() => gql(url, REFRESH, {}, { cookies: { rt } })));
      expect(results.filter((r) => errorOf(r)?.code === 'UNAUTHENTICATED').length).toBeGreaterThanOrEqual(2);
      const since = Date.now();
      const accessTokens = [
        at,
        ...results.filter((r) => r.errors === undefined).map((r) => r.cookies.at.value),
      ];
      for (const token of accessTokens)
        expect(await refusedAfter(token, since)).toBeLessThan(REVOKED_WITHIN_MS);
    });
  });

  it('a failed refresh clears the cookies of the session it presented, and sets none when it presented none', async () => {
    const { rt } = await signUp('clear');
    await gql(url, SIGN_OUT, {}, { cookies: { rt } });
    const dead = await gql(url, REFRESH, {}, { cookies: { rt } });
    expect(errorOf(dead)?.code).toBe('UNAUTHENTICATED');
    for (const name of ['at', 'rt']) expect(dead.cookies[name]?.value).toBe('');
    // Without a refresh cookie (an anonymous page): no Set-Cookie at all, so an answer that arrives after the
    // same browser signed in or up cannot wipe the new session's cookies.
    const none = await gql(url, REFRESH, {});
    expect(errorOf(none)?.code).toBe('UNAUTHENTICATED');
    expect(none.cookies).toEqual({});
  });

  it('reads the refresh token from its cookie only', async () => {
    const { rt } = await signUp('header');
    const result = await gql(url, REFRESH, {}, { bearer: rt });
    expect(errorOf(result)?.code).toBe('UNAUTHENTICATED');
  });

  it('sign-out clears both cookies and ends the session', async () => {
    const { rt, at } = await signUp('signout');
    const out = await gql(url, SIGN_OUT, {}, { cookies: { rt, at } });
    expect(out.data?.signOut).toBe(true);
    for (const name of ['at', 'rt']) {
      const cleared = out.cookies[name];
      expect(cleared.value).toBe('');
      expect(new Date(cleared.attributes.expires as string).getTime()).toBeLessThan(Date.now());
    }
    const refresh = await gql(url, REFRESH, {}, { cookies: { rt } });
    expect(errorOf(refresh)?.code).toBe('UNAUTHENTICATED');
  });

  it('changePassword keeps the calling session and revokes the others', async () => {
    const { input, rt: here, at } = await signUp('change');
    const elsewhere = await gql(url, SIGN_IN, { input: { email: input.email, password: PASSWORD } });
    const newPassword = 'a-brand-new-passphrase-77';

    const wrong = await gql(
      url,
      CHANGE_PASSWORD,
      { input: { currentPassword: 'not-the-password', newPassword } },
      { cookies: { at, rt: here } },
    );
    expect(errorOf(wrong)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currentPassword' });
    const weak = await gql(
      url,
      CHANGE_PASSWORD,
      { input: { currentPassword: PASSWORD, newPassword: 'short' } },
      { cookies: { at, rt: here } },
    );
    expect(errorOf(weak)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.newPassword' });

    const changed = await gql(
      url,
      CHANGE_PASSWORD,
      { input: { currentPassword: PASSWORD, newPassword } },
      { cookies: { at, rt: here } },
    );
    expect(changed.data?.changePassword).toBe(true);

    expect(errorOf(await gql(url, REFRESH, {}, { cookies: { rt: elsewhere.cookies.rt.value } }))?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await gql(url, REFRESH, {}, { cookies: { rt: here } })).errors).toBeUndefined();
    expect(
      errorOf(await gql(url, SIGN_IN, { input: { email: input.email, password: PASSWORD } }))?.code,
    ).toBe('UNAUTHENTICATED');
    expect(
      (await gql(url, SIGN_IN, { input: { email: input.email, password: newPassword } })).errors,
    ).toBeUndefined();
  });
});

describe('User entity', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name email } } }`;

  it('shows id and name to any signed-in user, the email only to the account itself', async () => {
    const owner = await signUp('owner');
    const other = await signUp('other');
    const r = [{ __typename: 'User', id: owner.user.id }];

    const asOther = await gql(url, ENTITIES, { r }, { bearer: other.at });
    expect(asOther.data?._entities[0]).toMatchObject({
      id: owner.user.id,
      name: owner.input.name,
      email: null,
    });
    expect(errorOf(asOther)?.code).toBe('FORBIDDEN');

    const asOwner = await gql(url, ENTITIES, { r }, { bearer: owner.at });
    expect(asOwner.errors).toBeUndefined();
    expect(asOwner.data?._entities[0].email).toBe(owner.user.email);

    const anonymous = await gql(
      url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`,
      { r },
    );
    expect(errorOf(anonymous)?.code).toBe('UNAUTHENTICATED');
  });
});

describe('user.registered', () => {
  it('lands on Kafka through the outbox and satisfies the contract', async () => {
    const { user } = await signUp('kafka');
    const kafka = new Kafka({
      clientId: 'auth-e2e-reader',
      brokers: ctx.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({
      groupId: `${ctx.groupPrefix}reader-${randomBytes(3).toString('hex')}`,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: `${ctx.topicPrefix}${TOPICS.users}`, fromBeginning: true });
      const envelope = await new Promise<ReturnType<typeof validateEnvelope>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('user.registered not seen within 20 s')), 20_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (message.key?.toString() !== user.id) return;
            clearTimeout(timer);
            try {
              resolve(validateEnvelope(JSON.parse(message.value!.toString())));
            } catch (err) {
              reject(err);
            }
          },
        });
      });
      expect(envelope).toMatchObject({ type: 'user.registered', source: 'auth', key: user.id });
      expect(envelope.data).toMatchObject({
        userId: user.id,
        email: user.email,
        name: user.name,
        role: 'ATTENDEE',
      });
    } finally {
      await consumer.disconnect();
    }
    const users = auth.app.get<Model<UserRecord & { outbox: unknown[] }>>(getModelToken(UserRecord.name));
    await expect
      .poll(async () => (await users.findById(user.id).lean().exec())?.outbox.length, { timeout: 5000 })
      .toBe(0);
  });
});
