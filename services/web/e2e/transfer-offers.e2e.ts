import { expect, test, type Page } from '@playwright/test';
import { draftEvent, graphql, newActor, signUp, type Actor } from './support';

// A transfer offer says who sends it and what it is, so a stranger's offer can be told apart. Set-up goes through the gateway's API; what is
// checked goes through the pages.
test.describe.configure({ mode: 'serial' });

let organizer: Actor;
let sender: Actor;
let recipient: Actor;
let staff: Actor;
let eventTitle = '';
const SEAT = 'Stalls-1-2';
const SEAT_WORDS = 'Section Stalls, row 1, seat 2';

/** Reserves (once the ticket service knows the type) and pays; returns the new ticket's id. */
async function buy(page: Page, input: { ticketTypeId: string; quantity?: number; seatIds?: string[] }) {
  let holdId = '';
  await expect(async () => {
    holdId = (
      await graphql<{ reserveTickets: { id: string } }>(
        page,
        'mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id } }',
        { input },
      )
    ).reserveTickets.id;
  }).toPass({ timeout: 30_000 });
  const { checkout } = await graphql<{ checkout: { tickets: { id: string }[] } }>(
    page,
    'mutation($input: CheckoutInput!) { checkout(input: $input) { tickets { id } } }',
    { input: { reservationId: holdId, paymentToken: 'tok_success', idempotencyKey: `offers-${holdId}` } },
  );
  return checkout.tickets[0]!.id;
}

async function offer(ticketId: string, toEmail: string) {
  await graphql(
    sender.page,
    'mutation($id: ID!, $to: String!) { offerTransfer(ticketId: $id, toEmail: $to) { id } }',
    {
      id: ticketId,
      to: toEmail,
    },
  );
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await newActor(browser, info, 'offers-org');
  sender = await newActor(browser, info, 'offers-alice');
  recipient = await newActor(browser, info, 'offers-rita');
  staff = await newActor(browser, info, 'offers-stan');
  await signUp(organizer.page, 'Olive Organizer', organizer.email, 'ORGANIZER');
  await signUp(sender.page, 'Alice Attendee', sender.email, 'ATTENDEE');
  await signUp(recipient.page, 'Rita Recipient', recipient.email, 'ATTENDEE');
  await signUp(staff.page, 'Stan Steward', staff.email, 'ATTENDEE');

  eventTitle = `Offer Hall ${info.project.name} ${Date.now().toString(36)}`;
  const eventId = await draftEvent(organizer.page, eventTitle);
  await graphql(
    organizer.page,
    'mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }',
    {
      id: eventId,
      input: {
        venue: {
          name: 'Hall of Queues',
          address: '1 Line Street',
          city: 'Bristol',
          capacity: 200,
          seatMap: { sections: [{ name: 'Stalls', rows: [{ name: '1', seatCount: 2 }] }] },
        },
      },
    },
  );
  await graphql(
    organizer.page,
    'mutation($id: ID!, $input: TicketTypeInput!) { addTicketType(eventId: $id, input: $input) { id } }',
    {
      id: eventId,
      input: {
        name: 'Balcony',
        priceMinor: 1599,
        currency: 'EUR',
        kind: 'RESERVED',
        seatIds: ['Stalls-1-1', SEAT],
      },
    },
  );
  await graphql(
    organizer.page,
    'mutation($id: ID!, $email: String!) { addEventStaff(eventId: $id, email: $email) { id } }',
    { id: eventId, email: staff.email },
  );
  const { publishEvent } = await graphql<{ publishEvent: { ticketTypes: { id: string; name: string }[] } }>(
    organizer.page,
    'mutation($id: ID!) { publishEvent(id: $id) { ticketTypes { id name } } }',
    { id: eventId },
  );
  const typeId = (name: string) => publishEvent.ticketTypes.find((t) => t.name === name)!.id;
  const standing = await buy(sender.page, { ticketTypeId: typeId('Standing'), quantity: 1 });
  const seated = await buy(sender.page, { ticketTypeId: typeId('Balcony'), seatIds: [SEAT] });
  await offer(standing, recipient.email);
  await offer(seated, recipient.email);
});

test.afterEach(() => {
  const errors = [organizer, sender, recipient, staff].flatMap((a) => a.errors.splice(0));
  expect(errors, 'no console errors').toEqual([]);
});

test.afterAll(async () => {
  for (const a of [organizer, sender, recipient, staff]) await a?.context.close();
});

test('the recipient sees who offers which ticket and seat; the sender sees what they offered and to whom', async () => {
  const { page } = recipient;
  await page.goto('/transfers');
  const offers = page.getByRole('list', { name: 'Offered to you' }).getByTestId('transfer');
  await expect(offers).toHaveCount(2);
  const seated = offers.filter({ hasText: 'Balcony' });
  await expect(seated).toContainText(
    `Alice Attendee offers you 1 Balcony ticket (${SEAT_WORDS}) for ${eventTitle}`,
  );
  const standing = offers.filter({ hasText: 'Standing' });
  await expect(standing).toContainText(`Alice Attendee offers you 1 Standing ticket for ${eventTitle}`);
  // General admission has no seat to name.
  await expect(standing).not.toContainText('Section');
  await expect(standing).not.toContainText('seat');
  // The offer's time names its zone, as event times do.
  await expect(seated.locator('time').first()).toHaveText(/\d:\d\d\s?[AP]M (UTC|GMT([+-]\d+)?|[A-Z]{3,4})$/);
  // Neither the sender's address nor anything undefined leaks into the page.
  await expect(page.getByRole('list', { name: 'Offered to you' })).not.toContainText(sender.email);
  await expect(page.getByRole('list', { name: 'Offered to you' })).not.toContainText('undefined');

  await sender.page.goto('/transfers');
  const mine = sender.page.getByRole('list', { name: 'Offered by you' }).getByTestId('transfer');
  await expect(mine.filter({ hasText: 'Balcony' })).toContainText(
    `You offer 1 Balcony ticket (${SEAT_WORDS}) for ${eventTitle} to ${recipient.email}`,
  );
  await expect(mine.filter({ hasText: 'Standing' })).toContainText(
    `You offer 1 Standing ticket for ${eventTitle} to ${recipient.email}`,
  );

  // Accepted, the offer still says who sent it.
  await seated.getByRole('button', { name: 'Accept ticket' }).click();
  await expect(page.getByText('The ticket is yours')).toBeVisible();
  await expect(seated).toContainText(`Alice Attendee offered you 1 Balcony ticket (${SEAT_WORDS})`);
});
