import { expect, test, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { draftEvent, graphql, personContext, reviewPage, signUp, uniqueEmail } from './support';

// Pricing: an organizer sets quantity tiers on a ticket type; attendees see the tier price and the next one;
// after a sale the price moves on the open event page without a reload, and the dashboard's price history
// shows the change with its reason.
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
  eventTitle = `Tiered Talks ${info.project.name} ${Date.now().toString(36)}`;
});

test.afterAll(async () => {
  await organizer?.context.close();
  await attendee?.context.close();
});

test('an organizer sets quantity tiers on a ticket type', async ({}, info) => {
  const { page } = organizer;
  await signUp(page, 'Tia Tiers', uniqueEmail('price-org', info), 'ORGANIZER');
  await page.goto('/organizer/events/new');
  await page.getByLabel('Title', { exact: true }).fill(eventTitle);
  await page.getByLabel('Category', { exact: true }).selectOption('CONFERENCE');
  await page.getByLabel('Starts', { exact: true }).fill(localInput(30 * 1440));
  await page.getByLabel('Ends', { exact: true }).fill(localInput(30 * 1440 + 480));
  await page.getByLabel('Venue name', { exact: true }).fill('Forum');
  await page.getByLabel('Address', { exact: true }).fill('3 Square');
  await page.getByLabel('City', { exact: true }).fill('Lyon');
  await page.getByLabel('Capacity', { exact: true }).fill('50');
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('heading', { level: 1, name: eventTitle })).toBeVisible();
  eventId = page.url().split('/').pop()!;
  const form = page.getByRole('form', { name: 'New ticket type' });
  await form.getByLabel('Name', { exact: true }).fill('Pass');
  await form.getByLabel('Price', { exact: true }).fill('20');
  await form.getByLabel('Tickets on sale', { exact: true }).fill('50');
  await form.getByRole('button', { name: 'Add ticket type' }).click();
  await expect(page.getByText(/Pass · .*20\.00.* · 50 tickets/)).toBeVisible();
  await page.getByRole('button', { name: 'Publish event' }).click();
  await expect(page.getByRole('heading', { name: /Status/ })).toContainText('published');

  await page.getByText('Pricing of Pass').click();
  const pricing = page.getByRole('form', { name: 'Pricing of Pass' });
  await pricing.getByLabel('Pricing', { exact: true }).selectOption('TIERED');
  await pricing.getByLabel('Tier 1 price', { exact: true }).fill('15');
  await pricing.getByLabel('Tier 1 while fewer sold than', { exact: true }).fill('1');
  await pricing.getByLabel('Tier 2 price', { exact: true }).fill('30');
  await pricing.getByRole('button', { name: 'Save pricing' }).click();
  await expect(pricing.getByText('Pricing saved.')).toBeVisible();
  await expect(pricing.getByTestId('current-price')).toContainText('15.00');
  await reviewPage(page, info, 'organizer-pricing');
});

test('the attendee sees the tier price, buys, and an open page shows the next price without a reload', async ({}, info) => {
  const { page } = attendee;
  await signUp(page, 'Bo Buyer', uniqueEmail('price-fan', info), 'ATTENDEE');
  // A second tab stays open on the event page while the purchase happens in the first.
  const watcher = await attendee.context.newPage();
  await watcher.goto(`/events/${eventId}`);
  await expect(watcher.getByTestId('price')).toContainText('15.00');
  await expect(watcher.getByText(/Then .*30\.00.* after 1 sold/)).toBeVisible();

  await page.goto(`/events/${eventId}`);
  await page.getByRole('button', { name: 'Reserve Pass' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Thank you!' })).toBeVisible();

  await expect(watcher.getByTestId('price')).toContainText('30.00', { timeout: 30_000 });
  await expect(watcher.getByTestId('availability')).toHaveText('49 of 50 left');
  await watcher.close();
});

test('the dashboard shows the price history with the reason of each change', async ({}, info) => {
  const { page } = organizer;
  await page.goto(`/organizer/events/${eventId}/dashboard`);
  const history = page.getByTestId('price-history');
  await expect(history).toContainText('30.00');
  await expect(history.locator('.changes > li').first()).toContainText(/tier|demand/);
  await reviewPage(page, info, 'organizer-dashboard-prices');
});

test('a demand policy takes every field; the API blames the bad one next to it', async ({}, info) => {
  const { page } = organizer;
  await page.goto(`/organizer/events/${eventId}`);
  await page.getByText('Pricing of Pass').click();
  const pricing = page.getByRole('form', { name: 'Pricing of Pass' });
  await pricing.getByLabel('Pricing', { exact: true }).selectOption('DEMAND');
  const floor = pricing.getByLabel('Floor', { exact: true });
  await floor.fill('50');
  await pricing.getByLabel('Ceiling', { exact: true }).fill('40');
  await pricing.getByLabel('Largest step (%)', { exact: true }).fill('10');
  await pricing.getByLabel('Minimum interval (seconds)', { exact: true }).fill('120');
  await pricing.getByLabel('Sensitivity', { exact: true }).fill('9');
  await pricing.getByLabel('Hysteresis (%)', { exact: true }).fill('5');
  await pricing.getByLabel('Price ending (cents)', { exact: true }).fill('99');
  await pricing.getByRole('button', { name: 'Save pricing' }).click();
  // The floor is checked first: its message sits under the floor field, which is marked invalid.
  await expect(floor).toHaveAttribute('aria-invalid', 'true');
  await expect(floor).toHaveAccessibleDescription(/The floor is above the ceiling/);

  // The floor may not exceed the base price (20.00) either: 15 is inside both bounds.
  await floor.fill('15');
  await pricing.getByRole('button', { name: 'Save pricing' }).click();
  const sensitivity = pricing.getByLabel('Sensitivity', { exact: true });
  await expect(sensitivity).toHaveAttribute('aria-invalid', 'true');
  await expect(sensitivity).toHaveAccessibleDescription(/between 0 and 5/);
  await expect(floor).not.toHaveAttribute('aria-invalid', 'true');

  await sensitivity.fill('1.5');
  await pricing.getByRole('button', { name: 'Save pricing' }).click();
  await expect(pricing.getByText('Pricing saved.')).toBeVisible();
  await reviewPage(page, info, 'organizer-pricing-demand');

  // What was stored comes back in the form after a reload.
  await page.reload();
  await page.getByText('Pricing of Pass').click();
  const again = page.getByRole('form', { name: 'Pricing of Pass' });
  await expect(again.getByLabel('Pricing', { exact: true })).toHaveValue('DEMAND');
  await expect(again.getByLabel('Floor', { exact: true })).toHaveValue('15.00');
  await expect(again.getByLabel('Ceiling', { exact: true })).toHaveValue('40.00');
  await expect(again.getByLabel('Minimum interval (seconds)', { exact: true })).toHaveValue('120');
  await expect(again.getByLabel('Sensitivity', { exact: true })).toHaveValue('1.5');
  await expect(again.getByLabel('Hysteresis (%)', { exact: true })).toHaveValue('5');
  await expect(again.getByLabel('Price ending (cents)', { exact: true })).toHaveValue('99');
});

test("tier dates are typed and shown in the event's time zone, not the browser's", async ({
  browser,
}, info) => {
  // An organizer whose browser is in Tokyo prices an event in London (draftEvent's zone): a tier that ends at
  // 18:00 ends at 18:00 on the venue's clocks, as every other time of the event does.
  const eventZone = 'Europe/London';
  const context = await browser.newContext({ ...personContext(info), timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  try {
    await signUp(page, 'Toki Tiers', uniqueEmail('price-tz', info), 'ORGANIZER');
    const id = await draftEvent(page, `Zoned Tiers ${info.project.name} ${Date.now().toString(36)}`);
    const { publishEvent } = await graphql<{ publishEvent: { ticketTypes: { id: string }[] } }>(
      page,
      'mutation($id: ID!) { publishEvent(id: $id) { ticketTypes { id } } }',
      { id },
    );
    const typeId = publishEvent.ticketTypes[0]!.id;
    // 18:00 in London ten days from now (the event starts in twenty), as a datetime-local value.
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: eventZone }).format(
      Date.now() + 10 * 86_400_000,
    );
    const tierEnds = `${day}T18:00`;

    await page.goto(`/organizer/events/${id}`);
    await page.getByText('Pricing of Standing').click();
    const pricing = page.getByRole('form', { name: 'Pricing of Standing' });
    await pricing.getByLabel('Pricing', { exact: true }).selectOption('TIERED');
    await pricing.getByLabel('Tier 1 price', { exact: true }).fill('20');
    await pricing.getByLabel('Tier 1 until', { exact: true }).fill(tierEnds);
    await pricing.getByLabel('Tier 2 price', { exact: true }).fill('35');
    await pricing.getByRole('button', { name: 'Save pricing' }).click();
    await expect(pricing.getByText('Pricing saved.')).toBeVisible();

    // The instant stored is 18:00 on London's clocks (whatever London's offset that day).
    const { pricingSettings } = await graphql<{ pricingSettings: { tiers: { until: string | null }[] } }>(
      page,
      'query($id: ID!) { pricingSettings(ticketTypeId: $id) { tiers { until } } }',
      { id: typeId },
    );
    const stored = pricingSettings.tiers[0]!.until!;
    const londonClock = new Intl.DateTimeFormat('sv-SE', {
      timeZone: eventZone,
      dateStyle: 'short',
      timeStyle: 'short',
    }).format(new Date(stored));
    expect(londonClock.replace(' ', 'T')).toBe(tierEnds);

    // Read back into the form, it shows the same venue time, and says which zone that is.
    await page.reload();
    await page.getByText('Pricing of Standing').click();
    const until = page
      .getByRole('form', { name: 'Pricing of Standing' })
      .getByLabel('Tier 1 until', { exact: true });
    await expect(until).toHaveValue(tierEnds);
    await expect(until).toHaveAccessibleDescription(`In the event's time zone, ${eventZone}`);

    // And the event page announces the next tier at that time, with the zone's name (GMT or GMT+1 in London).
    await page.goto(`/events/${id}`);
    await expect(page.getByText(/^Then .*35\.00/)).toContainText(/ from .*6:00\sPM GMT(\+1)?$/);
  } finally {
    await context.close();
  }
});
