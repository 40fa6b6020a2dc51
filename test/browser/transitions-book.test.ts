import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBulk, planBulk } from '../../src/cli/plan-report.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { SCALE_PASSWORD, seedScale } from '../../src/seed/scale.ts';
import {
  apiClient,
  ensureConsoleBuilt,
  type Json,
  type Lang,
  launchChromium,
  screenshot,
  seriousAxeViolations,
  type TestBrowser,
  texts,
} from '../fixtures/browser.ts';
import { checkView, pickCustomer, signedInPage } from '../fixtures/console-page.ts';
import { ensurePostgresTemplate, type TestDatabase } from '../fixtures/databases.ts';
import { freePort, processDatabase, ServerProcess } from '../fixtures/server-process.ts';

/**
 * Issue 21 in the console: a bulk-applied book of 200 customers (seeded in-process with the scale
 * seed and the bulk use cases, never through the UI) followed in the transitions list (filter by
 * group, the count, server sort by column header) and exported to CSV (the downloaded rows
 * checked), in English and Spanish; the bulk run's report; the customers and audit lists' sort and
 * export; the searchable customer picker. Screenshots and axe on each new view.
 */
const CUSTOMERS = 200;
const HOSTILE = '=HYPERLINK("http://evil.test","x")';
const UI = { timeout: 30_000, interval: 200 };
let db: TestDatabase;
let server: ServerProcess;
let chromium: TestBrowser;
let api: ReturnType<typeof apiClient>;
let admin: string;
let token: string;
let dir: string;
let baseUrl: string;
let hostileId: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const config = loadConfig({}, { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
  const log = createLogger('silent');
  dir = mkdtempSync(join(tmpdir(), 'traslado-book-'));
  await ensurePostgresTemplate();
  const [, database, browser] = await Promise.all([
    ensureConsoleBuilt(),
    processDatabase(),
    launchChromium(),
  ]);
  db = database.db;
  chromium = browser;
  const book = await seedScale(db.handle.db, { customers: CUSTOMERS, seed: 2121, config });
  admin = book.adminEmail;
  // One customer a spreadsheet would run as a formula: the export must neutralise it.
  const first = await db.handle.db
    .selectFrom('relationships')
    .select('tenant_id')
    .where('partner_id', '=', book.partnerId)
    .orderBy('tenant_id')
    .executeTakeFirstOrThrow();
  hostileId = first.tenant_id;
  await db.handle.db
    .updateTable('tenants')
    .set({ company_name: HOSTILE })
    .where('id', '=', hostileId)
    .execute();
  const report = join(dir, 'plan.jsonl');
  await planBulk(db.handle, { partnerId: book.partnerId, out: report, config, log });
  await applyBulk(db.handle, { report, concurrency: 8, config, log });
  const port = await freePort();
  server = new ServerProcess(database.url, port, { TRASLADO_RATE_LIMIT: '0' }, ['--no-demo']);
  await server.start();
  baseUrl = `http://127.0.0.1:${port}`;
  api = apiClient(baseUrl);
  token = await login(admin);
}, 170_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await chromium?.close();
  await server?.kill();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function login(email: string): Promise<string> {
  return api.login(email, SCALE_PASSWORD);
}

const url = () => baseUrl;

async function open(lang: Lang, path: string) {
  return signedInPage(chromium, url(), contexts, { lang, email: admin, path, password: SCALE_PASSWORD });
}

/** Every id the API lists for this query (pages of 200). */
async function allIds(path: string, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Json = await api.get(`${path}?${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, token);
    ids.push(...page.items.map((i: Json) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

async function download(page: Page): Promise<Record<string, string>[]> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const path = await file.path();
  return parseCsv(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
}

const total = (page: Page) => page.getByTestId('list-count').getAttribute('data-total');

async function headerSort(page: Page, label: string) {
  const th = page.getByRole('columnheader', { name: label, exact: true });
  await th.getByRole('button').click();
  return th;
}

for (const lang of ['en', 'es'] as const) {
  describe(`the partner's book in the console (${lang})`, () => {
    const t = texts(lang);

    it('follows the 200 bulk-applied transitions: count, filter by group, sort by column, CSV export', async () => {
      const { page, problems } = await open(lang, '/transitions');
      await page.getByRole('heading', { level: 1, name: t.key('transitions.title'), exact: true }).waitFor();
      await expect.poll(() => total(page), UI).toBe(String(CUSTOMERS));
      await checkView(page, `transitions-${lang}`);

      // The group with the most transitions, as the API counts them; the console shows the same.
      const home: Json = await api.get('/api/home', token);
      const [group, count] = Object.entries(home.transitions as Record<string, number>).sort(
        (a, b) => b[1] - a[1],
      )[0]!;
      expect(count).toBeGreaterThan(0);
      expect(Object.values(home.transitions as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
        CUSTOMERS,
      );
      await page.getByLabel(t.key('transitions.group'), { exact: true }).selectOption(group);
      await expect.poll(() => total(page), UI).toBe(String(count));
      const rows = page.getByTestId('transition-row');
      await expect.poll(() => rows.count(), UI).toBe(Math.min(count, 50));
      const groups = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
      expect(groups.length).toBeGreaterThan(0);
      expect(groups.every((g) => g === group)).toBe(true);

      // Sort by customer on the server: ascending, then descending; aria-sort says which.
      const th = await headerSort(page, t.key('transitions.customer'));
      await expect.poll(() => th.getAttribute('aria-sort'), UI).toBe('ascending');
      const ascIds = await allIds('/api/transitions', `group=${group}&sort=companyName`);
      await expect.poll(() => rows.first().getAttribute('data-id'), UI).toBe(ascIds[0]);
      await th.getByRole('button').click();
      await expect.poll(() => th.getAttribute('aria-sort'), UI).toBe('descending');
      await expect.poll(() => rows.first().getAttribute('data-id'), UI).toBe(ascIds[ascIds.length - 1]);

      // The download holds every row the filter shows (not one page), in the list's order.
      const csv = await download(page);
      expect(csv.length).toBe(count);
      expect(csv.map((r) => r.transitionId)).toEqual([...ascIds].reverse());
      expect(csv.every((r) => r.group === group)).toBe(true);

      // The whole book: 200 rows, the hostile name neutralised.
      await page.getByLabel(t.key('transitions.group'), { exact: true }).selectOption('');
      await expect.poll(() => total(page), UI).toBe(String(CUSTOMERS));
      const all = await download(page);
      expect(all).toHaveLength(CUSTOMERS);
      expect(new Set(all.map((r) => r.tenantId)).size).toBe(CUSTOMERS);
      expect(all.find((r) => r.tenantId === hostileId)?.companyName).toBe(`'${HOSTILE}`);

      // Pages of 50 in the list's order (still by customer, descending): to the second page, and back.
      const newest = await allIds('/api/transitions', 'sort=-companyName');
      expect(newest).toHaveLength(CUSTOMERS);
      const previous = page.getByRole('button', { name: t.key('common.previousPage'), exact: true });
      const next = page.getByRole('button', { name: t.key('common.nextPage'), exact: true });
      await expect.poll(() => rows.first().getAttribute('data-id'), UI).toBe(newest[0]);
      expect(await previous.isDisabled()).toBe(true);
      await next.click();
      await expect.poll(() => rows.first().getAttribute('data-id'), UI).toBe(newest[50]);
      await expect.poll(() => rows.count(), UI).toBe(50);
      await previous.click();
      await expect.poll(() => rows.first().getAttribute('data-id'), UI).toBe(newest[0]);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it("shows the bulk run's report and filters the list by the run", async () => {
      const { page, problems } = await open(lang, '/bulk-runs');
      await page.getByRole('heading', { level: 1, name: t.key('bulkRuns.title'), exact: true }).waitFor();
      const run = page.getByTestId('bulk-run-row');
      await expect.poll(() => run.count(), UI).toBe(1);
      await checkView(page, `bulk-runs-${lang}`);
      await run.getByRole('link').click();
      await page
        .getByRole('heading', { level: 1, name: t.key('bulkRuns.reportTitle'), exact: true })
        .waitFor();
      // Fifty customers at first, every verdict counted; "Show more" adds the next ones.
      await expect.poll(() => page.getByTestId('bulk-run-customer').count(), UI).toBe(50);
      const counted = await page
        .getByTestId('bulk-run-counts')
        .locator('dd')
        .evaluateAll((els) => els.map((e) => Number(e.textContent)));
      expect(counted.reduce((a, b) => a + b, 0)).toBe(CUSTOMERS);
      await checkView(page, `bulk-run-report-${lang}`);
      await page.getByRole('button', { name: t.key('bulkRuns.more', { count: 50 }), exact: true }).click();
      await expect.poll(() => page.getByTestId('bulk-run-customer').count(), UI).toBe(100);
      await page.getByRole('link', { name: t.key('bulkRuns.follow'), exact: true }).click();
      await page.getByTestId('run-filter').waitFor();
      await expect.poll(() => total(page), UI).toBe(String(CUSTOMERS));
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it('sorts and exports the customers list, and the audit list', async () => {
      const { page, problems } = await open(lang, '/customers');
      await expect.poll(() => total(page), UI).toBe(String(CUSTOMERS));
      const th = await headerSort(page, t.key('customers.domain'));
      await expect.poll(() => th.getAttribute('aria-sort'), UI).toBe('ascending');
      const byDomain: Json = await api.get('/api/customers?sort=defaultDomain&limit=1', token);
      await expect
        .poll(() => page.getByTestId('customer-row').first().getAttribute('data-domain'), UI)
        .toBe(byDomain.items[0].defaultDomain);
      await checkView(page, `customers-list-${lang}`);
      const customers = await download(page);
      expect(customers).toHaveLength(CUSTOMERS);
      const domains = customers.map((r) => r.defaultDomain!);
      expect(domains).toEqual([...domains].sort());
      expect(customers.find((r) => r.tenantId === hostileId)?.companyName).toBe(`'${HOSTILE}`);

      await page.goto(`${url()}/audit`);
      await page.getByRole('heading', { level: 1, name: t.key('audit.title'), exact: true }).waitFor();
      await page.getByLabel(t.key('audit.filter'), { exact: true }).selectOption('transition.');
      const audit: Json = await api.get('/api/audit?action=transition.&limit=1', token);
      expect(audit.total).toBeGreaterThanOrEqual(CUSTOMERS);
      await expect.poll(() => total(page), UI).toBe(String(audit.total));
      const what = await headerSort(page, t.key('audit.what'));
      await expect.poll(() => what.getAttribute('aria-sort'), UI).toBe('ascending');
      // The trail shows action codes (`transition.planned`), which the raw-key scan would take for
      // catalogue keys: axe and the screenshot only.
      expect(await seriousAxeViolations(page), `axe on audit-list-${lang}`).toEqual([]);
      await screenshot(page, `audit-list-${lang}`);
      const trail = await download(page);
      expect(trail).toHaveLength(audit.total);
      const actions = trail.map((r) => r.action!);
      expect(actions.every((a) => a.startsWith('transition.'))).toBe(true);
      expect(actions).toEqual([...actions].sort());
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it('picks a customer in the planner by typing part of its name, and opens a transition that names it', async () => {
      const target: Json = (await api.get('/api/customers?sort=-companyName&limit=1', token)).items[0];
      const { page, problems } = await open(lang, '/planner');
      await page.getByRole('heading', { level: 1, name: t.key('planner.title'), exact: true }).waitFor();
      await pickCustomer(page, t.key('planner.customer'), target.companyName, target.id);
      await checkView(page, `planner-picker-${lang}`);
      const tr: Json = (await api.get(`/api/transitions?tenantId=${target.id}`, token)).items[0];
      await page.goto(`${url()}/transitions/${tr.id}`);
      const named = page.getByTestId('transition-customer');
      await named.getByRole('link', { name: target.companyName }).waitFor();
      await checkView(page, `transition-named-${lang}`);
      await page.goto(`${url()}/`);
      await page.getByTestId('home-groups').waitFor();
      await checkView(page, `home-book-${lang}`);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it('says when the customer search fails, tries it again on its own, then again when asked', async () => {
      const target: Json = (await api.get('/api/customers?sort=companyName&limit=1', token)).items[0];
      const { page, problems } = await open(lang, '/planner');
      await page.getByRole('heading', { level: 1, name: t.key('planner.title'), exact: true }).waitFor();
      // The picker's searches for what is typed do not reach the server (as when the connection
      // drops). Only those are counted: a search for the empty box, made if the focus and the
      // typing are far apart, is not one of the tries.
      let refused = 0;
      const typed = target.companyName.slice(0, 4);
      const search = (u: URL) => u.pathname === '/api/customers' && u.searchParams.get('q') === typed;
      await page.route(search, (route) => {
        refused += 1;
        return route.abort('aborted');
      });
      const box = page.getByRole('combobox', { name: t.key('planner.customer'), exact: true });
      await box.fill(typed);
      const popup = page.locator('.combobox-popup');
      // Not "no customer matches": the reader is told the search failed, in its language. (This
      // wait failed once in a CI run on a loaded machine, the alert never shown: if it fails again,
      // the error says what the page held then.)
      await expect
        .poll(
          () =>
            popup
              .getByRole('alert')
              .textContent({ timeout: 2_000 })
              .catch(() => null),
          UI,
        )
        .toBe(t.key('errors.network'))
        .catch(async (err: Error) => {
          const state = {
            url: page.url(),
            focused: await page.evaluate('document.activeElement?.outerHTML.slice(0, 160) ?? null'),
            box: await box.inputValue({ timeout: 2_000 }).catch(() => null),
            popups: await popup.count(),
            popup: await popup
              .first()
              .innerHTML({ timeout: 2_000 })
              .then((h) => h.slice(0, 400))
              .catch(() => null),
          };
          throw new Error(`${err.message}\nrefused searches: ${refused}; page: ${JSON.stringify(state)}`);
        });
      expect(await popup.textContent()).not.toContain(t.key('picker.none'));
      // Tried again on its own (three times), then it waits to be asked.
      await expect.poll(() => refused, UI).toBe(4);
      await screenshot(page, `planner-picker-failed-${lang}`);
      await page.unroute(search);
      // By keyboard: Tab from the box reaches "Search again" with the popup still open; Enter
      // searches and hands the focus back to the box, where Enter picks what it found.
      await box.press('Tab');
      const retry = popup.getByRole('button', { name: t.key('picker.retry'), exact: true });
      await expect.poll(() => retry.evaluate((b) => b === b.ownerDocument.activeElement), UI).toBe(true);
      await page.keyboard.press('Enter');
      const option = page.getByRole('option').filter({ hasText: target.companyName }).first();
      await option.waitFor();
      expect(await popup.getByRole('alert').count()).toBe(0);
      expect(await option.getAttribute('data-tenant-id')).toBe(target.id);
      expect(await option.getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('Enter');
      await expect.poll(() => box.getAttribute('data-tenant-id'), UI).toBe(target.id);
      expect(await box.inputValue()).toBe(target.companyName);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it('hands the focus back to the box when a try of its own answers while the reader is on "Search again"', async () => {
      const target: Json = (await api.get('/api/customers?sort=companyName&limit=1', token)).items[0];
      const { page, problems } = await open(lang, '/planner');
      await page.getByRole('heading', { level: 1, name: t.key('planner.title'), exact: true }).waitFor();
      // The first search fails; the picker's own next try is held until the reader is on the button.
      const typed = target.companyName.slice(0, 4);
      let tries = 0;
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const search = (u: URL) => u.pathname === '/api/customers' && u.searchParams.get('q') === typed;
      await page.route(search, async (route) => {
        tries += 1;
        if (tries === 1) return route.abort('aborted');
        await held;
        return route.fallback();
      });
      const box = page.getByRole('combobox', { name: t.key('planner.customer'), exact: true });
      await box.fill(typed);
      const popup = page.locator('.combobox-popup');
      await expect.poll(() => popup.getByRole('alert').textContent(), UI).toBe(t.key('errors.network'));
      await box.press('Tab');
      const retry = popup.getByRole('button', { name: t.key('picker.retry'), exact: true });
      await expect.poll(() => retry.evaluate((b) => b === b.ownerDocument.activeElement), UI).toBe(true);
      await expect.poll(() => tries, UI).toBe(2);
      release();
      // The button goes with the failure; the popup stays, with the focus in the box.
      const option = page.getByRole('option').filter({ hasText: target.companyName }).first();
      await option.waitFor();
      await expect.poll(() => retry.count(), UI).toBe(0);
      await expect.poll(() => box.evaluate((b) => b === b.ownerDocument.activeElement), UI).toBe(true);
      await page.waitForTimeout(300); // longer than the popup's close on leaving the picker (150 ms)
      expect(await option.isVisible()).toBe(true);
      expect(tries).toBe(2);
      await page.keyboard.press('Enter');
      await expect.poll(() => box.getAttribute('data-tenant-id'), UI).toBe(target.id);
      expect(problems).toEqual([]);
      await page.unroute(search);
      await page.context().close();
    });
  });
}
