// Screenshots of the main screens for docs/screenshots (issue: Leptos web application).
// Usage: node e2e/scripts/screenshots.mjs [baseURL]   (a server seeded with `atlas seed-demo`)
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:18097';
const out = new URL('../../docs/screenshots/', import.meta.url).pathname;
const browser = await chromium.launch({ executablePath: '/usr/lib/chromium/chromium' });
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });

await page.goto(`${base}/login`);
await page.getByTestId('login-email').fill('manager@demo.atlas');
await page.getByTestId('login-password').fill(process.env.ATLAS_DEMO_PASSWORD ?? 'demo-password');
await page.getByTestId('login-submit').click();
await page.waitForURL((u) => !u.pathname.startsWith('/login'));

await page.goto(`${base}/`);
await page.getByTestId('timeseries-svg').waitFor();
await page.waitForTimeout(800);
await page.screenshot({ path: `${out}dashboard.png`, fullPage: true });

await page.goto(`${base}/pipeline`);
await page.locator('[data-testid="pipeline-card"]').first().waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: `${out}pipeline.png` });

const href = await page.locator('[data-testid="pipeline-card"] a').first().getAttribute('href');
await page.goto(`${base}${href}`);
await page.waitForTimeout(1500);
await page.screenshot({ path: `${out}dossier-detail.png`, fullPage: true });

await browser.close();
console.log(`screenshots written to ${out}`);
