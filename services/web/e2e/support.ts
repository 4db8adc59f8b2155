import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  expect,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
  type TestInfo,
} from '@playwright/test';
import QRCode from 'qrcode';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const JSQR = require.resolve('jsqr/dist/jsQR.js');
export const SCREENSHOTS = process.env.E2E_SCREENSHOTS_DIR ?? resolve(import.meta.dirname, 'screenshots');

export const PASSWORD = 'correct-horse-battery-42';

/** A unique address per run and project, so runs never collide in the shared database. */
export function uniqueEmail(who: string, info: TestInfo): string {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return `${who}.${info.project.name}.${id}@example.test`;
}

export async function signUp(page: Page, name: string, email: string, role: 'ATTENDEE' | 'ORGANIZER') {
  await page.goto('/signup');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('I want to', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('button', { name: /Sign out/ })).toBeVisible();
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Saves a full-page screenshot (`<project>/<name>.png`) and runs axe-core on the page: no serious or
 * critical violation is allowed.
 */
export async function reviewPage(page: Page, info: TestInfo, name: string) {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await expect(page.locator('[role=status].loading')).toHaveCount(0);
  const dir = resolve(SCREENSHOTS, info.project.name);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: resolve(dir, `${name}.png`), fullPage: true });
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: unknown[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations;
  });
  const bad = (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `accessibility of ${name}`).toEqual([]);
}

/** Decodes the QR image the page rendered (jsQR in the page, on the image's own pixels). */
export async function decodeQr(page: Page, selector: string): Promise<string | null> {
  await page.addScriptTag({ path: JSQR });
  return page
    .locator(selector)
    .first()
    .evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const jsQR = (
        window as unknown as { jsQR(d: Uint8ClampedArray, w: number, h: number): { data: string } | null }
      ).jsQR;
      return jsQR(pixels.data, pixels.width, pixels.height)?.data ?? null;
    });
}

/** A GraphQL answer as the server sent it (errors included). */
export interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; field?: string | null } }[];
}

/** One GraphQL operation with the page's cookies (same origin as the app), answered as it is, without any refresh. */
export function graphqlAnswer(page: Page, query: string, variables: object = {}): Promise<GraphqlAnswer> {
  return page.evaluate(
    async ({ query, variables }) => {
      const res = await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphqlAnswer;
    },
    { query, variables },
  );
}

/** Runs one GraphQL operation with the page's cookies (same origin as the app); its errors throw. */
export async function graphql<T>(page: Page, query: string, variables: object = {}): Promise<T> {
  const body = await graphqlAnswer(page, query, variables);
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

/** A person with a browser of their own; `errors` collects the page's console errors and uncaught exceptions. */
export interface Actor {
  context: BrowserContext;
  page: Page;
  email: string;
  errors: string[];
}

export async function newActor(browser: Browser, info: TestInfo, who: string): Promise<Actor> {
  const context = await browser.newContext(personContext(info));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${String(err)}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  return { context, page, email: uniqueEmail(who, info), errors };
}

/**
 * A draft event with one general-admission type "Standing" (100 at 25.00 EUR, 20 days ahead), made through the
 * API as the signed-in organizer of `page`; returns its id.
 */
export async function draftEvent(page: Page, title: string): Promise<string> {
  const day = 24 * 3600_000;
  const { createEvent } = await graphql<{ createEvent: { id: string } }>(
    page,
    'mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }',
    {
      input: {
        title,
        category: 'MUSIC',
        venue: { name: 'Hall of Queues', address: '1 Line Street', city: 'Bristol', capacity: 200 },
        startsAt: new Date(Date.now() + 20 * day).toISOString(),
        endsAt: new Date(Date.now() + 20 * day + 3 * 3600_000).toISOString(),
        timeZone: 'Europe/London',
      },
    },
  );
  await graphql(
    page,
    'mutation($id: ID!, $input: TicketTypeInput!) { addTicketType(eventId: $id, input: $input) { id } }',
    {
      id: createEvent.id,
      input: {
        name: 'Standing',
        priceMinor: 2500,
        currency: 'EUR',
        kind: 'GENERAL_ADMISSION',
        quantity: 100,
      },
    },
  );
  return createEvent.id;
}

/**
 * A one-frame Y4M video showing `text` as a QR code, for Chromium's fake camera
 * (`--use-file-for-fake-video-capture`): black modules on white, a quiet zone, 4:2:0 with neutral chroma.
 */
export function writeQrVideo(text: string, file: string, size = 480): string {
  const matrix = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const quiet = 4;
  const scale = Math.floor(size / (matrix.size + 2 * quiet));
  const offset = Math.floor((size - scale * matrix.size) / 2);
  const luma = Buffer.alloc(size * size, 235);
  for (let row = 0; row < matrix.size; row++) {
    for (let col = 0; col < matrix.size; col++) {
      if (!matrix.get(row, col)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const start = (offset + row * scale + dy) * size + offset + col * scale;
        luma.fill(16, start, start + scale);
      }
    }
  }
  const chroma = Buffer.alloc((size / 2) * (size / 2), 128);
  const header = Buffer.from(`YUV4MPEG2 W${size} H${size} F10:1 Ip A1:1 C420jpeg\nFRAME\n`);
  writeFileSync(file, Buffer.concat([header, luma, chroma, chroma]));
  return file;
}

/**
 * Options for one person's browser context in the project's viewport. Each person gets an address of their own
 * (a documentation range, TEST-NET-3), passed as X-Forwarded-For: the gateway trusts the loopback proxy in front
 * of it (Vite) in development, so auth's per-address limits (sign-ups per hour, sign-in throttling) see separate
 * people, as they would be, instead of every run of the suite from 127.0.0.1.
 */
export function personContext(info: TestInfo): BrowserContextOptions {
  const { viewport, deviceScaleFactor, isMobile, hasTouch, baseURL } = info.project.use;
  const address = `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
  return {
    viewport,
    deviceScaleFactor,
    isMobile,
    hasTouch,
    baseURL,
    extraHTTPHeaders: { 'x-forwarded-for': address },
  };
}

/**
 * Makes the page believe its tab was hidden (another tab, a locked phone) or shown again, as the browser says
 * it: `document.visibilityState` and a `visibilitychange` event.
 */
export function pageVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  return page.evaluate((value) => {
    if (value === 'visible') delete (document as { visibilityState?: string }).visibilityState;
    else Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}
