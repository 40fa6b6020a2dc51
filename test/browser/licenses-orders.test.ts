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
 * The licenses view and orders (issue 21), in English and Spanish: the demo partner assigns a SKU
 * to several users at once, is refused a bulk assignment beyond the seats (nothing changes, the
 * shortfall named in the page's language), removes in bulk; then orders an offer from the new
 * order form, double-clicking Confirm, and finds one new order in the list.
 */
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
const contexts: BrowserContext[] = [];

const BASIC_SKU = '3b555118-da6a-4418-894f-7df1e2096870';

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

/** A customer of the demo partner with five users, delegated admin, and 3 seats of Business Basic. */
async function seed(tag: string): Promise<{ tenant: Json; upns: string[]; token: string }> {
  const token = await api.login(PARTNER);
  const operator = await api.login(OPERATOR);
  const me = await api.get('/api/auth/me', token);
  const stamp = `${tag}${Date.now()}`;
  const domain = `lic-${stamp}.test`;
  const upns = ['ana', 'bea', 'carlos', 'diego', 'elena'].map((n) => `${n}@${domain}`);
  const { adminPasswordLink: _link, ...tenant } = await api.post('/api/customers', token, {
    companyName: `Licenses Customer ${tag.toUpperCase()} ${stamp.slice(-5)}`,
    defaultDomain: domain,
    country: 'ES',
    users: upns.map((upn) => ({ userPrincipalName: upn, displayName: upn.split('@')[0] })),
    admin: { email: `admin@${domain}` },
  });
  await api.post(`/api/admin/tenants/${tenant.id}/delegated-admin`, operator, {
    partnerId: me.user?.partnerId ?? me.partnerId,
  });
  await api.post(`/api/customers/${tenant.id}/orders`, token, {
    lineItems: [{ offerId: 'demo-m365-business-basic', quantity: 3 }],
  });
  return { tenant, upns, token };
}

const pool = (page: Page) => page.locator(`[data-testid=seat-pool-row][data-sku-id="${BASIC_SKU}"]`);

async function select(page: Page, lang: Lang, upns: string[]) {
  const t = texts(lang);
  for (const upn of upns)
    await page.getByLabel(t.key('licenses.select', { user: upn }), { exact: true }).check();
}

async function licensesFlow(lang: Lang) {
  const t = texts(lang);
  const { tenant, upns, token } = await seed(lang);
  const { page, problems } = await signedInPage(chromium, server.url, contexts, {
    lang,
    email: PARTNER,
    path: `/customers/${tenant.id}`,
  });
  await page.getByRole('heading', { level: 1, name: tenant.companyName }).waitFor();
  await page.getByRole('link', { name: t.key('customer.licensesLink'), exact: true }).click();
  await page.getByRole('heading', { level: 1, name: t.key('licenses.title'), exact: true }).waitFor();
  await expect.poll(() => pool(page).getAttribute('data-available'), UI).toBe('3');

  // Search narrows the users shown.
  await page.getByLabel(t.key('licenses.search'), { exact: true }).fill('carl');
  await expect.poll(() => page.getByTestId('license-user-row').count(), UI).toBe(1);
  await page.getByLabel(t.key('licenses.search'), { exact: true }).fill('');
  await expect.poll(() => page.getByTestId('license-user-row').count(), UI).toBe(5);
  await checkView(page, `licenses-${lang}`);

  // Bulk assign to two users.
  await select(page, lang, upns.slice(0, 2));
  await page.getByRole('button', { name: t.key('licenses.assignSelected'), exact: true }).click();
  await page.getByTestId('licenses-done').waitFor();
  await expect.poll(() => pool(page).getAttribute('data-assigned'), UI).toBe('2');

  // Three more do not fit in one free seat: refused whole, the shortfall named, nothing changed.
  await select(page, lang, upns.slice(2));
  await page.getByRole('button', { name: t.key('licenses.assignSelected'), exact: true }).click();
  const alert = page.getByTestId('bulk-licenses').getByRole('alert');
  await alert.waitFor();
  expect(await alert.getAttribute('data-code')).toBe('license_quota_exceeded');
  expect(await alert.textContent()).toMatch(lang === 'es' ? /faltan 2/ : /2 missing/);
  const users = await api.get(`/api/customers/${tenant.id}/users`, token);
  expect(users.items.filter((u: Json) => u.licenses.length > 0).length).toBe(2);
  expect(await pool(page).getAttribute('data-assigned')).toBe('2');

  // Bulk remove from the two holders.
  for (const upn of upns.slice(2))
    await page.getByLabel(t.key('licenses.select', { user: upn }), { exact: true }).uncheck();
  await select(page, lang, upns.slice(0, 2));
  await page.getByRole('button', { name: t.key('licenses.removeSelected'), exact: true }).click();
  await expect.poll(() => pool(page).getAttribute('data-assigned'), UI).toBe('0');
  expect(problems).toEqual([]);
  return { page, tenant, token, problems };
}

async function ordersFlow(lang: Lang, page: Page, tenant: Json, token: string, problems: string[]) {
  const t = texts(lang);
  await page.goto(`${server.url}/customers/${tenant.id}`);
  await page.getByRole('link', { name: t.key('customer.ordersLink'), exact: true }).click();
  await page.getByRole('heading', { level: 1, name: t.key('orders.title'), exact: true }).waitFor();
  await expect.poll(() => page.getByTestId('order-row').count(), UI).toBe(1);
  expect(await page.getByTestId('order-row').first().textContent()).toContain('Microsoft 365 Business Basic');
  await checkView(page, `orders-${lang}`);

  await page.getByRole('link', { name: t.key('orders.new'), exact: true }).click();
  await page.getByRole('heading', { level: 1, name: t.key('orders.newTitle'), exact: true }).waitFor();
  await page.getByLabel(t.key('orders.search'), { exact: true }).fill('Business Premium');
  await expect.poll(() => page.getByTestId('offer-choice').count(), UI).toBe(1);
  await page.getByTestId('offer-choice').getByRole('radio').check();
  await page.getByLabel(t.key('orders.quantity'), { exact: true }).fill('2');
  const money = new Intl.NumberFormat(lang === 'es' ? 'es-ES' : 'en-US', {
    style: 'currency',
    currency: 'EUR',
  });
  await expect
    .poll(async () => ((await page.getByTestId('order-total').textContent()) ?? '').replace(/\s+/g, ' '), UI)
    .toContain(money.format(528).replace(/\s+/g, ' '));
  await checkView(page, `order-new-${lang}`);
  await page.getByRole('button', { name: t.key('orders.review'), exact: true }).click();
  const dialog = page.getByRole('dialog', { name: t.key('orders.confirmTitle') });
  await dialog.waitFor();
  // A double click on Confirm: two clicks before the page can re-render, two requests, one order.
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith(`/api/customers/${tenant.id}/orders`))
      posts.push(r.headers()['idempotency-key'] ?? '');
  });
  await dialog.getByRole('button', { name: t.key('orders.place'), exact: true }).evaluate((b) => {
    (b as unknown as { click(): void }).click();
    (b as unknown as { click(): void }).click();
  });
  await page.getByRole('heading', { level: 1, name: t.key('orders.title'), exact: true }).waitFor();
  await expect.poll(() => page.getByTestId('order-row').count(), UI).toBe(2);
  expect(posts.length).toBe(2);
  expect(new Set(posts).size).toBe(1);
  expect(posts[0]).not.toBe('');
  const orders = await api.get(`/api/customers/${tenant.id}/orders`, token);
  expect(orders.items.length).toBe(2);
  expect(orders.items[0].lineItems[0]).toMatchObject({ offerId: 'demo-m365-business-premium', quantity: 2 });
  expect(orders.items[0].totals).toEqual([{ amount: 52_800, currency: 'EUR' }]);
  const subs = await api.get(`/api/customers/${tenant.id}/subscriptions`, token);
  expect(subs.items.filter((s: Json) => s.offerId === 'demo-m365-business-premium').length).toBe(1);
  expect(problems).toEqual([]);
}

describe('licenses and orders', () => {
  for (const lang of ['en', 'es'] as const)
    it(`in ${lang === 'en' ? 'English' : 'Spanish'}: bulk assign and remove, a refused bulk, a new order ordered once`, async () => {
      const { page, tenant, token, problems } = await licensesFlow(lang);
      await ordersFlow(lang, page, tenant, token, problems);
    }, 240_000);
});
