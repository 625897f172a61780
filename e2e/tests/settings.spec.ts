import { expect, test } from '@playwright/test';
import { apiLogin, headers, signIn } from './support/session';

// Settings → « Conservation des données » (PRODUCT.md §12 retention, §13 settings), ADMIN only.
test.describe('settings', () => {
  test('an admin sets the retention periods, with the server rules checked first', async ({ page, request }) => {
    const admin = await apiLogin(request, 'admin@demo.atlas');
    await signIn(page, admin);
    await page.goto('/settings');
    const section = page.getByTestId('settings-retention');
    await expect(section).toBeVisible();
    await expect(section.getByTestId('retention-audit-days')).toBeVisible();

    // Client validation mirrors the server: the audit trail is kept 30 days at least.
    await section.getByTestId('retention-audit-days').fill('10');
    await section.getByTestId('retention-save').click();
    await expect(section.getByTestId('retention-audit-days-error')).not.toBeEmpty();

    // Periods far longer than the demo data's age: nothing is purged by them.
    await section.getByTestId('retention-message-days').fill('3650');
    await section.getByTestId('retention-audit-days').fill('3650');
    await section.getByTestId('retention-anonymise-days').fill('');
    const [put] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/api/v1/settings/retention')),
      section.getByTestId('retention-save').click(),
    ]);
    expect(put.status()).toBe(200);
    const saved = await (await request.get('/api/v1/settings/retention', { headers: headers(admin) })).json();
    expect(saved).toEqual({ messageContentDays: 3650, auditDays: 3650, closedDossierAnonymiseDays: null });

    // Shown again after a reload.
    await page.reload();
    await expect(page.getByTestId('retention-message-days')).toHaveValue('3650');
    await expect(page.getByTestId('retention-anonymise-days')).toHaveValue('');

    // Back to « keep everything » for the other tests.
    const reset = await request.put('/api/v1/settings/retention', {
      headers: headers(admin),
      data: { messageContentDays: null, auditDays: null, closedDossierAnonymiseDays: null },
    });
    expect(reset.status()).toBe(200);
  });

  test('a manager sees no retention settings', async ({ page, request }) => {
    await signIn(page, await apiLogin(request, 'manager@demo.atlas'));
    await page.goto('/settings');
    await expect(page.getByTestId('settings-page')).toBeVisible();
    await expect(page.getByTestId('settings-retention')).toHaveCount(0);
  });
});
