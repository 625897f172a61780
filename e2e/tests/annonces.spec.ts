import { expect, test, type Page } from '@playwright/test';

// Annonces screens (PRODUCT.md §2, §13): create through the form, publish (blocked first by the
// missing DPE fields, then allowed), and the legal mention of class F/G listings.
const ADMIN_EMAIL = 'admin@demo.atlas';
const PASSWORD = process.env.ATLAS_DEMO_PASSWORD ?? 'demo-password';
const MENTION = 'Logement à consommation énergétique excessive';

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

/** Fills the creation form with a publishable apartment, except the DPE. */
async function fillBasics(page: Page, title: string) {
  await page.getByTestId('annonce-title').fill(title);
  await page.getByTestId('annonce-transactionType').selectOption('SALE');
  await page.getByTestId('annonce-propertyType').selectOption('APARTMENT');
  await page
    .getByTestId('annonce-description')
    .fill('Appartement traversant, parquet ancien, cave et ascenseur, proche du métro.');
  await page.getByTestId('annonce-price').fill('425 000');
  await page.getByTestId('annonce-surfaceM2').fill('62,5');
  await page.getByTestId('annonce-rooms').fill('3');
  await page.getByTestId('annonce-postalCode').fill('75011');
  await page.getByTestId('annonce-city').fill('Paris');
}

async function save(page: Page) {
  await page.getByTestId('annonce-save').click();
  await expect(page).toHaveURL(/\/annonces\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('annonce-detail')).toBeVisible();
}

test.describe('annonces', () => {
  test('client-side validation mirrors the server rules', async ({ page }) => {
    await signIn(page);
    await page.goto('/annonces/new');
    await page.getByTestId('annonce-title').fill('ab');
    await page.getByTestId('annonce-price').fill('12,345');
    await page.getByTestId('annonce-surfaceM2').fill('0');
    await page.getByTestId('annonce-latitude').fill('95');
    await page.getByTestId('annonce-energyCostMin').fill('2000');
    await page.getByTestId('annonce-energyCostMax').fill('1000');
    await page.getByTestId('annonce-save').click();
    await expect(page.getByTestId('error-title')).toContainText('entre 3 et 200');
    await expect(page.getByTestId('error-price')).toContainText('2 décimales');
    await expect(page.getByTestId('error-surfaceM2')).not.toBeEmpty();
    await expect(page.getByTestId('error-latitude')).toContainText('-90 et 90');
    await expect(page.getByTestId('error-energyCostMin')).toContainText('maximum');
    await expect(page).toHaveURL(/\/annonces\/new$/);
  });

  test('create, publish blocked by the DPE, complete it, publish', async ({ page }) => {
    await signIn(page);
    const title = `E2E T3 Oberkampf ${Date.now()}`;
    await page.goto('/annonces');
    await page.getByTestId('annonce-new').click();
    await expect(page.getByTestId('annonce-form')).toBeVisible();
    await fillBasics(page, title);
    await expect(page.getByTestId('publish-hint')).toContainText('Classe énergie');
    await save(page);

    await expect(page.getByTestId('annonce-title')).toHaveText(title);
    await expect(page.getByTestId('annonce-status')).toHaveText('Brouillon');

    // Publishing a dwelling without its DPE: the server refuses and lists what is missing.
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/status') && r.request().method() === 'PATCH'),
      page.getByTestId('annonce-action-published').click(),
    ]);
    expect(refused.status()).toBe(400);
    const errors = page.getByTestId('publish-errors');
    await expect(errors).toBeVisible();
    for (const field of ['energyClass', 'climateClass', 'energyCostMin', 'energyCostMax', 'energyCostYear']) {
      await expect(errors.locator(`[data-field="${field}"]`)).toBeVisible();
    }
    await expect(errors).toContainText('Classe énergie (DPE) : obligatoire pour publier');
    await expect(page.getByTestId('annonce-status')).toHaveText('Brouillon');

    // Complete the DPE through the edit form (If-Match on the PUT), then publish.
    await page.getByTestId('publish-fix').click();
    await expect(page).toHaveURL(/\/edit$/);
    await page.getByTestId('annonce-energyClass').selectOption('C');
    await page.getByTestId('annonce-climateClass').selectOption('B');
    await page.getByTestId('annonce-energyCostMin').fill('900');
    await page.getByTestId('annonce-energyCostMax').fill('1300');
    await page.getByTestId('annonce-energyCostYear').fill('2023');
    const [put] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'PUT' && /\/api\/v1\/annonces\//.test(r.url())),
      save(page),
    ]);
    expect(put.headers()['if-match']).toBe('"1"');
    await expect(page.getByTestId('dpe-energy')).toHaveAttribute('data-class', 'C');

    await page.getByTestId('annonce-action-published').click();
    await expect(page.getByTestId('annonce-status')).toHaveText('Publiée');
    await expect(page.getByTestId('publish-errors')).toHaveCount(0);
    await expect(page.getByTestId('energy-warning')).toHaveCount(0);
    // A published annonce can be paused or archived, not published again.
    await expect(page.getByTestId('annonce-action-paused')).toBeVisible();
    await expect(page.getByTestId('annonce-action-archived')).toBeVisible();
    await expect(page.getByTestId('annonce-action-published')).toHaveCount(0);

    // It is in the list, found by its title.
    await page.goto('/annonces');
    await page.getByTestId('annonces-q').fill(title);
    await page.getByTestId('annonces-apply').click();
    const row = page.getByTestId('annonce-row');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('annonce-status')).toHaveText('Publiée');
  });

  test('a G-class listing carries the mention on its detail and in the list', async ({ page }) => {
    await signIn(page);
    const title = `E2E passoire ${Date.now()}`;
    await page.goto('/annonces/new');
    await fillBasics(page, title);
    await page.getByTestId('annonce-energyClass').selectOption('G');
    await page.getByTestId('annonce-climateClass').selectOption('F');
    await page.getByTestId('annonce-energyCostMin').fill('2600');
    await page.getByTestId('annonce-energyCostMax').fill('3600');
    await page.getByTestId('annonce-energyCostYear').fill('2023');
    await save(page);

    await expect(page.getByTestId('energy-warning')).toContainText(MENTION);
    await expect(page.getByTestId('dpe-energy')).toHaveAttribute('data-class', 'G');
    await expect(page.getByTestId('dpe-climate')).toHaveAttribute('data-class', 'F');
    await expect(page.getByTestId('dpe-energy').locator('svg title')).toHaveText(/classe G/);

    await page.goto('/annonces');
    await page.getByTestId('annonces-q').fill(title);
    await page.getByTestId('annonces-apply').click();
    const row = page.getByTestId('annonce-row');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('energy-warning')).toContainText(MENTION);
    await expect(row.getByTestId('dpe-badge')).toHaveText('G');
  });

  test('a parking space needs no DPE: published at once, paused, republished, archived', async ({ page }) => {
    await signIn(page);
    const title = `E2E Parking Bastille ${Date.now()}`;
    await page.goto('/annonces/new');
    await page.getByTestId('annonce-title').fill(title);
    await page.getByTestId('annonce-transactionType').selectOption('RENT');
    await page.getByTestId('annonce-propertyType').selectOption('PARKING');
    await page
      .getByTestId('annonce-description')
      .fill('Place de parking en sous-sol sécurisé, accès par badge, proche de la place de la Bastille.');
    await page.getByTestId('annonce-price').fill('150');
    await page.getByTestId('annonce-surfaceM2').fill('12');
    await page.getByTestId('annonce-postalCode').fill('75011');
    await page.getByTestId('annonce-city').fill('Paris');
    // Not a dwelling: nothing is missing for publishing, the DPE is not asked for.
    await expect(page.getByTestId('publish-hint')).toHaveCount(0);
    await save(page);
    await expect(page.getByTestId('annonce-status')).toHaveText('Brouillon');

    const move = async (action: string, status: string, label: string) => {
      const [patched] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/status') && r.request().method() === 'PATCH'),
        page.getByTestId(`annonce-action-${action}`).click(),
      ]);
      expect(patched.status()).toBe(200);
      expect((await patched.json()).status).toBe(status);
      await expect(page.getByTestId('annonce-status')).toHaveText(label);
      await expect(page.getByTestId('annonce-notice')).toContainText(label);
    };
    await move('published', 'PUBLISHED', 'Publiée');
    await expect(page.getByTestId('publish-errors')).toHaveCount(0);
    await move('paused', 'PAUSED', 'En pause');
    await expect(page.getByTestId('annonce-action-published')).toHaveText('Republier');
    await move('published', 'PUBLISHED', 'Publiée');

    // Published listings are found with the status filter; the archived one no longer is.
    await page.goto('/annonces');
    await page.getByTestId('annonces-q').fill(title);
    await page.getByTestId('filter-status').selectOption('PUBLISHED');
    await page.getByTestId('annonces-apply').click();
    await expect(page.getByTestId('annonce-row')).toHaveCount(1);
    await page.getByTestId('annonce-row').getByTestId('annonce-link').click();
    await expect(page.getByTestId('annonce-title')).toHaveText(title);

    // Archiving asks for a confirmation first.
    const confirmation = new Promise<string>((resolve) =>
      page.once('dialog', async (dialog) => {
        resolve(dialog.message());
        await dialog.accept();
      }),
    );
    await move('archived', 'ARCHIVED', 'Archivée');
    expect(await confirmation).toContain('ne pourra plus être publiée');
    // Archived is final: no action, no edit.
    await expect(page.locator('[data-testid^="annonce-action-"]')).toHaveCount(0);
    await expect(page.getByTestId('annonce-edit')).toHaveCount(0);
    await page.goto('/annonces');
    await page.getByTestId('annonces-q').fill(title);
    await page.getByTestId('filter-status').selectOption('PUBLISHED');
    await page.getByTestId('annonces-apply').click();
    await expect(page.getByTestId('annonces-empty')).toBeVisible();
    await page.getByTestId('filter-status').selectOption('ARCHIVED');
    await expect(page.getByTestId('annonce-row')).toHaveCount(1);
    await expect(page.getByTestId('annonce-row').getByTestId('annonce-status')).toHaveText('Archivée');
  });
});
