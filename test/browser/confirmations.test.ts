import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  DEMO_PASSWORD,
  ensureConsoleBuilt,
  type Json,
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
import { expectNoEnglish } from '../fixtures/english.ts';
import { OPERATOR, PARTNER, UI, waitForAttr } from './main-flow.ts';

/**
 * The console asks before it spends (issue 13, item 9): "Apply plan" shows what will be bought
 * and at what price, and applies nothing until Confirm; a substitute for data at risk is chosen
 * explicitly and the plan then reads "ready, with accepted data loss"; number fields follow the
 * console's language and save nothing they cannot read; the clock and an invitation's withdrawal
 * ask first too. The demo's Northwind Traders is the case: its Project Online line has no offer
 * that carries its data.
 */
const LOCALE: Record<Lang, string> = { en: 'en-US', es: 'es-ES' };
const MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
let partnerToken: string;
let operatorToken: string;
let northwindId: string;
let offers: Map<string, Json>;
const contexts: BrowserContext[] = [];
const problems: string[][] = [];

async function newPage(lang: Lang): Promise<Page> {
  const context = await chromium.browser.newContext({
    locale: LOCALE[lang],
    viewport: { width: 1280, height: 900 },
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  problems.push(watchPage(page).problems);
  return page;
}

async function signIn(page: Page, lang: Lang, email: string, path = '/') {
  const t = texts(lang);
  // The language is picked in the header and remembered; the browser's locale alone is not enough.
  await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(path)}`);
  await page.getByLabel(/^(Language|Idioma)$/).selectOption(lang);
  await expect.poll(() => page.locator('html').getAttribute('lang'), UI).toBe(lang);
  await page.getByLabel(t('Email'), { exact: true }).fill(email);
  await page.getByLabel(t('Password'), { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: t.key('signIn.submit'), exact: true }).click();
  await page.getByTestId('signed-in-user').filter({ hasText: email }).waitFor();
}

async function shot(page: Page, name: string) {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await screenshot(page, `confirm-${name}`);
  expect(await rawKeysShown(page), `texts missing on ${name}`).toEqual([]);
}

const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });
const hasFocus = (l: Locator) =>
  // biome-ignore lint/suspicious/noExplicitAny: the page's document
  l.evaluate((el) => el === (globalThis as any).document.activeElement).catch(() => false);
const holdsFocus = (dialog: Locator) =>
  // biome-ignore lint/suspicious/noExplicitAny: the page's document
  dialog.evaluate((el) => el.contains((globalThis as any).document.activeElement));

const money = (lang: Lang, minor: number, currency: string) =>
  new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency }).format(minor / 100);

async function status(transitionId: string): Promise<string> {
  return (await api.get(`/api/transitions/${transitionId}`, partnerToken)).status;
}

async function partnerSubscriptions(): Promise<number> {
  const subs = await api.all(`/api/customers/${northwindId}/subscriptions`, partnerToken);
  return subs.filter((s: Json) => s.channel === 'partner').length;
}

/**
 * Plans Northwind in the console and acknowledges its blocked line with an explicitly chosen
 * substitute; returns the plan's id.
 */
async function planWithSubstitute(page: Page, lang: Lang, substituteId: string): Promise<string> {
  const t = texts(lang);
  await page.goto(`${server.url}/planner?customer=${northwindId}`);
  await page.getByRole('heading', { level: 1, name: t('Transition planner'), exact: true }).waitFor();
  // Bought now, so that confirming the plan buys at once (before the end, it would buy later).
  await page.getByLabel(t.key('planner.whenToBuy'), { exact: true }).selectOption('now');
  await button(page, t('Create plan')).click();
  const verdict = page.getByTestId('plan-verdict');
  await waitForAttr(verdict, 'data-verdict', 'blocked');
  const first = await verdict.getAttribute('data-transition-id');
  const blocked = page.locator('[data-testid="plan-line"][data-verdict="blocked"]');
  expect(await blocked.count()).toBe(1);
  const n =
    (await page
      .getByTestId('plan-line')
      .evaluateAll((els) => els.findIndex((e) => e.getAttribute('data-verdict') === 'blocked'))) + 1;
  expect(n).toBeGreaterThan(0);

  // No offer is chosen for the person: the picker starts on its placeholder, and the
  // acknowledgment waits for a choice.
  const picker = page.getByLabel(t.key('planner.substituteFor', { n }), { exact: true });
  expect(await picker.inputValue()).toBe('');
  expect((await picker.locator('option').first().textContent())?.trim()).toBe(t.key('planner.chooseOffer'));
  const acknowledge = page.getByRole('button', {
    name: t.key('planner.acknowledgeLine', { n }),
    exact: true,
  });
  expect(await acknowledge.isDisabled()).toBe(true);
  await shot(page, `${lang}-substitute-not-chosen`);

  await picker.selectOption(substituteId);
  expect(await acknowledge.isDisabled()).toBe(false);
  await acknowledge.click();
  await waitForAttr(verdict, 'data-transition-id', (v) => v !== first);
  await waitForAttr(verdict, 'data-verdict', 'ready');
  // Its own verdict, in amber: never the plain green "Ready".
  expect(await verdict.getAttribute('data-accepted-data-loss')).toBe('true');
  const badge = verdict.locator('.badge');
  expect((await badge.textContent())?.trim()).toBe(t.key('status.ready-with-data-loss'));
  expect(await badge.getAttribute('class')).toContain('badge-warn');
  const line = page.locator(`[data-testid="plan-line"][data-target-offer-id="${substituteId}"]`);
  expect((await line.locator('.badge').last().textContent())?.trim()).toBe(
    t.key('status.ready-with-data-loss'),
  );
  await shot(page, `${lang}-ready-with-accepted-data-loss`);

  const id = (await verdict.getAttribute('data-transition-id')) as string;
  const plan = await api.get(`/api/transitions/${id}`, partnerToken);
  expect(plan).toMatchObject({ verdict: 'ready', status: 'planned' });
  expect(plan.lines.filter((l: Json) => l.choice === 'acknowledged-substitute')).toHaveLength(1);
  return id;
}

/** What the confirmation must show for a plan: each offer bought, its seats, prices and currency. */
function expectedPurchases(plan: Json) {
  const rows: { offerId: string; seats: string; perMonth: string; perYear: string; currency: string }[] = [];
  for (const l of plan.lines) {
    if (!l.targetOfferId || l.quantity <= 0) continue;
    for (const id of [l.targetOfferId, ...l.addOnOfferIds]) {
      const o = offers.get(id);
      const months = MONTHS[o.term] as number;
      rows.push({
        offerId: id,
        seats: String(l.quantity),
        perMonth: String(Math.round((o.unitPrice * l.quantity) / months)),
        perYear: String(Math.round((o.unitPrice * l.quantity * 12) / months)),
        currency: o.currency,
      });
    }
  }
  return rows;
}

async function expectConfirmationShows(dialog: Locator, lang: Lang, plan: Json) {
  const expected = expectedPurchases(plan);
  expect(expected.length).toBeGreaterThan(1);
  const rows = dialog.getByTestId('apply-purchase');
  await expect.poll(() => rows.count(), UI).toBe(expected.length);
  const shown = await rows.evaluateAll((els) =>
    els.map((e) => ({
      offerId: e.getAttribute('data-offer-id') ?? '',
      seats: e.getAttribute('data-seats') ?? '',
      perMonth: e.getAttribute('data-per-month') ?? '',
      perYear: e.getAttribute('data-per-year') ?? '',
      currency: e.getAttribute('data-currency') ?? '',
    })),
  );
  expect(shown).toEqual(expected);
  // And in words, as the person reads them: the offer's name, the seats, both prices, the currency.
  for (const [i, r] of expected.entries()) {
    const text = (await rows.nth(i).textContent()) ?? '';
    expect(text).toContain(offers.get(r.offerId).name);
    expect(text).toContain(new Intl.NumberFormat(LOCALE[lang]).format(Number(r.seats)));
    expect(text).toContain(money(lang, Number(r.perMonth), r.currency));
    expect(text).toContain(money(lang, Number(r.perYear), r.currency));
    expect(text).toContain(r.currency);
  }
  const overlap = dialog.getByTestId('apply-overlap');
  // One currency here (the tenant's, EUR): one total, shown in it.
  expect(plan.totals).toHaveLength(1);
  const [total] = plan.totals;
  expect(await overlap.getAttribute('data-amount')).toBe(String(total.overlapCost.amount));
  expect(await overlap.getAttribute('data-currency')).toBe('EUR');
  expect(total.overlapCost.amount).toBeGreaterThan(0);
  expect(await overlap.textContent()).toContain(money(lang, total.overlapCost.amount, total.currency));
  // The old subscriptions run to their end: nothing is lost by cancelling early…
  expect(await dialog.getByTestId('apply-cancel-loss').getAttribute('data-amount')).toBe('0');
  // …but the data loss accepted for the substitute is spelled out.
  expect(await dialog.getByTestId('apply-data-loss').getAttribute('data-lines')).toBe('1');
}

beforeAll(async () => {
  await ensureConsoleBuilt();
  [server, chromium] = await Promise.all([startServer(), launchChromium()]);
  api = apiClient(server.url);
  partnerToken = await api.login(PARTNER);
  operatorToken = await api.login(OPERATOR);
  const customers = await api.all('/api/customers', partnerToken);
  northwindId = customers.find((c: Json) => c.defaultDomain === 'northwind.demo').id;
  offers = new Map((await api.all('/api/offers', partnerToken)).map((o: Json) => [o.id, o]));
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await chromium?.close();
  await server?.stop();
});

describe('the apply confirmation and the explicit substitute', () => {
  it('in Spanish: no preselected substitute, "Listo, con pérdida de datos aceptada", the confirmation in Spanish; Cancel applies nothing', async () => {
    const t = texts('es');
    const page = await newPage('es');
    await signIn(page, 'es', PARTNER);
    const id = await planWithSubstitute(page, 'es', 'demo-m365-business-standard');
    const before = await partnerSubscriptions();
    await button(page, t('Apply plan')).click();
    const dialog = page.getByRole('dialog', { name: t.key('confirm.applyTitle') });
    await dialog.waitFor();
    await expectConfirmationShows(dialog, 'es', await api.get(`/api/transitions/${id}`, partnerToken));
    await shot(page, 'es-apply-confirmation');
    await button(dialog, t.key('common.cancel')).click();
    await dialog.waitFor({ state: 'detached' });
    await expectNoEnglish(page, 'es-apply-cancelled');
    expect(await status(id)).toBe('planned');
    expect(await partnerSubscriptions()).toBe(before);
  });

  it('in English: the dialog is modal and shows what is bought; Escape and Cancel apply nothing; Confirm applies', async () => {
    const t = texts('en');
    const page = await newPage('en');
    await signIn(page, 'en', PARTNER);
    const id = await planWithSubstitute(page, 'en', 'demo-m365-business-basic');
    const plan = await api.get(`/api/transitions/${id}`, partnerToken);
    const before = await partnerSubscriptions();
    const apply = button(page, t('Apply plan'));
    const dialog = page.getByRole('dialog', { name: t.key('confirm.applyTitle') });

    // Opened with the keyboard, closed with Escape: the focus comes back to "Apply plan".
    await apply.focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    await expectConfirmationShows(dialog, 'en', plan);
    expect(await hasFocus(button(dialog, t.key('common.cancel')))).toBe(true);
    // Tab and Shift+Tab stay inside the dialog.
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect(await holdsFocus(dialog), `focus after ${key}`).toBe(true);
    }
    await shot(page, 'en-apply-confirmation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => hasFocus(apply), UI).toBe(true);
    expect(await status(id)).toBe('planned');

    // Cancel: still nothing applied, nothing bought.
    await apply.click();
    await button(dialog, t.key('common.cancel')).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await status(id)).toBe('planned');
    expect(await partnerSubscriptions()).toBe(before);
    expect(new URL(page.url()).pathname).toBe('/planner');

    // Confirm: applied, and the console follows it.
    await apply.click();
    await button(dialog, t.key('confirm.confirm')).click();
    await page.waitForURL(/\/transitions\/[^/]+$/);
    expect(decodeURIComponent(new URL(page.url()).pathname.split('/').pop() as string)).toBe(id);
    await expect.poll(() => status(id), { timeout: 90_000 }).not.toBe('planned');
    await expect.poll(() => partnerSubscriptions(), { timeout: 90_000 }).toBeGreaterThan(before);
  });
});

describe('number fields follow the console language', () => {
  const offerId = 'demo-exchange-online-plan-1';
  const price = async () => (await api.get(`/api/offers/${offerId}`, operatorToken)).unitPrice;

  async function editPrice(page: Page, lang: Lang) {
    const t = texts(lang);
    await page.goto(`${server.url}/catalog`);
    await page.getByRole('heading', { level: 1, name: t('Catalog'), exact: true }).waitFor();
    await page
      .getByRole('button', {
        name: t.key('catalog.editOffer', { name: offers.get(offerId).name }),
        exact: true,
      })
      .click();
    return page.getByLabel(t('Unit price'), { exact: true });
  }

  async function expectRefused(page: Page, field: Locator, lang: Lang) {
    await expect.poll(() => field.getAttribute('aria-invalid'), UI).toBe('true');
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    expect(describedBy).not.toBe('');
    const why = await page.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent();
    expect(why).toBe(
      texts(lang).key('numbers.notNumber', { example: lang === 'es' ? '1234,50' : '1234.50' }),
    );
  }

  it('refuses "siete euros" and "1.234,56" in English: nothing is saved, the field says why', async () => {
    const t = texts('en');
    const before = await price();
    expect(before).toBe(offers.get(offerId).unitPrice);
    const page = await newPage('en');
    await signIn(page, 'en', OPERATOR, '/catalog');
    const field = await editPrice(page, 'en');
    expect(await field.inputValue()).toBe((before / 100).toFixed(2));
    for (const typed of ['siete euros', '1.234,56']) {
      await field.fill(typed);
      await button(page, t('Save offer')).click();
      await expectRefused(page, field, 'en');
      expect(await hasFocus(field)).toBe(true);
      expect(await page.getByText(t.key('catalog.saved'), { exact: true }).count()).toBe(0);
      expect(await price(), typed).toBe(before);
    }
    await shot(page, 'en-price-refused');
    // Corrected, the message goes and the price is saved.
    await field.fill('1,234.56');
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    await button(page, t('Save offer')).click();
    await page.getByText(t.key('catalog.saved'), { exact: true }).waitFor();
    expect(await price()).toBe(123456);
  });

  it('reads "1.234,56" in Spanish as 1234.56, and refuses "siete euros" there too', async () => {
    const t = texts('es');
    const page = await newPage('es');
    await signIn(page, 'es', OPERATOR, '/catalog');
    const field = await editPrice(page, 'es');
    // Shown in Spanish: 1234,56 (the English test saved 1,234.56).
    expect(await field.inputValue()).toBe('1234,56');
    await field.fill('siete euros');
    await button(page, t('Save offer')).click();
    await expectRefused(page, field, 'es');
    await expectNoEnglish(page, 'es-price-refused');
    expect(await price()).toBe(123456);
    await field.fill('1.234,57');
    await button(page, t('Save offer')).click();
    await page.getByText(t.key('catalog.saved'), { exact: true }).waitFor();
    await expectNoEnglish(page, 'es-price-saved');
    expect(await price()).toBe(123457);
  });
});

describe('other actions ask first', () => {
  // The clock runs on from a set offset: the offset is what a move changes.
  const clockOffset = async () => (await api.get('/api/clock', operatorToken)).offsetDays as number;

  it('the clock: a non-number moves nothing; Cancel leaves it unchanged; Confirm moves it (Spanish days)', async () => {
    for (const lang of ['en', 'es'] as const) {
      const t = texts(lang);
      const page = await newPage(lang);
      await signIn(page, lang, OPERATOR, '/clock');
      await page.getByRole('heading', { level: 1, name: t('Platform clock'), exact: true }).waitFor();
      const shown = await waitForAttr(page.getByTestId('clock-now'), 'data-now', /\d{4}-/);
      const before = await clockOffset();
      const days = page.getByLabel(t('Days to advance'), { exact: true });
      const dialog = page.getByRole('dialog', { name: t.key('confirm.clockTitle') });

      await days.fill('siete');
      await button(page, t('Advance clock')).click();
      await expect.poll(() => days.getAttribute('aria-invalid'), UI).toBe('true');
      expect(await dialog.count()).toBe(0);
      expect(await clockOffset()).toBe(before);

      await days.fill('10');
      await button(page, t('Advance clock')).click();
      await dialog.waitFor();
      expect(await dialog.getAttribute('aria-modal')).toBe('true');
      await shot(page, `${lang}-clock-confirmation`);
      await button(dialog, t.key('common.cancel')).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await clockOffset()).toBe(before);
      expect(await page.getByTestId('clock-now').getAttribute('data-now')).toBe(shown);

      if (lang === 'es') {
        // A day and a half, written the Spanish way.
        await days.fill('1,5');
        await button(page, t('Advance clock')).click();
        await button(dialog, t.key('confirm.confirm')).click();
        await waitForAttr(page.getByTestId('clock-now'), 'data-now', (v) => v !== shown);
        expect(await clockOffset()).toBeCloseTo(before + 1.5, 2);
        await expectNoEnglish(page, 'es-clock-moved');
      }
    }
  });

  it('withdrawing an invitation: Cancel keeps it pending, Confirm withdraws it', async () => {
    const t = texts('en');
    const request = await api.post('/api/relationship-requests', partnerToken, { domain: 'fabrikam.demo' });
    const page = await newPage('en');
    await signIn(page, 'en', PARTNER, '/relationships');
    const row = page.locator(`[data-testid="relationship-request-row"][data-request-id="${request.id}"]`);
    await waitForAttr(row, 'data-status', 'pending');
    const dialog = page.getByRole('dialog', { name: t.key('confirm.withdrawTitle') });
    await row.getByRole('button', { name: t('Withdraw') }).click();
    await dialog.waitFor();
    await shot(page, 'en-withdraw-confirmation');
    await button(dialog, t.key('common.cancel')).click();
    await dialog.waitFor({ state: 'detached' });
    const statusOf = async () =>
      (await api.all('/api/relationship-requests', partnerToken)).find((r: Json) => r.id === request.id)
        .status;
    expect(await statusOf()).toBe('pending');
    await row.getByRole('button', { name: t('Withdraw') }).click();
    await button(dialog, t.key('confirm.confirm')).click();
    await waitForAttr(row, 'data-status', 'withdrawn');
    expect(await statusOf()).toBe('withdrawn');
  });

  it('changing auto-renew: Cancel leaves it on, Confirm turns it off', async () => {
    const t = texts('en');
    const customerToken = await api.login('admin@northwind.demo');
    const direct = (await api.all('/api/tenant/subscriptions', customerToken)).filter(
      (s: Json) => s.channel === 'direct' && s.status === 'active' && s.autoRenew,
    );
    expect(direct.length).toBeGreaterThan(0);
    const sub = direct[0];
    const autoRenew = async () =>
      (await api.all('/api/tenant/subscriptions', customerToken)).find((s: Json) => s.id === sub.id)
        .autoRenew;
    const page = await newPage('en');
    await signIn(page, 'en', 'admin@northwind.demo', '/tenant');
    const turnOff = button(page, t.key('tenant.autoRenewOffFor', { offer: sub.offerName ?? sub.offerId }));
    const dialog = page.getByRole('dialog', {
      name: t.key('confirm.autoRenewOffTitle', { offer: sub.offerName ?? sub.offerId }),
    });
    await turnOff.click();
    await dialog.waitFor();
    await shot(page, 'en-auto-renew-confirmation');
    await button(dialog, t.key('common.cancel')).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await autoRenew()).toBe(true);
    await turnOff.click();
    await button(dialog, t.key('confirm.confirm')).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(autoRenew, UI).toBe(false);
  });

  it('deciding a credit, in Spanish: the amount is read the Spanish way, and nothing is decided before Confirm', async () => {
    const t = texts('es');
    const customerToken = await api.login('admin@northwind.demo');
    const direct = (await api.all('/api/tenant/subscriptions', customerToken)).filter(
      (s: Json) => s.channel === 'direct',
    );
    expect(direct.length).toBeGreaterThan(0);
    const credit = await api.post('/api/tenant/credit-requests', customerToken, {
      subscriptionId: direct[0].id,
      reason: 'Moved to a partner',
      amount: 5000,
    });
    const statusOf = async () =>
      (await api.all('/api/admin/credit-requests?status=submitted', operatorToken)).some(
        (c: Json) => c.id === credit.id,
      )
        ? 'submitted'
        : 'decided';
    const page = await newPage('es');
    await signIn(page, 'es', OPERATOR, '/admin/credits');
    const row = page.locator(`[data-testid="credit-request-row"][data-credit-id="${credit.id}"]`);
    await row.waitFor();
    const amount = row.getByRole('textbox');
    const approve = row.getByRole('button', { name: t('Approve'), exact: false }).first();
    const reject = row.getByRole('button', { name: t.key('creditQueue.reject'), exact: false }).first();
    await amount.fill('siete euros');
    await approve.click();
    await expect.poll(() => amount.getAttribute('aria-invalid'), UI).toBe('true');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await amount.fill('12,50');
    await approve.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(money('es', 1250, direct[0].currency));
    await shot(page, 'es-credit-confirmation');
    await button(dialog, t.key('common.cancel')).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await statusOf()).toBe('submitted');
    await reject.click();
    await button(dialog, t.key('confirm.confirm')).click();
    await row.waitFor({ state: 'detached' });
    expect(await statusOf()).toBe('decided');
    const rejected = await api.all('/api/admin/credit-requests?status=rejected', operatorToken);
    expect(rejected.map((c: Json) => c.id)).toContain(credit.id);
  });

  it('ran under the strict Content-Security-Policy with no page errors', () => {
    expect(problems.flat()).toEqual([]);
  });
});
