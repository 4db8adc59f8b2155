import { expect, test, type Page } from '@playwright/test';
import { draftEvent, graphql, newActor, reviewPage, signUp, type Actor } from './support';

// The organizer pages and the buyer's pages at their edges: links to the home page with filters the API does
// not take, Back and Forward on a search, notices that outlive their moment, numbers and texts past the API's
// limits, a seat-map error on its section, a cancelled event's public page, cancelling with a confirmation, focus
// after releasing a hold or cancelling, and a draft's pricing panel. Set-up goes through the API; what is
// checked goes through the pages.
let organizer: Actor;
let attendee: Actor;

const PUBLISH = 'mutation($id: ID!) { publishEvent(id: $id) { ticketTypes { id } } }';

function title(info: { project: { name: string } }, what: string): string {
  return `Polish ${what} ${info.project.name} ${Date.now().toString(36)}`;
}

/** The GraphQL operations the page sends whose body mentions `field`, from now on. */
function watchRequests(page: Page, field: string): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/graphql') && (request.postData() ?? '').includes(field)) seen.push(field);
  });
  return seen;
}

async function statusOf(page: Page, id: string): Promise<string> {
  const { event } = await graphql<{ event: { status: string } }>(
    page,
    'query($id: ID!) { event(id: $id) { status } }',
    {
      id,
    },
  );
  return event.status;
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await newActor(browser, info, 'polish-org');
  attendee = await newActor(browser, info, 'polish-fan');
  await signUp(organizer.page, 'Paula Polish', organizer.email, 'ORGANIZER');
  await signUp(attendee.page, 'Pete Public', attendee.email, 'ATTENDEE');
});

test.afterAll(async () => {
  await organizer?.context.close();
  await attendee?.context.close();
});

test('home page: a category in any case works, an unknown one or a bad date is ignored, Back restores the search', async ({}, info) => {
  const name = title(info, 'Music');
  const id = await draftEvent(organizer.page, name);
  await graphql(organizer.page, PUBLISH, { id });
  const { page } = attendee;
  const category = page.getByLabel('Category', { exact: true });
  const results = page.getByRole('list', { name: 'Events' });

  // Lower case: the known category MUSIC, applied and shown in the dropdown.
  await page.goto(`/?category=music&q=${encodeURIComponent(name)}`);
  await expect(results.getByRole('link', { name })).toBeVisible();
  await expect(category).toHaveValue('MUSIC');
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Unknown: ignored (every category), and the dropdown says so.
  await page.goto(`/?category=FOO&q=${encodeURIComponent(name)}`);
  await expect(results.getByRole('link', { name })).toBeVisible();
  await expect(category).toHaveValue('');
  await expect(page.getByTestId('unknown-category')).toContainText('FOO');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await reviewPage(page, info, 'events-unknown-category');

  // A date that does not parse is ignored too, and not put in the form.
  await page.goto(`/?from=garbage&q=${encodeURIComponent(name)}`);
  await expect(results.getByRole('link', { name })).toBeVisible();
  await expect(page.getByLabel('From', { exact: true })).toHaveValue('');

  // Back and Forward: the Search box shows the search the results are for.
  const search = page.getByRole('searchbox', { name: 'Search' });
  await expect(search).toHaveAttribute('maxlength', '100');
  await page.goto('/');
  await search.fill(name);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(results.getByRole('link', { name })).toBeVisible();
  await search.fill('zzznomatch');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No events match')).toBeVisible();
  await page.goBack();
  await expect(results.getByRole('link', { name })).toBeVisible();
  await expect(search).toHaveValue(name);
  await page.goForward();
  await expect(page.getByText('No events match')).toBeVisible();
  await expect(search).toHaveValue('zzznomatch');
  expect(attendee.errors).toEqual([]);
});

test('event editor: "Saved." goes once a later save fails; the error is worded once, under its field', async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Saved'));
  await page.goto(`/organizer/events/${id}`);
  const details = page.getByRole('form', { name: 'Event details' });
  await details.getByLabel('Description').fill('First words.');
  await details.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();

  // A title of spaces only is sent trimmed and refused by the API.
  const titleField = details.getByLabel('Title', { exact: true });
  await expect(titleField).toHaveAttribute('maxlength', '120');
  await titleField.fill('  ab  ');
  await details.getByRole('button', { name: 'Save changes' }).click();
  await expect(titleField).toHaveAttribute('aria-invalid', 'true');
  await expect(titleField).toHaveAccessibleDescription('Title must have 3 to 120 characters.');
  await expect(page.getByText('Saved.')).toHaveCount(0);
  const banner = details.getByRole('alert');
  await expect(banner).toHaveText('Check the highlighted field (Title).');
});

test('venue staff: an old refusal goes once a later action succeeds, and focus follows the removal', async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Staff'));
  await page.goto(`/organizer/events/${id}`);
  const staffSection = page.getByRole('region', { name: 'Venue staff' });
  const email = page.getByLabel('Staff email');
  const gate = `gate.${Date.now().toString(36)}@example.test`;
  await email.fill(gate);
  await page.getByRole('button', { name: 'Add staff' }).click();
  await expect(staffSection.getByRole('button', { name: `Remove ${gate}` })).toBeVisible();
  await email.fill('gatekeeper@localhost');
  await page.getByRole('button', { name: 'Add staff' }).click();
  await expect(email).toHaveAccessibleDescription(/Not a valid email address/);
  await staffSection.getByRole('button', { name: `Remove ${gate}` }).click();
  await expect(staffSection.getByText(`${gate} is no longer on the staff.`)).toBeFocused();
  await expect(staffSection.getByRole('alert')).toHaveCount(0);
  await expect(email).not.toHaveAttribute('aria-invalid', 'true');
});

test('new event: a capacity past the API limit is explained under the field and never sent', async ({}, info) => {
  const { page } = organizer;
  const creates = watchRequests(page, 'createEvent');
  await page.goto('/organizer/events/new');
  await page.getByLabel('Title', { exact: true }).fill(title(info, 'Big'));
  await page.getByLabel('Starts', { exact: true }).fill('2031-06-01T20:00');
  await page.getByLabel('Ends', { exact: true }).fill('2031-06-01T23:00');
  await page.getByLabel('Venue name', { exact: true }).fill('Vast Hall');
  await page.getByLabel('Address', { exact: true }).fill('1 Wide Road');
  await page.getByLabel('City', { exact: true }).fill('Leeds');
  const capacity = page.getByLabel('Capacity', { exact: true });
  await capacity.fill('99999999999');
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(capacity).toHaveAttribute('aria-invalid', 'true');
  await expect(capacity).toHaveAccessibleDescription(
    /Capacity must be between 1 and 1[,.  ]?000[,.  ]?000\./,
  );
  await expect(capacity).toBeFocused();
  await expect(page).toHaveURL(/\/organizer\/events\/new$/);
  expect(creates, 'nothing sent while the capacity is out of range').toEqual([]);

  // Should the API still get such a number (the limit removed from the page), its refusal is in words too.
  await capacity.evaluate((input: HTMLInputElement) => input.removeAttribute('max'));
  await capacity.fill('5000000000');
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(capacity).toHaveAccessibleDescription(/Capacity must be a whole number between 1 and/);
  await expect(page.getByRole('form', { name: 'Event details' })).not.toContainText('Int cannot represent');
  await expect(page.getByRole('form', { name: 'Event details' })).not.toContainText('$input');
});

test('new event: a seat-map error the API lays on a section shows under that section', async ({}, info) => {
  const { page } = organizer;
  await page.goto('/organizer/events/new');
  await page.getByLabel('Title', { exact: true }).fill(title(info, 'Seats'));
  await page.getByLabel('Starts', { exact: true }).fill('2031-06-01T20:00');
  await page.getByLabel('Ends', { exact: true }).fill('2031-06-01T23:00');
  await page.getByLabel('Venue name', { exact: true }).fill('Round Hall');
  await page.getByLabel('Address', { exact: true }).fill('2 Ring Road');
  await page.getByLabel('City', { exact: true }).fill('York');
  await page.getByLabel('Capacity', { exact: true }).fill('100');
  await page.getByRole('button', { name: 'Add a section' }).click();
  const section = page.getByLabel('Section 1 name', { exact: true });
  await expect(section).toHaveAttribute('maxlength', '10');
  await section.fill('A B');
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(section).toHaveAttribute('aria-invalid', 'true');
  await expect(section).toHaveAccessibleDescription(/letters or digits/);
  await expect(page.getByRole('alert')).toHaveText('Check the highlighted field (Section 1 name).');
});

test("a cancelled event's public page shows neither availability nor transfers, and says it is cancelled", async ({}, info) => {
  const id = await draftEvent(organizer.page, title(info, 'Gone'));
  await graphql(organizer.page, PUBLISH, { id });
  await graphql(
    organizer.page,
    'mutation($id: ID!, $reason: String!) { cancelEvent(id: $id, reason: $reason) { id } }',
    {
      id,
      reason: 'The artist is ill',
    },
  );
  const { page } = attendee;
  await page.goto(`/events/${id}`);
  await expect(page.getByTestId('event-cancelled')).toContainText(
    'This event is cancelled: The artist is ill',
  );
  await expect(page.getByRole('heading', { name: 'Standing' })).toBeVisible();
  await expect(page.getByTestId('availability')).toHaveCount(0);
  await expect(page.getByText('of 100 left')).toHaveCount(0);
  await expect(page.getByText('transferred to a friend')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Reserve/ })).toHaveCount(0);
});

test('cancelling an event asks for a confirmation first, then focus lands on the notice', async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Cancel'));
  await graphql(page, PUBLISH, { id });
  const cancels = watchRequests(page, 'cancelEvent');
  await page.goto(`/organizer/events/${id}`);
  await page.getByText('Cancel this event').click();
  await page.getByLabel('Reason shown to attendees').fill('Storm warning');
  await page.getByRole('button', { name: 'Cancel event' }).click();

  // The first press sends nothing: it says what will happen and waits for a second one.
  const warning = page.getByText('This cannot be undone.');
  await expect(warning).toBeVisible();
  await expect(page.locator('#cancel-confirm')).toBeFocused();
  await expect(page.locator('#cancel-confirm')).toContainText('Every buyer is refunded');
  expect(cancels, 'not sent before the confirmation').toEqual([]);
  expect(await statusOf(page, id)).toBe('PUBLISHED');

  // "Keep the event" backs out.
  await page.getByRole('button', { name: 'Keep the event' }).click();
  await expect(warning).toHaveCount(0);
  expect(await statusOf(page, id)).toBe('PUBLISHED');

  await page.getByRole('button', { name: 'Cancel event' }).click();
  await page.getByRole('button', { name: 'Yes, cancel and refund everyone' }).click();
  const locked = page.getByTestId('event-locked');
  await expect(locked).toContainText('cancelled: it can no longer change');
  await expect(locked).toBeFocused();
  expect(await statusOf(page, id)).toBe('CANCELLED');
});

test('giving the tickets back puts focus on the hold’s new status', async ({}, info) => {
  const id = await draftEvent(organizer.page, title(info, 'Release'));
  const { publishEvent } = await graphql<{ publishEvent: { ticketTypes: { id: string }[] } }>(
    organizer.page,
    PUBLISH,
    {
      id,
    },
  );
  const { page } = attendee;
  let reservationId = '';
  await expect(async () => {
    const held = await graphql<{ reserveTickets: { id: string } }>(
      page,
      'mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id } }',
      { input: { ticketTypeId: publishEvent.ticketTypes[0]!.id, quantity: 1 } },
    );
    reservationId = held.reserveTickets.id;
  }).toPass({ timeout: 30_000 });
  await page.goto(`/reservations/${reservationId}`);
  await page.getByRole('button', { name: 'Give the tickets back' }).click();
  const status = page.getByTestId('hold-ended');
  await expect(status).toContainText('You gave the tickets back');
  await expect(status).toBeFocused();
});

test("a draft's pricing panel says when pricing can be set and stops asking; published, the form comes", async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Draft pricing'));
  const asks = watchRequests(page, 'pricingSettings');
  await page.goto(`/organizer/events/${id}`);
  await page.getByText('Pricing of Standing').click();
  const panel = page.getByTestId('pricing-draft');
  await expect(panel).toContainText('can be set once the event is published');
  await expect(panel).toContainText('publish with a sales start date in the future');
  await expect(panel).toContainText('25.00');
  await expect(page.getByText('Waiting for the pricing service')).toHaveCount(0);
  await page.waitForTimeout(4_500);
  expect(asks, 'a draft is never asked about').toEqual([]);
  await reviewPage(page, info, 'organizer-draft-pricing');

  await page.getByRole('button', { name: 'Publish event' }).click();
  await expect(page.getByRole('heading', { name: /Status/ })).toContainText('published');
  await expect(page.getByRole('heading', { name: /Status/ })).toBeFocused();
  const pricing = page.getByRole('form', { name: 'Pricing of Standing' });
  await expect(pricing.getByLabel('Pricing', { exact: true })).toBeVisible({ timeout: 30_000 });

  // Money in the currency, not minor units: the floor may not exceed the base price, €25.00.
  await pricing.getByLabel('Pricing', { exact: true }).selectOption('DEMAND');
  const floor = pricing.getByLabel('Floor', { exact: true });
  await floor.fill('26');
  await pricing.getByLabel('Ceiling', { exact: true }).fill('30');
  await pricing.getByRole('button', { name: 'Save pricing' }).click();
  await expect(floor).toHaveAttribute('aria-invalid', 'true');
  await expect(floor).toHaveAccessibleDescription(/base price \(€25\.00\)/);
  await expect(pricing).not.toContainText('minor units');
});

test('a ticket type: Edit focuses its form, Cancel closes it unsaved, and one ticket reads "1 ticket"', async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, title(info, 'Types'));
  await page.goto(`/organizer/events/${id}`);
  const edit = page.getByRole('button', { name: 'Edit Standing' });
  await edit.click();
  const form = page.getByRole('form', { name: 'Edit Standing' });
  await expect(form.getByLabel('Name', { exact: true })).toBeFocused();
  const quantity = form.getByLabel('Tickets on sale', { exact: true });
  await quantity.fill('7');
  await form.getByRole('button', { name: 'Cancel editing Standing' }).click();
  await expect(form).toHaveCount(0);
  await expect(edit).toBeFocused();
  await expect(page.getByText(/Standing · .*25\.00.* · 100 tickets/)).toBeVisible();

  await edit.click();
  await page
    .getByRole('form', { name: 'Edit Standing' })
    .getByLabel('Tickets on sale', { exact: true })
    .fill('1');
  await page.getByRole('button', { name: 'Save ticket type' }).click();
  await expect(page.getByText(/Standing · .*25\.00.* · 1 ticket$/)).toBeVisible();
});
