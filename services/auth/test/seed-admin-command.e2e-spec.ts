import { createTestContext, dropTestContext, type TestContext } from '@ticketing/platform/testing';
import mongoose, { type Connection } from 'mongoose';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../src/passwords/password-hasher.service';
import { UserRole } from '../src/users/models/user-role.enum';
import { newAccountDocument } from '../src/users/users.service';

// The operator's entry point exactly as the README, the Helm hook Job and `npm run seed:admin` run it:
// `node services/auth/dist/seed-admin.js`, a child process with its own environment, against this file's
// database. (The seeding rules themselves are tested in-process in admin-seed.e2e-spec.ts.)

const ENTRY = join(__dirname, '..', 'dist', 'seed-admin.js');
const PASSWORD = 'violet-harbour-lantern-42';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let ctx: TestContext;
let db: Connection;

/** Runs the built seed command with only the variables given (plus PATH), as an operator's shell would. */
function seed(vars: Record<string, string | undefined>): Promise<Run> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const [key, value] of Object.entries({
    NODE_ENV: ctx.env.NODE_ENV,
    MONGO_URL: ctx.env.MONGO_URL,
    MONGO_DB: ctx.env.MONGO_DB,
    ...vars,
  })) {
    if (value !== undefined) env[key] = value;
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [ENTRY], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

const users = () => db.collection<{ _id: string; email: string; role: string }>('users');

/** Exit 1 and one line on stderr naming the problem: no stack trace, nothing on stdout. */
function expectRefused(run: Run, problem: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^seed-admin: /);
  expect(lines[0]).toMatch(problem);
}

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: npm run build -w @ticketing/auth first`);
  ctx = createTestContext('auth-seed-cmd');
  db = await mongoose
    .createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName, serverSelectionTimeoutMS: 5000 })
    .asPromise();
});

afterAll(async () => {
  await db?.close();
  if (ctx) await dropTestContext(ctx, { kafka: false, redis: false });
});

describe('the seed-admin command (node services/auth/dist/seed-admin.js)', () => {
  it('creates an ADMIN account, and a second run says it already is one and changes nothing', async () => {
    const first = await seed({
      ADMIN_EMAIL: ' Ops@Example.COM ',
      ADMIN_NAME: 'Ops Lead',
      ADMIN_PASSWORD: PASSWORD,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const created = /^seed-admin: created ([0-9a-f-]{36})\n$/.exec(first.stdout);
    expect(created, first.stdout).not.toBeNull();
    const id = created![1];

    const stored = await db
      .collection<{
        _id: string;
        email: string;
        name: string;
        role: string;
        passwordHash: string;
        outbox: Array<{ type: string; data: { userId: string; role: string } }>;
      }>('users')
      .findOne({ _id: id });
    expect(stored).toMatchObject({ email: 'ops@example.com', name: 'Ops Lead', role: 'ADMIN' });
    expect(await new PasswordHasher().verify(stored!.passwordHash, PASSWORD)).toBe(true);
    // Registered like any account: its user.registered (role ADMIN) waits for the service's outbox relay.
    expect(stored!.outbox).toMatchObject([{ type: 'user.registered', data: { userId: id, role: 'ADMIN' } }]);

    // Idempotent: ADMIN_NAME may be blank then (the Helm hook Job passes "" when seedAdmin.name is unset).
    const again = await seed({ ADMIN_EMAIL: 'ops@example.com', ADMIN_NAME: '', ADMIN_PASSWORD: PASSWORD });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`seed-admin: already-admin ${id}\n`);
    expect(await users().countDocuments({ email: 'ops@example.com' })).toBe(1);
    expect((await users().findOne({ _id: id }))?.role).toBe('ADMIN');
  });

  it('promotes an existing account only when ADMIN_PASSWORD is its password', async () => {
    const account = newAccountDocument({
      email: 'lead@example.com',
      name: 'Lead',
      role: UserRole.ORGANIZER,
      passwordHash: await new PasswordHasher().hash(PASSWORD),
    });
    await users().insertOne(account as never);

    const squatted = await seed({
      ADMIN_EMAIL: 'lead@example.com',
      ADMIN_PASSWORD: 'another-long-passphrase-9',
    });
    expectRefused(squatted, /ADMIN_PASSWORD is not its password/);
    expect((await users().findOne({ _id: account._id }))?.role).toBe('ORGANIZER');

    const promoted = await seed({ ADMIN_EMAIL: 'lead@example.com', ADMIN_PASSWORD: PASSWORD });
    expect(promoted.stderr).toBe('');
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toBe(`seed-admin: promoted ${account._id}\n`);
    expect((await users().findOne({ _id: account._id }))?.role).toBe('ADMIN');
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a weak password', { ADMIN_EMAIL: 'weak@example.com', ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD/],
    [
      'a very common password',
      { ADMIN_EMAIL: 'common@example.com', ADMIN_PASSWORD: 'Password1234' },
      /ADMIN_PASSWORD/,
    ],
    ['a bad email', { ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: PASSWORD }, /ADMIN_EMAIL is not a valid/],
    [
      'an email whose local part exceeds 64 characters',
      { ADMIN_EMAIL: `${'a'.repeat(65)}@example.com`, ADMIN_PASSWORD: PASSWORD },
      /ADMIN_EMAIL is not a valid/,
    ],
    ['a missing email', { ADMIN_PASSWORD: PASSWORD }, /ADMIN_EMAIL \(required\)/],
    ['a missing password', { ADMIN_EMAIL: 'nopass@example.com' }, /ADMIN_PASSWORD \(required\)/],
    [
      'a blank name for a new account',
      { ADMIN_EMAIL: 'noname@example.com', ADMIN_NAME: '\u3164', ADMIN_PASSWORD: PASSWORD },
      /ADMIN_NAME/,
    ],
    [
      'a bad MONGO_URL',
      { ADMIN_EMAIL: 'url@example.com', ADMIN_PASSWORD: PASSWORD, MONGO_URL: 'postgres://db' },
      /MONGO_URL \(expected mongodb/,
    ],
  ])('refuses %s: exit 1, one line naming it, nothing written', async (_label, vars, problem) => {
    const before = await users().countDocuments();
    const run = await seed({ ADMIN_NAME: 'Someone', ...vars });
    expectRefused(run, problem);
    expect(await users().countDocuments()).toBe(before);
    if (vars.ADMIN_EMAIL !== undefined) {
      expect(await users().countDocuments({ email: vars.ADMIN_EMAIL.trim().toLowerCase() })).toBe(0);
    }
  });
});
