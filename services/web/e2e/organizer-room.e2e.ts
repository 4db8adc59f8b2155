import {
  expect,
  test,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type TestInfo,
} from '@playwright/test';
import { draftEvent, graphql, newActor, pageVisibility, reviewPage, signUp, uniqueEmail } from './support';

// The organizer's side of the waiting room, on the sales dashboard: the switch, the live queue numbers (the
// panel asks every 2 s while visible), the tuning form with the API's field errors, and FORBIDDEN for a draft.
// The event is made through the gateway's API; the organizer's actions on the room go through the page.
test.describe.configure({ mode: 'serial' });

interface Actor {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

let organizer: Actor;
let buyers: Actor[] = [];
let eventId = '';

const ROOM = `query($id: ID!) {
  waitingRoom(eventId: $id) { enabled initialLimit minLimit maxLimit waiting admittedOutstanding }
}`;
const JOIN = 'mutation($id: ID!) { joinWaitingRoom(eventId: $id) { state position } }';

type RoomNow = {
  enabled: boolean;
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  waiting: number;
  admittedOutstanding: number;
};

const actor = (browser: Browser, info: TestInfo): Promise<Actor> => newActor(browser, info, 'room-actor');

const roomNow = async (page: Page) =>
  (await graphql<{ waitingRoom: RoomNow }>(page, ROOM, { id: eventId })).waitingRoom;

function panelOf(page: Page): Locator {
  return page.getByRole('region', { name: 'Waiting room' });
}

test.beforeAll(async ({ browser }, info) => {
  organizer = await actor(browser, info);
  buyers = [await actor(browser, info), await actor(browser, info)];
});

test.afterEach(() => {
  const errors = [organizer, ...buyers].flatMap((a) => a.errors.splice(0));
  expect(errors, 'no console errors').toEqual([]);
});

test.afterAll(async () => {
  for (const a of [organizer, ...buyers]) await a?.context.close();
});

test('a draft event has no waiting room yet: the panel says why', async ({}, info) => {
  const { page } = organizer;
  await signUp(page, 'Olive Organizer', uniqueEmail('orgroom', info), 'ORGANIZER');
  const draftId = await draftEvent(page, `Draft Room ${info.project.name} ${Date.now().toString(36)}`);
  await page.goto(`/organizer/events/${draftId}/dashboard`);
  const panel = panelOf(page);
  await expect(panel.getByTestId('room-forbidden')).toContainText('once the event is published');
  await expect(panel.getByRole('button', { name: 'Use a waiting room' })).toHaveCount(0);
});

test('the organizer tunes the room and switches it on from the dashboard', async ({}, info) => {
  const { page } = organizer;
  eventId = await draftEvent(page, `Room Switch ${info.project.name} ${Date.now().toString(36)}`);
  await graphql(page, 'mutation($id: ID!) { publishEvent(id: $id) { id status } }', { id: eventId });

  await page.goto(`/organizer/events/${eventId}/dashboard`);
  const panel = panelOf(page);
  const toggle = panel.getByRole('button', { name: 'Use a waiting room' });
  // The ticket service learns of the event through Kafka a moment after publishing; the panel keeps asking.
  await expect(toggle).toHaveAttribute('aria-pressed', 'false', { timeout: 30_000 });
  await expect(panel.getByTestId('room-enabled')).toHaveText('Off');

  // One turn at a time, so a second buyer has to wait.
  const settings = panel.getByRole('form', { name: 'Waiting room settings' });
  await settings.getByLabel('Minimum limit').fill('1');
  await settings.getByLabel('Starting limit').fill('1');
  await settings.getByLabel('Maximum limit').fill('1');
  await settings.getByLabel('Pass lifetime (seconds)').fill('300');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByRole('status')).toHaveText('Waiting room settings saved.');
  await expect(settings.getByTestId('room-in-force')).toContainText('limit between 1 and 1');
  expect(await roomNow(page)).toMatchObject({ enabled: false, initialLimit: 1, minLimit: 1, maxLimit: 1 });

  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(panel.getByTestId('room-enabled')).toHaveText('On');
  expect((await roomNow(page)).enabled).toBe(true);
  await reviewPage(page, info, 'dashboard-waiting-room-on');
});

test('buyers who join show on the open dashboard without a reload', async ({}, info) => {
  const { page } = organizer;
  const panel = panelOf(page);
  // A reload would drop this mark.
  await page.evaluate(() => ((window as unknown as { roomMark: number }).roomMark = 1));
  await expect(panel.getByTestId('room-waiting')).toHaveText('0');

  const [first, second] = buyers;
  await signUp(first.page, 'Fern First', uniqueEmail('orgroom-first', info), 'ATTENDEE');
  await signUp(second.page, 'Sam Second', uniqueEmail('orgroom-second', info), 'ATTENDEE');
  // The first takes the only turn...
  await graphql(first.page, JOIN, { id: eventId });
  await expect(panel.getByTestId('room-outstanding')).toHaveText('1');
  await expect(panel.getByTestId('room-limit')).toHaveText('1');
  // ...so the second waits, and the organizer sees the queue grow.
  const { joinWaitingRoom } = await graphql<{ joinWaitingRoom: { state: string } }>(second.page, JOIN, {
    id: eventId,
  });
  expect(joinWaitingRoom.state).toBe('WAITING');
  await expect(panel.getByTestId('room-waiting')).toHaveText('1', { timeout: 10_000 });
  expect(await page.evaluate(() => (window as unknown as { roomMark?: number }).roomMark)).toBe(1);
  await reviewPage(page, info, 'dashboard-waiting-room-queue');
});

test('a minimum above the maximum is shown at its field and changes nothing', async () => {
  const { page } = organizer;
  const panel = panelOf(page);
  const settings = panel.getByRole('form', { name: 'Waiting room settings' });
  await settings.getByLabel('Minimum limit').fill('8');
  await settings.getByLabel('Maximum limit').fill('4');
  await settings.getByRole('button', { name: 'Save settings' }).click();

  const min = settings.getByLabel('Minimum limit');
  await expect(min).toHaveAttribute('aria-invalid', 'true');
  await expect(min).toHaveAccessibleDescription(/minLimit must not exceed maxLimit/);
  await expect(settings.getByLabel('Maximum limit')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(settings.getByRole('alert')).toHaveAttribute('data-code', 'BAD_USER_INPUT');
  await expect(settings.getByText('Waiting room settings saved.')).toHaveCount(0);
  await expect(settings.getByTestId('room-in-force')).toContainText('limit between 1 and 1');
  await expect(panel.getByTestId('room-enabled')).toHaveText('On');
  expect(await roomNow(page)).toMatchObject({ enabled: true, initialLimit: 1, minLimit: 1, maxLimit: 1 });
});

test('switching the room off shows off, and buyers no longer need a turn', async ({}, info) => {
  const { page } = organizer;
  const panel = panelOf(page);
  const toggle = panel.getByRole('button', { name: 'Use a waiting room' });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(panel.getByTestId('room-enabled')).toHaveText('Off');
  await expect(panel.getByTestId('room-waiting')).toHaveText('0');
  expect((await roomNow(page)).enabled).toBe(false);
  const { waitingRoomStatus } = await graphql<{ waitingRoomStatus: { state: string } }>(
    buyers[1].page,
    'query($id: ID!) { waitingRoomStatus(eventId: $id) { state } }',
    { id: eventId },
  );
  expect(waitingRoomStatus.state).toBe('NOT_NEEDED');
  // Still off a few refreshes later (the panel keeps the newest answer).
  await page.waitForTimeout(2500);
  await expect(panel.getByTestId('room-enabled')).toHaveText('Off');
  await reviewPage(page, info, 'dashboard-waiting-room-off');
});

test(
  'the panel asks only while the tab is visible and the dashboard is open',
  { tag: '@one-viewport' },
  async () => {
    const { page } = organizer;
    // The page's timers run on Playwright's clock (flowing as usual): the quiet spells below are skipped over with
    // fastForward instead of waited for; the requests themselves are real.
    await page.clock.install();
    await page.reload();
    await expect(page.getByRole('region', { name: 'Waiting room' })).toBeVisible();
    let asked = 0;
    page.on('request', (req) => {
      if (!req.url().endsWith('/graphql')) return;
      const body = req.postDataJSON() as { operationName?: string } | null;
      if (body?.operationName === 'WaitingRoom') asked += 1;
    });
    const setVisibility = (state: 'hidden' | 'visible') => pageVisibility(page, state);
    /** Moves the page's clock on by `ms`, then gives any request that fired a moment to leave. */
    const skip = async (ms: number) => {
      await page.clock.fastForward(ms);
      await page.waitForTimeout(300);
    };
    // Visible: about one request every 2 s.
    await skip(2_100);
    await skip(2_100);
    expect(asked).toBeGreaterThanOrEqual(2);

    await setVisibility('hidden');
    await page.waitForTimeout(300); // a request already on its way
    asked = 0;
    await skip(10_000);
    expect(asked, 'no request while hidden').toBe(0);

    await setVisibility('visible');
    await expect.poll(() => asked, { timeout: 1_000 }).toBeGreaterThanOrEqual(1);

    // Leaving the dashboard (a client-side navigation, no reload) stops it too.
    await page.getByRole('link', { name: '← Back to the event' }).click();
    await expect(page.getByRole('region', { name: 'Waiting room' })).toHaveCount(0);
    await page.waitForTimeout(300);
    asked = 0;
    await skip(10_000);
    expect(asked, 'no request after leaving the dashboard').toBe(0);
  },
);
