import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

import {
  apiLogin,
  createDossier,
  headers,
  isApi,
  signIn,
  unique,
  uniqueMobile,
  type Dossier,
  type Session,
} from './support/session';

// WhatsApp from the dossier screen (PRODUCT.md §5, §7, §10, §13): consent recorded in the
// Consentements tab, template sent from the Messages tab's composer, statuses posted back by the
// fake provider that e2e/run.sh starts like `make dev` (atlas fake-whatsapp --auto-statuses
// sent,delivered,read, callbacks signed with the app secret seed-demo gives "Agence Atlas Paris").

const BASE_URL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:18080';
const FAKE_URL = process.env.E2E_FAKE_WHATSAPP_URL ?? 'http://127.0.0.1:18081';
const APP_SECRET = process.env.ATLAS_DEV_WHATSAPP_APP_SECRET ?? 'atlas-dev-app-secret';
const WEBHOOK_URL = `${BASE_URL}/api/v1/webhooks/whatsapp`;

// seed-demo's templates (backend/server/src/cli/demo_whatsapp.rs).
const TEMPLATE = 'confirmation_visite';
const TEMPLATE_BODY = 'Bonjour {{1}}, votre visite du {{2}} est confirmée. À bientôt !';
const NO_CONSENT = 'Envoi impossible : pas de consentement WhatsApp pour ce contact';
const STATUS_ORDER = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ'];

type FakeRequest = {
  phoneNumberId: string;
  body: {
    to?: string;
    type?: string;
    biz_opaque_callback_data?: string;
    template?: { name: string; language: { code: string }; components?: { parameters: { text: string }[] }[] };
  };
  answered: string;
  providerMessageId: string | null;
};

const digits = (phone: string) => phone.replace(/\D/g, '');

/** What the fake provider received for this phone number. */
async function fakeRequestsTo(request: APIRequestContext, phone: string): Promise<FakeRequest[]> {
  const response = await request.get(`${FAKE_URL}/_fake/requests`);
  expect(response.status(), `fake WhatsApp provider on ${FAKE_URL} (started by e2e/run.sh)`).toBe(200);
  const all: FakeRequest[] = await response.json();
  return all.filter((r) => digits(r.body.to ?? '') === digits(phone));
}

async function outboundOf(request: APIRequestContext, session: Session, dossierId: string) {
  const response = await request.get(`/api/v1/outbound/messages?dossierId=${dossierId}`, { headers: headers(session) });
  expect(response.status()).toBe(200);
  return (await response.json()).items as { id: string; status: string; templateCode?: string }[];
}

async function messagesOf(request: APIRequestContext, session: Session, dossierId: string) {
  const response = await request.get(`/api/v1/messages?dossierId=${dossierId}`, { headers: headers(session) });
  expect(response.status()).toBe(200);
  return (await response.json()).items as { direction: string; channel: string; content: string }[];
}

/** Records a WHATSAPP / CONTACT consent GRANTED through the Consentements tab. */
async function grantWhatsappConsent(page: Page) {
  await page.getByTestId('tab-consents').click();
  await expect(page.getByTestId('tab-consents')).toHaveAttribute('aria-selected', 'true');
  const form = page.getByTestId('consent-form');
  await form.getByTestId('consent-channel').selectOption('WHATSAPP');
  await form.getByTestId('consent-purpose').selectOption('CONTACT');
  await form.getByTestId('consent-status').selectOption('GRANTED');
  await form.getByTestId('consent-proof').fill('Accord donné par téléphone pour être contacté sur WhatsApp au sujet de la visite.');
  const [created] = await Promise.all([
    page.waitForResponse((r) => isApi(r, 'POST', '/consentements')),
    form.getByTestId('consent-submit').click(),
  ]);
  expect(created.status()).toBe(201);
  await expect(
    page.locator('[data-testid="consents-current"] [data-testid="consent-row"][data-channel="WHATSAPP"][data-status="GRANTED"]'),
  ).toBeVisible();
}

/** Opens the Messages tab and fills the composer with the demo template and its two parameters. */
async function composeTemplate(page: Page, params: [string, string]) {
  await page.getByTestId('tab-messages').click();
  const composer = page.getByTestId('composer');
  await expect(composer).toBeVisible();
  // The consent is there: no consent blocker; no inbound message yet, so the 24-hour window is
  // closed and the composer offers templates only.
  await expect(composer.getByTestId('blocker-window')).toBeVisible();
  await expect(composer.getByTestId('blocker-consent')).toHaveCount(0);
  await expect(composer.getByTestId('mode-template')).toBeChecked();
  await expect(composer.getByTestId('mode-text')).toBeDisabled();

  await composer.getByTestId('composer-template').selectOption(TEMPLATE);
  await expect(composer.getByTestId('template-preview')).toHaveText(TEMPLATE_BODY);
  const inputs = composer.getByTestId('composer-param');
  await expect(inputs).toHaveCount(2);
  await inputs.nth(0).fill(params[0]);
  await inputs.nth(1).fill(params[1]);
}

/** Clicks Envoyer; returns the queued outbound message (202). */
async function send(page: Page) {
  const [queued] = await Promise.all([
    page.waitForResponse((r) => isApi(r, 'POST', '/outbound/messages')),
    page.getByTestId('composer-send').click(),
  ]);
  expect(queued.status()).toBe(202);
  const body = await queued.json();
  expect(body.templateCode).toBe(TEMPLATE);
  return body as { id: string; status: string };
}

/**
 * Marks the document (a full reload would lose the mark) and records every status the
 * conversation shows for outbound messages, in order, as the DOM changes.
 */
async function watchStatuses(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __e2eNoReload: boolean; __e2eStatuses: string[] };
    w.__e2eNoReload = true;
    w.__e2eStatuses = [];
    const record = () => {
      document.querySelectorAll('[data-testid="outbound-status"]').forEach((el) => {
        const s = el.getAttribute('data-status') ?? '';
        if (w.__e2eStatuses[w.__e2eStatuses.length - 1] !== s) w.__e2eStatuses.push(s);
      });
    };
    record();
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
}

async function seenStatuses(page: Page): Promise<{ noReload: boolean; statuses: string[] }> {
  return page.evaluate(() => {
    const w = window as unknown as { __e2eNoReload?: boolean; __e2eStatuses?: string[] };
    return { noReload: w.__e2eNoReload === true, statuses: w.__e2eStatuses ?? [] };
  });
}

function expectForwardOnly(statuses: string[]) {
  const ranks = statuses.map((s) => STATUS_ORDER.indexOf(s));
  expect(ranks.every((r) => r >= 0), `known statuses: ${statuses.join(' → ')}`).toBe(true);
  expect([...ranks].sort((a, b) => a - b), `statuses only move forward: ${statuses.join(' → ')}`).toEqual(ranks);
}

/** The provider got exactly one send for this phone: the template, in French, with its parameters. */
async function expectProviderGotTemplate(request: APIRequestContext, phone: string, outboundId: string, params: string[]) {
  const sent = await fakeRequestsTo(request, phone);
  expect(sent).toHaveLength(1);
  const [r] = sent;
  expect(r.answered).toBe('OK');
  expect(r.body.type).toBe('template');
  expect(r.body.biz_opaque_callback_data).toBe(outboundId);
  expect(r.body.template?.name).toBe(TEMPLATE);
  expect(r.body.template?.language.code).toBe('fr');
  expect(r.body.template?.components?.[0].parameters.map((p) => p.text)).toEqual(params);
}

/**
 * A stand-in for the provider's callback URL: the fake posts its status webhooks here instead of
 * to the server; those about `phone` with a status in `hold` are kept until released (as when a
 * phone is switched off: `delivered` comes minutes after `sent`), everything else is forwarded at
 * once. The signed body is forwarded byte for byte, so the signature still verifies.
 */
class StatusDelayLine {
  private server?: http.Server;
  private held: { status: string; body: Buffer; signature: string }[] = [];

  constructor(
    private readonly request: APIRequestContext,
    private readonly phone: string,
    private readonly hold: string[],
  ) {}

  async start() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        const signature = String(req.headers['x-hub-signature-256'] ?? '');
        const statuses = this.statusesAboutPhone(body);
        const held = statuses.find((s) => this.hold.includes(s));
        if (held) {
          this.held.push({ status: held, body, signature });
          res.writeHead(200).end();
          return;
        }
        const code = await this.forward(body, signature).catch(() => 502);
        res.writeHead(code).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    await this.setCallback(`http://127.0.0.1:${port}/webhook`);
  }

  heldStatuses() {
    return this.held.map((h) => h.status);
  }

  /** Forwards the held webhook of that status to the server; it must accept it. */
  async release(status: string) {
    const i = this.held.findIndex((h) => h.status === status);
    expect(i, `a held "${status}" webhook`).toBeGreaterThanOrEqual(0);
    const [h] = this.held.splice(i, 1);
    expect(await this.forward(h.body, h.signature), `server accepted the "${status}" webhook`).toBe(200);
  }

  /** Gives the fake its normal callback back and forwards whatever is still held. */
  async stop() {
    await this.setCallback(WEBHOOK_URL);
    for (const h of this.held.splice(0)) await this.forward(h.body, h.signature).catch(() => 0);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private statusesAboutPhone(body: Buffer): string[] {
    try {
      const json = JSON.parse(body.toString('utf8'));
      const out: string[] = [];
      for (const entry of json.entry ?? [])
        for (const change of entry.changes ?? [])
          for (const s of change.value?.statuses ?? [])
            if (digits(String(s.recipient_id ?? '')) === digits(this.phone)) out.push(String(s.status));
      return out;
    } catch {
      return [];
    }
  }

  private async forward(body: Buffer, signature: string): Promise<number> {
    const response = await fetch(WEBHOOK_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body: new Uint8Array(body),
    });
    return response.status;
  }

  private async setCallback(url: string) {
    const response = await this.request.post(`${FAKE_URL}/_fake/callback`, { data: { url, appSecret: APP_SECRET } });
    expect(response.status(), 'fake WhatsApp callback set').toBe(204);
  }
}

test.describe('whatsapp', () => {
  test('consent in the Consentements tab, then a template sent from the Messages tab reaches the provider; its statuses reach the conversation and the timeline', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const phone = uniqueMobile();
    const dossier = await createDossier(request, agent, `WhatsApp Modèle ${unique()}`, phone);
    await signIn(page, agent);
    await page.goto(`/dossiers/${dossier.id}`);
    await expect(page.getByTestId('dossier-lead')).toHaveText(dossier.leadName);

    await grantWhatsappConsent(page);
    const params: [string, string] = ['Camille', 'mardi 12 mai à 10 h'];
    await composeTemplate(page, params);
    await watchStatuses(page);
    const queued = await send(page);
    await expect(page.getByTestId('toast-success').last()).toContainText("Message mis en file d'envoi");

    // The conversation shows the rendered template at once, with its outbound status.
    const message = page.getByTestId('message');
    await expect(message).toHaveCount(1);
    await expect(message).toContainText('Bonjour Camille, votre visite du mardi 12 mai à 10 h est confirmée.');
    await expect(message).toHaveClass(/bubble--out/);
    const status = message.getByTestId('outbound-status');
    await expect(status).toBeVisible();
    // The composer is reset for the next message.
    await expect(page.getByTestId('composer-param').first()).toHaveValue('');

    // The worker sends it to the fake provider, which answers with sent, delivered, read. The
    // conversation polls while the message is queued or sending: it leaves QUEUED by itself.
    await expect(status).toHaveAttribute('data-status', /^(SENT|DELIVERED|READ)$/, { timeout: 15_000 });
    await expect
      .poll(async () => (await outboundOf(request, agent, dossier.id))[0]?.status, { timeout: 15_000 })
      .toBe('READ');
    await expectProviderGotTemplate(request, phone, queued.id, params);

    // The timeline (opened after the statuses came in) lists them: sent (by the worker), delivered,
    // read. Not their order: the provider's timestamps have whole seconds.
    await page.getByTestId('tab-timeline').click();
    const statusActivities = page.locator('[data-testid="activity"][data-type="OUTBOUND_STATUS"]');
    await expect(statusActivities).toHaveCount(3);
    await expect(statusActivities.filter({ hasText: 'Message WhatsApp distribué' })).toHaveCount(1);
    await expect(statusActivities.filter({ hasText: 'Message WhatsApp lu' })).toHaveCount(1);
    await expect(page.locator('[data-testid="activity"][data-type="MESSAGE"]')).toHaveCount(1);
    await expect(page.locator('[data-testid="activity"][data-type="CONSENT"]')).toHaveCount(1);

    // Back on the Messages tab: read.
    await page.getByTestId('tab-messages').click();
    await expect(page.getByTestId('outbound-status')).toHaveAttribute('data-status', 'READ');
    await expect(page.getByTestId('outbound-status')).toContainText('Lu');

    const seen = await seenStatuses(page);
    test.info().annotations.push({ type: 'statuses shown', description: seen.statuses.join(' → ') });
    expect(seen.noReload, 'no page reload').toBe(true);
    expectForwardOnly(seen.statuses);
  });

  test('the conversation follows sent → delivered → read by itself, without a reload', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const phone = uniqueMobile();
    const dossier = await createDossier(request, agent, `WhatsApp Suivi ${unique()}`, phone);
    await signIn(page, agent);
    await page.goto(`/dossiers/${dossier.id}`);
    await grantWhatsappConsent(page);

    // delivered and read of this number are held back until the test releases them, as when they
    // come long after the send.
    const line = new StatusDelayLine(request, phone, ['delivered', 'read']);
    await line.start();
    try {
      const params: [string, string] = ['Lucas', 'jeudi 14 mai à 18 h'];
      await composeTemplate(page, params);
      await watchStatuses(page);
      const queued = await send(page);
      const status = page.getByTestId('outbound-status');

      await expect(status).toHaveAttribute('data-status', 'SENT', { timeout: 15_000 });
      await expect(status).toContainText('Envoyé');
      await expect.poll(() => line.heldStatuses(), { timeout: 10_000 }).toContain('delivered');
      await expectProviderGotTemplate(request, phone, queued.id, params);

      await line.release('delivered');
      expect((await outboundOf(request, agent, dossier.id))[0].status).toBe('DELIVERED');
      await expect(status, 'the conversation shows DELIVERED without a reload').toHaveAttribute('data-status', 'DELIVERED');
      await expect(status).toContainText('Distribué');

      await expect.poll(() => line.heldStatuses(), { timeout: 10_000 }).toContain('read');
      await line.release('read');
      await expect(status, 'the conversation shows READ without a reload').toHaveAttribute('data-status', 'READ');
      await expect(status).toContainText('Lu');

      const seen = await seenStatuses(page);
      expect(seen.noReload, 'no page reload').toBe(true);
      expectForwardOnly(seen.statuses);
      expect(seen.statuses.slice(-3)).toEqual(['SENT', 'DELIVERED', 'READ']);
    } finally {
      await line.stop();
    }
  });

  test('without any consent the composer explains why sending is blocked, and nothing can be sent', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const phone = uniqueMobile();
    const dossier = await createDossier(request, agent, `WhatsApp Sans Consentement ${unique()}`, phone);
    const sends: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/outbound/messages') sends.push(r.url());
    });
    await signIn(page, agent);
    await page.goto(`/dossiers/${dossier.id}?tab=messages`);

    const composer = page.getByTestId('composer');
    await expect(composer).toBeVisible();
    const blocker = composer.getByTestId('blocker-consent');
    await expect(blocker).toBeVisible();
    await expect(blocker).toContainText(NO_CONSENT);
    // One reason at a time: the consent, not the 24-hour window.
    await expect(composer.getByTestId('blocker-window')).toHaveCount(0);
    await expect(composer.getByTestId('composer-send')).toBeDisabled();
    await expect(composer.getByTestId('composer-template')).toBeDisabled();
    await expect(composer.getByTestId('mode-template')).toBeDisabled();
    await expect(page.getByTestId('empty-state')).toBeVisible();

    // The explanation leads to the consents.
    await blocker.getByTestId('blocker-consent-link').click();
    await expect(page).toHaveURL(new RegExp(`/dossiers/${dossier.id}\\?tab=consents$`));
    await expect(page.getByTestId('consent-form')).toBeVisible();

    expect(sends, 'no send request from the page').toEqual([]);
    expect(await outboundOf(request, agent, dossier.id)).toEqual([]);
    expect(await messagesOf(request, agent, dossier.id)).toEqual([]);
    expect(await fakeRequestsTo(request, phone)).toEqual([]);
  });

  test('a consent revoked after the page was opened: the server refuses (CONSENT_REQUIRED), the composer explains it, nothing is stored or sent', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const phone = uniqueMobile();
    const dossier: Dossier = await createDossier(request, agent, `WhatsApp Révoqué ${unique()}`, phone);
    const consent = (status: string, proof?: string) =>
      request.post('/api/v1/consentements', {
        headers: headers(agent),
        data: { dossierId: dossier.id, channel: 'WHATSAPP', purpose: 'CONTACT', status, source: 'API', proof },
      });
    expect((await consent('GRANTED', 'Formulaire web signé le matin même')).status()).toBe(201);
    await signIn(page, agent);
    await page.goto(`/dossiers/${dossier.id}`);
    await composeTemplate(page, ['Inès', 'vendredi 15 mai à 9 h']);

    // Meanwhile, the contact withdraws the consent (another user records it).
    expect((await consent('REVOKED')).status()).toBe(201);

    const [refused] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'POST', '/outbound/messages')),
      page.getByTestId('composer-send').click(),
    ]);
    expect(refused.status()).toBe(422);
    expect((await refused.json()).code).toBe('CONSENT_REQUIRED');
    const refusal = page.getByTestId('composer-refusal');
    await expect(refusal).toBeVisible();
    await expect(refusal).toContainText(NO_CONSENT);
    await expect(refusal.getByRole('link', { name: 'Voir les consentements' })).toHaveAttribute(
      'href',
      `/dossiers/${dossier.id}?tab=consents`,
    );
    await expect(page.getByTestId('toast-error').last()).toContainText('Message non envoyé');

    // Nothing stored, queued or sent; the refusal is audited on the dossier.
    expect(await outboundOf(request, agent, dossier.id)).toEqual([]);
    expect(await messagesOf(request, agent, dossier.id)).toEqual([]);
    await expect(page.getByTestId('message')).toHaveCount(0);
    expect(await fakeRequestsTo(request, phone)).toEqual([]);
    const manager = await apiLogin(request, 'manager@demo.atlas');
    const audit = await request.get(
      `/api/v1/audit-events?entityType=DOSSIER&entityId=${dossier.id}&action=BLOCKED_BY_POLICY`,
      { headers: headers(manager) },
    );
    expect(audit.status()).toBe(200);
    expect((await audit.json()).totalItems).toBe(1);
  });
});
