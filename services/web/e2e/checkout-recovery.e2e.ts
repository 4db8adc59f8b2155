import { expect, test, type BrowserContext, type Page, type Request } from '@playwright/test';
import { draftEvent, graphql, personContext, signUp, uniqueEmail } from './support';

// A checkout whose answer never reaches the buyer: the page retries by itself with the same idempotency key,
// tells the buyer the truth meanwhile (the payment may have gone through, retrying cannot charge twice), and
// ends on the order, paid once. The lost answer and the refusal are made in the browser's network layer
// (Playwright routes); everything else is the real stack through the gateway.
test.describe.configure({ mode: 'serial' });

let organizer: { context: BrowserContext; page: Page };
let attendee: { context: BrowserContext; page: Page };
let eventId = '';

const CHECKOUT_OP = /checkout\s*\(/;

/** The idempotency keys of the checkout requests the page sent, in order. */
function checkoutKeys(page: Page): string[] {
  const keys: string[] = [];
  page.on('request', (request: Request) => {
    if (!request.url().endsWith('/graphql') || request.method() !== 'POST') return;
    const body = request.postDataJSON() as {
      query?: string;
      variables?: { input?: { idempotencyKey?: string } };
    };
    if (body?.query && CHECKOUT_OP.test(body.query)) keys.push(body.variables?.input?.idempotencyKey ?? '');
  });
  return keys;
}

/** Reserves one Standing ticket from the event page and lands on the checkout page. */
async function reserveOne(page: Page) {
  await page.goto(`/events/${eventId}`);
  await page.getByLabel('Quantity', { exact: true }).selectOption('1');
  await page.getByRole('button', { name: 'Reserve Standing' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
  await page.getByLabel(/that pays/).check();
}

const myOrders = async (page: Page) =>
  (await graphql<{ myOrders: Array<{ id: string; status: string }> }>(page, '{ myOrders { id status } }'))
    .myOrders;

test.beforeAll(async ({ browser }, info) => {
  organizer = { context: await browser.newContext(personContext(info)), page: undefined as unknown as Page };
  organizer.page = await organizer.context.newPage();
  attendee = { context: await browser.newContext(personContext(info)), page: undefined as unknown as Page };
  attendee.page = await attendee.context.newPage();
  await signUp(organizer.page, 'Rhea Recovery', uniqueEmail('recover-org', info), 'ORGANIZER');
  eventId = await draftEvent(organizer.page, `Lost Answers ${info.project.name} ${Date.now().toString(36)}`);
  await graphql(organizer.page, 'mutation($id: ID!) { publishEvent(id: $id) { id } }', { id: eventId });
  await signUp(attendee.page, 'Lou Lostanswer', uniqueEmail('recover-fan', info), 'ATTENDEE');
});

test.afterAll(async () => {
  await organizer?.context.close();
  await attendee?.context.close();
});

test(
  'the answer to a paid checkout is lost: the page retries with the same key and shows the one order',
  { tag: '@one-viewport' },
  async () => {
    const { page } = attendee;
    // The published event reaches the ticket service over Kafka: wait until it sells.
    await expect(async () => {
      await page.goto(`/events/${eventId}`);
      await expect(page.getByTestId('availability')).toHaveText('100 of 100 left', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await reserveOne(page);
    const keys = checkoutKeys(page);
    let lost = 0;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (lost === 0 && CHECKOUT_OP.test(body)) {
        lost += 1;
        // The checkout runs (and is charged) on the server; its answer never reaches the browser.
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect(page.getByTestId('payment-safe')).toContainText('never charged twice');
    await expect(page.getByRole('heading', { level: 1, name: 'Thank you!' })).toBeVisible({
      timeout: 15_000,
    });
    expect(lost).toBe(1);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    const orders = await myOrders(page);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.status).toBe('CONFIRMED');
    await page.unroute('**/graphql');
  },
);

test(
  'a checkout refused with TRY_AGAIN is retried by itself after the hint, with the same key',
  { tag: '@one-viewport' },
  async () => {
    const { page } = attendee;
    await reserveOne(page);
    const keys = checkoutKeys(page);
    let refused = 0;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (refused === 0 && CHECKOUT_OP.test(body)) {
        refused += 1;
        // As the gateway's shedder answers, without running anything.
        return route.fulfill({
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '1' },
          body: JSON.stringify({
            errors: [
              {
                message: 'The gateway service is busy; try again in 700 ms',
                extensions: { code: 'TRY_AGAIN', retryAfterMs: 700, retryAfter: 1 },
              },
            ],
          }),
        });
      }
      return route.continue();
    });
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'TRY_AGAIN');
    await expect(page.getByTestId('payment-safe')).toContainText('Retrying by itself (1 of 5)');
    await expect(page.getByRole('heading', { level: 1, name: 'Thank you!' })).toBeVisible({
      timeout: 15_000,
    });
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(await myOrders(page)).toHaveLength(2);
    await page.unroute('**/graphql');
  },
);
