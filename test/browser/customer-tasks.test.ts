import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  DEMO_PASSWORD,
  ensureConsoleBuilt,
  type Json,
  launchChromium,
  rawKeysShown,
  screenshot,
  seriousAxeViolations,
  startServer,
  type TestBrowser,
  type TestServer,
  texts,
  watchPage,
} from '../fixtures/browser.ts';
import { OPERATOR, PARTNER, UI } from './main-flow.ts';

/**
 * The customer's Tasks view when its partner has no delegated admin (SPEC §3.4, §3.5): every user's
 * license move (the SKUs to assign, the one to remove) and turning auto-renew off, each with its
 * date, upcoming ones too; in English and in Spanish.
 */
const t = texts('en');
const es = texts('es');
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

/** A new customer of the demo partner (no delegated admin) moving off Office 365 E1 (end of sale). */
async function seedE1Customer() {
  const partnerToken = await api.login(PARTNER);
  const operatorToken = await api.login(OPERATOR);
  const domain = `tasks-${Date.now()}.test`;
  const admin = `admin@${domain}`;
  const { adminPasswordLink, ...tenant } = await api.post('/api/customers', partnerToken, {
    companyName: 'Tasks Test Company',
    defaultDomain: domain,
    country: 'ES',
    users: [],
    admin: { email: admin },
  });
  await api.call('POST', '/api/auth/set-password', undefined, {
    token: adminPasswordLink.token,
    newPassword: DEMO_PASSWORD,
  });
  const now = Date.parse((await api.get('/api/clock', operatorToken)).now);
  const e1 = await api.get('/api/offers/demo-o365-e1', operatorToken);
  const source = await api.post(`/api/admin/tenants/${tenant.id}/subscriptions`, operatorToken, {
    offerId: 'demo-o365-e1',
    quantity: 3,
    channel: 'direct',
    purchasedVia: 'admin-center',
    billingCycle: 'annual',
    termStart: new Date(now - 320 * DAY_MS).toISOString(),
    termEnd: new Date(now + 45 * DAY_MS).toISOString(),
    autoRenew: true,
  });
  const upns = [`ana@${domain}`, `luis@${domain}`];
  for (const upn of upns)
    await api.post(`/api/admin/tenants/${tenant.id}/users`, operatorToken, {
      userPrincipalName: upn,
      displayName: upn,
      licenses: [{ skuId: e1.skuId }],
    });
  const plan = await api.post(`/api/customers/${tenant.id}/transitions`, partnerToken, {
    options: { provision: 'before-end' },
  });
  await api.post(`/api/transitions/${plan.id}/apply`, partnerToken);
  for (let i = 0; i < 200; i++) {
    if ((await api.get(`/api/transitions/${plan.id}`, partnerToken)).status === 'waiting') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { admin, upns, source, line: plan.lines[0] as Json, e1 };
}

async function newPage(locale: string): Promise<{ page: Page; problems: string[] }> {
  // axe-core is injected as a script tag, which the console's CSP would refuse (as in a11y.test.ts).
  const context = await chromium.browser.newContext({
    locale,
    bypassCSP: true,
    viewport: { width: 1280, height: 900 },
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return { page, problems: watchPage(page).problems };
}

describe("the customer's Tasks view without delegated admin", () => {
  it('shows each user license move with the SKUs, and auto-renew off, each with its date, in English and Spanish', async () => {
    const c = await seedE1Customer();
    expect(c.line.reassignLicenses).toBe(true);
    const { page, problems } = await newPage('en-US');
    await page.goto(`${server.url}/sign-in?next=/tenant/tasks`);
    await page.getByRole('heading', { level: 1, name: t.key('signIn.title'), exact: true }).waitFor();
    await page.getByLabel(t('Email'), { exact: true }).fill(c.admin);
    await page.getByLabel(t('Password'), { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: t.key('signIn.submit'), exact: true }).click();
    await page.getByRole('heading', { level: 1, name: t('Tasks'), exact: true }).waitFor();

    const rows = page.getByTestId('task-row');
    await expect.poll(() => rows.count(), UI).toBe(3);
    const steps = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    expect(steps).toEqual(['turn-off-auto-renew', 'assign-target-licenses', 'remove-source-licenses']);
    // The license moves come on the day the partner buys, and say so.
    const assign = rows.nth(1);
    // A day says its zone (web/src/format.ts): "Jan 13, 2027 (UTC)".
    const day = `${new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(c.line.provisionAt as string),
    )} (UTC)`;
    expect((await assign.getByTestId('task-status').textContent())?.trim()).toBe(
      t.key('tasks.status.upcoming', { date: day }),
    );
    const table = assign.getByTestId('task-users');
    expect(await table.getByRole('row').count()).toBe(1 + c.upns.length);
    const text = (await table.textContent()) ?? '';
    for (const upn of c.upns) expect(text).toContain(upn);
    expect(text).toContain(c.e1.skuPartNumber);
    expect(text).toContain('Office_365_w/o_Teams_Bundle_E1');
    expect(await rawKeysShown(page)).toEqual([]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'customer-tasks-en');

    await page.getByLabel(t('Language'), { exact: true }).selectOption('es');
    await page.getByRole('heading', { level: 1, name: es('Tasks'), exact: true }).waitFor();
    await rows.nth(1).getByText(es.key('tasks.users'), { exact: true }).waitFor();
    expect(await rows.nth(1).getByRole('columnheader').allTextContents()).toEqual([
      es.key('tasks.user'),
      es.key('tasks.assign'),
      es.key('tasks.remove'),
    ]);
    expect(await rawKeysShown(page)).toEqual([]);
    await screenshot(page, 'customer-tasks-es');
    expect(problems).toEqual([]);
  });
});
