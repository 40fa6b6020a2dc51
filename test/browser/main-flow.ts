import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  DEMO_PASSWORD,
  dataAccessByUser,
  ensureConsoleBuilt,
  type Json,
  type Lang,
  launchChromium,
  lostAccess,
  rawKeysShown,
  screenshot,
  startServer,
  type TestBrowser,
  type TestServer,
  texts,
  watchPage,
} from '../fixtures/browser.ts';
import { pickCustomer } from '../fixtures/console-page.ts';

/**
 * The seed's main case through the console, end to end, in one language: the partner asks
 * Fabrikam Iberia for a reseller relationship with delegated admin, Fabrikam's global admin
 * accepts through the link, the partner plans and applies the transition, the operator moves the
 * clock past the direct subscription's end, and the subscriptions show the old one expired and the
 * new one active. At every clock step the API confirms that no user lost access to any workload
 * that holds data.
 */
export const PARTNER = 'account.admin@partner.demo';
export const CUSTOMER_ADMIN = 'admin@fabrikam.demo';
export const OPERATOR = 'operator@traslado.demo';
const DAY_MS = 86_400_000;
/** How long the console may take to show something (expect.poll's own default is one second). */
export const UI = { timeout: 30_000, interval: 200 };
const LOCALE: Record<Lang, string> = { en: 'en-US', es: 'es-ES' };

/** Waits until `attr` of the (first) element matches; fails with the last value seen. */
export async function waitForAttr(
  locator: Locator,
  attr: string,
  expected: string | RegExp | ((value: string) => boolean),
  timeout = 30_000,
): Promise<string> {
  const ok = (v: string) =>
    typeof expected === 'string'
      ? v === expected
      : expected instanceof RegExp
        ? expected.test(v)
        : expected(v);
  const deadline = Date.now() + timeout;
  let last: string | null = null;
  for (;;) {
    last = await locator
      .first()
      .getAttribute(attr, { timeout: 1_000 })
      .catch(() => null);
    if (last !== null && ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`${locator} [${attr}] is ${JSON.stringify(last)}, wanted ${expected}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function mainFlow(lang: Lang) {
  const t = texts(lang);
  let server: TestServer;
  let chromium: TestBrowser;
  let api: ApiClient;
  const contexts: BrowserContext[] = [];
  const problems: string[][] = [];
  /** Screenshot of a main view, which must show no catalogue key in place of a text. */
  async function shot(page: Page, name: string) {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await screenshot(page, `${lang}-${name}`);
    expect(await rawKeysShown(page), `texts missing on ${name}`).toEqual([]);
  }

  // The state the steps hand on to each other.
  let partner: Page;
  let customer: Page;
  let operator: Page;
  let partnerToken: string;
  let fabrikamId: string;
  let invitationLink: string;
  let transitionId: string;
  /** A second plan for Fabrikam, made before the first was applied (someone else's, say). */
  let stalePlanId: string;
  let baseline: Map<string, Record<string, number>>;

  async function newPage(locale = LOCALE[lang]): Promise<Page> {
    const context = await chromium.browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    problems.push(watchPage(page).problems);
    return page;
  }

  const heading = (page: Page, text: string) =>
    page.getByRole('heading', { level: 1, name: text, exact: true });
  const nav = (page: Page, name: string) =>
    page.getByRole('navigation', { name: t('Main') }).getByRole('link', { name, exact: true });
  const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });

  async function signIn(page: Page, email: string) {
    await heading(page, t.key('signIn.title')).waitFor();
    await page.getByLabel(t('Email'), { exact: true }).fill(email);
    await page.getByLabel(t('Password'), { exact: true }).fill(DEMO_PASSWORD);
    await button(page, t.key('signIn.submit')).click();
    await page.getByTestId('signed-in-user').filter({ hasText: email }).waitFor();
  }

  async function advanceClock(days: number): Promise<void> {
    await nav(operator, t('Clock')).click();
    await heading(operator, t('Platform clock')).waitFor();
    const before = Date.parse(await waitForAttr(operator.getByTestId('clock-now'), 'data-now', /\d{4}-/));
    await operator.getByLabel(t('Days to advance'), { exact: true }).fill(String(days));
    await button(operator, t('Advance clock')).click();
    // The console asks first.
    const dialog = operator.getByRole('dialog', { name: t.key('confirm.clockTitle') });
    await button(dialog, t.key('confirm.confirm')).click();
    await dialog.waitFor({ state: 'detached' });
    await waitForAttr(
      operator.getByTestId('clock-now'),
      'data-now',
      (v) => Date.parse(v) - before >= days * DAY_MS - 60_000,
    );
  }

  /** The API's view of Fabrikam's subscriptions, by channel. */
  async function subscriptionsByChannel(): Promise<Record<string, Json[]>> {
    const subs = await api.all(`/api/customers/${fabrikamId}/subscriptions`, partnerToken);
    const by: Record<string, Json[]> = {};
    for (const s of subs) by[s.channel] = [...(by[s.channel] ?? []), s];
    return by;
  }

  async function expectNobodyLostAccess(when: string) {
    const now = await dataAccessByUser(api, partnerToken, fabrikamId);
    expect(lostAccess(baseline, now), `users who lost access ${when}`).toEqual([]);
    return now;
  }

  /** Every user row (all pages) says licensed exactly for the users the API says have access. */
  async function expectUsersShown(page: Page) {
    const rows = page.getByTestId('user-row');
    await rows.first().waitFor();
    const more = button(page, t('More users'));
    while (await more.isVisible()) {
      const before = await rows.count();
      await more.click();
      await expect.poll(() => rows.count(), UI).toBeGreaterThan(before);
    }
    const shown = await rows.evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-upn'), e.getAttribute('data-licensed')] as const),
    );
    const users = await api.all(`/api/customers/${fabrikamId}/users`, partnerToken);
    expect(shown.length).toBe(users.length);
    const withAccess = users
      .filter((u: Json) => u.licenses.some((l: Json) => l.hasAccess))
      .map((u: Json) => u.userPrincipalName as string);
    expect(withAccess.length).toBe(45);
    expect(
      shown
        .filter(([, licensed]) => licensed === 'true')
        .map(([upn]) => upn)
        .sort(),
    ).toEqual(withAccess.sort());
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [server, chromium] = await Promise.all([startServer(), launchChromium()]);
    api = apiClient(server.url);
    partnerToken = await api.login(PARTNER);
    const customers = await api.all('/api/customers', partnerToken);
    // The seed's starting point: Fabrikam is not the partner's customer yet.
    expect(customers.map((c: Json) => c.defaultDomain)).not.toContain('fabrikam.demo');
    partner = await newPage();
    customer = await newPage();
    // The operator starts in the other language and picks this one in the header.
    operator = await newPage(lang === 'es' ? LOCALE.en : LOCALE.es);
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await chromium?.close();
    await server?.stop();
  });

  it('signs the partner in and requests the relationship with delegated admin', async () => {
    await partner.goto(`${server.url}/`);
    // Signed out, the console sends one to the sign-in page.
    await partner.waitForURL(/\/sign-in/);
    expect(await partner.locator('html').getAttribute('lang')).toBe(lang);
    await shot(partner, '01-sign-in');
    await signIn(partner, PARTNER);
    await heading(partner, t('Home')).waitFor();
    await shot(partner, '02-home');

    await nav(partner, t('Relationships')).click();
    await heading(partner, t('Relationship requests')).waitFor();
    await partner.getByLabel(t('Customer domain'), { exact: true }).fill('fabrikam.demo');
    await partner.getByLabel(t('Ask for delegated admin'), { exact: true }).check();
    // Prefilled: the roles and 90 days.
    const duration = partner.getByLabel(t('Duration in days'), { exact: true });
    expect(await duration.inputValue()).toBe('90');
    // A year rather than 90 days, so the partner still sees the users when the old subscription
    // is deleted (45 + 30 + 90 days on) and the test can check them then.
    await duration.fill('365');
    // Roles are picked from the directory list, never typed: least-privilege templates, and what a
    // transition needs preselected (License Administrator moves licenses, Billing Administrator
    // turns the direct source's auto-renew off), shown in the reader's language.
    const picker = partner.getByLabel(t('Delegated admin roles'), { exact: true });
    await picker.locator('option').first().waitFor({ state: 'attached' });
    expect(await partner.getByTestId('gdap-template').count()).toBe(3);
    const picked = await picker.evaluate((el) =>
      [
        ...(el as unknown as { selectedOptions: Iterable<{ value: string; textContent: string | null }> })
          .selectedOptions,
      ].map((o) => [o.value, o.textContent]),
    );
    expect(picked.map(([value]) => value)).toEqual(['License Administrator', 'Billing Administrator']);
    if (lang === 'es')
      expect(picked.map(([, label]) => label)).toEqual([
        'Administrador de licencias',
        'Administrador de facturación',
      ]);
    else expect(picked.map(([, label]) => label)).toEqual(['License Administrator', 'Billing Administrator']);
    await button(partner, t('Create invitation link')).click();
    const link = partner.getByTestId('invitation-link');
    await expect.poll(() => link.inputValue().catch(() => ''), UI).toMatch(/\/invitations\//);
    invitationLink = await link.inputValue();
    expect(invitationLink.startsWith(`${server.url}/invitations/`), invitationLink).toBe(true);
    await waitForAttr(partner.getByTestId('relationship-request-status'), 'data-status', 'pending');
    await shot(partner, '03-relationship-requested');

    const requests = await api.all('/api/relationship-requests', partnerToken);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 'pending', delegatedAdmin: { durationDays: 365 } });
    expect(requests[0].delegatedAdmin.roles.length).toBeGreaterThan(0);
  });

  it("has Fabrikam's global admin accept through the link", async () => {
    await customer.goto(invitationLink);
    await heading(customer, t('Invitation')).waitFor();
    await expect
      .poll(() => customer.getByTestId('invitation-partner').textContent(), UI)
      .toMatch(/Contoso Partner España/);
    await shot(customer, '04-invitation-signed-out');
    await customer.getByRole('link', { name: t('Sign in to answer'), exact: true }).click();
    await customer.waitForURL(/\/sign-in\?next=/);
    await signIn(customer, CUSTOMER_ADMIN);
    // Back on the same invitation.
    await heading(customer, t('Invitation')).waitFor();
    expect(new URL(customer.url()).pathname).toBe(new URL(invitationLink).pathname);
    await shot(customer, '05-invitation');
    await button(customer, t('Accept')).click();
    await waitForAttr(customer.getByTestId('invitation-result'), 'data-status', 'accepted');
    await shot(customer, '06-invitation-accepted');

    // The partner sees it accepted.
    await button(partner, t('Refresh status')).click();
    await waitForAttr(partner.getByTestId('relationship-request-status'), 'data-status', 'accepted');

    const customers = await api.all('/api/customers', partnerToken);
    const fabrikam = customers.find((c: Json) => c.defaultDomain === 'fabrikam.demo');
    expect(fabrikam).toBeDefined();
    fabrikamId = fabrikam.id;
    // Accepting changes no license: this is what every user holds before the move. The seed's
    // case: 45 users on the direct Business Standard.
    baseline = await dataAccessByUser(api, partnerToken, fabrikamId);
    const licensed = [...baseline.values()].filter((w) => Object.keys(w).length > 0);
    expect(licensed.length).toBe(45);
    for (const w of licensed) expect(w.mailbox, 'a licensed user has a mailbox').toBeGreaterThan(0);
  });

  it('plans and applies the transition', async () => {
    await nav(partner, t('Planner')).click();
    await heading(partner, t('Transition planner')).waitFor();
    // The customer as the partner sees it in the list: by its name.
    await pickCustomer(partner, t('Customer'), 'Fabrikam Iberia', fabrikamId);
    await button(partner, t('Create plan')).click();
    await waitForAttr(partner.getByTestId('plan-verdict'), 'data-verdict', 'ready');
    const planId = await partner.getByTestId('plan-verdict').getAttribute('data-transition-id');
    const lines = partner.getByTestId('plan-line');
    expect(await lines.count()).toBe(1);
    expect(await lines.first().getAttribute('data-verdict')).toBe('ready');
    expect(await lines.first().getAttribute('data-target-offer-id')).toBe('demo-m365-business-standard');
    expect(await lines.first().getAttribute('data-disposition')).toBe('let-expire');
    // The seed's advice: buy shortly before the old subscription ends, not twice for its rest.
    expect(await lines.first().getByTestId('plan-line-provision').getAttribute('data-provision')).toBe(
      'before-end',
    );
    await waitForAttr(partner.getByTestId('seat-coverage'), 'data-ok', 'true');
    await partner.getByTestId('seat-timeline').first().waitFor();
    await shot(partner, '07-plan');
    // The partner may pick the other date for a line: the plan is made again with it, and back.
    const verdict = partner.getByTestId('plan-verdict');
    const whenLine = partner.getByLabel(t.key('planner.whenToBuyLine', { n: 1 }), { exact: true });
    for (const when of ['now', 'before-end']) {
      const before = await verdict.getAttribute('data-transition-id');
      await whenLine.selectOption(when);
      await waitForAttr(verdict, 'data-transition-id', (v) => v !== before);
      await waitForAttr(lines.first().getByTestId('plan-line-provision'), 'data-provision', when);
    }
    const chosenId = await verdict.getAttribute('data-transition-id');
    // A colleague plans the same customer meanwhile: both plans are ready until one is applied.
    const stale = await api.post(`/api/customers/${fabrikamId}/transitions`, partnerToken, {});
    expect(stale.verdict).toBe('ready');
    stalePlanId = stale.id;

    await button(partner, t('Apply plan')).click();
    // Nothing is ordered before the confirmation: what is bought, and at what price.
    const confirmation = partner.getByRole('dialog', { name: t.key('confirm.applyTitle') });
    await waitForAttr(
      confirmation.getByTestId('apply-purchase'),
      'data-offer-id',
      'demo-m365-business-standard',
    );
    expect(await confirmation.getByTestId('apply-purchase').getAttribute('data-seats')).toBe('50');
    await shot(partner, '07b-apply-confirmation');
    await button(confirmation, t.key('confirm.confirm')).click();
    await partner.waitForURL(/\/transitions\/[^/]+$/);
    transitionId = decodeURIComponent(new URL(partner.url()).pathname.split('/').pop() as string);
    // The plan that was shown is the one applied.
    expect(transitionId).toBe(chosenId);
    expect(planId).not.toBe(chosenId);
    await heading(partner, t('Transition progress')).waitFor();
    await waitForAttr(partner.getByTestId('transition-status'), 'data-status', /^(waiting|applied)$/, 90_000);
    expect(await partner.getByTestId('transition-step').count()).toBeGreaterThan(0);
    await shot(partner, '08-transition-progress');

    const transition = await api.get(`/api/transitions/${transitionId}`, partnerToken);
    expect(transition.status).toBe('waiting');
    const provision = transition.steps.find((s: Json) => s.kind === 'provision');
    expect(provision).toMatchObject({ status: 'pending', dueAt: transition.lines[0].provisionAt });
    const subs = await subscriptionsByChannel();
    // Nothing is bought before its date; with delegated admin the partner turned auto-renew off
    // on the customer's behalf at once.
    expect(subs.partner ?? []).toEqual([]);
    expect(subs.direct?.[0]).toMatchObject({ status: 'active', autoRenew: false });
    await expectNobodyLostAccess('after apply');
  });

  it('never moves Fabrikam twice: a new plan shows the line under way, an older plan is refused', async () => {
    await nav(partner, t('Planner')).click();
    await heading(partner, t('Transition planner')).waitFor();
    await pickCustomer(partner, t('Customer'), 'Fabrikam Iberia', fabrikamId);
    await button(partner, t('Create plan')).click();
    const verdict = partner.getByTestId('plan-verdict');
    await waitForAttr(verdict, 'data-verdict', 'blocked');
    const line = partner.getByTestId('plan-line');
    expect(await line.count()).toBe(1);
    expect(await line.first().getAttribute('data-disposition')).toBe('under-way');
    const link = line.first().getByRole('link', { name: t.key('planner.underWayLink'), exact: true });
    expect(await link.getAttribute('href')).toBe(`/transitions/${encodeURIComponent(transitionId)}`);
    expect(await button(partner, t('Apply plan')).isDisabled()).toBe(true);
    await shot(partner, '08b-plan-under-way');

    // The older plan, applied from its own page: refused, in the reader's language, nothing bought.
    await partner.goto(`${server.url}/transitions/${encodeURIComponent(stalePlanId)}`);
    await heading(partner, t('Transition progress')).waitFor();
    await button(partner, t('Apply plan')).click();
    const confirmation = partner.getByRole('dialog', { name: t.key('confirm.applyTitle') });
    await button(confirmation, t.key('confirm.confirm')).click();
    const alert = confirmation.getByRole('alert');
    await waitForAttr(alert, 'data-code', 'transition_in_progress');
    expect((await alert.textContent())?.trim()).toBe(t.key('errors.transition_in_progress'));
    await shot(partner, '08c-older-plan-refused');
    await button(confirmation, t.key('common.cancel')).click();
    expect((await api.get(`/api/transitions/${stalePlanId}`, partnerToken)).status).toBe('planned');
    expect((await api.get(`/api/transitions/${transitionId}`, partnerToken)).status).toBe('waiting');
    expect((await subscriptionsByChannel()).partner ?? []).toEqual([]);
  });

  it("leaves the customer admin nothing to do, and shows the tenant's partners", async () => {
    await nav(customer, t('Tasks')).click();
    await heading(customer, t('Tasks')).waitFor();
    // With delegated admin the partner turned auto-renew off and filed the credit itself:
    // nothing waits on the customer (the console and the API agree).
    await customer.getByTestId('tasks-empty').waitFor();
    expect(await customer.getByTestId('task-row').count()).toBe(0);
    const customerToken = await api.login(CUSTOMER_ADMIN);
    expect((await api.get('/api/tenant/tasks', customerToken)).items).toEqual([]);
    await shot(customer, '09-tasks');
    await nav(customer, t('My tenant')).click();
    await heading(customer, t('My tenant')).waitFor();
    await waitForAttr(customer.getByTestId('partner-row'), 'data-delegated-admin', 'active');
    await shot(customer, '10-tenant');
  });

  it('moves the clock past the direct subscription’s end: old expired, new active, nobody lost access', async () => {
    await operator.goto(`${server.url}/sign-in`);
    // The language picker in the header, before signing in.
    await operator.getByLabel(lang === 'es' ? 'Language' : 'Idioma', { exact: true }).selectOption(lang);
    await expect.poll(() => operator.locator('html').getAttribute('lang'), UI).toBe(lang);
    await signIn(operator, OPERATOR);
    await nav(operator, t('Clock')).waitFor();
    const direct = (await subscriptionsByChannel()).direct?.[0];
    const daysToEnd = Math.ceil(
      (Date.parse(direct.termEnd) - Date.parse((await api.get('/api/clock', partnerToken)).now)) / DAY_MS,
    );
    expect(daysToEnd).toBeGreaterThan(0);
    expect(daysToEnd).toBeLessThanOrEqual(60);
    await advanceClock(daysToEnd + 1);
    await shot(operator, '11-clock');

    // Bought on its date, as the clock passed it (the queue runs the step): one partner
    // subscription of 50 seats, and one credit request, however many plans were made.
    await expect.poll(async () => (await subscriptionsByChannel()).partner?.length ?? 0, UI).toBe(1);
    const subs = await subscriptionsByChannel();
    expect(subs.direct?.[0]?.status).toBe('expired');
    await expect
      .poll(
        async () => (await api.all(`/api/customers/${fabrikamId}/credit-requests`, partnerToken)).length,
        UI,
      )
      .toBe(1);
    expect(subs.partner?.[0]).toMatchObject({
      offerId: 'demo-m365-business-standard',
      quantity: 50,
      status: 'active',
    });
    await expectNobodyLostAccess('after the direct subscription expired');

    // The console shows the same, and every user the API says has access shows licensed.
    await nav(partner, t('Customers')).click();
    await heading(partner, t('Customers')).waitFor();
    await partner
      .locator('[data-testid="customer-row"][data-domain="fabrikam.demo"]')
      .getByRole('link', { name: 'Fabrikam Iberia', exact: true })
      .click();
    await heading(partner, 'Fabrikam Iberia').waitFor();
    await waitForAttr(
      partner.locator('[data-testid="subscription-row"][data-channel="direct"]'),
      'data-status',
      'expired',
    );
    await waitForAttr(
      partner.locator('[data-testid="subscription-row"][data-channel="partner"]'),
      'data-status',
      'active',
    );
    await expectUsersShown(partner);
    await shot(partner, '12-customer-after-expiry');
  });

  it('keeps every user licensed as the old subscription is disabled and deleted; the transition completes', async () => {
    for (const [days, status] of [
      [31, 'disabled'],
      [91, 'deleted'],
    ] as const) {
      await advanceClock(days);
      const subs = await subscriptionsByChannel();
      // A deleted subscription may leave the list; a disabled one is still shown.
      if (status === 'disabled' || subs.direct?.length) expect(subs.direct?.[0]?.status).toBe(status);
      expect(subs.partner?.[0]?.status).toBe('active');
      await expectNobodyLostAccess(`when the direct subscription is ${status}`);
    }
    await expect
      .poll(async () => (await api.get(`/api/transitions/${transitionId}`, partnerToken)).status, {
        timeout: 60_000,
      })
      .toBe('applied');
    await partner.goto(`${server.url}/transitions/${encodeURIComponent(transitionId)}`);
    await waitForAttr(partner.getByTestId('transition-status'), 'data-status', 'applied');
    await shot(partner, '13-transition-applied');
  });

  it('shows the audit trail in words: each action by its label, the customer by name, no codes or ids', async () => {
    await partner.goto(`${server.url}/audit`);
    await heading(partner, t('Audit trail')).waitFor();
    const rows = partner.getByTestId('audit-row');
    await expect.poll(() => rows.count(), UI).toBeGreaterThan(5);
    const cells = await rows.evaluateAll((els) =>
      els.map((e) => ({
        action: e.getAttribute('data-action') ?? '',
        what: (e.children[2]?.textContent ?? '').trim(),
        tenant: (e.children[4]?.textContent ?? '').trim(),
      })),
    );
    const stepDone = cells.find((c) => c.action === 'transition.step-done');
    expect(stepDone?.what).toBe(t.key('auditActions.transition.step-done'));
    expect(stepDone?.tenant).toBe('Fabrikam Iberia');
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) {
      expect(c.what, c.action).not.toMatch(/^[a-z-]+\.[a-z-]+$/);
      expect(c.what, c.action).not.toBe(t.key('audit.otherAction'));
      expect(c.tenant, c.action).not.toMatch(/^[0-9a-f]{8}$/);
    }
    await shot(partner, '14-audit');
  });

  it('signs out: signed-in pages then send one to the sign-in page', async () => {
    await button(partner, t('Sign out')).click();
    await heading(partner, t.key('signIn.title')).waitFor();
    await expect.poll(() => partner.getByTestId('signed-in-user').count(), UI).toBe(0);
    await partner.goto(`${server.url}/customers`);
    await partner.waitForURL(/\/sign-in\?next=%2Fcustomers$/);
  });

  it('ran under the strict Content-Security-Policy with no page errors', () => {
    expect(problems.flat()).toEqual([]);
  });
}
