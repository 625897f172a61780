import { expect, test, type Page } from '@playwright/test';

// Dashboard (PRODUCT.md §11, §13): KPI cards and SVG charts over the seeded demo data.
const ADMIN_EMAIL = 'admin@demo.atlas';
const PASSWORD = process.env.ATLAS_DEMO_PASSWORD ?? 'demo-password';
const FRENCH_MONTH = /(janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.)/;

async function signIn(page: Page) {
  await page.goto('/login');
  await page.getByTestId('login-email').fill(ADMIN_EMAIL);
  await page.getByTestId('login-password').fill(PASSWORD);
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/login' && r.status() === 200),
    page.getByTestId('login-submit').click(),
  ]);
  await expect(page).not.toHaveURL(/\/login/);
  // The admin belongs to two agencies: the picker comes first (PRODUCT.md §13).
  await page.getByTestId('org-picker-item').filter({ hasText: 'Agence Atlas Paris' }).click();
  await expect(page.getByTestId('org-picker')).toHaveCount(0);
}

test.describe('dashboard', () => {
  test('shows the KPI cards and the charts render with axis labels', async ({ page }) => {
    await signIn(page);
    await page.goto('/');
    await expect(page.getByTestId('dashboard')).toBeVisible();

    const cards = page.getByTestId('kpi-cards');
    await expect(cards).toBeVisible();
    for (const id of ['kpi-new', 'kpi-open', 'kpi-won', 'kpi-lost', 'kpi-conversion', 'kpi-appointments',
      'kpi-inbound', 'kpi-outbound', 'kpi-first-response', 'kpi-annonces']) {
      await expect(cards.getByTestId(id).getByTestId('kpi-value')).not.toBeEmpty();
    }
    await expect(cards.getByTestId('kpi-new')).toContainText('Nouveaux dossiers');

    // New dossiers over time: an SVG with a title, y ticks and French date labels on the x axis.
    const series = page.getByTestId('timeseries-svg');
    await expect(series).toBeVisible();
    await expect(series).toHaveAttribute('role', 'img');
    await expect(series).toHaveAttribute('aria-label', /Nouveaux dossiers par jour/);
    await expect(series.locator('title').first()).toHaveText(/Nouveaux dossiers/);
    const labels = series.locator('text.chart-label');
    expect(await labels.count()).toBeGreaterThan(4);
    await expect(labels.filter({ hasText: FRENCH_MONTH }).first()).toBeVisible();
    await expect(labels.filter({ hasText: /^0$/ })).toHaveCount(1);

    // The demo data has dossiers in the last 30 days: funnel and sources are drawn.
    const funnel = page.getByTestId('funnel-svg');
    await expect(funnel).toBeVisible();
    await expect(funnel.locator('text')).toContainText(['Nouveau']);
    await expect(page.getByTestId('sources-svg')).toBeVisible();
    await expect(page.getByTestId('chart-top-annonces')).toBeVisible();

    // 90 days switch to weekly buckets; 7 days back to days.
    await page.getByTestId('period-90').click();
    await expect(page.getByTestId('timeseries-svg')).toHaveAttribute('aria-label', /par semaine/);
    await page.getByTestId('period-7').click();
    await expect(page.getByTestId('timeseries-svg')).toHaveAttribute('aria-label', /par jour/);
  });

  test('a custom period is checked before it is applied', async ({ page }) => {
    await signIn(page);
    await page.goto('/');
    await page.getByTestId('period-custom').click();
    await page.getByTestId('period-from').fill('2026-03-10');
    await page.getByTestId('period-to').fill('2026-03-01');
    await page.getByTestId('period-apply').click();
    await expect(page.getByRole('alert')).toContainText('précéder');
    await page.getByTestId('period-from').fill('2026-02-01');
    await page.getByTestId('period-apply').click();
    await expect(page.getByTestId('dashboard-period-label')).toHaveText('Du 1 févr. 2026 au 1 mars 2026');
  });

  test('works at 390 px', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page);
    await page.goto('/');
    await expect(page.getByTestId('kpi-cards')).toBeVisible();
    await expect(page.getByTestId('timeseries-svg')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
  });
});
