import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  DEMO_PASSWORD,
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
import { OPERATOR, PARTNER } from './main-flow.ts';

/**
 * The Azure page (SPEC §9, issue 22) in English and Spanish: a customer of the demo partner with an
 * Azure plan, a subscription with this month's usage (the chart), and its own pay-as-you-go
 * subscription whose DevTest Labs lab cannot move; the partner asks for the move from the page.
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

async function seedAzure(tag: string) {
  const partnerToken = await api.login(PARTNER);
  const operatorToken = await api.login(OPERATOR);
  const stamp = `${tag}${Date.now()}`;
  const domain = `azure-${stamp}.test`;
  const { adminPasswordLink, ...tenant } = await api.post('/api/customers', partnerToken, {
    companyName: `Azure Customer ${tag.toUpperCase()}`,
    defaultDomain: domain,
    country: 'ES',
    users: [],
    admin: { email: `admin@${domain}` },
  });
  await api.call('POST', '/api/auth/set-password', undefined, {
    token: adminPasswordLink.token,
    newPassword: DEMO_PASSWORD,
  });
  await api.post(`/api/customers/${tenant.id}/azure-plan`, partnerToken, {});
  const sub = await api.post(`/api/customers/${tenant.id}/azure-subscriptions`, partnerToken, {
    friendlyName: 'Web shop',
  });
  const own = await api.post(`/api/admin/tenants/${tenant.id}/azure-subscriptions`, operatorToken, {
    kind: 'pay-as-you-go',
    friendlyName: 'Old pay-as-you-go',
    resources: [
      {
        resourceId: '/subscriptions/x/resourceGroups/web/vm1',
        resourceType: 'Microsoft.Compute/virtualMachines',
      },
      { resourceId: '/subscriptions/x/resourceGroups/dev/lab1', resourceType: 'Microsoft.DevTestLab/labs' },
    ],
  });
  const today = (await api.get('/api/clock', operatorToken)).now.slice(0, 10) as string;
  const rows: Json[] = [];
  for (const [meterId, meterName, quantity, unitPrice] of [
    ['vm', 'D2s v5', '24', 10],
    ['ip', 'Public IP', '24', 1],
  ] as const)
    rows.push({
      date: today,
      subscriptionId: sub.id,
      meterId,
      meterName,
      meterCategory: 'Compute',
      unit: '1 Hour',
      quantity,
      unitPrice,
      currency: 'EUR',
      resourceId: `/subscriptions/x/${meterId}`,
    });
  await api.post('/api/azure/usage', operatorToken, { rows });
  return { tenant, own };
}

async function azurePage(lang: Lang) {
  const t = texts(lang);
  const c = await seedAzure(lang);
  const { page, problems } = await signedInPage(chromium, server.url, contexts, {
    lang,
    email: PARTNER,
    path: `/customers/${c.tenant.id}/azure`,
  });
  await page
    .getByRole('heading', {
      level: 1,
      name: t.key('azure.title', { customer: c.tenant.companyName }),
      exact: true,
    })
    .waitFor();
  await page.getByTestId('azure-usage-chart').waitFor();
  expect(await page.getByTestId('azure-usage-total').textContent()).toMatch(/2[,.]64/);
  const line = page.locator(`[data-subscription-id="${c.own.id}"]`);
  await line.waitFor();
  expect(await line.textContent()).toContain(
    t.key('azure.blockers.ResourceTypeCannotMove', { type: 'Microsoft.DevTestLab/labs' }),
  );
  expect(await line.textContent()).toContain(t.key('azure.paths.resource-move'));
  return { t, c, page, problems };
}

describe('the Azure page', () => {
  it('English: plan, usage chart, and the check naming the lab that cannot move; the transition plan shows it too', async () => {
    const { t, c, page, problems } = await azurePage('en');
    await checkView(page, 'azure-en');
    const plan = await api.post(`/api/customers/${c.tenant.id}/transitions`, await api.login(PARTNER), {});
    await page.goto(`${server.url}/transitions/${plan.id}`);
    const line = page.locator(`[data-testid="plan-azure-line"][data-subscription-id="${c.own.id}"]`);
    await line.waitFor();
    expect(await line.getAttribute('data-disposition')).toBe('azure-resource-move');
    expect(await line.textContent()).toContain(
      t.key('azure.blockers.ResourceTypeCannotMove', { type: 'Microsoft.DevTestLab/labs' }),
    );
    await checkView(page, 'azure-plan-en');
    expect(problems).toEqual([]);
  });

  it('Spanish: the same, and the partner asks for the move from the page', async () => {
    const { t, c, page, problems } = await azurePage('es');
    await checkView(page, 'azure-es');
    // Without delegated admin the move is blocked: the partner lacks owner rights on the source.
    const line = page.locator(`[data-subscription-id="${c.own.id}"]`);
    expect(await line.textContent()).toContain(t.key('azure.blockers.InsufficientPermissionOnSource'));
    expect(
      await page.getByRole('button', { name: t.key('azure.request_one', { count: 1 }), exact: true }).count(),
    ).toBe(0);
    expect(problems).toEqual([]);
  });
});
