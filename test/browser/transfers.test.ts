import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  DEMO_PASSWORD,
  ensureConsoleBuilt,
  type Json,
  launchChromium,
  startServer,
  type TestBrowser,
  type TestServer,
  texts,
} from '../fixtures/browser.ts';
import { checkView, signedInPage } from '../fixtures/console-page.ts';
import { OPERATOR, PARTNER } from './main-flow.ts';

/**
 * Partner-to-partner transfers in the console (SPEC §7), in English and Spanish: the partner of
 * record gives one of two subscriptions asked of it (and, in Spanish, refuses another request),
 * after a confirmation; the partner that asked and the customer's admin see the outcome.
 */
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
const contexts: BrowserContext[] = [];
const DAY_MS = 86_400_000;

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

/** A customer of the demo partner with two of its subscriptions, a second partner asking for both. */
async function seedTransfer(tag: string) {
  const aToken = await api.login(PARTNER);
  const operatorToken = await api.login(OPERATOR);
  const a = await api.get('/api/partner', aToken);
  const stamp = `${tag}${Date.now()}`;
  const bAdmin = `admin@partner-${stamp}.test`;
  await api.post('/api/admin/partners', operatorToken, {
    name: `Second Partner ${tag.toUpperCase()}`,
    country: 'ES',
    admin: { email: bAdmin, password: DEMO_PASSWORD },
  });
  const bToken = await api.login(bAdmin);
  const domain = `transfer-${stamp}.test`;
  const admin = `admin@${domain}`;
  const { adminPasswordLink, ...tenant } = await api.post('/api/customers', aToken, {
    companyName: `Transfer Customer ${tag.toUpperCase()}`,
    defaultDomain: domain,
    country: 'ES',
    users: [],
    admin: { email: admin },
  });
  await api.call('POST', '/api/auth/set-password', undefined, {
    token: adminPasswordLink.token,
    newPassword: DEMO_PASSWORD,
  });
  const customerToken = await api.login(admin);
  const now = Date.parse((await api.get('/api/clock', operatorToken)).now);
  const subs: Json[] = [];
  for (const [offerId, quantity] of [
    ['demo-m365-business-basic', 12],
    ['demo-exchange-online-plan-1', 4],
  ] as const)
    subs.push(
      await api.post(`/api/admin/tenants/${tenant.id}/subscriptions`, operatorToken, {
        offerId,
        quantity,
        channel: 'partner',
        partnerId: a.id,
        billingCycle: 'annual',
        termStart: new Date(now - 245 * DAY_MS).toISOString(),
        termEnd: new Date(now + 120 * DAY_MS).toISOString(),
        autoRenew: true,
      }),
    );
  const invite = await api.post('/api/relationship-requests', bToken, { tenantId: tenant.id });
  await api.post(`/api/invitations/${invite.token}/accept`, customerToken);
  const transfer = await api.post(`/api/customers/${tenant.id}/transfers`, bToken, { sourcePartnerId: a.id });
  return { admin, bAdmin, tenant, subs, transfer };
}

describe('transfers in the console', () => {
  it('English: the partner of record gives one of two subscriptions after confirming; the asker and the customer see it', async () => {
    const t = texts('en');
    const c = await seedTransfer('en');
    const { page, problems } = await signedInPage(chromium, server.url, contexts, {
      lang: 'en',
      email: PARTNER,
      path: '/transfers',
    });
    await page.getByRole('heading', { level: 1, name: t.key('transfers.title'), exact: true }).waitFor();
    const card = page.getByRole('article').filter({ hasText: c.tenant.companyName });
    await card.waitFor();
    await checkView(page, 'transfers-incoming-en');
    // Keep the Exchange subscription: untick it, approve the other one.
    await card
      .getByRole('checkbox', { name: t.key('transfers.giveOne', { offer: 'Exchange Online (Plan 1)' }) })
      .uncheck();
    await card
      .getByRole('button', { name: t.key('transfers.approve_one', { count: 1 }), exact: true })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: t.key('transfers.confirmApproveTitle') }).waitFor();
    // Nothing has changed before Confirm.
    expect((await api.get(`/api/transfers/${c.transfer.id}`, await api.login(c.bAdmin))).status).toBe(
      'pending',
    );
    await dialog
      .getByRole('button', { name: t.key('transfers.approve_one', { count: 1 }), exact: true })
      .click();
    await page.getByText(t.key('transfers.decided')).waitFor();
    const after = await api.get(`/api/transfers/${c.transfer.id}`, await api.login(c.bAdmin));
    expect(after.status).toBe('completed');
    expect(after.lineItems.map((l: Json) => [l.subscriptionId, l.status]).sort()).toEqual(
      [
        [c.subs[0].id, 'transferred'],
        [c.subs[1].id, 'declined'],
      ].sort(),
    );
    await checkView(page, 'transfers-decided-en');

    const asker = await signedInPage(chromium, server.url, contexts, {
      lang: 'en',
      email: c.bAdmin,
      path: '/transfers',
    });
    const row = asker.page.getByRole('row').filter({ hasText: c.tenant.companyName });
    await row.waitFor();
    expect(await row.textContent()).toContain(t.key('status.completed'));
    await checkView(asker.page, 'transfers-outgoing-en');

    const customer = await signedInPage(chromium, server.url, contexts, {
      lang: 'en',
      email: c.admin,
      path: '/tenant/transfers',
    });
    await customer.page
      .getByRole('heading', { level: 1, name: t.key('transfers.tenantTitle'), exact: true })
      .waitFor();
    const item = customer.page.getByRole('article').first();
    await item.waitFor();
    expect(await item.textContent()).toContain(t.key('status.transferred'));
    await checkView(customer.page, 'transfers-tenant-en');
    expect([...problems, ...asker.problems, ...customer.problems]).toEqual([]);
  });

  it('Spanish: the partner of record refuses; the asker and the customer see it refused', async () => {
    const t = texts('es');
    const c = await seedTransfer('es');
    const { page, problems } = await signedInPage(chromium, server.url, contexts, {
      lang: 'es',
      email: PARTNER,
      path: '/transfers',
    });
    await page.getByRole('heading', { level: 1, name: t.key('transfers.title'), exact: true }).waitFor();
    const card = page.getByRole('article').filter({ hasText: c.tenant.companyName });
    await card.waitFor();
    await checkView(page, 'transfers-incoming-es');
    await card.getByRole('button', { name: t.key('transfers.reject'), exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: t.key('transfers.confirmRejectTitle') }).waitFor();
    await dialog.getByRole('button', { name: t.key('transfers.reject'), exact: true }).click();
    await page.getByText(t.key('transfers.decided')).waitFor();
    const after = await api.get(`/api/transfers/${c.transfer.id}`, await api.login(c.bAdmin));
    expect(after.status).toBe('rejected');

    const asker = await signedInPage(chromium, server.url, contexts, {
      lang: 'es',
      email: c.bAdmin,
      path: '/transfers',
    });
    const row = asker.page.getByRole('row').filter({ hasText: c.tenant.companyName });
    await row.waitFor();
    expect(await row.textContent()).toContain(t.key('status.rejected'));
    await checkView(asker.page, 'transfers-outgoing-es');

    const customer = await signedInPage(chromium, server.url, contexts, {
      lang: 'es',
      email: c.admin,
      path: '/tenant/transfers',
    });
    await customer.page
      .getByRole('heading', { level: 1, name: t.key('transfers.tenantTitle'), exact: true })
      .waitFor();
    await checkView(customer.page, 'transfers-tenant-es');
    expect([...problems, ...asker.problems, ...customer.problems]).toEqual([]);
  });
});
