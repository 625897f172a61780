import { expect, test } from '@playwright/test';

import { apiLogin, createDossier, isApi, signIn, unique, uniqueMobile } from './support/session';

// Global search box of the top bar (PRODUCT.md §11, §13): any run of at least 4 consecutive digits
// of a phone finds the dossier.

test.describe('global search', () => {
  test('part of a phone number typed in the top bar finds the dossier and leads to it', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const phone = uniqueMobile(); // +336 and 8 random digits
    const name = `Recherche Téléphone ${unique()}`;
    const dossier = await createDossier(request, agent, name, phone);
    expect(dossier.leadPhone).toBe(phone);
    // 6 consecutive digits from the middle of the subscriber number (+33 6 xx [xx xx xx] xx).
    const run = phone.slice(6, 12);

    await signIn(page, agent);
    await page.goto('/');
    const box = page.getByRole('search').getByRole('searchbox', { name: 'Rechercher' });
    await expect(box).toBeVisible();
    await box.fill(run);
    const [searched] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'GET', '/search')),
      box.press('Enter'),
    ]);
    expect(searched.status()).toBe(200);
    expect(new URL(searched.url()).searchParams.get('q')).toBe(run);
    await expect(page).toHaveURL(new RegExp(`/search\\?q=${run}`));

    const hit = page.locator('[data-testid="search-hit"][data-type="DOSSIER"]').filter({ hasText: name });
    await expect(hit).toHaveCount(1);
    await expect(hit.getByTestId('search-hit-type')).toHaveText('Dossier');
    // The snippet shows the record: its reference and the phone.
    await expect(hit.getByTestId('search-hit-snippet')).toContainText(dossier.reference);
    await expect(hit.getByTestId('search-hit-link')).toHaveAttribute('href', `/dossiers/${dossier.id}`);

    await hit.getByTestId('search-hit-link').click();
    await expect(page).toHaveURL(new RegExp(`/dossiers/${dossier.id}$`));
    await expect(page.getByTestId('dossier-reference')).toHaveText(dossier.reference);
    await expect(page.getByTestId('dossier-lead')).toHaveText(name);
  });

  test('4 digits typed the national way (0 6…) with spaces find it too', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const phone = uniqueMobile();
    const name = `Recherche National ${unique()}`;
    const dossier = await createDossier(request, agent, name, phone);
    // +336 12 34 56 78 → "06 12 34 56": the trunk 0, then the first digits, as people write it.
    const national = `0${phone.slice(3, 4)} ${phone.slice(4, 6)} ${phone.slice(6, 8)} ${phone.slice(8, 10)}`;

    await signIn(page, agent);
    await page.goto('/dossiers');
    await page.getByTestId('global-search').fill(national);
    await page.getByTestId('global-search').press('Enter');
    const hit = page.locator('[data-testid="search-hit"][data-type="DOSSIER"]').filter({ hasText: name });
    await expect(hit).toHaveCount(1);
    await expect(hit.getByTestId('search-hit-link')).toHaveAttribute('href', `/dossiers/${dossier.id}`);
  });
});
