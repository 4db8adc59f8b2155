import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { personContext, signUp, uniqueEmail } from './support';

// The access cookie lives 15 minutes; the refresh token rotates on every use, and presenting a spent one
// revokes the whole session (theft detection). Several tabs whose access cookie expired at the same time
// must therefore not present the same refresh token twice: the user has to stay signed in in all of them.

/** The access cookie's name: `at`, or `__Host-at` when cookies are Secure. */
async function dropAccessCookie(context: BrowserContext): Promise<void> {
  const names = (await context.cookies()).map((c) => c.name);
  const access = names.find((n) => n === 'at' || n === '__Host-at');
  expect(access, `an access cookie among ${names.join(', ')}`).toBeDefined();
  expect(
    names.some((n) => n === 'rt' || n === '__Host-rt'),
    'a refresh cookie',
  ).toBe(true);
  await context.clearCookies({ name: access });
}

const signedIn = (page: Page) => expect(page.getByRole('button', { name: /Sign out/ })).toBeVisible();

test('tabs whose access cookie expired together all stay signed in', async ({ browser }, info) => {
  const context = await browser.newContext(personContext(info));
  try {
    const tabs = [await context.newPage(), await context.newPage(), await context.newPage()];
    await signUp(tabs[0]!, 'Tabitha Tabs', uniqueEmail('tabs', info), 'ATTENDEE');
    await tabs[1]!.goto('/');
    await tabs[2]!.goto('/');
    for (const tab of tabs) await signedIn(tab);

    // Twice: the second round presents the token the first round left, so a revoked session shows there.
    for (let round = 0; round < 2; round += 1) {
      await dropAccessCookie(context);
      // Hold every refresh request until each tab has sent one (or a second has passed), so tabs that
      // send theirs without waiting for each other do present the same token at the same moment.
      const held: (() => void)[] = [];
      const refreshes: string[] = [];
      for (const tab of tabs) {
        await tab.route('**/graphql', async (route) => {
          if (!(route.request().postData() ?? '').includes('"RefreshSession"')) return route.continue();
          refreshes.push(tab.url());
          await new Promise<void>((release) => {
            held.push(release);
            if (held.length === tabs.length) for (const go of held.splice(0)) go();
            setTimeout(release, 1_000);
          });
          return route.continue();
        });
      }
      await Promise.all(tabs.map((tab) => tab.reload()));
      for (const tab of tabs) await signedIn(tab);
      expect(refreshes.length, 'every tab refreshed the session').toBeGreaterThanOrEqual(tabs.length);
      for (const tab of tabs) await tab.unrouteAll();
    }

    // And the session is still the one the user signed in with: a fresh tab needs no new sign-in.
    const later = await context.newPage();
    await later.goto('/');
    await signedIn(later);
  } finally {
    await context.close();
  }
});

test('a refresh answered after sign-up does not sign the new user out', async ({ browser }, info) => {
  const context = await browser.newContext(personContext(info));
  try {
    const page = await context.newPage();
    // The anonymous sign-up page asks who is signed in, hears UNAUTHENTICATED and tries a refresh. Hold that
    // refresh's answer (a failure) until the sign-up has been answered, or 3 s, as a slow network would.
    let signedUpAt = 0;
    page.on('response', (res) => {
      if (res.request().postData()?.includes('"SignUp"')) signedUpAt = Date.now();
    });
    let heldRefreshes = 0;
    await page.route('**/graphql', async (route) => {
      if (!(route.request().postData() ?? '').includes('"RefreshSession"')) return route.continue();
      const response = await route.fetch();
      heldRefreshes += 1;
      const until = Date.now() + 3_000;
      while (!signedUpAt && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return route.fulfill({ response });
    });
    await signUp(page, 'Reese Racer', uniqueEmail('race', info), 'ATTENDEE');
    expect(heldRefreshes, 'the page tried a refresh while anonymous').toBeGreaterThan(0);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.waitForTimeout(500);
    // The new session's cookies survived whatever the late refresh answered.
    await page.reload();
    await signedIn(page);
  } finally {
    await context.close();
  }
});
