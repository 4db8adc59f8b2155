import { expect, test, type Browser, type Dialog, type Page, type TestInfo } from '@playwright/test';
import {
  draftEvent,
  graphql,
  graphqlAnswer,
  personContext,
  reviewPage,
  signUp,
  uniqueEmail,
  type Actor,
} from './support';

// The event editor as an organizer of a real on-sale uses it: a ticket type's own sales window (typed in the
// event's time zone, refused under its field, cleared), "Stop selling" on a type on sale (after a confirmation;
// buyers can no longer reserve it), what buyers pay now beside the base price and a "Price now" that follows a
// base price saved in the type's form, the question before typed input is lost (reload, close, links), and the
// new-type form's small defaults (Kind back to general admission, "Most per order" never above "Most per
// buyer"). Set-up goes through the API; what is checked goes through the pages.
let organizer: Actor;
let attendee: Actor;

const PUBLISH = 'mutation($id: ID!) { publishEvent(id: $id) { id } }';
const TYPES = `query($id: ID!) { event(id: $id) { ticketTypes {
  id name salesStartAt salesEndAt perOrderMax perBuyerMax kind } } }`;
const ADD_TYPE =
  'mutation($id: ID!, $input: TicketTypeInput!) { addTicketType(eventId: $id, input: $input) { id } }';
const DAY = 24 * 3600_000;
// Every time of an event is typed and shown in its own zone (draftEvent: Europe/London); the organizer's
// browser is elsewhere, so a time read in the browser's zone would show as wrong.
const EVENT_ZONE = 'Europe/London';
const BROWSER_ZONE = 'Asia/Tokyo';

interface TypeRow {
  id: string;
  name: string;
  salesStartAt: string | null;
  salesEndAt: string | null;
  perOrderMax: number;
  perBuyerMax: number;
  kind: string;
}

function title(info: TestInfo, what: string): string {
  return `Editor ${what} ${info.project.name} ${Date.now().toString(36)}`;
}

/** A person in the project's viewport, with the browser in Tokyo and US English dates. */
async function person(browser: Browser, info: TestInfo, who: string): Promise<Actor> {
  const context = await browser.newContext({
    ...personContext(info),
    timezoneId: BROWSER_ZONE,
    locale: 'en-US',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${String(err)}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  return { context, page, email: uniqueEmail(who, info), errors };
}

/** `YYYY-MM-DDTHH:mm` as a clock in `timeZone` shows the instant (a datetime-local value). */
function wallClock(instant: string | number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** A day ahead at a given time, on the event's clocks. */
function eventDay(daysAhead: number, time: string): string {
  return `${wallClock(Date.now() + daysAhead * DAY, EVENT_ZONE).slice(0, 10)}T${time}`;
}

async function typesOf(page: Page, id: string): Promise<TypeRow[]> {
  const { event } = await graphql<{ event: { ticketTypes: TypeRow[] } }>(page, TYPES, { id });
  return event.ticketTypes;
}

/** Every dialog the page opens, answered by `answer` (a dialog left unanswered would hang the page). */
function dialogs(page: Page, answer: (dialog: Dialog) => 'accept' | 'dismiss') {
  const seen: string[] = [];
  const handler = (dialog: Dialog) => {
    seen.push(dialog.type());
    void (answer(dialog) === 'accept' ? dialog.accept() : dialog.dismiss());
  };
  page.on('dialog', handler);
  return { seen, stop: () => page.off('dialog', handler) };
}

/** The ticket type's row in the editor's list. */
function typeRow(page: Page, name: string) {
  return page
    .getByTestId('ticket-type')
    .filter({ has: page.locator('strong', { hasText: new RegExp(`^${name}$`) }) });
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await person(browser, info, 'editor-org');
  attendee = await person(browser, info, 'editor-fan');
  await signUp(organizer.page, 'Edna Editor', organizer.email, 'ORGANIZER');
  await signUp(attendee.page, 'Fay Fan', attendee.email, 'ATTENDEE');
});

test.afterAll(async () => {
  await organizer?.context.close();
  await attendee?.context.close();
});

test("a ticket type's sales window: typed in the event's zone, refused under its field, cleared", async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Window'));
  await page.goto(`/organizer/events/${id}`);
  await page.getByRole('button', { name: 'Edit Standing' }).click();
  const form = page.getByRole('form', { name: 'Edit Standing' });
  const start = form.getByLabel('Sales start (optional)', { exact: true });
  const end = form.getByLabel('Sales end (optional)', { exact: true });
  await expect(start).toHaveAccessibleDescription(/In the event's time zone, Europe\/London/);
  const startAt = eventDay(2, '10:00');
  const endAt = eventDay(3, '18:00');
  await start.fill(startAt);
  await end.fill(endAt);
  await reviewPage(page, info, 'organizer-type-sales-window');
  await form.getByRole('button', { name: 'Save ticket type' }).click();
  await expect(form).toHaveCount(0);

  // Stored as the instants the event's clocks show, whatever the browser's zone, and read back the same way.
  const [saved] = await typesOf(page, id);
  expect(wallClock(saved!.salesStartAt!, EVENT_ZONE)).toBe(startAt);
  expect(wallClock(saved!.salesEndAt!, EVENT_ZONE)).toBe(endAt);
  const state = typeRow(page, 'Standing').getByTestId('sales-state');
  await expect(state).toContainText(/Sales from .*10:00\sAM.* until .*6:00\sPM/);
  await page.getByRole('button', { name: 'Edit Standing' }).click();
  await expect(start).toHaveValue(startAt);
  await expect(end).toHaveValue(endAt);

  // An end before the start: the API's refusal under Sales end, and a pointer to it on top.
  await end.fill(eventDay(1, '09:00'));
  await form.getByRole('button', { name: 'Save ticket type' }).click();
  await expect(end).toHaveAttribute('aria-invalid', 'true');
  await expect(end).toHaveAccessibleDescription(/end after they start/);
  await expect(form.getByRole('alert')).toHaveText('Check the highlighted field (Sales end).');
  await expect(start).not.toHaveAttribute('aria-invalid', 'true');

  // Emptied: the type's own window is cleared and the event's applies again.
  await start.fill('');
  await end.fill('');
  await form.getByRole('button', { name: 'Save ticket type' }).click();
  await expect(form).toHaveCount(0);
  await expect(state).toContainText('Sales from publication until');
  const [cleared] = await typesOf(page, id);
  expect(cleared!.salesStartAt).toBeNull();
  expect(cleared!.salesEndAt).toBeNull();
  expect(organizer.errors).toEqual([]);
});

test('a type on sale cannot be lowered, the refusal names "Stop selling", which ends its sales after a confirmation', async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Stop'));
  await graphql(page, PUBLISH, { id });
  const [type] = await typesOf(page, id);
  await page.goto(`/organizer/events/${id}`);
  const row = typeRow(page, 'Standing');
  await expect(row.getByTestId('sales-state')).toContainText('On sale until');

  // Lowering the quantity of a type on sale is refused, and the refusal points at what exists.
  await page.getByRole('button', { name: 'Edit Standing' }).click();
  const form = page.getByRole('form', { name: 'Edit Standing' });
  const quantity = form.getByLabel('Tickets on sale', { exact: true });
  await quantity.fill('50');
  await form.getByRole('button', { name: 'Save ticket type' }).click();
  await expect(quantity).toHaveAccessibleDescription(
    /can be raised, not lowered; to stop selling it, use "Stop selling" or set its Sales end/,
  );
  await form.getByRole('button', { name: 'Cancel editing Standing' }).click();

  // The first press only asks; "Keep selling" backs out with nothing sent.
  const stop = row.getByRole('button', { name: 'Stop selling Standing', exact: true });
  await stop.click();
  const question = row.getByText('Stop selling Standing now?');
  await expect(question).toBeVisible();
  await expect(page.locator(`#stop-${type!.id}`)).toBeFocused();
  await reviewPage(page, info, 'organizer-stop-selling');
  await row.getByRole('button', { name: 'Keep selling' }).click();
  await expect(question).toHaveCount(0);
  expect((await typesOf(page, id))[0]!.salesEndAt).toBeNull();

  await stop.click();
  await row.getByRole('button', { name: 'Yes, stop selling Standing' }).click();
  await expect(row.getByText('Standing: sales stopped.')).toBeFocused();
  await expect(row.getByTestId('sales-state')).toContainText('Not on sale: sales ended', { timeout: 20_000 });
  await expect(stop).toHaveCount(0);
  const ended = (await typesOf(page, id))[0]!.salesEndAt!;
  expect(Math.abs(new Date(ended).getTime() - Date.now())).toBeLessThan(60_000);

  // Buyers: the page says sales have ended and offers nothing; the API refuses a hold once it has heard.
  await attendee.page.goto(`/events/${id}`);
  await expect(attendee.page.getByText('Sales have ended.')).toBeVisible();
  await expect(attendee.page.getByRole('button', { name: /Reserve/ })).toHaveCount(0);
  await expect
    .poll(
      async () => {
        const answer = await graphqlAnswer(
          attendee.page,
          'mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id } }',
          { input: { ticketTypeId: type!.id, quantity: 1 } },
        );
        return answer.errors?.[0]?.extensions?.code ?? 'RESERVED';
      },
      { timeout: 30_000 },
    )
    .toBe('FORBIDDEN');
});

test('the type list shows what buyers pay now; "Price now" follows a base price saved in the form', async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Prices'));
  await graphql(page, ADD_TYPE, {
    id,
    input: { name: 'Balcony', priceMinor: 2500, currency: 'EUR', kind: 'GENERAL_ADMISSION', quantity: 50 },
  });
  await graphql(page, PUBLISH, { id });
  const standing = (await typesOf(page, id)).find((t) => t.name === 'Standing')!;
  // An early-bird tier on Standing (once pricing has heard of the published type): buyers pay 15.00 now.
  await expect(async () => {
    await graphql(
      page,
      `
        mutation ($id: ID!, $input: SetPricingPolicyInput!) {
          setPricingPolicy(ticketTypeId: $id, input: $input) {
            kind
          }
        }
      `,
      {
        id: standing.id,
        input: {
          kind: 'TIERED',
          currency: 'EUR',
          tiers: [{ amount: 1500, untilSold: 10 }, { amount: 3000 }],
        },
      },
    );
  }).toPass({ timeout: 30_000 });

  await page.goto(`/organizer/events/${id}`);
  await expect(typeRow(page, 'Standing').locator('p').first()).toHaveText(
    /^Standing · base €25\.00 · now €15\.00 · 100 tickets$/,
  );
  await expect(typeRow(page, 'Balcony').locator('p').first()).toHaveText(/^Balcony · €25\.00 · 50 tickets$/);

  // The pricing panel stays open while the base price is saved in the type's form: its price follows.
  await page.getByText('Pricing of Balcony').click();
  const pricing = page.getByRole('form', { name: 'Pricing of Balcony' });
  await expect(pricing.getByTestId('current-price')).toHaveText('€25.00', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Edit Balcony' }).click();
  const form = page.getByRole('form', { name: 'Edit Balcony' });
  await form.getByLabel('Price', { exact: true }).fill('30');
  await form.getByRole('button', { name: 'Save ticket type' }).click();
  await expect(pricing.getByTestId('current-price')).toHaveText('€30.00', { timeout: 30_000 });
  await expect(typeRow(page, 'Balcony').locator('p').first()).toHaveText(/^Balcony · €30\.00 · 50 tickets$/);
  await reviewPage(page, info, 'organizer-prices-now');
});

test("a draft's pricing note says how to have an early-bird tier before sales start", async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Early'));
  await page.goto(`/organizer/events/${id}`);
  await page.getByText('Pricing of Standing').click();
  await expect(page.getByTestId('pricing-draft')).toContainText(
    "To have an early-bird tier in place before anyone can buy: publish with a sales start date in the future (this ticket type's Sales start, or the event's), then set the tiers here",
  );
});

test('typed input is not lost without a question: reload, links, and none once saved or unchanged', async ({}, info) => {
  const { page } = organizer;

  // New event: a link away asks; staying keeps what was typed. A reload asks the browser's question.
  await page.goto('/organizer/events/new');
  const name = title(info, 'Unsaved');
  await page.getByLabel('Title', { exact: true }).fill(name);
  let answer: 'accept' | 'dismiss' = 'dismiss';
  const asked = dialogs(page, () => answer);
  try {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await expect.poll(() => asked.seen).toEqual(['confirm']);
    await expect(page).toHaveURL(/\/organizer\/events\/new$/);
    await expect(page.getByLabel('Title', { exact: true })).toHaveValue(name);
    answer = 'accept';
    await page.reload();
    expect(asked.seen).toEqual(['confirm', 'beforeunload']);
    await expect(page.getByLabel('Title', { exact: true })).toHaveValue('');

    // Nothing typed: no question, either way.
    asked.seen.length = 0;
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizer' }).click();
    await expect(page).toHaveURL(/\/organizer$/);
    expect(asked.seen).toEqual([]);

    // An existing event: a typed description asks before the Dashboard link; leaving is then allowed.
    const id = await draftEvent(page, title(info, 'Unsaved edit'));
    await page.goto(`/organizer/events/${id}`);
    const details = page.getByRole('form', { name: 'Event details' });
    await details.getByLabel('Description').fill('Words not saved yet.');
    answer = 'dismiss';
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => asked.seen).toEqual(['confirm']);
    await expect(details.getByLabel('Description')).toHaveValue('Words not saved yet.');
    answer = 'accept';
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page).toHaveURL(new RegExp(`/organizer/events/${id}/dashboard$`));
    expect(asked.seen).toEqual(['confirm', 'confirm']);

    // Saved: no question on a reload or a link.
    asked.seen.length = 0;
    await page.goto(`/organizer/events/${id}`);
    await details.getByLabel('Description').fill('The words kept.');
    await details.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Saved.', { exact: true })).toBeVisible();
    await page.reload();
    await expect(details.getByLabel('Description')).toHaveValue('The words kept.');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    expect(asked.seen).toEqual([]);

    // A half-typed new ticket type counts too; creating an event is never held back.
    await page.goto(`/organizer/events/${id}`);
    await page.getByRole('form', { name: 'New ticket type' }).getByLabel('Name', { exact: true }).fill('VIP');
    answer = 'dismiss';
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => asked.seen).toEqual(['confirm']);
    await expect(page).toHaveURL(new RegExp(`/organizer/events/${id}$`));
  } finally {
    asked.stop();
  }
  expect(organizer.errors).toEqual([]);
});

test('creating an event is not held back by the question', async ({}, info) => {
  const { page } = organizer;
  await page.goto('/organizer/events/new');
  const asked = dialogs(page, () => 'dismiss');
  try {
    const name = title(info, 'Created');
    await page.getByLabel('Title', { exact: true }).fill(name);
    await page.getByLabel('Starts', { exact: true }).fill(eventDay(30, '20:00'));
    await page.getByLabel('Ends', { exact: true }).fill(eventDay(30, '23:00'));
    await page.getByLabel('Time zone', { exact: true }).fill(EVENT_ZONE);
    await page.getByLabel('Venue name', { exact: true }).fill('Quiet Hall');
    await page.getByLabel('Address', { exact: true }).fill('4 Still Road');
    await page.getByLabel('City', { exact: true }).fill('Bath');
    await page.getByLabel('Capacity', { exact: true }).fill('100');
    await page.getByRole('button', { name: 'Create event' }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    expect(asked.seen).toEqual([]);
  } finally {
    asked.stop();
  }
});

test('new ticket types: Kind goes back to general admission, and "Most per order" follows "Most per buyer" down', async ({}, info) => {
  const { page } = organizer;
  const { createEvent } = await graphql<{ createEvent: { id: string } }>(
    page,
    'mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }',
    {
      input: {
        title: title(info, 'Kinds'),
        category: 'THEATRE',
        venue: {
          name: 'Little Stage',
          address: '5 Curtain Lane',
          city: 'Bath',
          capacity: 100,
          seatMap: { sections: [{ name: 'A', rows: [{ name: '1', seatCount: 4 }] }] },
        },
        startsAt: new Date(Date.now() + 20 * DAY).toISOString(),
        endsAt: new Date(Date.now() + 20 * DAY + 3 * 3600_000).toISOString(),
        timeZone: EVENT_ZONE,
      },
    },
  );
  const id = createEvent.id;
  await page.goto(`/organizer/events/${id}`);
  const form = page.getByRole('form', { name: 'New ticket type' });
  const kind = form.getByLabel('Kind', { exact: true });
  await form.getByLabel('Name', { exact: true }).fill('Stalls');
  await form.getByLabel('Price', { exact: true }).fill('40');
  await kind.selectOption('RESERVED');
  await form.getByLabel(/Section A/).check();
  await form.getByRole('button', { name: 'Add ticket type' }).click();
  await expect(typeRow(page, 'Stalls').locator('p').first()).toHaveText(/Stalls · €40\.00 · 4 seats/);
  await expect(kind).toHaveValue('GENERAL_ADMISSION');
  await expect(form.getByLabel('Tickets on sale', { exact: true })).toBeVisible();

  // Only "Most per buyer" typed: "Most per order" comes down with it, and the type is accepted.
  await form.getByLabel('Name', { exact: true }).fill('Floor');
  await form.getByLabel('Price', { exact: true }).fill('10');
  await form.getByLabel('Tickets on sale', { exact: true }).fill('20');
  const perOrder = form.getByLabel('Most per order', { exact: true });
  await expect(perOrder).toHaveValue('10');
  await form.getByLabel('Most per buyer', { exact: true }).fill('2');
  await expect(perOrder).toHaveValue('2');
  await form.getByRole('button', { name: 'Add ticket type' }).click();
  await expect(typeRow(page, 'Floor').locator('p').first()).toHaveText(/Floor · €10\.00 · 20 tickets/);
  await expect(form.getByRole('alert')).toHaveCount(0);
  const floor = (await typesOf(page, id)).find((t) => t.name === 'Floor')!;
  expect([floor.perOrderMax, floor.perBuyerMax, floor.kind]).toEqual([2, 2, 'GENERAL_ADMISSION']);

  // Typed by hand, "Most per order" is the organizer's: it no longer follows.
  await perOrder.fill('1');
  await form.getByLabel('Most per buyer', { exact: true }).fill('5');
  await expect(perOrder).toHaveValue('1');
  await reviewPage(page, info, 'organizer-new-type-defaults');
});
