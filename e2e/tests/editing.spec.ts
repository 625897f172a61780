import { expect, test, type APIRequestContext } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { apiLogin, createDossier as createDossierWith, headers, signIn, uniqueMobile, type Session } from './support/session';

// Editing what exists: dossier edit/delete, appointment edit/status/cancel, party edit, CSV export,
// filters kept in the URL, the outbound ops panel (PRODUCT.md §3, §4, §6, §10, §11, §13).
const uniquePhone = uniqueMobile;

/** A dossier with a budget, through the API (the form's starting values are checked). */
async function createDossier(request: APIRequestContext, session: Session, leadName: string) {
  const dossier = await createDossierWith(request, session, leadName, uniquePhone(), session.orgId, { budgetMax: 300000 });
  return dossier as typeof dossier & { version: number; leadPhone: string };
}

/** Records of an RFC 4180 CSV (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field); records.push(record); record = []; field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) { record.push(field); records.push(record); }
  return records;
}

/** `2026-11-30T10:00` for an <input type="datetime-local">, `days` from now at `hour`:00 local. */
function localInput(days: number, hour: number) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  d.setHours(hour, 0, 0, 0);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

test.describe('editing', () => {
  test('an agent edits a dossier; the form starts from its values and the change is saved', async ({ page, request }) => {
    const session = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossier(request, session, `Test Édition ${Date.now()}`);
    await signIn(page, session);
    await page.goto(`/dossiers/${dossier.id}`);
    // An agent may edit, not delete.
    await expect(page.getByTestId('dossier-lead')).toHaveText(dossier.leadName);
    await expect(page.getByTestId('dossier-delete')).toHaveCount(0);
    await page.getByTestId('dossier-edit').click();

    await expect(page.getByTestId('lead-name')).toHaveValue(dossier.leadName);
    await expect(page.getByTestId('lead-phone')).toHaveValue(dossier.leadPhone);
    await expect(page.getByTestId('budget-max')).toHaveValue('300000');
    // Client validation still applies.
    await page.getByTestId('lead-name').fill('');
    await page.getByTestId('dossier-submit').click();
    await expect(page.getByTestId('lead-name-error')).not.toBeEmpty();

    const renamed = `${dossier.leadName} (modifié)`;
    await page.getByTestId('lead-name').fill(renamed);
    await page.getByTestId('budget-min').fill('200 000');
    const [put] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/dossiers/${dossier.id}`) && r.request().method() === 'PUT'),
      page.getByTestId('dossier-submit').click(),
    ]);
    expect(put.status()).toBe(200);
    expect(put.request().headers()['if-match']).toBe(`"${dossier.version}"`);
    await expect(page).toHaveURL(new RegExp(`/dossiers/${dossier.id}$`));
    await expect(page.getByTestId('dossier-lead')).toHaveText(renamed);

    const stored = await (await request.get(`/api/v1/dossiers/${dossier.id}`, { headers: headers(session) })).json();
    expect(stored.leadName).toBe(renamed);
    expect(stored.budgetMin).toBe(200000);
    expect(stored.budgetMax).toBe(300000);
    expect(stored.leadPhone).toBe(dossier.leadPhone);
  });

  test('a manager deletes a dossier after confirming', async ({ page, request }) => {
    const session = await apiLogin(request, 'manager@demo.atlas');
    const dossier = await createDossier(request, session, `Test Suppression ${Date.now()}`);
    await signIn(page, session);
    await page.goto(`/dossiers/${dossier.id}`);

    // Cancelling the confirmation deletes nothing.
    await page.getByTestId('dossier-delete').click();
    await expect(page.getByTestId('confirm-dialog')).toContainText(dossier.reference);
    await page.getByTestId('confirm-cancel').click();
    await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
    expect((await request.get(`/api/v1/dossiers/${dossier.id}`, { headers: headers(session) })).status()).toBe(200);

    await page.getByTestId('dossier-delete').click();
    await page.getByTestId('confirm-ok').click();
    await expect(page).toHaveURL(/\/dossiers$/);
    await expect(page.getByTestId('toast-success').last()).toContainText('Dossier supprimé');
    expect((await request.get(`/api/v1/dossiers/${dossier.id}`, { headers: headers(session) })).status()).toBe(404);
  });

  test('appointments: add, edit, confirm, then cancel', async ({ page, request }) => {
    const session = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossier(request, session, `Test RDV ${Date.now()}`);
    await signIn(page, session);
    await page.goto(`/dossiers/${dossier.id}?tab=appointments`);

    const form = page.getByTestId('appointment-form');
    await form.getByTestId('appt-title').fill('Visite T3');
    await form.getByTestId('appt-start').fill(localInput(40, 10));
    await form.getByTestId('appt-end').fill(localInput(40, 11));
    await form.getByTestId('appt-submit').click();
    const item = page.getByTestId('appointment');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('Visite T3');
    await expect(item.getByTestId('status-badge')).toHaveText('Planifié');

    // Edit: the form starts from the appointment's values.
    await item.getByTestId('appt-edit').click();
    const edit = item.getByTestId('appointment-edit-form');
    await expect(edit.getByTestId('appt-title')).toHaveValue('Visite T3');
    await expect(edit.getByTestId('appt-start')).toHaveValue(localInput(40, 10));
    await edit.getByTestId('appt-title').fill('Contre-visite T3');
    await edit.getByTestId('appt-end').fill(localInput(40, 9));
    await edit.getByTestId('appt-submit').click();
    await expect(edit.getByTestId(/-start-error$/)).toContainText('La fin doit être après le début');
    await edit.getByTestId('appt-end').fill(localInput(40, 12));
    await edit.getByTestId('appt-submit').click();
    await expect(item.getByTestId('appointment-edit-form')).toHaveCount(0);
    await expect(item).toContainText('Contre-visite T3');

    // Wait for the answer: the next change must carry the new version.
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/api/v1/appointments/')),
      item.locator('[data-testid="appt-status"][data-status="CONFIRMED"]').click(),
    ]);
    await expect(item.getByTestId('status-badge')).toHaveText('Confirmé');

    await item.getByTestId('appt-cancel').click();
    await page.getByTestId('appt-cancel-dialog').getByTestId('confirm-ok').click();
    await expect(item.getByTestId('status-badge')).toHaveText('Annulé');
    await expect(item.getByTestId('appt-cancel')).toHaveCount(0);

    const list = await (
      await request.get(`/api/v1/appointments?dossierId=${dossier.id}`, { headers: headers(session) })
    ).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0].title).toBe('Contre-visite T3');
    expect(list.items[0].status).toBe('CANCELLED');
  });

  test('a party is added, then edited', async ({ page, request }) => {
    const session = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossier(request, session, `Test Partie ${Date.now()}`);
    await signIn(page, session);
    await page.goto(`/dossiers/${dossier.id}?tab=parties`);

    const form = page.getByTestId('party-form');
    await form.getByTestId('party-role').selectOption('NOTARY');
    await form.getByTestId('party-first').fill('Anne');
    await form.getByTestId('party-last').fill('Notaire');
    await form.getByTestId('party-submit').click();
    const party = page.getByTestId('party');
    await expect(party).toContainText('Anne Notaire');
    await expect(party.getByTestId('party-remove')).toHaveCount(0); // removing is MANAGER+

    await party.getByTestId('party-edit').click();
    const edit = party.getByTestId('party-edit-form');
    await expect(edit.getByTestId('party-last')).toHaveValue('Notaire');
    await expect(edit.getByTestId('party-role')).toHaveValue('NOTARY');
    await edit.getByTestId('party-last').fill('Durand-Notaire');
    await edit.getByTestId('party-email').fill('anne.durand@notaires.example');
    await edit.getByTestId('party-submit').click();
    await expect(party.getByTestId('party-edit-form')).toHaveCount(0);
    await expect(party).toContainText('Anne Durand-Notaire');
    await expect(party).toContainText('anne.durand@notaires.example');
  });

  test('dossier filters live in the URL and the CSV export follows them', async ({ page, request, browser }) => {
    const session = await apiLogin(request, 'manager@demo.atlas');
    await signIn(page, session);
    await page.goto('/dossiers');
    await page.getByTestId('filter-status').selectOption('QUALIFIED');
    await expect(page).toHaveURL(/[?&]status=QUALIFIED/);
    await expect(page.getByTestId('dossier-row').first()).toBeVisible();

    // A reload (or a shared link) keeps the filter.
    await page.reload();
    await expect(page.getByTestId('filter-status')).toHaveValue('QUALIFIED');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dossier-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^dossiers.*\.csv$/);
    const [columns, ...rows] = parseCsv((await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, ''));
    const status = columns.indexOf('status');
    expect(status).toBeGreaterThan(-1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row[status]).toBe('QUALIFIED');

    // An agent has no export (MANAGER+).
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const other = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    const agentPage = await other.newPage();
    await signIn(agentPage, agent);
    await agentPage.goto('/dossiers');
    await expect(agentPage.getByTestId('dossier-table')).toBeVisible();
    await expect(agentPage.getByTestId('dossier-export')).toHaveCount(0);
    await other.close();
  });

  test('a manager imports a CSV: created, merged and rejected lines are reported', async ({ page, request }) => {
    const session = await apiLogin(request, 'manager@demo.atlas');
    await signIn(page, session);
    await page.goto('/dossiers');
    const phone = uniquePhone();
    const name = `Import ${Date.now()}`;
    const csv = [
      'leadName,leadPhone,leadEmail,source,type,annonceReference,notes',
      `${name},${phone},,WEB,BUY,,"Vu sur le site, rappeler"`,
      `${name} bis,${phone},,PHONE,BUY,,`,
      'Sans Contact,,,WEB,BUY,,',
    ].join('\n');

    await page.getByTestId('dossier-import').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-submit').click();
    await expect(dialog.getByTestId('import-file-error')).not.toBeEmpty();
    await dialog.getByTestId('import-file').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await dialog.getByTestId('import-submit').click();
    await expect(dialog.getByTestId('import-result')).toBeVisible();
    await expect(dialog.getByTestId('import-created')).toHaveText('1');
    await expect(dialog.getByTestId('import-deduplicated')).toHaveText('1');
    await expect(dialog.getByTestId('import-rejected')).toHaveText('1');
    await expect(dialog.getByTestId('import-rejection')).toHaveAttribute('data-line', '4');

    const found = await (
      await request.get(`/api/v1/dossiers?q=${encodeURIComponent(name)}`, { headers: headers(session) })
    ).json();
    expect(found.items.map((d: { leadName: string }) => d.leadName)).toEqual([name]);
  });

  test('the outbound page shows the sending health and figures to a manager', async ({ page, request }) => {
    await signIn(page, await apiLogin(request, 'manager@demo.atlas'));
    await page.goto('/outbound');
    const health = page.getByTestId('outbound-health');
    await expect(health).toBeVisible();
    await expect(health).toHaveAttribute('data-status', /^(UP|DEGRADED|DOWN)$/);
    await expect(page.getByTestId('metric-queue')).toHaveText(/^\d+$/);
  });

  test('a VIEWER gets none of the editing controls', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossier(request, agent, `Test Lecteur Édition ${Date.now()}`);
    await request.post('/api/v1/parties-prenantes', {
      headers: headers(agent),
      data: { dossierId: dossier.id, role: 'BUYER', firstName: 'Paul', lastName: 'Acheteur' },
    });
    await signIn(page, await apiLogin(request, 'viewer@demo.atlas'));
    await page.goto(`/dossiers/${dossier.id}`);
    await expect(page.getByTestId('dossier-reference')).toHaveText(dossier.reference);
    // The assignee is named for every role (GET /members), not only for managers.
    await expect(page.getByTestId('dossier-assignee')).toHaveText('Non attribué');
    await expect(page.getByTestId('dossier-edit')).toHaveCount(0);
    await expect(page.getByTestId('dossier-delete')).toHaveCount(0);
    await page.getByTestId('tab-parties').click();
    await expect(page.getByTestId('party')).toContainText('Paul Acheteur');
    await expect(page.getByTestId('party-edit')).toHaveCount(0);
    await expect(page.getByTestId('party-remove')).toHaveCount(0);
    await page.goto(`/dossiers/${dossier.id}/edit`);
    await expect(page.getByTestId('read-only')).toBeVisible();
    await expect(page.getByTestId('dossier-form')).toHaveCount(0);
    await page.goto('/dossiers');
    await expect(page.getByTestId('dossier-table')).toBeVisible();
    await expect(page.getByTestId('dossier-import')).toHaveCount(0);
    await expect(page.getByTestId('dossier-export')).toHaveCount(0);
  });

  test('agents see their colleagues by name on dossiers they did not assign', async ({ page, request }) => {
    const manager = await apiLogin(request, 'manager@demo.atlas');
    const dossier = await createDossier(request, manager, `Test Nom Conseiller ${Date.now()}`);
    const users = await (await request.get('/api/v1/users?size=100', { headers: headers(manager) })).json();
    const managerUser = users.items.find((u: { email: string }) => u.email === 'manager@demo.atlas');
    const assigned = await request.patch(`/api/v1/dossiers/${dossier.id}/assign`, {
      headers: headers(manager),
      data: { userId: managerUser.id },
    });
    expect(assigned.status()).toBe(200);
    await signIn(page, await apiLogin(request, 'agent@demo.atlas'));
    await page.goto(`/dossiers/${dossier.id}`);
    await expect(page.getByTestId('dossier-assignee')).toHaveText(managerUser.displayName);
  });

  test('editing screens fit a 390 px wide phone', async ({ page, request }) => {
    const session = await apiLogin(request, 'manager@demo.atlas');
    const dossier = await createDossier(request, session, `Test Mobile ${Date.now()}`);
    await signIn(page, session);
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of [`/dossiers/${dossier.id}`, `/dossiers/${dossier.id}/edit`, `/dossiers/${dossier.id}?tab=appointments`, '/dossiers', '/outbound']) {
      await page.goto(path);
      await expect(page.getByTestId('page-title').or(page.getByTestId('dossier-reference'))).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
    }
  });

  test('the agenda moves a week at a time and keeps its period in the URL', async ({ page, request }) => {
    const session = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossier(request, session, `Test Agenda ${Date.now()}`);
    // An appointment three weeks ahead: outside the first period, inside the one two weeks later.
    const start = new Date();
    start.setDate(start.getDate() + 21);
    start.setHours(9, 30, 0, 0);
    const title = `Visite agenda ${Date.now()}`;
    const created = await request.post('/api/v1/appointments', {
      headers: headers(session),
      data: { dossierId: dossier.id, title, startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3600_000).toISOString() },
    });
    expect(created.status()).toBe(201);
    await signIn(page, session);
    await page.goto('/agenda');
    const item = page.getByTestId('agenda-item').filter({ hasText: title });
    await expect(page.getByTestId('agenda-period')).toBeVisible();
    await expect(page.getByTestId('agenda-today')).toBeDisabled();
    await expect(item).toHaveCount(0);

    await page.getByTestId('agenda-next').click();
    await page.getByTestId('agenda-next').click();
    await expect(page).toHaveURL(/[?&]du=\d{4}-\d{2}-\d{2}/);
    await expect(item).toHaveCount(1);
    // A reload keeps the period; « Aujourd'hui » comes back to the first one.
    await page.reload();
    await expect(item).toHaveCount(1);
    await page.getByTestId('agenda-today').click();
    await expect(page).not.toHaveURL(/du=/);
    await expect(item).toHaveCount(0);
  });
});
