import { getModelToken } from '@nestjs/mongoose';
import { TOPICS } from '@ticketing/contracts';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  type TestContext,
} from '@ticketing/platform/testing';
import type { Model } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../src/passwords/password-hasher.service';
import { AdminSeedError, seedAdmin } from '../src/users/admin-seed';
import { UserRecord } from '../src/users/schemas/user.schema';
import type { StoredUser } from '../src/users/users.service';
import { startAuth, type RunningAuth } from './support/auth-app';
import { errorOf, gql } from './support/graphql-client';

const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { user { id role } } }`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { accessToken user { role } } }`;
const PASSWORD = 'violet-harbour-lantern-42';

let ctx: TestContext;
let auth: RunningAuth;
let users: Model<StoredUser>;
const hasher = new PasswordHasher();
const address = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}@example.com`;

beforeAll(async () => {
  ctx = createTestContext('auth-admin');
  await ensureTopics(ctx, [TOPICS.users]);
  auth = await startAuth(ctx);
  users = auth.app.get<Model<StoredUser>>(getModelToken(UserRecord.name));
});

afterAll(async () => {
  await auth?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('ADMIN accounts', () => {
  it('the seed creates an ADMIN account that signs in with an ADMIN token', async () => {
    const email = address('ops');
    const seeded = await seedAdmin(users, hasher, {
      email: ` ${email.toUpperCase()}`,
      name: 'Ops',
      password: PASSWORD,
    });
    expect(seeded.outcome).toBe('created');
    const stored = await users.findById(seeded.userId).lean().exec();
    expect(stored).toMatchObject({ email, role: 'ADMIN' });
    // Registered like any account: the event (role ADMIN) waits in the outbox or is already published.
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);

    const signedIn = await gql(auth.url, SIGN_IN, { input: { email, password: PASSWORD } });
    expect(signedIn.errors).toBeUndefined();
    expect(signedIn.data.signIn.user.role).toBe('ADMIN');
    const claims = JSON.parse(
      Buffer.from(signedIn.data.signIn.accessToken.split('.')[1], 'base64url').toString(),
    );
    expect(claims.role).toBe('ADMIN');
  });

  it('refuses to promote an account registered by someone else (squatting the address) and signing up never gives ADMIN', async () => {
    const email = address('root');
    const squat = await gql(auth.url, SIGN_UP, {
      input: { email, password: 'squatters-own-passphrase-1', name: 'Mallory', role: 'ATTENDEE' },
    });
    expect(squat.data.signUp.user.role).toBe('ATTENDEE');

    await expect(seedAdmin(users, hasher, { email, name: 'Root', password: PASSWORD })).rejects.toThrow(
      AdminSeedError,
    );
    expect((await users.findOne({ email }).lean().exec())?.role).toBe('ATTENDEE');
    const signedIn = await gql(auth.url, SIGN_IN, {
      input: { email, password: 'squatters-own-passphrase-1' },
    });
    expect(signedIn.data.signIn.user.role).toBe('ATTENDEE');
  });

  it('promotes an existing account only with its own password, once', async () => {
    const email = address('lead');
    const signedUp = await gql(auth.url, SIGN_UP, {
      input: { email, password: PASSWORD, name: 'Lead', role: 'ORGANIZER' },
    });
    const id = signedUp.data.signUp.user.id;
    expect(await seedAdmin(users, hasher, { email, password: PASSWORD })).toEqual({
      outcome: 'promoted',
      userId: id,
    });
    expect(await seedAdmin(users, hasher, { email, password: PASSWORD })).toEqual({
      outcome: 'already-admin',
      userId: id,
    });
    const signedIn = await gql(auth.url, SIGN_IN, { input: { email, password: PASSWORD } });
    expect(signedIn.data.signIn.user.role).toBe('ADMIN');
  });

  it('applies the sign-up rules to a new admin account', async () => {
    const before = await users.countDocuments().exec();
    await expect(
      seedAdmin(users, hasher, { email: address('weak'), name: 'Weak', password: 'short' }),
    ).rejects.toThrow(/ADMIN_PASSWORD/);
    await expect(seedAdmin(users, hasher, { email: address('noname'), password: PASSWORD })).rejects.toThrow(
      /ADMIN_NAME/,
    );
    await expect(
      seedAdmin(users, hasher, { email: 'not-an-email', name: 'X', password: PASSWORD }),
    ).rejects.toThrow(/ADMIN_EMAIL/);
    expect(await users.countDocuments().exec()).toBe(before);
    expect(
      errorOf(await gql(auth.url, SIGN_IN, { input: { email: 'not-an-email', password: PASSWORD } }))?.code,
    ).toBe('UNAUTHENTICATED');
  });
});
