import { expect, test, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { reviewPage, signUp, uniqueEmail, personContext } from './support';

// Reserved seating: an organizer draws a seat map and sells one section; an attendee picks two seats, meets a
// failing payment provider (retried with the same idempotency key), then pays and holds both seats.
test.describe.configure({ mode: 'serial' });

let organizer: { context: BrowserContext; page: Page };
let attendee: { context: BrowserContext; page: Page };
let eventTitle = '';
let eventId = '';

async function open(browser: Browser, info: TestInfo) {
  const context = await browser.newContext(personContext(info));
  return { context, page: await context.newPage() };
}

function localInput(minutesAhead: number): string {
  const d = new Date(Date.now() + minutesAhead * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await open(browser, info);
  attendee = await open(browser, info);
  eventTitle = `Chamber Night ${info.project.name} ${Date.now().toString(36)}`;
});

test.afterAll(async () => {
  await organizer?.context.close();
  await attendee?.context.close();
});

test('an organizer sells a section of a seat map', async ({}, info) => {
  const { page } = organizer;
  await signUp(page, 'Sam Seats', uniqueEmail('seats-org', info), 'ORGANIZER');
  await page.goto('/organizer/events/new');
  await page.getByLabel('Title', { exact: true }).fill(eventTitle);
  await page.getByLabel('Category', { exact: true }).selectOption('THEATRE');
  await page.getByLabel('Starts', { exact: true }).fill(localInput(20 * 1440));
  await page.getByLabel('Ends', { exact: true }).fill(localInput(20 * 1440 + 180));
  await page.getByLabel('Venue name', { exact: true }).fill('Little Theatre');
  await page.getByLabel('Address', { exact: true }).fill('2 Stage Lane');
  await page.getByLabel('City', { exact: true }).fill('Bath');
  await page.getByLabel('Capacity', { exact: true }).fill('8');
  await page.getByRole('button', { name: 'Add a section' }).click();
  await page.getByLabel('Section 1 name', { exact: true }).fill('A');
  await page.getByLabel('Rows', { exact: true }).fill('2');
  await page.getByLabel('Seats per row', { exact: true }).fill('4');
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('heading', { level: 1, name: eventTitle })).toBeVisible();
  eventId = page.url().split('/').pop()!;

  const form = page.getByRole('form', { name: 'New ticket type' });
  await form.getByLabel('Name', { exact: true }).fill('Stalls');
  await form.getByLabel('Price', { exact: true }).fill('40');
  await form.getByLabel('Kind', { exact: true }).selectOption('RESERVED');
  await form.getByLabel('Section A (8 seats)').check();
  await form.getByRole('button', { name: 'Add ticket type' }).click();
  await expect(page.getByText(/Stalls · .*40\.00.* · 8 seats/)).toBeVisible();
  await page.getByRole('button', { name: 'Publish event' }).click();
  await expect(page.getByRole('heading', { name: /Status/ })).toContainText('published');
});

test('an attendee picks two seats and retries a failed payment safely', async ({}, info) => {
  const { page } = attendee;
  await signUp(page, 'Rita Rows', uniqueEmail('seats-fan', info), 'ATTENDEE');
  await page.goto(`/events/${eventId}`);
  await expect(page.getByTestId('availability')).toHaveText('8 of 8 left');
  const reserve = page.getByRole('button', { name: 'Reserve Stalls' });
  await expect(reserve).toBeDisabled();
  await page.getByRole('button', { name: 'Section A, row 1, seat 2' }).click();
  await page.getByRole('button', { name: 'Section A, row 1, seat 3' }).click();
  await expect(page.getByRole('button', { name: 'Section A, row 1, seat 3' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await reviewPage(page, info, 'event-seat-picker');
  await reserve.click();

  await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
  await expect(page.getByText('seats A, row 1, seat 2; A, row 1, seat 3')).toBeVisible();
  await page.getByLabel(/provider fails/).check();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'PAYMENT_PROVIDER_ERROR');
  await expect(page.getByRole('alert')).toContainText('nothing was charged');
  const key = await page.evaluate(
    () => Object.entries(sessionStorage).find(([k]) => k.startsWith('checkout:'))?.[1],
  );
  await page.getByRole('button', { name: 'Retry payment' }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'PAYMENT_PROVIDER_ERROR');
  // The retry reused the attempt's idempotency key.
  const again = await page.evaluate(
    () => Object.entries(sessionStorage).find(([k]) => k.startsWith('checkout:'))?.[1],
  );
  expect(JSON.parse(again!).key).toBe(JSON.parse(key!).key);

  await page.getByLabel(/that pays/).check();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Thank you!' })).toBeVisible();
  await page.getByRole('link', { name: 'See my tickets' }).click();
  await expect(page.getByTestId('ticket')).toHaveCount(2);
  await expect(page.getByText('A, row 1, seat 2')).toBeVisible();
  await expect(page.getByText('A, row 1, seat 3')).toBeVisible();
});

test('the seat picker shows sold and held seats as taken', async ({ browser }, info) => {
  // Another buyer holds a seat (unpaid) while the first one's two are sold.
  const other = await open(browser, info);
  try {
    await signUp(other.page, 'Hal Holder', uniqueEmail('seats-hold', info), 'ATTENDEE');
    await other.page.goto(`/events/${eventId}`);
    await other.page.getByRole('button', { name: 'Section A, row 2, seat 1' }).click();
    await other.page.getByRole('button', { name: 'Reserve Stalls' }).click();
    await expect(other.page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
  } finally {
    await other.context.close();
  }

  const { page } = attendee;
  await page.goto(`/events/${eventId}`);
  await expect(page.getByTestId('availability')).toHaveText('5 of 8 left');
  for (const seat of ['row 1, seat 2', 'row 1, seat 3', 'row 2, seat 1']) {
    const button = page.getByRole('button', { name: `Section A, ${seat}, taken` });
    await expect(button).toBeDisabled();
  }
  await expect(page.getByText('3 taken (sold or on hold)')).toBeVisible();
  const free = page.getByRole('button', { name: 'Section A, row 1, seat 1', exact: true });
  await expect(free).toBeEnabled();
  await free.click();
  await expect(free).toHaveAttribute('aria-pressed', 'true');
  await reviewPage(page, info, 'event-seat-picker-taken');
});
