import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  DEMO_PASSWORD,
  ensureConsoleBuilt,
  type Lang,
  launchChromium,
  startServer,
  type TestBrowser,
  type TestServer,
  texts,
} from '../fixtures/browser.ts';
import { checkView, signedInPage } from '../fixtures/console-page.ts';
import { OPERATOR } from './main-flow.ts';

/**
 * Issue 21: the notification bell in the console's top bar, in English and Spanish. A partner is
 * asked for a transfer by another; its account admin sees the count, opens the list, reads the
 * notification in its language and follows it to Transfers, which marks it read.
 */
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
const contexts: BrowserContext[] = [];
const DAY_MS = 86_400_000;
const UI = { timeout: 30_000, interval: 200 };

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

/** Partner A holds a customer's subscription; partner B, its reseller too, asks A for it. */
async function seedTransferRequest(tag: string) {
  const operatorToken = await api.login(OPERATOR);
  const stamp = `${tag}${Date.now()}`;
  const partner = async (name: string, email: string) => {
    const p = await api.post('/api/admin/partners', operatorToken, {
      name,
      country: 'ES',
      admin: { email, password: DEMO_PASSWORD },
    });
    return { partner: p, token: await api.login(email), email };
  };
  const a = await partner(`Holder ${tag.toUpperCase()}`, `admin@holder-${stamp}.test`);
  const b = await partner(`Asker ${tag.toUpperCase()}`, `admin@asker-${stamp}.test`);
  const domain = `bell-${stamp}.test`;
  const { adminPasswordLink, ...tenant } = await api.post('/api/customers', a.token, {
    companyName: `Bell Customer ${tag.toUpperCase()}`,
    defaultDomain: domain,
    country: 'ES',
    users: [],
    admin: { email: `admin@${domain}` },
  });
  await api.call('POST', '/api/auth/set-password', undefined, {
    token: adminPasswordLink.token,
    newPassword: DEMO_PASSWORD,
  });
  const customerToken = await api.login(`admin@${domain}`);
  const now = Date.parse((await api.get('/api/clock', operatorToken)).now);
  await api.post(`/api/admin/tenants/${tenant.id}/subscriptions`, operatorToken, {
    offerId: 'demo-m365-business-basic',
    quantity: 10,
    channel: 'partner',
    partnerId: a.partner.id,
    billingCycle: 'annual',
    termStart: new Date(now - 200 * DAY_MS).toISOString(),
    termEnd: new Date(now + 165 * DAY_MS).toISOString(),
    autoRenew: true,
  });
  const invite = await api.post('/api/relationship-requests', b.token, { tenantId: tenant.id });
  await api.post(`/api/invitations/${invite.token}/accept`, customerToken);
  await api.post(`/api/customers/${tenant.id}/transfers`, b.token, { sourcePartnerId: a.partner.id });
  // The events job publishes within a second or two.
  await expect
    .poll(async () => (await api.get('/api/notifications', a.token)).unreadCount as number, UI)
    .toBeGreaterThan(0);
  return { a, b, tenant };
}

async function bellFlow(lang: Lang) {
  const t = texts(lang);
  const c = await seedTransferRequest(lang);
  const { page, problems } = await signedInPage(chromium, server.url, contexts, {
    lang,
    email: c.a.email,
    path: '/customers',
  });
  const bell = page.getByTestId('notification-bell');
  await expect
    .poll(() => bell.getAttribute('aria-label'), UI)
    .toBe(t.key('notifications.bell_one', { count: 1 }));
  expect(await page.getByTestId('notification-count').textContent()).toBe('1');
  await bell.click();
  const panel = page.getByRole('region', { name: t.key('notifications.title') });
  await panel.waitFor();
  const text = t.key('notifications.kind.transfer-waiting', {
    partner: c.b.partner.name,
    customer: c.tenant.companyName,
  });
  const link = panel.getByRole('link', { name: text });
  await link.waitFor();
  await panel.getByRole('button', { name: t.key('notifications.markAllRead'), exact: true }).waitFor();
  await checkView(page, `notifications-${lang}`);
  await link.click();
  await expect.poll(() => new URL(page.url()).pathname, UI).toBe('/transfers');
  await expect.poll(async () => (await api.get('/api/notifications', c.a.token)).unreadCount, UI).toBe(0);
  await expect.poll(() => page.getByTestId('notification-count').count(), UI).toBe(0);
  expect(problems).toEqual([]);
}

describe('the notification bell', () => {
  it('English: the count, the list, and following a notification marks it read', async () => {
    await bellFlow('en');
  });
  it('Spanish: the same, in Spanish', async () => {
    await bellFlow('es');
  });
});
