import { expect, test, type Page } from '@playwright/test';

import { apiLogin, createDossier, headers, isApi, signIn, unique, uniqueMobile } from './support/session';

// Rendez-vous tab of a dossier (PRODUCT.md §6, §13): two appointments of the same adviser that
// overlap → the second answer carries warnings [{code: OVERLAP}] and the form shows it
// (blockAppointmentOverlap is false in the demo organisations, so both are kept).

const OVERLAP_MESSAGE = 'Attention : ce rendez-vous chevauche un autre rendez-vous du même conseiller.';

/** A free slot: a random weekday morning in 2031–2035 (no demo appointment is that far ahead). */
function farSlot() {
  const year = 2031 + Math.floor(Math.random() * 5);
  const month = 1 + Math.floor(Math.random() * 12);
  const day = 1 + Math.floor(Math.random() * 28);
  const hour = 8 + Math.floor(Math.random() * 8);
  const pad = (n: number) => String(n).padStart(2, '0');
  const at = (h: number, m: number) => `${year}-${pad(month)}-${pad(day)}T${pad(h)}:${pad(m)}`;
  return { at, hour };
}

async function addAppointment(page: Page, title: string, start: string, end: string, assignee: string) {
  const form = page.getByTestId('appointment-form');
  await form.getByTestId('appt-title').fill(title);
  await form.getByTestId('appt-start').fill(start);
  await form.getByTestId('appt-end').fill(end);
  await form.getByTestId('appt-location').fill('12 rue Oberkampf, Paris');
  await form.getByTestId('appt-assignee').selectOption(assignee);
  const [created] = await Promise.all([
    page.waitForResponse((r) => isApi(r, 'POST', '/appointments')),
    form.getByTestId('appt-submit').click(),
  ]);
  expect(created.status()).toBe(201);
  return created.json();
}

test.describe('appointments', () => {
  test('a second appointment overlapping the first one of the same adviser shows the overlap warning', async ({ page, request }) => {
    const agent = await apiLogin(request, 'agent@demo.atlas');
    const dossier = await createDossier(request, agent, `Rendez-vous Chevauchement ${unique()}`, uniqueMobile());
    const { at, hour } = farSlot();
    await signIn(page, agent);
    await page.goto(`/dossiers/${dossier.id}`);
    await page.getByTestId('tab-appointments').click();
    await expect(page.getByTestId('tab-appointments')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('empty-state')).toContainText('Aucun rendez-vous');

    // First visit, hh:00–hh+1:00: nothing to warn about.
    const first = await addAppointment(page, 'Première visite', at(hour, 0), at(hour + 1, 0), agent.userId);
    expect(first.assignedToUserId).toBe(agent.userId);
    expect(first.warnings ?? []).toEqual([]);
    await expect(page.getByTestId('toast-success').last()).toContainText('Rendez-vous ajouté.');
    await expect(page.getByTestId('toast-success').last()).not.toContainText('chevauchement');
    await expect(page.getByTestId('appointment')).toHaveCount(1);
    await expect(page.getByTestId('overlap-warning')).toHaveCount(0);

    // Second visit, hh:30–hh+1:30, same adviser: kept, with the warning.
    const second = await addAppointment(page, 'Contre-visite', at(hour, 30), at(hour + 1, 30), agent.userId);
    expect(second.warnings).toEqual([{ code: 'OVERLAP', appointmentId: first.id }]);
    const warning = page.getByTestId('overlap-warning');
    await expect(warning).toBeVisible();
    await expect(warning).toHaveText(OVERLAP_MESSAGE);
    await expect(page.getByTestId('toast-success').last()).toContainText('chevauchement signalé');

    const items = page.getByTestId('appointment');
    await expect(items).toHaveCount(2);
    await expect(items.nth(0)).toContainText('Première visite');
    await expect(items.nth(1)).toContainText('Contre-visite');
    // Shown in the browser's time zone (Europe/Paris), as typed.
    await expect(items.nth(1)).toContainText(`${String(hour).padStart(2, '0')}:30`);

    const stored = await request.get(`/api/v1/appointments?dossierId=${dossier.id}`, { headers: headers(agent) });
    expect((await stored.json()).totalItems).toBe(2);

    // The next, non-overlapping appointment clears the warning.
    await addAppointment(page, 'Signature', at(hour + 3, 0), at(hour + 4, 0), agent.userId);
    await expect(page.getByTestId('overlap-warning')).toHaveCount(0);
    await expect(items).toHaveCount(3);
  });
});
