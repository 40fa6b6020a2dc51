import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  DEMO_PASSWORD,
  ensureConsoleBuilt,
  launchChromium,
  startServer,
  type TestBrowser,
  type TestServer,
  texts,
} from '../fixtures/browser.ts';
import { checkView, signedInPage } from '../fixtures/console-page.ts';
import { OPERATOR } from './main-flow.ts';

/**
 * The two-tier model in the console (SPEC §7): the demo's indirect provider sees its reseller, makes
 * a link (English); a new reseller's account admin accepts it (Spanish); both see the link.
 */
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
const contexts: BrowserContext[] = [];
const PROVIDER = 'account.admin@provider.demo';

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

describe('two-tier in the console', () => {
  it('a provider makes a link (English), a new reseller accepts it (Spanish), both see the link', async () => {
    const en = texts('en');
    const es = texts('es');
    const { page, problems } = await signedInPage(chromium, server.url, contexts, {
      lang: 'en',
      email: PROVIDER,
      path: '/indirect',
    });
    await page.getByRole('heading', { level: 1, name: en.key('indirect.title'), exact: true }).waitFor();
    await page.getByRole('row').filter({ hasText: 'Pyme Cloud Sevilla' }).waitFor();
    await page.getByRole('button', { name: en.key('indirect.invite'), exact: true }).click();
    const link = await page.getByTestId('indirect-link').inputValue();
    expect(link).toContain('/indirect-invitations/');
    await checkView(page, 'two-tier-provider-en');

    const operator = await api.login(OPERATOR);
    const email = `admin@reseller-${Date.now()}.test`;
    await api.post('/api/admin/partners', operator, {
      name: 'Nuevo Revendedor',
      country: 'ES',
      kind: 'indirect-reseller',
      admin: { email, password: DEMO_PASSWORD },
    });
    const reseller = await signedInPage(chromium, server.url, contexts, {
      lang: 'es',
      email,
      path: new URL(link).pathname,
    });
    await reseller.page
      .getByRole('heading', { level: 1, name: es.key('indirect.acceptTitle'), exact: true })
      .waitFor();
    await checkView(reseller.page, 'two-tier-accept-es');
    await reseller.page.getByRole('button', { name: es.key('indirect.accept'), exact: true }).click();
    await reseller.page
      .getByText(es.key('indirect.accepted', { provider: 'Distribuidora Iberia' }))
      .waitFor();
    await reseller.page
      .getByRole('link', { name: es.key('indirect.title'), exact: true })
      .last()
      .click();
    await reseller.page.getByRole('row').filter({ hasText: 'Distribuidora Iberia' }).waitFor();
    await checkView(reseller.page, 'two-tier-reseller-es');

    await page.reload();
    await page.getByRole('row').filter({ hasText: 'Nuevo Revendedor' }).waitFor();
    expect([...problems, ...reseller.problems]).toEqual([]);
  });

  it('the demo reseller asks a customer through its provider from Relationships (Spanish)', async () => {
    const es = texts('es');
    const { page, problems } = await signedInPage(chromium, server.url, contexts, {
      lang: 'es',
      email: 'account.admin@reseller.demo',
      path: '/relationships',
    });
    const picker = page.getByLabel(es.key('relationships.provider'), { exact: true });
    await picker.waitFor();
    expect(await picker.locator('option').allTextContents()).toEqual(['Distribuidora Iberia']);
    await page.getByLabel(es.key('relationships.domain'), { exact: true }).fill('fabrikam.demo');
    await page.getByRole('button', { name: es.key('relationships.create'), exact: true }).click();
    await page.getByTestId('invitation-link').waitFor();
    await checkView(page, 'two-tier-reseller-relationship-es');
    const token = await api.login('account.admin@reseller.demo');
    const provider = (await api.get('/api/indirect-providers', token)).items[0];
    const requests = await api.all('/api/relationship-requests', token);
    expect(requests.map((r: { indirectProviderId: string | null }) => r.indirectProviderId)).toEqual([
      provider.providerId,
    ]);
    expect(problems).toEqual([]);
  });
});
