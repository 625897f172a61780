import { expect, type APIRequestContext, type Page } from '@playwright/test';

// Helpers shared by the newer specs: API login against the demo data of `atlas seed-demo`
// (PRODUCT.md §1), a session planted in localStorage (the SPA's keys atlas.token / atlas.orgId),
// and API calls to prepare data. Not a spec file: Playwright only runs *.spec.ts.

export const PASSWORD = process.env.ATLAS_DEMO_PASSWORD ?? 'demo-password';
export const PARIS = 'Agence Atlas Paris';
export const LYON = 'Agence Atlas Lyon';

export type Membership = { orgId: string; orgName: string; role: string };
export type Session = {
  token: string;
  orgId: string;
  userId: string;
  displayName: string;
  memberships: Membership[];
};

/** Logs in through the API and returns the token, with `orgName` (Paris by default) as current org. */
export async function apiLogin(request: APIRequestContext, email: string, orgName = PARIS): Promise<Session> {
  const response = await request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
  expect(response.status(), `login ${email}`).toBe(200);
  const body = await response.json();
  const org = body.memberships.find((m: Membership) => m.orgName === orgName);
  expect(org, `${email} is a member of ${orgName}`).toBeTruthy();
  return {
    token: body.accessToken,
    orgId: org.orgId,
    userId: body.user.id,
    displayName: body.user.displayName,
    memberships: body.memberships,
  };
}

export function orgIdOf(session: Session, orgName: string): string {
  const org = session.memberships.find((m) => m.orgName === orgName);
  expect(org, `member of ${orgName}`).toBeTruthy();
  return org!.orgId;
}

/**
 * Plants the session in localStorage before the app's first page load, once per tab: later
 * reloads (an organisation switch reloads the page) keep whatever the app itself stored.
 */
export async function signIn(page: Page, session: Session) {
  await page.addInitScript(({ token, orgId }) => {
    if (!location.protocol.startsWith('http') || sessionStorage.getItem('e2e.session-planted')) return;
    sessionStorage.setItem('e2e.session-planted', '1');
    localStorage.setItem('atlas.token', token);
    localStorage.setItem('atlas.orgId', orgId);
  }, { token: session.token, orgId: session.orgId });
}

export function headers(session: Session, orgId = session.orgId) {
  return { Authorization: `Bearer ${session.token}`, 'X-Org-Id': orgId };
}

/** A short suffix unique to this run and test, for names. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

/**
 * A French mobile number (E.164) nobody else in the demo data has: +33 6, then 8 random digits
 * in an assigned range (60–62, 64–68: the phone parser refuses 63x and 69x numbers).
 */
export function uniqueMobile(): string {
  const range = '01245678'[Math.floor(Math.random() * 8)];
  return `+336${range}${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
}

export type Dossier = { id: string; reference: string; leadName: string; leadPhone: string | null };

export async function createDossier(
  request: APIRequestContext,
  session: Session,
  leadName: string,
  leadPhone: string,
  orgId = session.orgId,
  extra: Record<string, unknown> = {},
): Promise<Dossier> {
  const response = await request.post('/api/v1/dossiers', {
    headers: headers(session, orgId),
    data: { leadName, leadPhone, source: 'PHONE', type: 'BUY', ...extra },
  });
  expect(response.status(), `dossier created (not deduplicated): ${await response.text()}`).toBe(201);
  return response.json();
}

/** Is this response the answer to `method path` (path without the query string)? */
export function isApi(r: { url(): string; request(): { method(): string } }, method: string, path: string) {
  return r.request().method() === method && new URL(r.url()).pathname === `/api/v1${path}`;
}
