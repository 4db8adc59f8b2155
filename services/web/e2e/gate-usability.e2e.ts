import { expect, test, type Page, type Request } from '@playwright/test';
import { type Actor, draftEvent, graphql, newActor, pageVisibility, reviewPage, signUp } from './support';

// The gate while the doors are open, as staff and holders meet it: a keyboard or a barcode reader (which types
// the code, then Enter) scans ticket after ticket without touching the screen; a gate name the API would refuse
// is explained under the Gate field as it is typed and no scan leaves with it; My tickets shows a check-in made at
// the door without a reload, stops offering the transfer, and asks again only while it is visible.
// Set-up goes through the gateway's API; what is checked goes through the pages.
test.describe.configure({ mode: 'serial' });

let organizer: Actor;
let staff: Actor;
let attendee: Actor;
let eventId = '';
/** The attendee's tickets, in the order bought: 0 and 1 by keyboard, 2 at a renamed gate, 3 on My tickets. */
let tickets: { id: string; qrToken: string }[] = [];

const GATE_RULE = /Gate name: 1 to 64 letters, digits, spaces, _ or -/;
const SCAN = 'mutation($input: ScanTicketInput!) { scanTicket(input: $input) { result reason } }';

/** A scanTicket request leaving the browser (what "no scan was sent" counts). */
function isScan(request: Request): boolean {
  return (
    request.method() === 'POST' &&
    new URL(request.url()).pathname === '/graphql' &&
    (request.postData() ?? '').includes('scanTicket(')
  );
}

/** A MyTickets query leaving the browser (the page's own refreshes). */
function isMyTickets(request: Request): boolean {
  if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return false;
  return (request.postDataJSON() as { operationName?: string } | null)?.operationName === 'MyTickets';
}

/** Buys `quantity` tickets as the signed-in person of `page` and returns this event's, once each has its QR. */
async function buyTickets(page: Page, ticketTypeId: string, quantity: number) {
  let reservationId = '';
  // The ticket service knows a type a moment after the event is published.
  await expect(async () => {
    const { reserveTickets } = await graphql<{ reserveTickets: { id: string } }>(
      page,
      'mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id } }',
      { input: { ticketTypeId, quantity } },
    );
    reservationId = reserveTickets.id;
  }).toPass({ timeout: 30_000 });
  await graphql(page, 'mutation($input: CheckoutInput!) { checkout(input: $input) { id } }', {
    input: { reservationId, paymentToken: 'tok_success', idempotencyKey: `gate-${reservationId}` },
  });
  let bought: { id: string; qrToken: string }[] = [];
  await expect(async () => {
    const { myTickets } = await graphql<{
      myTickets: { id: string; eventId: string; qrToken: string | null }[];
    }>(page, '{ myTickets { id eventId qrToken } }');
    const mine = myTickets.filter((t) => t.eventId === eventId && t.qrToken);
    expect(mine).toHaveLength(quantity);
    bought = mine.map((t) => ({ id: t.id, qrToken: t.qrToken! }));
  }).toPass({ timeout: 30_000 });
  return bought;
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await newActor(browser, info, 'gate-org');
  staff = await newActor(browser, info, 'gate-staff');
  attendee = await newActor(browser, info, 'gate-fan');
  await signUp(organizer.page, 'Gus Gatehouse', organizer.email, 'ORGANIZER');
  await signUp(staff.page, 'Sam Steward', staff.email, 'ATTENDEE');
  await signUp(attendee.page, 'Hana Holder', attendee.email, 'ATTENDEE');
  eventId = await draftEvent(organizer.page, `Gate Hall ${info.project.name} ${Date.now().toString(36)}`);
  // Doors already open, so tickets can be checked in today.
  await graphql(
    organizer.page,
    'mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }',
    { id: eventId, input: { doorsOpenAt: new Date(Date.now() - 60_000).toISOString() } },
  );
  await graphql(
    organizer.page,
    'mutation($id: ID!, $email: String!) { addEventStaff(eventId: $id, email: $email) { id } }',
    { id: eventId, email: staff.email },
  );
  const { publishEvent } = await graphql<{ publishEvent: { ticketTypes: { id: string }[] } }>(
    organizer.page,
    'mutation($id: ID!) { publishEvent(id: $id) { ticketTypes { id } } }',
    { id: eventId },
  );
  tickets = await buyTickets(attendee.page, publishEvent.ticketTypes[0]!.id, 4);
  // Check-in has learnt the staff member and every ticket (its offline data lists them) before any scan:
  // read-only, so nothing is admitted while waiting.
  await expect(async () => {
    const { offlineBundle } = await graphql<{ offlineBundle: { tickets: { ticketId: string }[] } }>(
      staff.page,
      'query($id: ID!) { offlineBundle(eventId: $id) { tickets { ticketId } } }',
      { id: eventId },
    );
    const known = new Set(offlineBundle.tickets.map((t) => t.ticketId));
    expect(tickets.every((t) => known.has(t.id))).toBe(true);
  }).toPass({ timeout: 30_000 });
});

test.afterEach(() => {
  const errors = [organizer, staff, attendee].flatMap((a) => a.errors.splice(0));
  expect(errors, 'no console errors').toEqual([]);
});

test.afterAll(async () => {
  for (const a of [organizer, staff, attendee]) await a?.context.close();
});

test('a keyboard or a barcode reader scans ticket after ticket: Scan next hands the focus back to Ticket code', async () => {
  const { page } = staff;
  await page.goto(`/scan/${eventId}`);
  await expect(page.getByRole('heading', { level: 1, name: /^Scanner: Gate Hall/ })).toBeVisible();
  await page.getByLabel('Gate', { exact: true }).fill('east 2');
  const code = page.getByLabel('Ticket code', { exact: true });
  const answer = page.locator('[data-result]');
  const next = page.getByRole('button', { name: 'Scan next' });

  // A reader types the code, then Enter.
  await code.focus();
  await page.keyboard.type(tickets[0]!.qrToken);
  await page.keyboard.press('Enter');
  await expect(answer).toHaveAttribute('data-result', 'ACCEPTED');
  await expect(next).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(answer).toHaveCount(0);
  await expect(code).toBeFocused();

  // The next code goes straight in: no tap, no Tab.
  await page.keyboard.type(tickets[1]!.qrToken);
  await page.keyboard.press('Enter');
  await expect(answer).toHaveAttribute('data-result', 'ACCEPTED');
  await expect(answer).toContainText('Hana Holder');
  await expect(next).toBeFocused();
  // Pressed by hand this time: the same.
  await next.click();
  await expect(answer).toHaveCount(0);
  await expect(code).toBeFocused();
  await expect(page.getByText('2 admitted · 0 refused on this device')).toBeVisible();
});

test('a gate name the API would refuse is explained under Gate as it is typed, and no scan is sent', async ({}, info) => {
  const { page } = staff;
  const scans: string[] = [];
  const count = (request: Request) => {
    if (isScan(request)) scans.push(request.postData() ?? '');
  };
  page.on('request', count);
  try {
    await page.goto(`/scan/${eventId}`);
    const gate = page.getByLabel('Gate', { exact: true });
    const code = page.getByLabel('Ticket code', { exact: true });
    const manual = page.getByRole('form', { name: 'Manual entry' });

    // Said while typing, before anything is scanned.
    await gate.fill('North #1');
    await expect(gate).toHaveAttribute('aria-invalid', 'true');
    await expect(gate).toHaveAccessibleDescription(GATE_RULE);
    await reviewPage(page, info, 'scanner-gate-name');

    // A scan with it is not sent: staff are taken to the Gate field, and the code waits for them.
    await code.fill(tickets[2]!.qrToken);
    await page.getByRole('button', { name: 'Check ticket' }).click();
    await expect(gate).toBeFocused();
    await expect(page.locator('[data-result]')).toHaveCount(0);
    await expect(manual.getByRole('alert')).toHaveCount(0);
    await expect(code).toHaveValue(tickets[2]!.qrToken);

    // A name that must begin with a letter or digit.
    await gate.fill('_north');
    await expect(gate).toHaveAccessibleDescription(GATE_RULE);

    // Fixed: the message goes, and the same code is checked at the new gate.
    await gate.fill('North 1');
    await expect(gate).not.toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText(GATE_RULE)).toHaveCount(0);
    await page.getByRole('button', { name: 'Check ticket' }).click();
    await expect(page.locator('[data-result]')).toHaveAttribute('data-result', 'ACCEPTED');
    // The one scan that left is this one: the refused attempt above sent nothing.
    expect(scans).toHaveLength(1);
    expect(scans[0]).toContain('"gateId":"North 1"');
  } finally {
    page.off('request', count);
  }
});

test('a refusal the API blames on the gate is shown under Gate, not in the manual entry box', async () => {
  const { page } = staff;
  // A gate that passes the page's rule but not the server's (a rule changed on one side only): the answer the
  // check-in API gives, with the field it blames.
  await page.route('**/graphql', async (route) => {
    if (!isScan(route.request())) return route.fallback();
    await route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({
        data: null,
        errors: [
          {
            message: 'gateId must be 1-64 letters, digits, spaces, _ or -',
            extensions: { code: 'BAD_USER_INPUT', field: 'input.gateId' },
          },
        ],
      }),
    });
  });
  try {
    await page.goto(`/scan/${eventId}`);
    const gate = page.getByLabel('Gate', { exact: true });
    await gate.fill('west');
    const code = page.getByLabel('Ticket code', { exact: true });
    await code.fill(tickets[3]!.qrToken);
    await page.getByRole('button', { name: 'Check ticket' }).click();
    await expect(gate).toHaveAccessibleDescription(GATE_RULE);
    await expect(gate).toBeFocused();
    await expect(page.getByRole('form', { name: 'Manual entry' }).getByRole('alert')).toHaveCount(0);
    await expect(page.getByText('gateId must be')).toHaveCount(0);
    await expect(code).toHaveValue(tickets[3]!.qrToken);
    // Another gate name clears it.
    await gate.fill('west 2');
    await expect(gate).not.toHaveAttribute('aria-invalid', 'true');
  } finally {
    await page.unroute('**/graphql');
  }
});

test('My tickets shows a check-in made at the door without a reload, and no longer offers the transfer', async ({}, info) => {
  const { page } = attendee;
  const ticket = tickets[3]!;
  // The page's timers run on Playwright's clock from here on (flowing as usual), so its next refresh can be
  // reached at once with fastForward; the requests themselves are real.
  await page.clock.install();
  await page.goto('/tickets');
  const card = page.locator(`[data-ticket-id="${ticket.id}"]`);
  await expect(card.getByText('Transfer this ticket')).toBeVisible();
  // The digits under the QR say what they are for.
  await expect(card.getByTestId('display-code')).toHaveText(/^\d{8}$/);
  await expect(card.getByTestId('display-code-help')).toContainText('not a screenshot');
  // A mark on this very document: a reload or a navigation would drop it.
  await page.evaluate(() => Object.assign(window, { gateUsabilityMark: true }));

  const { scanTicket } = await graphql<{ scanTicket: { result: string } }>(staff.page, SCAN, {
    input: {
      eventId,
      code: ticket.qrToken,
      gateId: 'east 2',
      deviceId: 'gate-usability',
      nonce: crypto.randomUUID(),
      direction: 'ENTRY',
    },
  });
  expect(scanTicket.result).toBe('ACCEPTED');

  // The page asks again every 10 s while visible.
  await page.clock.fastForward(10_500);
  await expect(card.getByText('checked in', { exact: true })).toBeVisible();
  await expect(card.getByText('Transfer this ticket')).toHaveCount(0);
  await expect(card.getByRole('textbox', { name: "Recipient's email" })).toHaveCount(0);
  await expect(card.getByTestId('checked-in')).toContainText('cannot be transferred');
  expect(await page.evaluate(() => 'gateUsabilityMark' in window)).toBe(true);
  await reviewPage(page, info, 'my-tickets-checked-in');
});

test(
  'My tickets asks again every 10 s while visible, never while hidden or once left',
  { tag: '@one-viewport' },
  async () => {
    const { page } = attendee;
    // The page's timers run on Playwright's clock (installed by the test above), so the periods below are
    // skipped over with fastForward instead of waited for; the requests themselves are real.
    await page.goto('/tickets');
    await expect(page.getByTestId('ticket').first()).toBeVisible();
    let asked = 0;
    page.on('request', (request) => {
      if (isMyTickets(request)) asked += 1;
    });
    const setVisibility = (state: 'hidden' | 'visible') => pageVisibility(page, state);
    /** Moves the page's clock on by `ms`, then gives any request that fired a moment to leave. */
    const skip = async (ms: number) => {
      await page.clock.fastForward(ms);
      await page.waitForTimeout(300);
    };

    // Visible: once a period, not more often (a few people with the page open must not load the gateway).
    expect(asked).toBe(0);
    await skip(10_500);
    await expect.poll(() => asked, { timeout: 2_000 }).toBe(1);
    await skip(4_000);
    expect(asked, 'not again within the period').toBe(1);
    await skip(6_500);
    await expect.poll(() => asked, { timeout: 2_000 }).toBe(2);

    // Hidden (another tab, a locked phone): nothing.
    await setVisibility('hidden');
    await page.waitForTimeout(300); // a request already on its way
    asked = 0;
    await skip(35_000);
    expect(asked, 'no request while hidden').toBe(0);

    // Shown again: asked at once, not a period later.
    await setVisibility('visible');
    await expect.poll(() => asked, { timeout: 1_500 }).toBeGreaterThanOrEqual(1);

    // Left for another page (no reload): nothing more.
    await page.getByRole('link', { name: 'Transfers' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toHaveCount(0);
    await page.waitForTimeout(300);
    asked = 0;
    await skip(35_000);
    expect(asked, 'no request after leaving My tickets').toBe(0);
  },
);
