import { expect, test, type Page } from '@playwright/test';
import {
  draftEvent,
  graphql,
  newActor,
  PASSWORD,
  personContext,
  reviewPage,
  signUp,
  uniqueEmail,
  type Actor,
} from './support';

// What a user of each role meets at the edges: offers that ended for a reason other than the holder's own
// cancel (in words), a refused action on a stale row, bad input shown under its field, pages of an event that
// belongs to someone else, a sale that has not started yet, a scanner for an event one is not staff of.
// Set-up goes through the gateway's API; what is checked goes through the pages.
test.describe.configure({ mode: 'serial' });

let organizer: Actor;
let attendee: Actor;
let friend: Actor;
let eventId = '';
let typeId = '';

const actor = newActor;

const OFFER = 'mutation($id: ID!, $to: String!) { offerTransfer(ticketId: $id, toEmail: $to) { id } }';

/** Reserves and pays `quantity` tickets through the API (once the ticket service knows the type). */
async function buy(
  page: Page,
  quantity: number,
  type = typeId,
  event = eventId,
): Promise<{ id: string; qrToken: string }[]> {
  let reservationId = '';
  await expect(async () => {
    const held = await graphql<{ reserveTickets: { id: string } }>(
      page,
      'mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id } }',
      { input: { ticketTypeId: type, quantity } },
    );
    reservationId = held.reserveTickets.id;
  }).toPass({ timeout: 30_000 });
  await graphql(page, 'mutation($input: CheckoutInput!) { checkout(input: $input) { id } }', {
    input: { reservationId, paymentToken: 'tok_success', idempotencyKey: `audit-${Date.now()}` },
  });
  const { myTickets } = await graphql<{ myTickets: { id: string; qrToken: string; eventId: string }[] }>(
    page,
    '{ myTickets { id qrToken eventId } }',
  );
  return myTickets.filter((t) => t.eventId === event);
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await actor(browser, info, 'audit-org');
  attendee = await actor(browser, info, 'audit-fan');
  friend = await actor(browser, info, 'audit-friend');
  await signUp(organizer.page, 'Audrey Auditor', organizer.email, 'ORGANIZER');
  eventId = await draftEvent(organizer.page, `Audit Hall ${info.project.name} ${Date.now().toString(36)}`);
  // Doors already open, so a ticket can be checked in today.
  await graphql(
    organizer.page,
    'mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }',
    { id: eventId, input: { doorsOpenAt: new Date(Date.now() - 60_000).toISOString() } },
  );
  const published = await graphql<{ publishEvent: { ticketTypes: { id: string }[] } }>(
    organizer.page,
    'mutation($id: ID!) { publishEvent(id: $id) { ticketTypes { id } } }',
    { id: eventId },
  );
  typeId = published.publishEvent.ticketTypes[0]!.id;
  await signUp(attendee.page, 'Ada Attendee', attendee.email, 'ATTENDEE');
});

test.afterEach(() => {
  const errors = [organizer, attendee, friend].flatMap((a) => a.errors.splice(0));
  expect(errors, 'no console errors').toEqual([]);
});

test.afterAll(async () => {
  for (const a of [organizer, attendee, friend]) await a?.context.close();
});

test('a declined card is told in words, without the API field path', async () => {
  const { page } = attendee;
  await expect(async () => {
    await page.goto(`/events/${eventId}`);
    await expect(page.getByTestId('availability')).toHaveText('100 of 100 left', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Reserve Standing' }).click();
  await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
  // The hold names what is held, not just a count and a price.
  await expect(page.getByRole('listitem').filter({ hasText: '1 ×' })).toContainText('1 × Standing at');
  await page.getByLabel(/Test card that is declined/).check();
  await page.getByRole('button', { name: /^Pay/ }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'declined' });
  await expect(alert).toBeVisible();
  await expect(alert).not.toContainText('input.');
  await expect(alert).not.toContainText('paymentToken');
  await page.getByRole('button', { name: 'Give the tickets back' }).click();
  await expect(page.getByTestId('hold-ended')).toContainText(
    'You gave the tickets back; nothing was charged',
  );
});

test('offering a ticket to oneself is refused under the email field', async () => {
  const { page } = attendee;
  await buy(page, 1);
  await page.goto('/tickets');
  const card = page.getByTestId('ticket').first();
  await card.getByText('Transfer this ticket').click();
  const email = card.getByLabel("Recipient's email");
  await email.fill(attendee.email);
  await card.getByRole('button', { name: 'Offer transfer' }).click();
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription(/already hold this ticket/);
});

test('ended offers say why in words, and a refused accept shows the ended offer without a reload', async () => {
  const tickets = await buy(attendee.page, 3);
  expect(tickets.length).toBeGreaterThanOrEqual(3);
  const pending = tickets.slice(-3);
  const offers: string[] = [];
  for (const t of pending) {
    const { offerTransfer } = await graphql<{ offerTransfer: { id: string } }>(attendee.page, OFFER, {
      id: t.id,
      to: friend.email,
    });
    offers.push(offerTransfer.id);
  }
  const [heldOffer, cancelledEventOffer, withdrawnOffer] = offers as [string, string, string];

  // The friend has the offers open; the sender withdraws one meanwhile; the friend then accepts it.
  await signUp(friend.page, 'Fern Friend', friend.email, 'ATTENDEE');
  await friend.page.goto('/transfers');
  const friendRow = (id: string) => friend.page.locator(`[data-transfer-id="${id}"]`);
  await expect(friendRow(withdrawnOffer).getByRole('button', { name: 'Accept ticket' })).toBeVisible();
  await graphql(attendee.page, 'mutation($id: ID!) { cancelTransfer(transferId: $id) { id } }', {
    id: withdrawnOffer,
  });
  await friendRow(withdrawnOffer).getByRole('button', { name: 'Accept ticket' }).click();
  await expect(friendRow(withdrawnOffer).getByRole('alert')).toBeVisible();
  await expect(friendRow(withdrawnOffer)).toHaveAttribute('data-status', 'CANCELLED');
  await expect(friendRow(withdrawnOffer).getByTestId('transfer-outcome')).toContainText(
    'The sender cancelled this offer.',
  );
  await expect(friendRow(withdrawnOffer).getByRole('button', { name: 'Accept ticket' })).toHaveCount(0);

  // A ticket on offer is held at the gate: its code does not admit while the offer is pending, and the
  // holder's ticket page says so.
  const held = pending[0]!;
  // Waited on the gate's offline data (read-only), not on ENTRY scans: one before the hold arrived would admit.
  await expect
    .poll(
      async () =>
        (
          await graphql<{ offlineBundle: { tickets: { ticketId: string; transferPending: boolean }[] } }>(
            organizer.page,
            'query($id: ID!) { offlineBundle(eventId: $id) { tickets { ticketId transferPending } } }',
            { id: eventId },
          )
        ).offlineBundle.tickets.find((t) => t.ticketId === held.id)?.transferPending,
      { timeout: 30_000 },
    )
    .toBe(true);
  await expect
    .poll(
      async () =>
        (
          await graphql<{ scanTicket: { result: string; reason: string | null } }>(
            organizer.page,
            'mutation($input: ScanTicketInput!) { scanTicket(input: $input) { result reason } }',
            {
              input: {
                eventId,
                code: held.qrToken,
                gateId: 'audit',
                deviceId: 'audit-device',
                nonce: crypto.randomUUID(),
                direction: 'ENTRY',
              },
            },
          )
        ).scanTicket,
      { timeout: 10_000 },
    )
    .toEqual({ result: 'REVOKED', reason: 'TRANSFER_PENDING' });
  // At the gate the scanner says why, in words staff can act on.
  const gate = organizer.page;
  await gate.goto(`/scan/${eventId}`);
  await gate.getByLabel('Gate', { exact: true }).fill('audit');
  await gate.getByLabel('Ticket code', { exact: true }).fill(held.qrToken);
  await gate.getByRole('button', { name: 'Check ticket' }).click();
  await expect(gate.getByRole('alert')).toHaveAttribute('data-result', 'REVOKED');
  await expect(gate.getByRole('alert')).toContainText('Transfer pending: do not admit');
  await expect(gate.getByRole('alert')).toContainText('they cancel the offer in their app');
  await attendee.page.goto('/tickets');
  await expect(attendee.page.getByTestId('transfer-pending').first()).toContainText(
    'this code does not admit anyone at the door',
  );

  // The event is cancelled: the pending offers end EVENT_CANCELLED.
  await graphql(
    organizer.page,
    'mutation($id: ID!, $reason: String!) { cancelEvent(id: $id, reason: $reason) { id } }',
    {
      id: eventId,
      reason: 'Storm warning',
    },
  );

  const { page } = attendee;
  const row = (id: string) => page.locator(`[data-transfer-id="${id}"]`);
  await expect(async () => {
    await page.goto('/transfers');
    await expect(row(heldOffer)).toHaveAttribute('data-reason', 'EVENT_CANCELLED', { timeout: 1_000 });
    await expect(row(cancelledEventOffer)).toHaveAttribute('data-reason', 'EVENT_CANCELLED', {
      timeout: 1_000,
    });
  }).toPass({ timeout: 30_000 });
  await expect(row(cancelledEventOffer).getByTestId('transfer-outcome')).toContainText(
    'The event was cancelled, so this offer ended.',
  );
  await expect(row(withdrawnOffer).getByTestId('transfer-outcome')).toContainText(
    'You cancelled this offer.',
  );
  await expect(page.getByTestId('transfer').first()).not.toContainText('undefined');

  // The friend sees the same ending from their side; the holder's tickets say the event was cancelled.
  await friend.page.reload();
  await expect(friendRow(cancelledEventOffer).getByTestId('transfer-outcome')).toContainText(
    'The event was cancelled',
  );
  await page.goto('/tickets');
  await expect(page.getByTestId('event-cancelled').first()).toContainText(
    'This event was cancelled: Storm warning',
  );
});

test("another organizer's event: the editor and the dashboard refuse in words", async ({ browser }, info) => {
  const other = await actor(browser, info, 'audit-other-org');
  try {
    await signUp(other.page, 'Otto Other', other.email, 'ORGANIZER');
    await other.page.goto(`/organizer/events/${eventId}`);
    await expect(other.page.getByRole('heading', { name: 'Not your event' })).toBeVisible();
    await expect(other.page.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
    await expect(other.page.getByRole('button', { name: 'Add ticket type' })).toHaveCount(0);
    await other.page.goto(`/organizer/events/${eventId}/dashboard`);
    await expect(other.page.getByRole('heading', { name: 'Not your event' })).toBeVisible();
    await expect(other.page.getByRole('link', { name: 'See its public page' })).toBeVisible();
    expect(other.errors).toEqual([]);
  } finally {
    await other.context.close();
  }
});

test('organizer forms show each API refusal under its own field', async ({}, info) => {
  const { page } = organizer;
  const draftId = await draftEvent(page, `Audit Draft ${info.project.name} ${Date.now().toString(36)}`);
  await page.goto(`/organizer/events/${draftId}`);
  const details = page.getByRole('form', { name: 'Event details' });

  // A description over the API's 5000 characters cannot be typed: the field stops at the limit.
  const description = details.getByLabel('Description');
  await expect(description).toHaveAttribute('maxlength', '5000');
  await description.fill('x'.repeat(5001));
  await expect(description).toHaveValue('x'.repeat(5000));
  await description.fill('Fine now.');

  // A transfer deadline after the event's end.
  const deadline = details.getByLabel('Transfers allowed until (optional)');
  await deadline.fill('2099-01-01T12:00');
  await details.getByRole('button', { name: 'Save changes' }).click();
  await expect(deadline).toHaveAttribute('aria-invalid', 'true');
  await expect(deadline).toHaveAccessibleDescription(/transfer deadline must be by the end of the event/);

  // Staff with an address the API refuses.
  const staff = page.getByLabel('Staff email');
  await staff.fill('gatekeeper@localhost');
  await page.getByRole('button', { name: 'Add staff' }).click();
  await expect(staff).toHaveAttribute('aria-invalid', 'true');
  await expect(staff).toHaveAccessibleDescription(/Not a valid email address/);

  // A cancel reason that is too short.
  await page.getByText('Cancel this event').click();
  const reason = page.getByLabel('Reason shown to attendees');
  await reason.fill('no');
  await page.getByRole('button', { name: 'Cancel event' }).click();
  await expect(reason).toHaveAttribute('aria-invalid', 'true');
  await expect(reason).toHaveAccessibleDescription(/3 to 500 characters/);
  await expect(page.getByRole('heading', { name: /Status/ })).toContainText('draft');
});

test('a sale that has not started says from when and offers no reserve button', async ({}, info) => {
  const { page } = organizer;
  const day = 24 * 3600_000;
  const id = await draftEvent(page, `Audit Later ${info.project.name} ${Date.now().toString(36)}`);
  await graphql(
    page,
    'mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }',
    {
      id,
      input: { salesStartAt: new Date(Date.now() + 5 * day).toISOString() },
    },
  );
  await graphql(page, 'mutation($id: ID!) { publishEvent(id: $id) { id } }', { id });
  await attendee.page.goto(`/events/${id}`);
  await expect(attendee.page.getByTestId('sales-window')).toContainText('On sale from');
  await expect(attendee.page.getByRole('button', { name: /Reserve/ })).toHaveCount(0);
});

test('the scanner refuses, in words, someone who is not staff of the event', async () => {
  const { page } = attendee;
  await page.goto(`/scan/${eventId}`);
  await expect(page.getByTestId('scanner-refused').getByRole('alert')).toContainText('not on its staff');
  await expect(page.getByRole('button', { name: 'Check ticket' })).toHaveCount(0);
  await page.goto('/scan/no-such-event');
  await expect(page.getByTestId('scanner-refused').getByRole('alert')).toContainText(
    'No event open for scanning has this ID',
  );
});

test("event times are typed and shown in the event's time zone, not the browser's", async ({
  browser,
}, info) => {
  // An organizer in Berlin sets up a concert in New York: 20:00 means 20:00 on the venue's clocks.
  const context = await browser.newContext({ ...personContext(info), timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  try {
    await signUp(page, 'Bea Berlin', uniqueEmail('audit-tz', info), 'ORGANIZER');
    await page.goto('/organizer/events/new');
    const title = `Audit Zones ${info.project.name} ${Date.now().toString(36)}`;
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByLabel('Time zone', { exact: true }).fill('America/New_York');
    await page.getByLabel('Starts', { exact: true }).fill('2027-06-01T20:00');
    await page.getByLabel('Ends', { exact: true }).fill('2027-06-01T23:00');
    await page.getByLabel('Venue name', { exact: true }).fill('Pier Hall');
    await page.getByLabel('Address', { exact: true }).fill('1 Hudson Street');
    await page.getByLabel('City', { exact: true }).fill('New York');
    await page.getByLabel('Capacity', { exact: true }).fill('100');
    await page.getByRole('button', { name: 'Create event' }).click();
    await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
    const id = page.url().split('/').pop()!;
    const { event } = await graphql<{ event: { startsAt: string; endsAt: string } }>(
      page,
      'query($id: ID!) { event(id: $id) { startsAt endsAt } }',
      { id },
    );
    // 20:00 in New York in June (EDT, UTC-4).
    expect(new Date(event.startsAt).toISOString()).toBe('2027-06-02T00:00:00.000Z');
    expect(new Date(event.endsAt).toISOString()).toBe('2027-06-02T03:00:00.000Z');
    await page.reload();
    const details = page.getByRole('form', { name: 'Event details' });
    await expect(details.getByLabel('Starts', { exact: true })).toHaveValue('2027-06-01T20:00');
    await page.goto(`/events/${id}`);
    // Shown with the zone's name, so a buyer elsewhere is not misled.
    await expect(page.locator('.lead time')).toContainText(/8:00\s?PM EDT/);
  } finally {
    await context.close();
  }
});

test('a draft has no sales yet: its dashboard says so instead of refusals', async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, `Audit Dash ${info.project.name} ${Date.now().toString(36)}`);
  await page.goto(`/organizer/events/${id}/dashboard`);
  await expect(page.getByTestId('dashboard-draft')).toContainText('once it is published');
  await expect(page.getByText(/Not staff of this event|Only the event's organizer/)).toHaveCount(0);
  await expect(page.getByText('Event not found')).toHaveCount(0);
});

test('an event that does not exist: its editor and dashboard say so, with a way back', async () => {
  const { page } = organizer;
  for (const path of [
    '/organizer/events/000000000000000000000000',
    '/organizer/events/no-such-event/dashboard',
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: 'Event not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Back to your events' }).click();
    await expect(page).toHaveURL(/\/organizer$/);
  }
});

test('a reservation that does not exist: a titled page with a way back', async () => {
  const { page } = attendee;
  await page.goto('/reservations/no-such-hold');
  await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Reservation not found');
  await expect(page.getByRole('link', { name: 'Back to the events' })).toBeVisible();
});

test('an attendee is told the organizer pages are not for them, with a way back', async () => {
  const { page } = attendee;
  await page.goto('/organizer');
  await expect(page.getByTestId('not-allowed')).toContainText('This page is for organizers');
  await expect(
    page.getByTestId('not-allowed').getByRole('link', { name: 'Back to the events' }),
  ).toBeVisible();
});

test('account: change password with each mistake under its field, then sign out and in again', async ({
  browser,
}, info) => {
  const person = await actor(browser, info, 'audit-account');
  const { page } = person;
  try {
    await signUp(page, 'Pat Password', person.email, 'ATTENDEE');
    await page.getByRole('link', { name: 'Account' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
    await expect(page.locator('.account-facts')).toContainText(person.email);
    const form = page.getByRole('form', { name: 'Change password' });
    const current = form.getByLabel('Current password', { exact: true });
    const fresh = form.getByLabel('New password', { exact: true });
    const repeat = form.getByLabel('Repeat the new password', { exact: true });
    const newPassword = 'another-horse-staple-77';

    await current.fill(PASSWORD);
    await fresh.fill(newPassword);
    await repeat.fill('something-else-entirely-1');
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(repeat).toHaveAccessibleDescription('The two new passwords differ.');

    await current.fill('not-my-password-at-all');
    await repeat.fill(newPassword);
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(current).toHaveAccessibleDescription(/Current password is wrong/);

    await current.fill(PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(form.getByRole('status')).toContainText('Password changed');
    await expect(current).toHaveValue('');
    await reviewPage(page, info, 'account');

    // Signed out from a signed-in page, the next person starts at the events.
    await page.getByRole('button', { name: /Sign out/ }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    // The old password no longer works, and the page says so in the API's words.
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('Invalid email or password');
    await page.getByLabel('Password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('button', { name: /Sign out/ })).toBeVisible();
    expect(person.errors).toEqual([]);
  } finally {
    await person.context.close();
  }
});

test('at the per-buyer limit: the page offers only what is left, then says the limit is reached instead of Reserve', async ({}, info) => {
  const id = await draftEvent(organizer.page, `Audit Limit ${info.project.name} ${Date.now().toString(36)}`);
  const { event } = await graphql<{ event: { ticketTypes: { id: string }[] } }>(
    organizer.page,
    'query($id: ID!) { event(id: $id) { ticketTypes { id } } }',
    { id },
  );
  const limited = event.ticketTypes[0]!.id;
  await graphql(
    organizer.page,
    'mutation($id: ID!, $input: UpdateTicketTypeInput!) { updateTicketType(id: $id, input: $input) { id } }',
    { id: limited, input: { perOrderMax: 2, perBuyerMax: 2 } },
  );
  await graphql(organizer.page, 'mutation($id: ID!) { publishEvent(id: $id) { id } }', { id });
  const { page } = attendee;
  const holdOne = () =>
    graphql(page, 'mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id } }', {
      input: { ticketTypeId: limited, quantity: 1 },
    });
  // One already held by this buyer (through the API, once the ticket service knows the type).
  await expect(holdOne).toPass({ timeout: 30_000 });
  await page.goto(`/events/${id}`);
  const quantity = page.getByLabel('Quantity');
  await expect(quantity.locator('option')).toHaveText(['1']);

  // The second one is held from another tab meanwhile: this page's Reserve is refused, and the page then
  // shows the limit as reached rather than offering a button that cannot work.
  await holdOne();
  await page.getByRole('button', { name: 'Reserve Standing' }).click();
  await expect(page.getByTestId('buyer-limit')).toContainText('reached the limit per buyer for Standing');
  await expect(page.getByRole('button', { name: 'Reserve Standing' })).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/events/${id}$`));
  await page.reload();
  await expect(page.getByTestId('buyer-limit')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reserve Standing' })).toHaveCount(0);
});

test('a cancelled event offers nothing to edit, since nothing can change any more', async ({}, info) => {
  const { page } = organizer;
  const id = await draftEvent(page, `Audit Over ${info.project.name} ${Date.now().toString(36)}`);
  await graphql(page, 'mutation($id: ID!) { publishEvent(id: $id) { id } }', { id });
  await graphql(
    page,
    'mutation($id: ID!, $reason: String!) { cancelEvent(id: $id, reason: $reason) { id } }',
    {
      id,
      reason: 'Venue flooded',
    },
  );
  await page.goto(`/organizer/events/${id}`);
  await expect(page.getByTestId('event-locked')).toContainText('cancelled: it can no longer change');
  await expect(page.getByText('Cancelled: Venue flooded')).toBeVisible();
  for (const name of ['Save changes', 'Add ticket type', 'Add staff', /^Edit/, 'Publish event']) {
    await expect(page.getByRole('button', { name })).toHaveCount(0);
  }
});

test('tickets of an event without transfers say so instead of offering a transfer', async ({}, info) => {
  const id = await draftEvent(organizer.page, `Audit Keep ${info.project.name} ${Date.now().toString(36)}`);
  await graphql(
    organizer.page,
    'mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }',
    { id, input: { transferPolicy: { allowed: false } } },
  );
  const { publishEvent } = await graphql<{ publishEvent: { ticketTypes: { id: string }[] } }>(
    organizer.page,
    'mutation($id: ID!) { publishEvent(id: $id) { ticketTypes { id } } }',
    { id },
  );
  const { page } = attendee;
  const [ticket] = await buy(page, 1, publishEvent.ticketTypes[0]!.id, id);
  await page.goto('/tickets');
  const card = page.locator(`[data-ticket-id="${ticket!.id}"]`);
  await expect(card.getByTestId('no-transfer')).toHaveText('Tickets for this event cannot be transferred.');
  await expect(card.getByText('Transfer this ticket')).toHaveCount(0);
});
