import { expect, test, type Page } from '@playwright/test';

// Demo data of `atlas seed-demo` (PRODUCT.md §1): same password for every demo user.
const ADMIN_EMAIL = 'admin@demo.atlas';
const PASSWORD = process.env.ATLAS_DEMO_PASSWORD ?? 'demo-password';
const LOGIN_API = '/api/v1/auth/login';

async function expectLoginPage(page: Page) {
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByTestId('login-email')).toBeVisible();
  await expect(page.getByTestId('login-password')).toBeVisible();
  await expect(page.getByTestId('login-submit')).toBeVisible();
}

/** Fills the login form and submits it; returns the API's answer to the login call. */
async function submitLogin(page: Page, email: string, password: string) {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => new URL(r.url()).pathname === LOGIN_API && r.request().method() === 'POST',
    ),
    page.getByTestId('login-submit').click(),
  ]);
  return response;
}

async function signInAsAdmin(page: Page) {
  await page.goto('/');
  await expectLoginPage(page);
  const response = await submitLogin(page, ADMIN_EMAIL, PASSWORD);
  expect(response.status(), 'login as the demo admin').toBe(200);
  return response.json();
}

test.describe('login', () => {
  test('a wrong password shows an inline error and stays on the login page', async ({ page }) => {
    await page.goto('/');
    await expectLoginPage(page);

    const response = await submitLogin(page, ADMIN_EMAIL, 'not-the-password');
    expect(response.status()).toBe(401);
    expect(response.headers()['content-type']).toContain('application/problem+json');
    expect((await response.json()).code).toBe('INVALID_CREDENTIALS');

    const error = page.getByTestId('login-error');
    await expect(error).toBeVisible();
    await expect(error).not.toHaveText(/^\s*$/);
    await expectLoginPage(page);
    expect(await page.evaluate(() => localStorage.getItem('atlas.token'))).toBeNull();
  });

  test('the demo admin reaches the home page with both organisations', async ({ page }) => {
    const body = await signInAsAdmin(page);

    const user = page.getByTestId('home-user');
    await expect(user).toBeVisible();
    await expect(user).toContainText(body.user.displayName);
    await expect(user).toContainText(ADMIN_EMAIL);

    await expect(page.getByTestId('org-list')).toBeVisible();
    const orgs = page.getByTestId('org-item');
    await expect(orgs).toHaveCount(2);
    // Memberships are listed by organisation name.
    await expect(orgs).toContainText(['Agence Atlas Lyon', 'Agence Atlas Paris']);
    await expect(page.getByTestId('login-email')).toHaveCount(0);
  });

  test('logout returns to the login page and forgets the session', async ({ page }) => {
    await signInAsAdmin(page);
    await expect(page.getByTestId('home-user')).toBeVisible();

    await page.getByTestId('logout').click();
    await expectLoginPage(page);
    expect(await page.evaluate(() => localStorage.getItem('atlas.token'))).toBeNull();

    // Still signed out after a reload.
    await page.goto('/');
    await expectLoginPage(page);
    await expect(page.getByTestId('home-user')).toHaveCount(0);
  });

  test('an agent of one agency signs in through the form to the dashboard, signs out, and protected pages need a new login', async ({ page }) => {
    // The app without a session: the login form (a deep link comes back after it: session.spec.ts).
    await page.goto('/');
    await expectLoginPage(page);

    const [response, kpis] = await Promise.all([
      submitLogin(page, 'agent@demo.atlas', PASSWORD),
      page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/dashboard/kpis'),
    ]);
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.memberships).toHaveLength(1);
    const [paris] = body.memberships;
    expect(paris.orgName).toBe('Agence Atlas Paris');

    // One agency: no picker, straight to the dashboard of that agency.
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('dashboard')).toBeVisible();
    await expect(page.getByTestId('kpi-cards')).toBeVisible();
    expect(kpis.headers()['authorization']).toBe(`Bearer ${body.accessToken}`);
    expect(kpis.headers()['x-org-id']).toBe(paris.orgId);
    await expect(page.getByTestId('org-picker')).toHaveCount(0);
    await expect(page.getByTestId('org-list')).toHaveValue(paris.orgId);
    await expect(page.getByTestId('org-list')).toBeDisabled();
    await expect(page.getByTestId('home-user')).toContainText(body.user.displayName);
    await expect(page.getByTestId('home-user')).toContainText('agent@demo.atlas');
    // The session works on other pages too.
    await page.getByTestId('nav-dossiers').click();
    await expect(page.getByTestId('dossier-table')).toBeVisible();

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await expectLoginPage(page);
    expect(await page.evaluate(() => [localStorage.getItem('atlas.token'), localStorage.getItem('atlas.orgId')])).toEqual([
      null,
      null,
    ]);
    // Neither a deep link nor the back button brings the session back.
    await page.goto('/dossiers');
    await expectLoginPage(page);
    await page.goBack();
    await expectLoginPage(page);
    await expect(page.getByTestId('dossier-table')).toHaveCount(0);
    await expect(page.getByTestId('home-user')).toHaveCount(0);
  });

  test('an invalid stored token lands on the login page with "session expired"', async ({ page }) => {
    // Open the app once to get its origin, plant a token the server cannot verify, then reload.
    await page.goto('/');
    await expectLoginPage(page);
    await page.evaluate(() =>
      localStorage.setItem('atlas.token', 'eyJhbGciOiJIUzI1NiJ9.bm90LWEtdG9rZW4.c2lnbmF0dXJl'),
    );

    await page.goto('/');
    await expectLoginPage(page);
    await expect(page.getByTestId('session-expired')).toBeVisible();
    await expect(page.getByTestId('home-user')).toHaveCount(0);
  });
});
