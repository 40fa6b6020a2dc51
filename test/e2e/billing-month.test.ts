import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import { closeInvoicesNow } from '../../src/modules/billing/index.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { platformNow, STANDARD, seedCase, waitForTransition } from '../fixtures/transition-case.ts';

/**
 * Issue 19, acceptance 2 (the lines' half): a month with a transition applied (its new purchase
 * overlapping the customer's direct subscription), a partner-to-partner transfer and the approved
 * duplicate-license credit; the month's lines, read through GET /api/billing/unbilled and the
 * database, match the hand computation written here. Business Standard costs EUR 150.00 a
 * seat-year (15,000 minor units, P1Y billed annually, a 365-day term in 2031).
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

const moveClockTo = (iso: string) =>
  t.expectOk({ method: 'POST', url: '/api/admin/clock', token: t.operatorToken, body: { now: iso } });

type Line = {
  chargeType: string;
  subscriptionId: string;
  partnerId: string;
  unitPrice: number;
  effectiveUnitPrice: number;
  quantity: string;
  billableQuantity: string;
  subtotal: number;
  customerUnitPrice: number;
  customerSubtotal: number;
  chargeStart: string;
  chargeEnd: string;
  billingMonth: string;
  currency: string;
  creditReasonCode: string | null;
};

async function unbilled(token: string): Promise<Line[]> {
  const out: Line[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Line[]; nextCursor: string | null } = await t.expectOk({
      url: `/api/billing/unbilled?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      token,
    });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('a month of billing lines (issue 19, acceptance 2)', () => {
  it('a transition with overlap, a transfer and a credit bill what the hand computation says', async () => {
    await moveClockTo('2031-03-10T09:00:00.000Z');
    // Partner P's customer: a direct subscription, 20 seats, 45 days left of its 365.
    const c = await seedCase(t, { quantity: 20, assigned: 20, endsInDays: 45 });
    const p = c.tokens;

    // P's customer prices: 12.5 % for this customer, 20 % for Business Standard (the more specific wins).
    const rules = await t.expectOk({
      method: 'PUT',
      url: '/api/partner/price-rules',
      token: p['billing-agent'],
      body: {
        rules: [
          { tenantId: c.tenant.id, markupPercent: 12.5 },
          { offerId: STANDARD, markupPercent: 20 },
        ],
      },
    });
    expect(rules.rules).toHaveLength(2);
    const bad = await t.call({
      method: 'PUT',
      url: '/api/partner/price-rules',
      token: p['account-admin'],
      body: { rules: [{ markupPercent: 12.345 }] },
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_request']);
    const sales = await t.call({ url: '/api/partner/price-rules', token: p['sales-agent'] });
    expect([sales.status, sales.body.code]).toEqual([403, 'forbidden']);
    expect(
      (await t.expectOk({ url: '/api/partner/price-rules', token: p['account-admin'] })).rules,
    ).toHaveLength(2);

    // The transition buys now: the new subscription overlaps the direct one for its last 44 days.
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token: p['account-admin'],
        body: { options: { provision: 'now' } },
      },
      201,
    );
    await t.expectOk(
      { method: 'POST', url: `/api/transitions/${plan.id}/apply`, token: p['account-admin'] },
      202,
    );
    await waitForTransition(t, plan.id, p['account-admin'], ['waiting']);
    const subs = await t.expectOk({ url: '/api/tenant/subscriptions?limit=200', token: c.adminToken });
    const bought = subs.items.find((s: { channel: string }) => s.channel === 'partner');
    expect(bought).toMatchObject({ quantity: 20, offerId: STANDARD, partnerId: c.partner.id });

    // Two days later partner A, also the customer's reseller, gives P its subscription: 10 seats,
    // a term that started 100 days (less an hour) before, so the 101st day has not begun.
    await moveClockTo('2031-03-12T09:00:00.000Z');
    const a = await t.newPartner();
    const invite = await t.expectOk(
      {
        method: 'POST',
        url: '/api/relationship-requests',
        token: a.tokens['account-admin'],
        body: { tenantId: c.tenant.id },
      },
      201,
    );
    await t.expectOk({ method: 'POST', url: `/api/invitations/${invite.token}/accept`, token: c.adminToken });
    const now = await platformNow(t);
    const termStart = new Date(addDaysUtc(now, -100).getTime() + 3_600_000);
    const aSub = await t.expectOk(
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/subscriptions`,
        token: t.operatorToken,
        body: {
          offerId: STANDARD,
          quantity: 10,
          channel: 'partner',
          partnerId: a.partner.id,
          billingCycle: 'annual',
          termStart: termStart.toISOString(),
          termEnd: addDaysUtc(termStart, 365).toISOString(),
          autoRenew: true,
        },
      },
      201,
    );
    const transfer = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transfers`,
        token: p['account-admin'],
        body: { sourcePartnerId: a.partner.id, subscriptionIds: [aSub.id] },
      },
      201,
    );
    await t.expectOk({
      method: 'POST',
      url: `/api/transfers/${transfer.id}/approve`,
      token: a.tokens['account-admin'],
      body: { subscriptionIds: [aSub.id] },
    });

    // The customer asks for the duplicate-license credit; billing support grants it as computed:
    // 20 seats × 44 days × 15,000 / 365 = 36,164.38… → 36,164 (credits round half-up).
    const credit = await t.expectOk(
      {
        method: 'POST',
        url: '/api/tenant/credit-requests',
        token: c.adminToken,
        body: {
          subscriptionId: c.source.id,
          newSubscriptionId: bought.id,
          reason: 'Paid twice after the move',
        },
      },
      201,
    );
    expect(credit.amount).toBe(36_164);
    await t.expectOk({
      method: 'POST',
      url: `/api/admin/credit-requests/${credit.id}/decision`,
      token: t.operatorToken,
      body: { decision: 'approved' },
    });

    // P's unbilled lines, by hand:
    // - new: the whole annual term, 20 × 15,000 = 300,000; at 20 %: 18,000 a seat, 360,000.
    // - transferIn: day 100 of 365 begins the rest, 265 days: ⌊15,000 × 265 / 365⌋ = 10,890 a seat,
    //   × 10 = 108,900; at 20 %: ⌊10,890 × 1.2⌋ = 13,068 a seat, 130,680.
    // - credit: −36,164, passed to the customer at cost.
    const mine = await unbilled(p['billing-agent']);
    const pick = (l: Line) => ({
      chargeType: l.chargeType,
      subscriptionId: l.subscriptionId,
      unitPrice: l.unitPrice,
      effectiveUnitPrice: l.effectiveUnitPrice,
      quantity: l.quantity,
      billableQuantity: l.billableQuantity,
      subtotal: l.subtotal,
      customerUnitPrice: l.customerUnitPrice,
      customerSubtotal: l.customerSubtotal,
      chargeStart: l.chargeStart,
      chargeEnd: l.chargeEnd,
      billingMonth: l.billingMonth,
      currency: l.currency,
      creditReasonCode: l.creditReasonCode,
    });
    expect(mine.map(pick)).toEqual([
      {
        chargeType: 'new',
        subscriptionId: bought.id,
        unitPrice: 15_000,
        effectiveUnitPrice: 15_000,
        quantity: '20',
        billableQuantity: '20',
        subtotal: 300_000,
        customerUnitPrice: 18_000,
        customerSubtotal: 360_000,
        chargeStart: '2031-03-10',
        chargeEnd: '2032-03-09',
        billingMonth: '2031-03',
        currency: 'EUR',
        creditReasonCode: null,
      },
      {
        chargeType: 'transferIn',
        subscriptionId: aSub.id,
        unitPrice: 15_000,
        effectiveUnitPrice: 10_890,
        quantity: '10',
        billableQuantity: '10',
        subtotal: 108_900,
        customerUnitPrice: 18_000,
        customerSubtotal: 130_680,
        chargeStart: '2031-03-12',
        chargeEnd: '2031-12-01',
        billingMonth: '2031-03',
        currency: 'EUR',
        creditReasonCode: null,
      },
      {
        chargeType: 'credit',
        subscriptionId: bought.id,
        unitPrice: 36_164,
        effectiveUnitPrice: 36_164,
        quantity: '1',
        billableQuantity: '-1',
        subtotal: -36_164,
        customerUnitPrice: 36_164,
        customerSubtotal: -36_164,
        chargeStart: '2031-03-12',
        chargeEnd: '2031-03-12',
        billingMonth: '2031-03',
        currency: 'EUR',
        creditReasonCode: 'DuplicateLicense',
      },
    ]);
    expect(mine.every((l) => l.partnerId === c.partner.id)).toBe(true);
    // A is refunded the same rest of the term; with no price rules its customer price is its cost.
    const theirs = await unbilled(a.tokens['account-admin']);
    expect(theirs.map(pick)).toEqual([
      {
        ...pick(mine[1]!),
        chargeType: 'transferOut',
        billableQuantity: '-10',
        subtotal: -108_900,
        customerUnitPrice: 15_000,
        customerSubtotal: -108_900,
      },
    ]);
    // The direct subscription is the customer's own bill, never a partner's line; each line once.
    const rows = await t.handle.db
      .selectFrom('billing_lines')
      .select(['subscription_id', 'source_key'])
      .where('tenant_id', '=', c.tenant.id)
      .execute();
    expect(rows.filter((r) => r.subscription_id === c.source.id)).toEqual([]);
    expect(rows.map((r) => r.source_key).sort()).toEqual(
      [
        `order:${bought.orderId}:${bought.id}`,
        `transfer:${transfer.id}:${aSub.id}:in`,
        `transfer:${transfer.id}:${aSub.id}:out`,
        `credit:${credit.id}`,
      ].sort(),
    );
    // The month's total for P: 300,000 + 108,900 − 36,164 = 372,736.
    expect(mine.reduce((s, l) => s + l.subtotal, 0)).toBe(372_736);

    // The customer's statement: 360,000 + 130,680 − 36,164 = 454,516 at customer price.
    const statement = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/statements/2031-03`,
      token: p['billing-agent'],
    });
    expect(statement.lines).toHaveLength(3);
    expect(statement.totals).toEqual([{ currency: 'EUR', amount: 454_516 }]);
    const badMonth = await t.call({
      url: `/api/customers/${c.tenant.id}/statements/2031-13`,
      token: p['billing-agent'],
    });
    expect(badMonth.status).toBe(400);

    // Margins on 2031-03-12: 30 seats run at 18,000 / 12 = 1,500 a month each (45,000) for a cost of
    // 15,000 / 12 = 1,250 each (37,500).
    const margins = await t.expectOk({
      url: '/api/billing/margins?month=2031-03',
      token: p['account-admin'],
    });
    expect(margins).toMatchObject({ month: '2031-03', asOf: '2031-03-12' });
    expect(margins.customers).toEqual([
      {
        tenantId: c.tenant.id,
        companyName: expect.any(String),
        currency: 'EUR',
        mrr: 45_000,
        cost: 37_500,
        margin: 7_500,
        charged: 454_516,
        chargedCost: 372_736,
      },
    ]);
    const history = await t.expectOk({
      url: '/api/billing/margins/history?months=3',
      token: p['billing-agent'],
    });
    expect(history).toEqual({
      from: '2031-01',
      to: '2031-03',
      points: [{ month: '2031-03', currency: 'EUR', revenue: 454_516, cost: 372_736, margin: 81_780 }],
    });

    // April begins: March closes into one invoice per partner, and each reconciliation file
    // carries the hand-computed lines in major units.
    await moveClockTo('2031-04-01T01:00:00.000Z');
    await closeInvoicesNow({ handle: t.handle, config: t.config, log: t.deps.log });
    const reconciliation = async (token: string) => {
      const invoices = (await t.expectOk({ url: '/api/invoices', token })).items;
      expect(invoices).toHaveLength(1);
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/invoices/${invoices[0].id}/reconciliation`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      const rows = parse(res.body, { columns: true }) as Record<string, string>[];
      return { invoice: invoices[0], rows };
    };
    const ours = await reconciliation(p['billing-agent']);
    expect(ours.invoice).toMatchObject({
      partnerId: c.partner.id,
      periodStart: '2031-03-01',
      periodEnd: '2031-04-01',
      currency: 'EUR',
      total: 372_736,
      lineCount: 3,
    });
    expect(
      ours.rows.map((r) => [
        r.SubscriptionId,
        r.Quantity,
        r.Subtotal,
        r.Total,
        r.ChargeStartDate,
        r.ChargeEndDate,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [bought.id, '20', '3000.00', '3000.00', '2031-03-10', '2032-03-09'],
        [aSub.id, '10', '1089.00', '1089.00', '2031-03-12', '2031-12-01'],
        [bought.id, '1', '-361.64', '-361.64', '2031-03-12', '2031-03-12'],
      ]),
    );
    expect(ours.rows).toHaveLength(3);
    expect(ours.rows.every((r) => r.InvoiceNumber === ours.invoice.number && r.Currency === 'EUR')).toBe(
      true,
    );
    expect(ours.rows.find((r) => r.Total === '-361.64')?.CreditReasonCode).toBe('DuplicateLicense');
    const source = await reconciliation(a.tokens['billing-agent']);
    expect(source.invoice).toMatchObject({ total: -108_900, lineCount: 1, currency: 'EUR' });
    expect(source.rows.map((r) => [r.SubscriptionId, r.Subtotal, r.Total])).toEqual([
      [aSub.id, '-1089.00', '-1089.00'],
    ]);
  });
});
