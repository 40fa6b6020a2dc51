import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  type AxeViolation,
  apiClient,
  DEMO_PASSWORD,
  ensureConsoleBuilt,
  type Json,
  launchChromium,
  screenshot,
  seriousAxeViolations,
  startServer,
  type TestBrowser,
  type TestServer,
  tabTo,
  texts,
  writeReport,
} from '../fixtures/browser.ts';
import { CUSTOMER_ADMIN, OPERATOR, PARTNER, UI, waitForAttr } from './main-flow.ts';

/**
 * Accessibility of the console: the main flow's sign-in and acceptance done with the keyboard
 * only, and axe-core on every main view with no violation of serious or critical impact (which
 * includes inputs without labels). Views are checked in English and, for the customer's side,
 * in Spanish as well.
 */
const t = texts('en');
let server: TestServer;
let chromium: TestBrowser;
let api: ApiClient;
const contexts: BrowserContext[] = [];
const found: Record<string, AxeViolation[]> = {};
let partner: Page;
let customer: Page;
let invitationLink: string;
let focusAfterAccept: string | null = null;

async function newPage(locale = 'en-US'): Promise<Page> {
  // axe-core is injected as a script tag, which the console's CSP (script-src 'self') would
  // refuse; the main-flow tests run with the CSP enforced.
  const context = await chromium.browser.newContext({
    locale,
    bypassCSP: true,
    viewport: { width: 1280, height: 900 },
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
const focused = (page: Page) =>
  page.evaluate(() => {
    // biome-ignore lint/suspicious/noExplicitAny: the page's document
    const el = (globalThis as any).document.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` : null;
  });

/** Signs in with the keyboard only: Tab to each field, type, Enter submits. */
async function keyboardSignIn(page: Page, email: string) {
  await heading(page, t.key('signIn.title')).waitFor();
  await tabTo(page, page.getByLabel(t('Email'), { exact: true }));
  await page.keyboard.type(email);
  await tabTo(page, page.getByLabel(t('Password'), { exact: true }), 3);
  await page.keyboard.type(DEMO_PASSWORD);
  await tabTo(page, page.getByRole('button', { name: t.key('signIn.submit'), exact: true }), 5);
  await page.keyboard.press('Enter');
  await page.getByTestId('signed-in-user').filter({ hasText: email }).waitFor();
}

async function check(page: Page, view: string, h1: string) {
  await heading(page, h1).waitFor();
  // Let data-driven parts (tables, charts) settle before reading the page.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  found[view] = await seriousAxeViolations(page);
  await screenshot(page, `a11y-${view}`);
}

beforeAll(async () => {
  await ensureConsoleBuilt();
  [server, chromium] = await Promise.all([startServer(), launchChromium()]);
  api = apiClient(server.url);
  partner = await newPage();
  customer = await newPage();
}, 300_000);

afterAll(async () => {
  await writeReport('a11y-report.json', found).catch(() => undefined);
  for (const c of contexts) await c.close().catch(() => undefined);
  await chromium?.close();
  await server?.stop();
});

describe('the console with the keyboard only', () => {
  it('signs the partner in and requests the relationship without a mouse', async () => {
    await partner.goto(`${server.url}/sign-in`);
    await check(partner, 'sign-in', t.key('signIn.title'));
    await keyboardSignIn(partner, PARTNER);
    await heading(partner, t('Home')).waitFor();
    // The main navigation is reachable with Tab; Enter follows the link.
    await tabTo(
      partner,
      partner
        .getByRole('navigation', { name: t('Main') })
        .getByRole('link', { name: t('Relationships'), exact: true }),
    );
    await partner.keyboard.press('Enter');
    await heading(partner, t('Relationship requests')).waitFor();
    await tabTo(partner, partner.getByLabel(t('Customer domain'), { exact: true }));
    await partner.keyboard.type('fabrikam.demo');
    const ask = partner.getByLabel(t('Ask for delegated admin'), { exact: true });
    await tabTo(partner, ask, 5);
    await partner.keyboard.press('Space');
    expect(await ask.isChecked()).toBe(true);
    await tabTo(partner, partner.getByRole('button', { name: t('Create invitation link'), exact: true }), 10);
    await partner.keyboard.press('Enter');
    const link = partner.getByTestId('invitation-link');
    await expect.poll(() => link.inputValue().catch(() => ''), UI).toMatch(/\/invitations\//);
    invitationLink = await link.inputValue();
    await check(partner, 'relationships', t('Relationship requests'));
  });

  it('has the customer admin sign in from the link and accept without a mouse', async () => {
    await customer.goto(invitationLink);
    await heading(customer, t('Invitation')).waitFor();
    await check(customer, 'invitation-signed-out', t('Invitation'));
    await tabTo(customer, customer.getByRole('link', { name: t('Sign in to answer'), exact: true }));
    await customer.keyboard.press('Enter');
    await customer.waitForURL(/\/sign-in\?next=/);
    await keyboardSignIn(customer, CUSTOMER_ADMIN);
    await heading(customer, t('Invitation')).waitFor();
    await check(customer, 'invitation', t('Invitation'));
    await tabTo(customer, customer.getByRole('button', { name: t('Accept'), exact: true }));
    await customer.keyboard.press('Enter');
    await waitForAttr(customer.getByTestId('invitation-result'), 'data-status', 'accepted');
    focusAfterAccept = await focused(customer);
  });

  it('keeps the keyboard focus in the page after the answer (the Accept button is gone)', () => {
    // Focus on <body> sends a keyboard user back to the top of the page with no word of the result.
    expect(focusAfterAccept).not.toBeNull();
    expect(focusAfterAccept).not.toBe('body');
  });
});

describe('every main view, by axe-core', () => {
  it('partner views', async () => {
    const token = await api.login(PARTNER);
    const fabrikam = (await api.all('/api/customers', token)).find(
      (c: Json) => c.defaultDomain === 'fabrikam.demo',
    );
    expect(fabrikam).toBeDefined();
    await partner.goto(`${server.url}/`);
    await check(partner, 'home', t('Home'));
    await partner.goto(`${server.url}/customers`);
    await check(partner, 'customers', t('Customers'));
    await partner.goto(`${server.url}/customers/${fabrikam.id}`);
    await partner.getByTestId('user-row').first().waitFor();
    await check(partner, 'customer', 'Fabrikam Iberia');
    await partner.goto(`${server.url}/planner?customer=${fabrikam.id}`);
    await heading(partner, t('Transition planner')).waitFor();
    // Bought now, so that the credit is filed at once and billing support's queue below holds it.
    await partner.getByLabel(t.key('planner.whenToBuy'), { exact: true }).selectOption('now');
    await partner.getByRole('button', { name: t('Create plan'), exact: true }).click();
    await waitForAttr(partner.getByTestId('plan-verdict'), 'data-verdict', 'ready');
    await partner.getByTestId('seat-timeline').first().waitFor();
    await check(partner, 'planner', t('Transition planner'));
    await partner.getByRole('button', { name: t('Apply plan'), exact: true }).click();
    // The confirmation, a modal dialog, by axe-core too.
    const confirmation = partner.getByRole('dialog', { name: t.key('confirm.applyTitle') });
    await confirmation.getByTestId('apply-purchase').first().waitFor();
    found['apply-confirmation'] = await seriousAxeViolations(partner);
    await screenshot(partner, 'a11y-apply-confirmation');
    await confirmation.getByRole('button', { name: t.key('confirm.confirm'), exact: true }).click();
    await partner.waitForURL(/\/transitions\//);
    const transitionUrl = partner.url();
    await waitForAttr(partner.getByTestId('transition-status'), 'data-status', /^(waiting|applied)$/, 90_000);
    await check(partner, 'transition', t('Transition progress'));
    await partner.goto(`${server.url}/audit`);
    await check(partner, 'audit-partner', t('Audit trail'));
    await partner.goto(`${server.url}/no-such-page`);
    await check(partner, 'not-found', t('Page not found'));

    // The same views in Spanish (accessible names are translated too, and must still hold the
    // visible text), chosen with the header's language picker.
    const es = texts('es');
    await partner.getByLabel(t('Language'), { exact: true }).selectOption('es');
    await expect.poll(() => partner.locator('html').getAttribute('lang'), UI).toBe('es');
    await partner.goto(`${server.url}/`);
    await check(partner, 'home-es', es('Home'));
    await partner.goto(`${server.url}/customers`);
    await check(partner, 'customers-es', es('Customers'));
    await partner.goto(`${server.url}/customers/${fabrikam.id}`);
    await partner.getByTestId('user-row').first().waitFor();
    await check(partner, 'customer-es', 'Fabrikam Iberia');
    await partner.goto(`${server.url}/relationships`);
    await check(partner, 'relationships-es', es('Relationship requests'));
    await partner.goto(`${server.url}/planner?customer=${fabrikam.id}`);
    await check(partner, 'planner-es', es('Transition planner'));
    await partner.goto(transitionUrl);
    await check(partner, 'transition-es', es('Transition progress'));
  });

  it('billing agent view', async () => {
    const billing = await newPage();
    await billing.goto(`${server.url}/sign-in?next=/billing`);
    await keyboardSignIn(billing, 'billing.agent@partner.demo');
    await check(billing, 'billing', t('Billing'));
    // The menu follows the actions /api/auth/me allows: billing and customers, no relationship
    // requests, no planner, none of the operator's pages.
    const links = await billing
      .getByRole('navigation', { name: t('Main') })
      .getByRole('link')
      .evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    expect(links.length).toBeGreaterThan(0);
    expect(links).toEqual(expect.arrayContaining(['/customers', '/billing', '/catalog', '/account']));
    for (const hidden of ['/relationships', '/planner', '/clock', '/admin/credits', '/tenant'])
      expect(links).not.toContain(hidden);
    // A page the role does not include says so.
    await billing.goto(`${server.url}/planner`);
    await heading(billing, t.key('forbidden.title')).waitFor();
  });

  it('customer views, in English and in Spanish', async () => {
    await customer.goto(`${server.url}/tenant`);
    await check(customer, 'tenant', t('My tenant'));
    await customer.goto(`${server.url}/tenant/tasks`);
    await check(customer, 'tasks', t('Tasks'));
    await customer.goto(`${server.url}/tenant/credits`);
    await check(customer, 'credits', t('Credit requests'));
    // The same pages in Spanish: names and labels come from the other catalogue.
    const es = texts('es');
    await customer.getByLabel(t('Language'), { exact: true }).selectOption('es');
    await customer.goto(`${server.url}/tenant`);
    await check(customer, 'tenant-es', es('My tenant'));
    await customer.goto(`${server.url}/tenant/credits`);
    await check(customer, 'credits-es', es('Credit requests'));
  });

  it('operator views', async () => {
    const operator = await newPage();
    await operator.goto(`${server.url}/sign-in`);
    await keyboardSignIn(operator, OPERATOR);
    await check(operator, 'catalog', t('Catalog'));
    await operator.goto(`${server.url}/audit`);
    await check(operator, 'audit', t('Audit trail'));
    await operator.goto(`${server.url}/clock`);
    await check(operator, 'clock', t('Platform clock'));
    // Billing support's queue holds the credit the partner filed during the transition.
    await operator.goto(`${server.url}/admin/credits`);
    await operator.getByTestId('credit-request-row').first().waitFor();
    await check(operator, 'credit-queue', t.key('creditQueue.title'));
  });

  it('found no violation of serious or critical impact on any view', () => {
    expect(Object.keys(found).length).toBeGreaterThanOrEqual(27);
    const all = Object.entries(found).flatMap(([view, vs]) =>
      vs.map(
        (v) =>
          `${view}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
    );
    expect(all).toEqual([]);
  });
});
