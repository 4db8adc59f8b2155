import {
  chromium,
  expect,
  test,
  type Browser,
  type BrowserContext,
  type Page,
  type TestInfo,
} from '@playwright/test';
import { decodeQr, graphql, reviewPage, signUp, uniqueEmail, writeQrVideo, personContext } from './support';

// One story per viewport (desktop, phone), through the real gateway and services: an organizer publishes an
// event and watches its dashboard; an attendee buys (a declined card first), sees the QR, and transfers the
// ticket to a friend who accepts it; venue staff scan the friend's QR (admitted) and the old one (revoked), and
// the dashboard shows the check-in. Every main page is screenshotted and checked with axe-core on the way.
test.describe.configure({ mode: 'serial' });

interface Actor {
  context: BrowserContext;
  page: Page;
  email: string;
  /** Uncaught exceptions and console errors of every page of this actor. */
  errors: string[];
}

let organizer: Actor;
let attendee: Actor;
let friend: Actor;
let staff: Actor;
let dashboard: Page;
let eventId = '';
let eventTitle = '';
let firstToken = '';
let friendToken = '';

async function actor(browser: Browser, info: TestInfo, who: string): Promise<Actor> {
  const context = await browser.newContext(personContext(info));
  const errors: string[] = [];
  context.on('page', (p) => watch(p, errors));
  const page = await context.newPage();
  return { context, page, email: uniqueEmail(who, info), errors };
}

function watch(page: Page, errors: string[]) {
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${String(err)}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
}

/** A `datetime-local` value this many minutes from now (doors open two hours before the start). */
function localInput(minutesAhead: number): string {
  const d = new Date(Date.now() + minutesAhead * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await actor(browser, info, 'org');
  attendee = await actor(browser, info, 'fan');
  friend = await actor(browser, info, 'friend');
  staff = await actor(browser, info, 'gate');
  eventTitle = `Harbour Lights ${info.project.name} ${Date.now().toString(36)}`;
});

test.afterEach(() => {
  const errors = [organizer, attendee, friend, staff].flatMap((a) => a.errors.splice(0));
  expect(errors, 'no console errors').toEqual([]);
});

test.afterAll(async () => {
  for (const a of [organizer, attendee, friend, staff]) await a?.context.close();
});

test('anonymous visitors see the events list and the sign-in and sign-up pages', async ({}, info) => {
  const { page } = attendee;
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Upcoming events' })).toBeVisible();
  await reviewPage(page, info, 'events');
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await reviewPage(page, info, 'sign-in');
  await page.goto('/signin');
  await page.getByLabel('Email', { exact: true }).fill(uniqueEmail('nobody', info));
  await page.getByLabel('Password', { exact: true }).fill('wrong-password-123');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'UNAUTHENTICATED');
  await page.goto('/signup');
  await reviewPage(page, info, 'sign-up');
});

test('an organizer creates an event with a ticket type and publishes it', async ({}, info) => {
  // The gate staff member has an account already, so adding the email binds it at once.
  await signUp(staff.page, 'Gil Gate', staff.email, 'ATTENDEE');
  const { page } = organizer;
  await signUp(page, 'Olive Organizer', organizer.email, 'ORGANIZER');
  await expect(page).toHaveURL(/\/organizer$/);
  await expect(page.getByText('No events yet')).toBeVisible();
  await page.getByRole('link', { name: 'New event' }).click();
  await page.getByLabel('Title', { exact: true }).fill(eventTitle);
  await page.getByLabel('Description', { exact: true }).fill('An evening of songs by the water.');
  await page.getByLabel('Category', { exact: true }).selectOption('MUSIC');
  await page.getByLabel('Starts', { exact: true }).fill(localInput(60));
  await page.getByLabel('Ends', { exact: true }).fill(localInput(300));
  await page.getByLabel('Venue name', { exact: true }).fill('Quay Hall');
  await page.getByLabel('Address', { exact: true }).fill('1 Harbour Road');
  await page.getByLabel('City', { exact: true }).fill('Portsmouth');
  await page.getByLabel('Capacity', { exact: true }).fill('500');
  await reviewPage(page, info, 'organizer-new-event');
  await page.getByRole('button', { name: 'Create event' }).click();

  await expect(page.getByRole('heading', { level: 1, name: eventTitle })).toBeVisible();
  eventId = page.url().split('/').pop()!;
  await expect(page.getByRole('heading', { name: /Status/ })).toContainText('draft');

  const types = page.getByRole('form', { name: 'New ticket type' });
  await types.getByLabel('Name', { exact: true }).fill('Standard');
  await types.getByLabel('Price', { exact: true }).fill('25.00');
  await types.getByLabel('Tickets on sale', { exact: true }).fill('100');
  await types.getByRole('button', { name: 'Add ticket type' }).click();
  await expect(page.getByText(/Standard · .*25\.00.* · 100 tickets/)).toBeVisible();

  await page.getByLabel('Staff email', { exact: true }).fill(staff.email);
  await page.getByRole('button', { name: 'Add staff' }).click();
  await expect(page.getByText(`Gil Gate (${staff.email})`)).toBeVisible();

  await page
    .getByLabel('Description', { exact: true })
    .fill('An evening of songs by the water, with guests.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(page.getByLabel('Description', { exact: true })).toHaveValue(
    'An evening of songs by the water, with guests.',
  );

  await page.getByRole('button', { name: 'Publish event' }).click();
  await expect(page.getByRole('heading', { name: /Status/ })).toContainText('published');
  await reviewPage(page, info, 'organizer-event-editor');

  await page.getByRole('link', { name: 'Organizer' }).click();
  await expect(page.getByRole('link', { name: eventTitle })).toBeVisible();
  await reviewPage(page, info, 'organizer-events');

  // The dashboard stays open from here on: later sales must appear without a reload.
  dashboard = await organizer.context.newPage();
  await dashboard.goto(`/organizer/events/${eventId}/dashboard`);
  await expect(dashboard.getByText('Live', { exact: true })).toBeVisible();
  await expect(dashboard.getByTestId('total-sold')).toHaveText('0');
});

test('an attendee finds the event, reserves and pays after a declined card', async ({}, info) => {
  const { page } = attendee;
  await signUp(page, 'Ada Attendee', attendee.email, 'ATTENDEE');
  await page.goto('/');
  await page.getByRole('searchbox', { name: 'Search' }).fill(eventTitle);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: eventTitle }).click();
  await expect(page.getByRole('heading', { level: 1, name: eventTitle })).toBeVisible();
  await expect(page.getByTestId('availability')).toHaveText('100 of 100 left');
  await reviewPage(page, info, 'event');

  await page.getByLabel('Quantity', { exact: true }).selectOption('1');
  await page.getByRole('button', { name: 'Reserve Standard' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
  await expect(page.getByTestId('countdown')).toContainText(/\d+:\d\d/);
  await reviewPage(page, info, 'checkout');

  await page.getByLabel(/declined/).check();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'PAYMENT_DECLINED');
  await expect(page.getByRole('alert')).toContainText('declined');

  await page.getByLabel(/that pays/).check();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Thank you!' })).toBeVisible();
});

test('the organizer dashboard shows the sale live, without a reload', async ({}, info) => {
  await expect(dashboard.getByTestId('total-sold')).toHaveText('1');
  await expect(dashboard.getByTestId('total-revenue')).toContainText('25.00');
  await reviewPage(dashboard, info, 'organizer-dashboard');
});

test('My tickets shows a QR that decodes to the ticket token, and the rotating code', async ({}, info) => {
  const { page } = attendee;
  await page.getByRole('link', { name: 'See my tickets' }).click();
  const ticket = page.getByTestId('ticket');
  await expect(ticket).toHaveCount(1);
  await expect(ticket).toContainText(eventTitle);
  await expect(page.getByTestId('ticket-qr')).toBeVisible();
  await expect(page.getByTestId('display-code')).toHaveText(/\S+/);
  const decoded = await decodeQr(page, '[data-testid=ticket-qr]');
  const api = await graphql<{ myTickets: { qrToken: string }[] }>(page, '{ myTickets { qrToken } }');
  expect(decoded).toBeTruthy();
  expect(decoded).toBe(api.myTickets[0].qrToken);
  firstToken = decoded!;
  await reviewPage(page, info, 'my-tickets');
});

test('the ticket is transferred and the recipient accepts it', async ({}, info) => {
  const { page } = attendee;
  await page.getByText('Transfer this ticket').click();
  await page.getByLabel("Recipient's email").fill(friend.email);
  await page.getByRole('button', { name: 'Offer transfer' }).click();
  await expect(page.getByText(`Offered to ${friend.email}`)).toBeVisible();
  await page.getByRole('link', { name: 'Transfers' }).click();
  await expect(page.getByTestId('transfer')).toHaveAttribute('data-status', 'PENDING');
  await reviewPage(page, info, 'transfers');

  const other = friend.page;
  await signUp(other, 'Finn Friend', friend.email, 'ATTENDEE');
  await other.getByRole('link', { name: 'Transfers' }).click();
  const offer = other.getByRole('list', { name: 'Offered to you' }).getByTestId('transfer');
  await expect(offer).toContainText(eventTitle);
  await offer.getByRole('button', { name: 'Accept ticket' }).click();
  await expect(other.getByText('The ticket is yours')).toBeVisible();
  await other.getByRole('link', { name: 'See it in My tickets' }).click();
  await expect(other.getByTestId('ticket')).toContainText('Finn Friend');
  const decoded = await decodeQr(other, '[data-testid=ticket-qr]');
  expect(decoded).toBeTruthy();
  expect(decoded).not.toBe(firstToken);
  friendToken = decoded!;

  await page.getByRole('link', { name: 'My tickets' }).click();
  await expect(page.getByText('You have no tickets yet')).toBeVisible();
});

test('staff scan the QR the page rendered: the new code is admitted, the old one revoked', async ({}, info) => {
  const { page } = staff;
  await page.goto('/scan');
  await page.getByLabel('Event ID', { exact: true }).fill(eventId);
  await page.getByRole('button', { name: 'Open the scanner' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Scanner: ${eventTitle}` })).toBeVisible();
  await reviewPage(page, info, 'scanner');

  // The gate phone: a browser whose camera films the friend's QR (decoded from the page above, drawn again
  // into a fake camera stream), signed in as the same staff member.
  const video = writeQrVideo(friendToken, info.outputPath('friend-qr.y4m'));
  const launch = info.project.use.launchOptions ?? {};
  const gate = await chromium.launch({
    ...launch,
    args: [
      ...(launch.args ?? []),
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const context = await gate.newContext(personContext(info));
    await context.grantPermissions(['camera']);
    await context.addCookies(await staff.context.cookies());
    const phone = await context.newPage();
    watch(phone, staff.errors);
    await phone.goto(`/scan/${eventId}`);
    await phone.getByLabel('Gate', { exact: true }).fill('north');
    await phone.getByRole('button', { name: 'Scan with camera' }).click();
    const answer = phone.getByRole('alert');
    await expect(answer).toHaveAttribute('data-result', 'ACCEPTED');
    await expect(answer).toContainText('Admit');
    await expect(answer).toContainText('Finn Friend');
    await expect(answer).toContainText('Standard');
    await reviewPage(phone, info, 'scanner-accepted');
    await phone.getByRole('button', { name: 'Scan next' }).click();
    await phone.getByRole('button', { name: 'Stop camera' }).click();

    // The code of the ticket before its transfer, typed in by hand.
    await phone.getByLabel('Ticket code', { exact: true }).fill(firstToken);
    await phone.getByRole('button', { name: 'Check ticket' }).click();
    await expect(phone.getByRole('alert')).toHaveAttribute('data-result', 'REVOKED');
    await reviewPage(phone, info, 'scanner-revoked');
    await phone.getByRole('button', { name: 'Scan next' }).click();
    await expect(phone.getByText('1 admitted · 1 refused on this device')).toBeVisible();
  } finally {
    await gate.close();
  }
});

test('the organizer dashboard shows the check-in without a reload', async ({}, info) => {
  await expect(dashboard.getByTestId('admitted')).toHaveText('1');
  await expect(dashboard.getByTestId('inside')).toHaveText('1');
  await expect(dashboard.getByRole('region', { name: 'Check-ins per gate' })).toContainText('north');
  await reviewPage(dashboard, info, 'organizer-dashboard-checkin');
});
