import { readFile } from 'node:fs/promises';
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
 * The billing console (SPEC §8, issue 19), in English and Spanish: a billing agent sets a markup
 * through the price rules, sees this month's unbilled charge at cost and customer price and the
 * customer's margin; the demo clock moves to the next month (operator API), the month closes
 * into an invoice; the agent opens it, its lines, and downloads its reconciliation file. A sales
 * agent sees no invoices.
 */
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
const contexts: BrowserContext[] = [];

const BILLING_AGENT = 'billing.agent@partner.demo';
const SALES_AGENT = 'sales.agent@partner.demo';
const OFFER = 'demo-m365-business-basic';
const OFFER_NAME = 'Microsoft 365 Business Basic';
const SEATS = 5;
/** EUR 72.00 a seat-year in the demo catalog (Spain), billed annually. */
const UNIT_PRICE = 7_200;
const LOCALE: Record<Lang, string> = { en: 'en-US', es: 'es-ES' };
/** SPEC §8: the reconciliation file's columns, in this order. */
const COLUMNS =
  'PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MpnId,ResellerMpnId,' +
  'OrderId,OrderDate,ProductId,SkuId,SkuName,ProductName,ChargeType,UnitPrice,EffectiveUnitPrice,UnitType,' +
  'Quantity,BillableQuantity,Subtotal,TaxTotal,Total,Currency,ChargeStartDate,ChargeEndDate,SubscriptionId,' +
  'SubscriptionDescription,TermAndBillingCycle,BillingFrequency,ReferenceId,CreditReasonCode';

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

/** EUR minor units as the console shows them in `lang` (Intl, as web/src/format.ts). */
function eur(lang: Lang, minor: number): string {
  return new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency: 'EUR' }).format(minor / 100);
}

/** Text of an element with its whitespace (non-breaking spaces of formatted money included) made plain. */
async function textOf(page: Page, testId: string, filter?: string): Promise<string> {
  let loc = page.getByTestId(testId);
  if (filter) loc = loc.filter({ hasText: filter });
  await loc.first().waitFor();
  return ((await loc.first().textContent()) ?? '').replace(/\s+/g, ' ');
}
const plain = (s: string) => s.replace(/\s+/g, ' ');

/** A new customer of the demo partner (Spain, so priced in EUR). */
async function newCustomer(tag: string): Promise<Json> {
  const token = await api.login(PARTNER);
  const stamp = `${tag}${Date.now()}`;
  const { adminPasswordLink: _link, ...tenant } = await api.post('/api/customers', token, {
    companyName: `Billing Customer ${tag.toUpperCase()} ${stamp.slice(-5)}`,
    defaultDomain: `billing-${stamp}.test`,
    country: 'ES',
    users: [],
    admin: { email: `admin@billing-${stamp}.test` },
  });
  return tenant;
}

/** The first instant of the month after the platform clock's, plus an hour. */
async function nextMonth(operatorToken: string): Promise<{ month: string; next: string }> {
  const now = new Date((await api.get('/api/clock', operatorToken)).now);
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 1));
  return { month: now.toISOString().slice(0, 7), next: next.toISOString() };
}

async function billingFlow(lang: Lang, markup: { typed: string; bp: number }) {
  const t = texts(lang);
  const customer = await newCustomer(lang);
  const { page, problems } = await signedInPage(chromium, server.url, contexts, {
    lang,
    email: BILLING_AGENT,
    path: '/billing/price-rules',
  });
  const h1 = page.getByRole('heading', { level: 1, name: t('Billing'), exact: true });
  await h1.waitFor();

  // Price rules: a markup for one offer and this customer, typed as a reader of `lang` would.
  await page.getByRole('heading', { level: 2, name: t.key('billing.priceRules.title') }).waitFor();
  await page.getByRole('button', { name: t.key('billing.priceRules.add'), exact: true }).click();
  const rule = page.getByTestId('price-rule').last();
  const n = await page.getByTestId('price-rule').count();
  await rule.getByLabel(t.key('billing.priceRules.offerOf', { n }), { exact: true }).selectOption(OFFER);
  await rule
    .getByLabel(t.key('billing.priceRules.customerOf', { n }), { exact: true })
    .selectOption({ label: customer.companyName });
  await rule.getByLabel(t.key('billing.priceRules.markupOf', { n }), { exact: true }).fill(markup.typed);
  await page.getByRole('button', { name: t.key('billing.priceRules.save'), exact: true }).click();
  await page.getByTestId('price-rules-saved').waitFor();
  const agentToken = await api.login(BILLING_AGENT);
  const rules = (await api.get('/api/partner/price-rules', agentToken)).rules as Json[];
  expect(rules.find((r) => r.tenantId === customer.id)).toMatchObject({
    offerId: OFFER,
    markupBasisPoints: markup.bp,
  });
  await checkView(page, `billing-price-rules-${lang}`);

  // A purchase of 5 seats: one `new` line, at cost and at the customer price the rule gives.
  const partnerToken = await api.login(PARTNER);
  await api.post(`/api/customers/${customer.id}/orders`, partnerToken, {
    lineItems: [{ offerId: OFFER, quantity: SEATS }],
  });
  const cost = UNIT_PRICE * SEATS;
  const customerUnit = Math.floor((UNIT_PRICE * (10_000 + markup.bp)) / 10_000);
  const price = customerUnit * SEATS;

  await page.getByRole('link', { name: t.key('billing.section.unbilled'), exact: true }).click();
  await page.getByRole('heading', { level: 2, name: t.key('billing.unbilled.title') }).waitFor();
  const row = await textOf(page, 'unbilled-line', customer.companyName);
  expect(row).toContain(OFFER_NAME);
  expect(row).toContain(t.key('billing.chargeType.new'));
  expect(row).toContain(plain(eur(lang, cost)));
  expect(row).toContain(plain(eur(lang, price)));
  // Charge types in words, never their codes.
  expect(await page.getByTestId('unbilled-lines').textContent()).not.toMatch(
    /\b(new|renew|addQuantity|removeQuantity|cycleCharge|transferIn|transferOut)\b/,
  );
  // The totals are the sums of every unbilled line, per currency.
  const unbilled = await api.all('/api/billing/unbilled', agentToken);
  expect(unbilled.length).toBeGreaterThan(0);
  const sum = (f: (l: Json) => number) => unbilled.reduce((s, l) => s + f(l), 0);
  expect(unbilled.every((l) => l.currency === 'EUR')).toBe(true);
  const totals = await textOf(page, 'unbilled-totals');
  expect(totals).toContain(
    plain(
      eur(
        lang,
        sum((l) => l.subtotal),
      ),
    ),
  );
  expect(totals).toContain(
    plain(
      eur(
        lang,
        sum((l) => l.customerSubtotal),
      ),
    ),
  );
  await checkView(page, `billing-unbilled-${lang}`);

  // Margins: a year's price billed annually is a twelfth a month (hand computation, minor units).
  await page.getByRole('link', { name: t.key('billing.section.margins'), exact: true }).click();
  await page.getByRole('heading', { level: 2, name: t.key('billing.margins.title') }).waitFor();
  const mrr = (customerUnit * SEATS) / 12;
  const monthlyCost = (UNIT_PRICE * SEATS) / 12;
  expect(Number.isInteger(mrr) && Number.isInteger(monthlyCost)).toBe(true);
  const margin = await textOf(page, 'margin-row', customer.companyName);
  expect(margin).toContain(plain(eur(lang, mrr)));
  expect(margin).toContain(plain(eur(lang, monthlyCost)));
  expect(margin).toContain(plain(eur(lang, mrr - monthlyCost)));
  const pct = new Intl.NumberFormat(LOCALE[lang], { style: 'percent', maximumFractionDigits: 1 }).format(
    (mrr - monthlyCost) / mrr,
  );
  expect(margin).toContain(plain(pct));
  await page.getByTestId('margin-chart').locator('svg .recharts-line-dot').first().waitFor();
  expect(await page.getByTestId('margin-total').count()).toBeGreaterThan(0);
  await checkView(page, `billing-margins-${lang}`);

  // The month closes when the demo clock reaches the next one (the operator moves it).
  const operatorToken = await api.login(OPERATOR);
  const { month, next } = await nextMonth(operatorToken);
  await api.post('/api/admin/clock', operatorToken, { now: next });
  let invoice: Json;
  await expect
    .poll(async () => {
      const all = await api.all('/api/invoices', agentToken);
      invoice = all.find((i) => i.periodStart === `${month}-01` && i.currency === 'EUR');
      return invoice?.number ?? null;
    }, UI)
    .not.toBeNull();

  await page.getByRole('link', { name: t.key('billing.section.invoices'), exact: true }).click();
  await page.getByRole('heading', { level: 2, name: t.key('billing.invoices.title') }).waitFor();
  const invoiceRow = await textOf(page, 'invoice-row', invoice.number);
  const monthName = new Intl.DateTimeFormat(LOCALE[lang], {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${month}-01T00:00:00Z`));
  expect(invoiceRow).toContain(monthName);
  expect(invoiceRow).toContain(plain(eur(lang, invoice.total)));
  expect(invoiceRow).toContain(t.key('status.issued'));
  await checkView(page, `billing-invoices-${lang}`);

  await page.getByRole('link', { name: invoice.number, exact: true }).click();
  await page
    .getByRole('heading', { level: 2, name: t.key('billing.invoice.title', { number: invoice.number }) })
    .waitFor();
  const line = await textOf(page, 'invoice-line', customer.companyName);
  expect(line).toContain(OFFER_NAME);
  expect(line).toContain(t.key('billing.chargeType.new'));
  expect(line).toContain(plain(eur(lang, cost)));
  expect(line).toContain(plain(eur(lang, price)));
  expect(await page.getByTestId('invoice-line').count()).toBe(Math.min(invoice.lineCount, 50));
  expect(await textOf(page, 'invoice-total')).toBe(plain(eur(lang, invoice.total)));
  await checkView(page, `billing-invoice-${lang}`);

  // The reconciliation file, downloaded with the console's own session (cookie).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: t.key('billing.invoice.download'), exact: true }).click(),
  ]);
  const csv = await readFile((await download.path()) as string, 'utf8');
  const rows = csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split(/\r?\n/);
  expect(rows[0]).toBe(COLUMNS);
  expect(rows).toHaveLength(invoice.lineCount + 1);
  const mine = rows.filter((r) => r.includes(customer.id));
  expect(mine).toHaveLength(1);
  expect(mine[0]).toContain(`,${invoice.number},`);
  expect(mine[0]).toContain(',new,72.00,72.00,Licenses,5,5,360.00,0.00,360.00,EUR,');
  expect(problems).toEqual([]);
}

describe('billing in the console', () => {
  it('English: price rule, unbilled charge, margin, month close, invoice, its lines and its reconciliation file', async () => {
    await billingFlow('en', { typed: '20', bp: 2_000 });
  });

  it('Spanish: the same with a markup typed with a decimal comma', async () => {
    await billingFlow('es', { typed: '12,5', bp: 1_250 });
  });

  for (const lang of ['en', 'es'] as const) {
    it(`${lang}: a sales agent sees no billing menu and no invoices`, async () => {
      const t = texts(lang);
      const { page, problems } = await signedInPage(chromium, server.url, contexts, {
        lang,
        email: SALES_AGENT,
        path: '/billing/invoices',
      });
      await page.getByRole('heading', { level: 1, name: t.key('forbidden.title'), exact: true }).waitFor();
      const nav = page.getByRole('navigation', { name: t.key('shell.mainNav') });
      await nav.getByRole('link', { name: t.key('nav.customers'), exact: true }).waitFor();
      expect(await nav.getByRole('link', { name: t.key('nav.billing'), exact: true }).count()).toBe(0);
      expect(await page.getByTestId('invoice-row').count()).toBe(0);
      await checkView(page, `billing-sales-agent-${lang}`);
      expect(problems).toEqual([]);
    });
  }
});
