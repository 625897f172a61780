import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

// Dossier screens against the demo data of `atlas seed-demo` (PRODUCT.md §1, §3, §13).
const PASSWORD = process.env.ATLAS_DEMO_PASSWORD ?? 'demo-password';
const PARIS = 'Agence Atlas Paris';

type Session = { token: string; orgId: string };

/** Logs in through the API (PRODUCT.md §1) and returns the token and the Paris organisation. */
async function apiLogin(request: APIRequestContext, email: string): Promise<Session> {
  const response = await request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
  expect(response.status(), `login ${email}`).toBe(200);
  const body = await response.json();
  const org = body.memberships.find((m: { orgName: string }) => m.orgName === PARIS);
  expect(org, `${email} is a member of ${PARIS}`).toBeTruthy();
  return { token: body.accessToken, orgId: org.orgId };
}

/** Opens the app with that session already in localStorage (no login form). */
async function signIn(page: Page, session: Session) {
  await page.addInitScript(({ token, orgId }) => {
    localStorage.setItem('atlas.token', token);
    localStorage.setItem('atlas.orgId', orgId);
  }, session);
}

function headers(session: Session) {
  return { Authorization: `Bearer ${session.token}`, 'X-Org-Id': session.orgId };
}

function uniquePhone() {
  // A French mobile number nobody else in the demo data has.
  return `+3361${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
}

async function createDossierViaApi(request: APIRequestContext, session: Session, leadName: string) {
  const response = await request.post('/api/v1/dossiers', {
    headers: headers(session),
    data: { leadName, leadPhone: uniquePhone(), source: 'PHONE', type: 'BUY' },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

async function fillDossierForm(page: Page, name: string, phone: string) {
  await page.getByTestId('lead-name').fill(name);
  await page.getByTestId('lead-phone').fill(phone);
  await page.getByTestId('source').selectOption('WEB');
  await page.getByTestId('type').selectOption('BUY');
}

test.describe('dossiers', () => {
  test('creating a dossier, then the same one again, shows the duplicate feedback', async ({ page, request }) => {
    await signIn(page, await apiLogin(request, 'agent@demo.atlas'));
    const name = `Test Doublon ${Date.now()}`;
    const phone = uniquePhone();

    await page.goto('/dossiers/new');
    // Client validation first: nothing is sent without a name and a way to reach the lead.
    await page.getByTestId('dossier-submit').click();
    await expect(page.getByTestId('lead-name-error')).not.toBeEmpty();
    await expect(page.getByTestId('lead-phone-error')).not.toBeEmpty();

    await fillDossierForm(page, name, phone);
    const [created] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/dossiers' && r.request().method() === 'POST'),
      page.getByTestId('dossier-submit').click(),
    ]);
    expect(created.status()).toBe(201);
    const dossier = await created.json();
    await expect(page).toHaveURL(new RegExp(`/dossiers/${dossier.id}`));
    await expect(page.getByTestId('dossier-lead')).toHaveText(name);
    await expect(page.getByTestId('toast-success')).toBeVisible();

    // Same contact again: no second dossier, a clear message and a link to the existing one.
    await page.goto('/dossiers/new');
    await fillDossierForm(page, name, phone);
    const [again] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/dossiers' && r.request().method() === 'POST'),
      page.getByTestId('dossier-submit').click(),
    ]);
    expect(again.status()).toBe(200);
    expect(again.headers()['x-atlas-deduplicated']).toBe('true');
    const notice = page.getByTestId('duplicate-notice');
    await expect(notice).toContainText(
      'Un dossier ouvert existe déjà pour ce contact — les informations ont été ajoutées à son historique',
    );
    await expect(page.getByTestId('duplicate-link')).toHaveAttribute('href', `/dossiers/${dossier.id}`);
    await page.getByTestId('duplicate-link').click();
    await expect(page.getByTestId('dossier-reference')).toHaveText(dossier.reference);
    // The merge is on the timeline.
    await expect(page.locator('[data-testid="activity"][data-type="DUPLICATE_MERGED"]')).toHaveCount(1);
  });

  test('a dossier moves on the pipeline board, LOST asks for a reason', async ({ page, request }) => {
    const session = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossierViaApi(request, session, `Test Pipeline ${Date.now()}`);
    await signIn(page, session);
    await page.goto('/pipeline');

    const card = page.locator(`[data-testid="pipeline-card"][data-dossier-id="${dossier.id}"]`);
    const column = (status: string) => page.locator(`[data-testid="pipeline-column"][data-status="${status}"]`);
    await expect(column('NEW').locator(card)).toBeVisible();

    // NEW → QUALIFYING: no reason needed.
    await card.dragTo(column('QUALIFYING'), { targetPosition: { x: 60, y: 20 } });
    await expect(column('QUALIFYING').locator(card)).toBeVisible();
    await expect(page.getByTestId('toast-success').last()).toContainText('En qualification');

    // QUALIFYING → WON is not allowed: the card stays.
    await card.dragTo(column('WON'), { targetPosition: { x: 60, y: 20 } });
    await expect(column('QUALIFYING').locator(card)).toBeVisible();
    await expect(page.getByTestId('reason-dialog')).toHaveCount(0);

    // QUALIFYING → LOST: the reason dialog; OTHER needs a comment.
    await card.dragTo(column('LOST'), { targetPosition: { x: 60, y: 20 } });
    const dialog = page.getByTestId('reason-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('transition-reason').selectOption('OTHER');
    await dialog.getByTestId('transition-confirm').click();
    await expect(dialog.getByTestId('transition-comment-error')).not.toBeEmpty();
    await dialog.getByTestId('transition-comment').fill('Le client a déménagé à Lyon');
    const [patched] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/dossiers/${dossier.id}/status`)),
      dialog.getByTestId('transition-confirm').click(),
    ]);
    expect(patched.status()).toBe(200);
    await expect(dialog).toHaveCount(0);
    await expect(column('LOST').locator(card)).toBeVisible();

    const stored = await request.get(`/api/v1/dossiers/${dossier.id}`, { headers: headers(session) });
    const body = await stored.json();
    expect(body.status).toBe('LOST');
    expect(body.lossReason).toBe('OTHER');
  });

  test('a VIEWER sees no write buttons on a dossier', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossierViaApi(request, agent, `Test Lecteur ${Date.now()}`);
    await signIn(page, await apiLogin(request, 'viewer@demo.atlas'));

    await page.goto(`/dossiers/${dossier.id}`);
    await expect(page.getByTestId('dossier-reference')).toHaveText(dossier.reference);
    await expect(page.getByTestId('timeline')).toBeVisible();
    await expect(page.getByTestId('status-actions')).toHaveCount(0);
    await expect(page.getByTestId('transition-button')).toHaveCount(0);
    await expect(page.getByTestId('assign-select')).toHaveCount(0);
    await expect(page.getByTestId('note-content')).toHaveCount(0);
    await expect(page.getByTestId('tab-audit')).toHaveCount(0);

    await page.getByTestId('tab-messages').click();
    await expect(page.getByTestId('empty-state').or(page.getByTestId('conversation'))).toBeVisible();
    await expect(page.getByTestId('composer')).toHaveCount(0);
    await page.getByTestId('tab-appointments').click();
    await expect(page.getByTestId('empty-state').or(page.getByTestId('appointments'))).toBeVisible();
    await expect(page.getByTestId('appointment-form')).toHaveCount(0);
    await page.getByTestId('tab-parties').click();
    await expect(page.getByTestId('party-form')).toHaveCount(0);
    await page.getByTestId('tab-consents').click();
    await expect(page.getByTestId('consent-form')).toHaveCount(0);

    await page.goto('/dossiers');
    await expect(page.getByTestId('dossier-table')).toBeVisible();
    await expect(page.getByTestId('dossier-new')).toHaveCount(0);
    await page.goto('/pipeline');
    await expect(page.getByTestId('pipeline-board')).toBeVisible();
    await expect(page.getByTestId('card-move')).toHaveCount(0);
    await expect(page.locator('[data-testid="pipeline-card"][draggable="true"]')).toHaveCount(0);
  });
});
