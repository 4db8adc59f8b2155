import { resolve } from 'node:path';
import { defineConfig } from '@playwright/test';

// Browser tests of the web app against the real stack through the gateway. Chromium is Debian's
// (`apt-get install chromium`); Playwright never downloads a browser here. e2e/run.sh starts what is missing.
const repo = resolve(import.meta.dirname, '../../..');
const results = process.env.E2E_RESULTS_DIR ?? resolve(repo, '.data/test-results');

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  outputDir: resolve(results, 'playwright-artifacts'),
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  // Two files (or viewports) at a time: the tests mostly wait on the services.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json', { outputFile: resolve(results, 'playwright.json') }]],
  use: {
    baseURL: process.env.WEB_URL ?? 'http://localhost:5173',
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 860 } } },
    {
      name: 'phone',
      // Behaviour that no layout changes (timers, sessions, checkout retries, API refusals) is tagged
      // @one-viewport and runs once.
      grepInvert: /@one-viewport/,
      use: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
  ],
});
