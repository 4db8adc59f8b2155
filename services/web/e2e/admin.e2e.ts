import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { graphqlAnswer, newActor, PASSWORD, personContext, reviewPage, signUp, type Actor } from './support';

// An ADMIN locks and unlocks other accounts from the Account page. Sign-up never makes an ADMIN (auth README,
// "Admins"): the admin is created the way an operator does it, with the built seed command run next to the
// database the running auth service uses. What is checked goes through the pages, as each person sees it.
test.describe.configure({ mode: 'serial' });

const REPO = resolve(import.meta.dirname, '../../..');
const SEED_ADMIN = resolve(REPO, 'services/auth/dist/seed-admin.js');
const ADMIN_PASSWORD = 'amber-lighthouse-keeper-42';

interface MongoTarget {
  MONGO_URL: string;
  MONGO_DB: string;
  /** Where the values come from, for failure messages. */
  source: string;
}

/**
 * The MongoDB server and database of the auth service this run talks to. Both ways an e2e run gets its services
 * start auth with dev/services.sh: `make dev` (reused by run.sh), or run.sh itself when no gateway answers (as
 * in CI), which hands services.sh the environment Playwright runs in too. services.sh gives auth
 * MONGO_URL=${MONGO_URL:-mongodb://127.0.0.1:${DEV_MONGO_PORT:-27018}} (dev/lib/common.sh) and no MONGO_DB, so
 * auth's default applies: its service name, `auth` (platform base config), unless MONGO_DB was exported.
 * The exact answer is the running auth process's own environment (its pid is in <data dir>/run/svc-auth.pid),
 * read when this machine allows it (Linux /proc, same user); otherwise the same rule as services.sh, from this
 * process's environment, which is the services' own when run.sh started them.
 */
function authMongo(): MongoTarget {
  const runDir = resolve(process.env.DEV_DATA_DIR ?? resolve(REPO, '.data'), 'run');
  try {
    const pid = readFileSync(resolve(runDir, 'svc-auth.pid'), 'utf8').split('\n')[0]!.trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('services/auth/dist/main.js')) {
      const env = new Map(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((line): [string, string] => [
            line.slice(0, line.indexOf('=')),
            line.slice(line.indexOf('=') + 1),
          ]),
      );
      const url = env.get('MONGO_URL');
      if (url) return { MONGO_URL: url, MONGO_DB: env.get('MONGO_DB') || 'auth', source: `auth pid ${pid}` };
    }
  } catch {
    // No pid file, the process is gone, or no /proc: the rule below.
  }
  return {
    MONGO_URL: process.env.MONGO_URL || `mongodb://127.0.0.1:${process.env.DEV_MONGO_PORT || '27018'}`,
    MONGO_DB: process.env.MONGO_DB || 'auth',
    source: 'the dev/services.sh defaults',
  };
}

/**
 * Runs the operator's seed command (`node services/auth/dist/seed-admin.js`) as a child process with only the
 * variables an operator's shell would give it, and returns the new admin's id and where it was written. Fails
 * with the exit code and the command's output unless it created the account.
 */
async function seedAdmin(email: string, name: string): Promise<{ id: string; where: string }> {
  expect(existsSync(SEED_ADMIN), `${SEED_ADMIN} exists (npm run build -w @ticketing/auth)`).toBe(true);
  const mongo = authMongo();
  const env = {
    PATH: process.env.PATH ?? '',
    MONGO_URL: mongo.MONGO_URL,
    MONGO_DB: mongo.MONGO_DB,
    ADMIN_EMAIL: email,
    ADMIN_NAME: name,
    ADMIN_PASSWORD,
  };
  const run = await new Promise<{ code: number | string | null; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [SEED_ADMIN], { cwd: REPO, env, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : (error.code ?? error.signal ?? null), stdout, stderr });
    });
  });
  const where = `MONGO_URL=${mongo.MONGO_URL} MONGO_DB=${mongo.MONGO_DB} (from ${mongo.source})`;
  const said = `node services/auth/dist/seed-admin.js with ${where} exited ${String(run.code)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
  expect(run.code, said).toBe(0);
  const created = /^seed-admin: created ([0-9a-f-]{36})\n$/.exec(run.stdout);
  expect(created, said).not.toBeNull();
  return { id: created![1]!, where };
}

interface Person extends Actor {
  name: string;
  /** The account's id, as its Account page shows it. */
  id: string;
}

async function actor(browser: Browser, info: TestInfo, who: string, name: string): Promise<Person> {
  return { ...(await newActor(browser, info, who)), name, id: '' };
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const signedIn = (page: Page) => expect(page.getByRole('button', { name: /Sign out/ })).toBeVisible();

/** Signs in from a browser of its own (a new device and address) and returns its sign-in page's first alert. */
async function signInElsewhere(browser: Browser, info: TestInfo, email: string): Promise<string | null> {
  const context = await browser.newContext(personContext(info));
  try {
    const page = await context.newPage();
    await page.goto('/signin');
    await signIn(page, email, PASSWORD);
    const alert = page.getByRole('alert');
    await expect(page.getByRole('button', { name: /Sign out/ }).or(alert)).toBeVisible();
    return (await alert.count()) ? await alert.textContent() : null;
  } finally {
    await context.close();
  }
}

/** Opens the Account page from the header, as a person would, and returns the User ID it shows. */
async function openAccount(page: Page, role: string): Promise<string> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
  await expect(page.locator('dt:text-is("Account type") + dd')).toHaveText(role);
  const id = (await page.locator('dt:text-is("User ID") + dd').textContent())?.trim() ?? '';
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

const LOCK = 'mutation($id: ID!) { lockAccount(userId: $id) }';
const UNLOCK = 'mutation($id: ID!) { unlockAccount(userId: $id) }';
const FIND = 'query($id: ID!) { user(id: $id) { id email locked } }';

let admin: Person;
let seededInto = '';
let attendee: Person;
let organizer: Person;

test.beforeAll(async ({ browser }, info) => {
  admin = await actor(browser, info, 'admin', 'Ada Admin');
  attendee = await actor(browser, info, 'locked-fan', 'Lou Locked');
  organizer = await actor(browser, info, 'plain-org', 'Otto Organizer');
  ({ id: admin.id, where: seededInto } = await seedAdmin(admin.email, admin.name));
  await signUp(attendee.page, attendee.name, attendee.email, 'ATTENDEE');
  attendee.id = await openAccount(attendee.page, 'Attendee');
});

test.afterEach(() => {
  const errors = [admin, attendee, organizer].flatMap((a) => a.errors.splice(0));
  expect(errors, 'no console errors').toEqual([]);
});

test.afterAll(async () => {
  for (const a of [admin, attendee, organizer]) await a?.context.close();
});

/** The admin's "Lock or unlock an account" card on the Account page. */
const locksOf = (page: Page) => page.getByRole('region', { name: 'Lock or unlock an account' });

/** Looks an account up on the admin's card, as an admin types it (an email address or a user id). */
async function findAccount(page: Page, term: string) {
  const locks = locksOf(page);
  await locks.getByLabel('Email or user ID', { exact: true }).fill(term);
  await locks.getByRole('button', { name: 'Find account', exact: true }).click();
  return locks;
}

/** One fact of the account the admin found (`Status`, `User ID`...). */
const foundFact = (page: Page, name: string) =>
  locksOf(page).getByRole('group', { name: 'Account found' }).locator(`dt:text-is("${name}") + dd`);

test('the seeded admin signs in and finds the account locks on the Account page', async ({}, info) => {
  const { page } = admin;
  await page.goto('/signin');
  await signIn(page, admin.email, ADMIN_PASSWORD);
  // Refused ("Invalid email or password") when the command wrote to another database than auth's.
  await expect(
    page.getByRole('button', { name: /Sign out/ }),
    `the admin seeded with ${seededInto}`,
  ).toBeVisible();
  expect(await openAccount(page, 'Admin'), 'the account the seed command created').toBe(admin.id);
  const locks = locksOf(page);
  await expect(locks.getByRole('heading', { name: 'Lock or unlock an account' })).toBeVisible();
  await expect(locks.getByRole('button', { name: 'Find account', exact: true })).toBeEnabled();
  // Nothing to lock until an account is found.
  await expect(locks.getByRole('button', { name: /Lock account|Unlock account/ })).toHaveCount(0);
  await reviewPage(page, info, 'account-admin');

  // An address nobody signed up with, and one that is not an address: told under the field.
  const field = locks.getByLabel('Email or user ID', { exact: true });
  await findAccount(page, `nobody-${Date.now()}@example.com`);
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription('User not found');
  await expect(locks.getByRole('group', { name: 'Account found' })).toHaveCount(0);
  await findAccount(page, 'someone@');
  await expect(field).toHaveAccessibleDescription('Enter a valid email address');

  // An admin cannot lock themselves out: told under the field, nothing else happens.
  await findAccount(page, admin.email);
  await expect(foundFact(page, 'User ID')).toHaveText(admin.id);
  await expect(foundFact(page, 'Status')).toHaveText('Active');
  await locks.getByRole('button', { name: 'Lock account', exact: true }).click();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription('An admin cannot lock their own account');
  await expect(locks.getByRole('status')).toHaveCount(0);
  await page.reload();
  await signedIn(page);
});

test('a locked attendee is signed out where they were signed in, and told why at sign-in', async ({
  browser,
}, info) => {
  // Found by the address they signed up with, typed as people do (case and spaces do not matter).
  const locks = await findAccount(admin.page, `  ${attendee.email.toUpperCase()} `);
  await expect(foundFact(admin.page, 'Name')).toHaveText(attendee.name);
  await expect(foundFact(admin.page, 'User ID')).toHaveText(attendee.id);
  await expect(foundFact(admin.page, 'Status')).toHaveText('Active');
  await locks.getByRole('button', { name: 'Lock account', exact: true }).click();
  // The attendee had one session, the one sign-up started.
  await expect(locks.getByRole('status')).toHaveText(
    `${attendee.name} (${attendee.email}) is locked; 1 session ended.`,
  );
  await expect(foundFact(admin.page, 'Status')).toHaveText('Locked');
  await expect(locks.getByRole('alert')).toHaveCount(0);

  // The attendee's own tab is still open on their Account page. Every session of theirs ended: their access
  // token, though unexpired, is refused everywhere within a second (auth README) ...
  const { page } = attendee;
  await expect
    .poll(async () => (await graphqlAnswer(page, '{ myTickets { id } }')).errors?.[0]?.extensions?.code, {
      message: "the locked account's unexpired access token is refused",
      timeout: 5_000,
    })
    .toBe('UNAUTHENTICATED');
  // ... and its session cannot be renewed: the next page they open signs them out and sends them to sign in.
  const renewal = page.waitForResponse((res) =>
    (res.request().postData() ?? '').includes('"RefreshSession"'),
  );
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My tickets' }).click();
  const refused = (await (await renewal).json()) as {
    data?: { refreshSession: unknown } | null;
    errors?: { extensions?: { code?: string } }[];
  };
  expect(refused.data?.refreshSession ?? null, 'the renewal is refused').toBeNull();
  expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  await expect(page).toHaveURL(/\/signin\?next=%2Ftickets$/);
  // The notice names a lock among the reasons (the refused renewal's reason is not passed on): not only
  // "signed out on another device, or your password changed", which would be wrong here.
  const ended = page.getByTestId('session-ended');
  await expect(ended).toContainText('Your session has ended');
  await expect(ended).toContainText('your account was locked');
  const header = page.getByRole('navigation', { name: 'Main' });
  await expect(header.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Sign out/ })).toHaveCount(0);

  // Signing in: a wrong password learns nothing about the lock; the right one is told, in words.
  await signIn(page, attendee.email, 'not-the-password-at-all');
  await expect(page.getByRole('alert')).toHaveText('Invalid email or password');
  await signIn(page, attendee.email, PASSWORD);
  await expect(page.getByRole('alert')).toHaveText('This account is locked; contact an administrator');
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByRole('button', { name: /Sign out/ })).toHaveCount(0);
  // Not only this browser: another one is refused the same way.
  expect(await signInElsewhere(browser, info, attendee.email)).toBe(
    'This account is locked; contact an administrator',
  );
});

test('an unlocked attendee signs in again', async () => {
  // Found again later, by user id this time: the lock is what the server holds, not what this page remembers.
  await admin.page.reload();
  await signedIn(admin.page);
  const locks = await findAccount(admin.page, attendee.id);
  await expect(foundFact(admin.page, 'Email')).toHaveText(attendee.email);
  await expect(foundFact(admin.page, 'Status')).toHaveText('Locked');
  await expect(locks.getByRole('button', { name: 'Lock account', exact: true })).toHaveCount(0);
  await locks.getByRole('button', { name: 'Unlock account', exact: true }).click();
  await expect(locks.getByRole('status')).toHaveText(`${attendee.name} (${attendee.email}) is unlocked.`);
  await expect(foundFact(admin.page, 'Status')).toHaveText('Active');

  const { page } = attendee;
  await signIn(page, attendee.email, PASSWORD);
  await signedIn(page);
  await expect(page).toHaveURL(/\/tickets$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await page.reload();
  await signedIn(page);
});

test(
  'attendees and organizers see no account locks, and the API refuses them FORBIDDEN',
  { tag: '@one-viewport' },
  async ({ browser }, info) => {
    await signUp(organizer.page, organizer.name, organizer.email, 'ORGANIZER');
    organizer.id = await openAccount(organizer.page, 'Organizer');
    await openAccount(attendee.page, 'Attendee');
    for (const [who, target] of [
      [attendee, organizer],
      [organizer, attendee],
    ] as const) {
      const { page } = who;
      await expect(page.getByRole('form', { name: 'Change password' })).toBeVisible();
      await expect(locksOf(page)).toHaveCount(0);
      await expect(
        page.getByRole('button', { name: /Lock account|Unlock account|Find account/ }),
      ).toHaveCount(0);
      await expect(page.getByLabel('Email or user ID', { exact: true })).toHaveCount(0);

      for (const mutation of [LOCK, UNLOCK, FIND]) {
        const answer = await graphqlAnswer(page, mutation, { id: target.id });
        expect(answer.data ?? null, `${who.email}: ${mutation}`).toBeNull();
        expect(answer.errors?.[0]?.extensions?.code, `${who.email}: ${mutation}`).toBe('FORBIDDEN');
      }
    }
    // Nothing happened to either account: a lock is stored before lockAccount answers, and a locked account's
    // sign-in is refused, so each signs in on another device.
    for (const who of [attendee, organizer]) {
      expect(await signInElsewhere(browser, info, who.email), `${who.email} signs in`).toBeNull();
    }
  },
);
