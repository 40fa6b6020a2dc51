import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/platform/errors.ts';
import { describeError } from '../../src/platform/http/error-table.ts';
import {
  type ApiClient,
  apiClient,
  ensureConsoleBuilt,
  type Lang,
  launchChromium,
  rawKeysShown,
  screenshot,
  startServer,
  type TestBrowser,
  type TestServer,
  texts,
  watchPage,
} from '../fixtures/browser.ts';
import { PARTNER } from './main-flow.ts';

/**
 * The console's account pages, in English and Spanish: a customer admin created by a partner opens
 * its one-time link (`/set-password?token=…`), chooses its password and signs in with it; then, on
 * the Account page, it changes the password and signs out everywhere.
 */
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
let partnerToken: string;
const contexts: BrowserContext[] = [];
const LOCALE: Record<Lang, string> = { en: 'en-US', es: 'es-ES' };

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startServer();
  api = apiClient(server.url);
  partnerToken = await api.login(PARTNER);
  chromium = await launchChromium();
}, 240_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await chromium?.close();
  await server?.stop();
});

for (const lang of ['en', 'es'] as const) {
  describe(`account pages (${lang})`, () => {
    const t = texts(lang);
    let page: Page;
    let problems: string[];
    const email = `admin@accounts-${lang}.test`;
    const first = `first-passphrase-${lang}`;
    const second = `second-passphrase-${lang}`;
    const heading = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });

    beforeAll(async () => {
      const context = await chromium.browser.newContext({ locale: LOCALE[lang] });
      contexts.push(context);
      page = await context.newPage();
      page.setDefaultTimeout(30_000);
      problems = watchPage(page).problems;
    });

    it("lets a partner's new customer admin choose its own password through the one-time link", async () => {
      const created = await api.post('/api/customers', partnerToken, {
        companyName: `Accounts ${lang} SL`,
        defaultDomain: `accounts-${lang}.test`,
        country: 'ES',
        admin: { email },
      });
      await page.goto(`${server.url}${created.adminPasswordLink.url}`);
      await heading(t.key('setPassword.title')).waitFor();
      await page.getByLabel(t('New password'), { exact: true }).fill(first);
      await page.getByLabel(t('New password again'), { exact: true }).fill(`${first}-typo`);
      await expect.poll(() => page.getByText(t.key('account.mismatch')).count()).toBe(1);
      await page.getByLabel(t('New password again'), { exact: true }).fill(first);
      await page.getByRole('button', { name: t('Set password'), exact: true }).click();
      await page.getByTestId('password-set').waitFor();
      expect(await rawKeysShown(page)).toEqual([]);
      await screenshot(page, `accounts-${lang}-password-set`);
      // The link is spent: a second use is refused.
      await page.goto(`${server.url}${created.adminPasswordLink.url}`);
      await page.getByLabel(t('New password'), { exact: true }).fill('another-passphrase');
      await page.getByLabel(t('New password again'), { exact: true }).fill('another-passphrase');
      await page.getByRole('button', { name: t('Set password'), exact: true }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      // The server's own description, in the console's language (it sends Accept-Language), also
      // when the browser's own language is the other one and the reader picked this one.
      const code = (await alert.getAttribute('data-code')) as ErrorCode;
      expect(code).toMatch(/^password_link_/);
      expect(await alert.textContent()).toBe(describeError(code, {}, lang).description);
      const other = await chromium.browser.newContext({ locale: LOCALE[lang === 'es' ? 'en' : 'es'] });
      contexts.push(other);
      await other.addInitScript(`localStorage.setItem('traslado.language', '${lang}')`);
      const picked = await other.newPage();
      await picked.goto(`${server.url}${created.adminPasswordLink.url}`);
      await picked.getByLabel(t('New password'), { exact: true }).fill('another-passphrase');
      await picked.getByLabel(t('New password again'), { exact: true }).fill('another-passphrase');
      await picked.getByRole('button', { name: t('Set password'), exact: true }).click();
      await picked.getByRole('alert').waitFor();
      expect(await picked.getByRole('alert').textContent()).toBe(describeError(code, {}, lang).description);
      await picked.close();

      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel(t('Email'), { exact: true }).fill(email);
      await page.getByLabel(t('Password'), { exact: true }).fill(first);
      await page.getByRole('button', { name: t.key('signIn.submit'), exact: true }).click();
      await page.getByTestId('signed-in-user').filter({ hasText: email }).waitFor();
    });

    it('changes the password on the Account page, then signs out everywhere', async () => {
      const script = await api.login(email, first);
      await page.getByRole('link', { name: t.key('nav.account'), exact: true }).click();
      await heading(t.key('account.title')).waitFor();
      await page.getByLabel(t('Current password'), { exact: true }).fill(first);
      await page.getByLabel(t('New password'), { exact: true }).fill(second);
      await page.getByLabel(t('New password again'), { exact: true }).fill(second);
      await page.getByRole('button', { name: t.key('account.changeSubmit'), exact: true }).click();
      await page.getByTestId('password-changed').waitFor();
      expect(await rawKeysShown(page)).toEqual([]);
      await screenshot(page, `accounts-${lang}-password-changed`);
      // The other session ended; the new password signs in.
      await expect(api.get('/api/auth/me', script)).rejects.toThrow(/401/);
      const other = await api.login(email, second);

      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: t.key('account.everywhereSubmit'), exact: true }).click();
      await heading(t.key('signIn.title')).waitFor();
      await expect(api.get('/api/auth/me', other)).rejects.toThrow(/401/);
      await page.goto(`${server.url}/account`);
      await page.waitForURL(/\/sign-in\?next=%2Faccount$/);
    });

    it('ran with no page errors', () => {
      expect(problems).toEqual([]);
    });
  });
}
