import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  ensureConsoleBuilt,
  type Json,
  type Lang,
  launchChromium,
  startServer,
  type TestBrowser,
  type TestServer,
  texts,
} from '../fixtures/browser.ts';
import { checkView, signedInPage } from '../fixtures/console-page.ts';
import { OPERATOR, PARTNER, UI } from './main-flow.ts';

/**
 * The subscription page (issue 21), in English and Spanish: the demo partner opens a customer's
 * subscription from the customer page, adds seats, is refused a reduction after the window closed
 * (the server's words, in the page's language), turns auto-renew off, suspends and reactivates,
 * and upgrades to a higher offer; the change history lists it all.
 */
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await ensureConsoleBuilt();
  [server, chromium] = await Promise.all([startServer(), launchChromium()]);
  api = apiClient(server.url);
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await chromium?.close();
  await server?.stop();
});

/** A new customer of the demo partner with one order of Business Basic (3 seats). */
async function seed(tag: string): Promise<{ tenant: Json; subscriptionId: string }> {
  const token = await api.login(PARTNER);
  const stamp = `${tag}${Date.now()}`;
  const { adminPasswordLink: _link, ...tenant } = await api.post('/api/customers', token, {
    companyName: `Subscriptions Customer ${tag.toUpperCase()} ${stamp.slice(-5)}`,
    defaultDomain: `subs-${stamp}.test`,
    country: 'ES',
    users: [],
    admin: { email: `admin@subs-${stamp}.test` },
  });
  const order = await api.post(`/api/customers/${tenant.id}/orders`, token, {
    lineItems: [{ offerId: 'demo-m365-business-basic', quantity: 3 }],
  });
  return { tenant, subscriptionId: order.subscriptions[0].id as string };
}

const details = (page: Page) => page.getByTestId('subscription-details');

async function confirmIn(page: Page, title: string) {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.waitFor();
  await dialog
    .getByRole('button', { name: texts(await lang(page)).key('confirm.confirm'), exact: true })
    .click();
  return dialog;
}

async function lang(page: Page): Promise<Lang> {
  return ((await page.locator('html').getAttribute('lang')) ?? 'en') as Lang;
}

async function subscriptionFlow(lang: Lang) {
  const t = texts(lang);
  const { tenant, subscriptionId } = await seed(lang);
  const { page, problems } = await signedInPage(chromium, server.url, contexts, {
    lang,
    email: PARTNER,
    path: `/customers/${tenant.id}`,
  });
  await page.getByRole('heading', { level: 1, name: tenant.companyName }).waitFor();
  // The customer page links to the subscription page, to Licenses and to Orders.
  await page.getByRole('link', { name: t.key('customer.licensesLink'), exact: true }).waitFor();
  await page.getByRole('link', { name: t.key('customer.ordersLink'), exact: true }).waitFor();
  await page
    .locator(`[data-testid=subscription-row][data-subscription-id="${subscriptionId}"]`)
    .getByRole('link', { name: 'Microsoft 365 Business Basic' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Microsoft 365 Business Basic' }).waitFor();
  await expect.poll(() => details(page).getAttribute('data-quantity'), UI).toBe('3');
  await expect.poll(() => page.getByTestId('subscription-window').getAttribute('data-open'), UI).toBe('true');
  // The rule is shown before the change.
  expect(await page.getByTestId('seat-rule').textContent()).toBe(
    t.key('subscription.seatRuleOpen', { hours: 168 }),
  );

  // Seats up: 3 → 5, confirmed.
  await page.getByLabel(t.key('subscription.newSeats'), { exact: true }).fill('5');
  await page.getByRole('button', { name: t.key('subscription.saveSeats'), exact: true }).click();
  await confirmIn(page, t.key('subscription.confirmSeatsTitle'));
  await expect.poll(() => details(page).getAttribute('data-quantity'), UI).toBe('5');

  // Eight days later the window of the purchase and of the added seats is closed: a reduction is refused.
  const operator = await api.login(OPERATOR);
  await api.post('/api/admin/clock', operator, { advanceDays: 8 });
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Microsoft 365 Business Basic' }).waitFor();
  await expect
    .poll(() => page.getByTestId('subscription-window').getAttribute('data-open'), UI)
    .toBe('false');
  expect(await page.getByTestId('seat-rule').textContent()).toBe(
    t.key('subscription.seatRuleClosed', { hours: 168 }),
  );
  await page.getByLabel(t.key('subscription.newSeats'), { exact: true }).fill('2');
  await page.getByRole('button', { name: t.key('subscription.saveSeats'), exact: true }).click();
  const refused = await confirmIn(page, t.key('subscription.confirmSeatsTitle'));
  const alert = refused.getByRole('alert');
  await alert.waitFor();
  expect(await alert.getAttribute('data-code')).toBe('seat_reduction_outside_window');
  expect(await alert.textContent()).toMatch(
    lang === 'es'
      ? /Las licencias solo se pueden reducir en las 168 horas/
      : /Seats can only be reduced within 168 hours/,
  );
  await refused.getByRole('button', { name: t.key('common.cancel'), exact: true }).click();
  await expect.poll(() => details(page).getAttribute('data-quantity'), UI).toBe('5');

  // Auto-renew off, through the shared confirmation.
  await page.getByRole('button', { name: t.key('subscription.autoRenewOff'), exact: true }).click();
  await confirmIn(page, t.key('confirm.autoRenewOffTitle', { offer: 'Microsoft 365 Business Basic' }));
  await expect.poll(() => details(page).getAttribute('data-auto-renew'), UI).toBe('false');

  // Suspend, then reactivate.
  await page.getByRole('button', { name: t.key('subscription.suspend'), exact: true }).click();
  await confirmIn(page, t.key('subscription.confirmStatus.suspended'));
  await expect.poll(() => details(page).getAttribute('data-status'), UI).toBe('suspended');
  await page.getByRole('button', { name: t.key('subscription.reactivate'), exact: true }).click();
  await confirmIn(page, t.key('subscription.confirmStatus.active'));
  await expect.poll(() => details(page).getAttribute('data-status'), UI).toBe('active');

  // Upgrade to Business Premium: the estimate first, then the offer changes and the seats stay.
  await page
    .getByLabel(t.key('subscription.upgradeTo'), { exact: true })
    .selectOption('demo-m365-business-premium');
  await page.getByRole('button', { name: t.key('subscription.upgradeReview'), exact: true }).click();
  const upgrade = page.getByRole('dialog', { name: t.key('subscription.confirmUpgradeTitle') });
  await upgrade.getByTestId('upgrade-estimate').waitFor();
  await checkView(page, `subscription-upgrade-${lang}`);
  await confirmIn(page, t.key('subscription.confirmUpgradeTitle'));
  await expect.poll(() => details(page).getAttribute('data-offer-id'), UI).toBe('demo-m365-business-premium');
  await page.getByRole('heading', { level: 1, name: 'Microsoft 365 Business Premium' }).waitFor();
  expect(await details(page).getAttribute('data-quantity')).toBe('5');

  // The history names every change, newest first.
  await expect
    .poll(
      async () =>
        page.getByTestId('history-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))),
      UI,
    )
    .toEqual(['upgraded', 'changed', 'changed', 'changed', 'changed']);
  const token = await api.login(PARTNER);
  const sub = await api.get(`/api/customers/${tenant.id}/subscriptions/${subscriptionId}`, token);
  expect(sub).toMatchObject({ offerId: 'demo-m365-business-premium', quantity: 5, autoRenew: false });
  await checkView(page, `subscription-${lang}`);
  expect(problems).toEqual([]);
}

describe('subscription page', () => {
  it('in English: seats, a refused reduction, auto-renew, suspend, upgrade, history', async () => {
    await subscriptionFlow('en');
  }, 240_000);
  it('in Spanish: the same, with the refusal in Spanish', async () => {
    await subscriptionFlow('es');
  }, 240_000);
});
