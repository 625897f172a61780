import { expect, test, type Page } from '@playwright/test';

import { LYON, PARIS, apiLogin, createDossier, isApi, orgIdOf, signIn, unique, uniqueMobile } from './support/session';

// Tenancy seen from the UI (PRODUCT.md §1, §13): the organisation switcher of the top bar, and
// nothing of one agency visible from the other, in the dossier list, the global search or by URL.

/** Searches the dossier list for `name`; returns the list API's answer. */
async function searchDossierList(page: Page, name: string) {
  await page.getByTestId('dossier-search').fill(name);
  const [listed] = await Promise.all([
    page.waitForResponse((r) => isApi(r, 'GET', '/dossiers') && new URL(r.url()).searchParams.get('q') === name),
    page.getByTestId('dossier-search').press('Enter'),
  ]);
  expect(listed.status()).toBe(200);
  return listed;
}

/** Picks an organisation in the top bar's switcher: the page reloads on the section's root. */
async function switchOrg(page: Page, orgId: string, section: string) {
  await page.getByTestId('org-list').selectOption(orgId);
  await expect(page).toHaveURL(new RegExp(`${section}$`));
  await expect(page.getByTestId('org-list')).toHaveValue(orgId);
  expect(await page.evaluate(() => localStorage.getItem('atlas.orgId'))).toBe(orgId);
}

test.describe('organisations', () => {
  test('a Paris dossier is not visible from Lyon (list, search, address) and is again after switching back', async ({ page, request }) => {
    const admin = await apiLogin(request, 'admin@demo.atlas', PARIS);
    const paris = admin.orgId;
    const lyon = orgIdOf(admin, LYON);
    const name = `Isolation Agence ${unique()}`;
    const dossier = await createDossier(request, admin, name, uniqueMobile());

    await signIn(page, admin);
    await page.goto('/dossiers');
    await expect(page.getByTestId('org-list')).toHaveValue(paris);
    await expect(page.getByTestId('org-list')).toBeEnabled();
    await searchDossierList(page, name);
    await expect(page.getByTestId('dossier-row')).toHaveCount(1);
    await expect(page.getByTestId('dossier-row')).toContainText(name);

    // Lyon: the list and the global search do not know it, its address is "not found".
    await switchOrg(page, lyon, '/dossiers');
    const listed = await searchDossierList(page, name);
    expect(listed.request().headers()['x-org-id']).toBe(lyon);
    expect((await listed.json()).totalItems).toBe(0);
    await expect(page.getByTestId('empty-state')).toContainText('Aucun dossier ne correspond');
    await expect(page.getByTestId('dossier-row')).toHaveCount(0);

    await page.getByTestId('global-search').fill(name);
    const [searched] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'GET', '/search')),
      page.getByTestId('global-search').press('Enter'),
    ]);
    expect(searched.request().headers()['x-org-id']).toBe(lyon);
    await expect(page.getByTestId('search-empty')).toBeVisible();
    await expect(page.getByTestId('search-hit')).toHaveCount(0);

    const [direct] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'GET', `/dossiers/${dossier.id}`)),
      page.goto(`/dossiers/${dossier.id}`),
    ]);
    expect(direct.status()).toBe(404);
    await expect(page.getByTestId('error-box')).toContainText('introuvable');
    await expect(page.getByTestId('dossier-lead')).toHaveCount(0);

    // Back to Paris (the switch from a dossier page lands on the list): found again.
    await switchOrg(page, paris, '/dossiers');
    await searchDossierList(page, name);
    await expect(page.getByTestId('dossier-row')).toHaveCount(1);
    await page.getByTestId('dossier-row').getByTestId('dossier-link').click();
    await expect(page).toHaveURL(new RegExp(`/dossiers/${dossier.id}$`));
    await expect(page.getByTestId('dossier-lead')).toHaveText(name);
  });
});
