import { defineConfig } from '@playwright/test';

// Atlas CRM end-to-end suite. Normally started by e2e/run.sh (`make e2e`), which prepares a fresh
// seeded database, serves the built SPA with `atlas serve` on 127.0.0.1:18080 and stops it afterwards.
// To run against a server of your own: E2E_BASE_URL=http://127.0.0.1:8080 npx playwright test
//
// The browser is Debian's Chromium (apt package `chromium`, installed by `make setup`): Playwright
// cannot download its own browser builds here, so the executable path is given explicitly and
// @playwright/test is pinned to a version that drives that Chromium. No video: it would need
// Playwright's own ffmpeg, which cannot be downloaded either.

const baseURL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:18080';
const chromium = process.env.E2E_CHROMIUM ?? '/usr/lib/chromium/chromium';
const isCI = !!process.env.CI;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  workers: isCI ? 1 : 2,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
    launchOptions: {
      executablePath: chromium,
    },
  },
  projects: [{ name: 'chromium' }],
});
