import { expect, test, type Page } from '@playwright/test';
import { apiLogin, createDossier, PARIS, signIn, unique, uniqueMobile } from './support/session';

// Where a login leads (PRODUCT.md §13): the organisation picker when the user has several agencies
// and no previous choice, and back to the page that was asked for (a shared link, an expired
// session) — never to another site.
const PASSWORD = process.env.ATLAS_DEMO_PASSWORD ?? 'demo-password';

async function fillLogin(page: Page, email: string) {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
}

test.describe('session', () => {
  test('a user of two agencies picks one after logging in', async ({ page }) => {
    await page.goto('/login');
    await fillLogin(page, 'admin@demo.atlas');
    const picker = page.getByTestId('org-picker');
    await expect(picker).toBeVisible();
    await expect(picker.getByTestId('org-picker-item')).toHaveCount(2);
    expect(await page.evaluate(() => localStorage.getItem('atlas.orgId'))).toBeNull();

    await picker.getByTestId('org-picker-item').filter({ hasText: PARIS }).click();
    await expect(picker).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 1, name: 'Tableau de bord' })).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('atlas.orgId'))).not.toBeNull();

  });

  test('a link opened while signed out comes back after the login', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossier(request, agent, `Lien partagé ${unique()}`, uniqueMobile());
    await page.goto(`/dossiers/${dossier.id}?tab=parties`);
    await expect(page).toHaveURL(/\/login\?next=/);
    await fillLogin(page, 'agent@demo.atlas');
    await expect(page).toHaveURL(new RegExp(`/dossiers/${dossier.id}\\?tab=parties$`));
    await expect(page.getByTestId('dossier-reference')).toHaveText(dossier.reference);
  });

  test('an expired session says so and comes back to the same page', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    // A token the server refuses (signature broken): the first API call answers 401.
    await signIn(page, { ...agent, token: `${agent.token.slice(0, -4)}AAAA` });
    await page.goto('/pipeline');
    await expect(page).toHaveURL(/\/login\?next=%2Fpipeline&expired=1$/);
    await expect(page.getByTestId('session-expired')).toBeVisible();
    await fillLogin(page, 'agent@demo.atlas');
    await expect(page).toHaveURL(/\/pipeline$/);
    await expect(page.getByTestId('pipeline-board')).toBeVisible();
  });

  test('the login never sends the user to another site', async ({ page }) => {
    await page.goto('/login?next=//evil.example/phish');
    await fillLogin(page, 'agent@demo.atlas');
    await expect(page.getByRole('heading', { level: 1, name: 'Tableau de bord' })).toBeVisible();
    const landed = new URL(page.url());
    expect(landed.origin).toBe(new URL(test.info().project.use.baseURL!).origin);
    expect(landed.pathname).toBe('/');
  });

  test('a session that expires while a form is open goes to the login, then back', async ({ page, request }) => {
    await signIn(page, await apiLogin(request, 'agent@demo.atlas'));
    await page.goto('/dossiers/new');
    await page.getByTestId('lead-name').fill('Expiration en cours de saisie');
    await page.getByTestId('lead-phone').fill(uniqueMobile());
    await page.getByTestId('source').selectOption('WEB');
    await page.getByTestId('type').selectOption('BUY');
    // The token expires (here: is replaced by one the server refuses) while the form is open.
    await page.evaluate(() => localStorage.setItem('atlas.token', 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl'));
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/dossiers'),
      page.getByTestId('dossier-submit').click(),
    ]);
    expect(answer.status()).toBe(401);
    await expect(page).toHaveURL(/\/login\?next=%2Fdossiers%2Fnew&expired=1$/);
    await expect(page.getByTestId('session-expired')).toBeVisible();
    await fillLogin(page, 'agent@demo.atlas');
    await expect(page).toHaveURL(/\/dossiers\/new$/);
    await expect(page.getByTestId('dossier-form')).toBeVisible();
  });
});
