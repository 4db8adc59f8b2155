import { expect, test, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { graphql, newActor, reviewPage, signUp, uniqueEmail } from './support';

// A busy sale behind a waiting room that admits one buyer at a time: a first buyer holds the only turn; the
// second joins the queue on the event page and sees their position; when the first uses the pass, the second's
// page moves to "your turn" without a reload, and reserving sends the admission pass.
test.describe.configure({ mode: 'serial' });

interface Person {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

let organizer: Person;
let first: Person;
let second: Person;
let eventId = '';
let ticketTypeId = '';
let eventTitle = '';

const STATUS = `query($id: ID!) { waitingRoomStatus(eventId: $id) { state position admissionPass } }`;

const person = (browser: Browser, info: TestInfo): Promise<Person> => newActor(browser, info, 'room-person');

function localInput(minutesAhead: number): string {
  const d = new Date(Date.now() + minutesAhead * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await person(browser, info);
  first = await person(browser, info);
  second = await person(browser, info);
  eventTitle = `Queue Gig ${info.project.name} ${Date.now().toString(36)}`;
});

test.afterEach(() => {
  const errors = [organizer, first, second].flatMap((p) => p.errors.splice(0));
  expect(errors, 'no console errors').toEqual([]);
});

test.afterAll(async () => {
  for (const p of [organizer, first, second]) await p?.context.close();
});

test('an organizer puts a sale behind a waiting room of one turn at a time', async ({}, info) => {
  const { page } = organizer;
  await signUp(page, 'Quinn Queue', uniqueEmail('room-org', info), 'ORGANIZER');
  await page.goto('/organizer/events/new');
  await page.getByLabel('Title', { exact: true }).fill(eventTitle);
  await page.getByLabel('Category', { exact: true }).selectOption('MUSIC');
  await page.getByLabel('Starts', { exact: true }).fill(localInput(10 * 1440));
  await page.getByLabel('Ends', { exact: true }).fill(localInput(10 * 1440 + 120));
  await page.getByLabel('Venue name', { exact: true }).fill('Arena');
  await page.getByLabel('Address', { exact: true }).fill('5 Loud Road');
  await page.getByLabel('City', { exact: true }).fill('Leeds');
  await page.getByLabel('Capacity', { exact: true }).fill('100');
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('heading', { level: 1, name: eventTitle })).toBeVisible();
  eventId = page.url().split('/').pop()!;
  const types = page.getByRole('form', { name: 'New ticket type' });
  await types.getByLabel('Name', { exact: true }).fill('Floor');
  await types.getByLabel('Price', { exact: true }).fill('30');
  await types.getByLabel('Tickets on sale', { exact: true }).fill('50');
  await types.getByRole('button', { name: 'Add ticket type' }).click();
  await expect(page.getByText(/Floor · .*30\.00.* · 50 tickets/)).toBeVisible();
  await page.getByRole('button', { name: 'Publish event' }).click();
  await expect(page.getByRole('heading', { name: /Status/ })).toContainText('published');
  const { event } = await graphql<{ event: { ticketTypes: { id: string }[] } }>(
    page,
    'query($id: ID!) { event(id: $id) { ticketTypes { id } } }',
    { id: eventId },
  );
  ticketTypeId = event.ticketTypes[0].id;
  // The ticket service learns the event through Kafka a moment after publishing.
  await expect(async () => {
    await graphql(
      page,
      `
        mutation ($id: ID!, $input: SetWaitingRoomInput!) {
          setWaitingRoom(eventId: $id, input: $input) {
            enabled
          }
        }
      `,
      {
        id: eventId,
        input: { enabled: true, initialLimit: 1, minLimit: 1, maxLimit: 1, passTtlSeconds: 300 },
      },
    );
  }).toPass({ timeout: 30_000 });
});

test('the second buyer queues on the event page and is let in when the first uses the turn', async ({}, info) => {
  await signUp(first.page, 'Fay First', uniqueEmail('room-first', info), 'ATTENDEE');
  await graphql(first.page, 'mutation($id: ID!) { joinWaitingRoom(eventId: $id) { state } }', {
    id: eventId,
  });
  let pass = '';
  await expect(async () => {
    const { waitingRoomStatus } = await graphql<{
      waitingRoomStatus: { state: string; admissionPass: string | null };
    }>(first.page, STATUS, { id: eventId });
    expect(waitingRoomStatus.state).toBe('ADMITTED');
    pass = waitingRoomStatus.admissionPass!;
  }).toPass({ timeout: 30_000 });

  const { page } = second;
  await signUp(page, 'Sid Second', uniqueEmail('room-second', info), 'ATTENDEE');
  await page.goto(`/events/${eventId}`);
  const room = page.getByRole('region', { name: 'Waiting room' });
  await expect(room).toHaveAttribute('data-state', 'NOT_JOINED');
  await expect(page.getByRole('button', { name: 'Reserve Floor' })).toBeDisabled();
  // The first join is refused as a busy gateway would (TRY_AGAIN with a hint): the page asks again by itself.
  let joins = 0;
  await page.route('**/graphql', async (route) => {
    if (!/joinWaitingRoom/.test(route.request().postData() ?? '')) return route.continue();
    joins += 1;
    if (joins > 1) return route.continue();
    return route.fulfill({
      status: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: JSON.stringify({
        errors: [
          {
            message: 'The gateway service is busy; try again in 600 ms',
            extensions: { code: 'TRY_AGAIN', retryAfterMs: 600, retryAfter: 1 },
          },
        ],
      }),
    });
  });
  await room.getByRole('button', { name: 'Join the queue' }).click();
  await expect(room).toHaveAttribute('data-state', 'WAITING');
  expect(joins).toBe(2);
  await page.unroute('**/graphql');
  // The browser logs the refused request (503) as a failed resource load: expected here, and only that one.
  const refusedLoad = second.errors.findIndex((e) => /status of 503/.test(e));
  expect(refusedLoad).toBeGreaterThanOrEqual(0);
  second.errors.splice(refusedLoad, 1);
  await expect(page.getByTestId('queue-position')).toHaveText('1');
  await reviewPage(page, info, 'event-waiting-room');

  // The first buyer reserves with their pass: the turn is used, and the next one is let in.
  await graphql(
    first.page,
    'mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id } }',
    { input: { ticketTypeId, quantity: 1, admissionPass: pass } },
  );
  await expect(room).toHaveAttribute('data-state', 'ADMITTED', { timeout: 30_000 });
  await expect(room.getByTestId('countdown')).toContainText(/\d+:\d\d/);
  await reviewPage(page, info, 'event-waiting-room-admitted');
  const reserve = page.getByRole('button', { name: 'Reserve Floor' });
  await expect(reserve).toBeEnabled();
  await reserve.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
});
