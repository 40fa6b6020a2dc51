import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { insertSubscriptionRow } from '../fixtures/direct-subscriptions.ts';
import { platformNow, seedCase, waitForTransition } from '../fixtures/transition-case.ts';

/**
 * Credits for duplicate direct licenses (SPEC §3.5, §4): the platform computes the amount (overlap
 * days × seats × the source's price per seat-day, in its currency) and refuses a request filed more
 * than 120 days after the new purchase. The clock is moved through the operator's API.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

/**
 * What filing a credit writes: its row and its audit event. (Not the whole database: the queue keeps
 * running other transitions' dated steps meanwhile.)
 */
async function creditState() {
  const digest = await databaseDigest(t.handle.db);
  const audits = await t.handle.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', 'like', 'credit-request.%')
    .executeTakeFirstOrThrow();
  return { creditRequests: digest.credit_requests, audits: Number(audits.n) };
}

const moveClock = (days: number) =>
  t.expectOk({
    method: 'POST',
    url: '/api/admin/clock',
    token: t.operatorToken,
    body: { advanceDays: days },
  });

describe('a credit for duplicate licenses after a transition', () => {
  it('is computed from the new purchase; filed 121 days after it, refused; within, the amount as computed', async () => {
    // Direct annual Business Standard, 50 seats at USD 150.00 a seat-year, 45 days left of 365.
    const c = await seedCase(t, { assigned: 3 });
    const token = c.tokens['account-admin'];
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'now' } },
      },
      201,
    );
    // Bought moments after the source's day 320 began: day 321 is the source's, 44 days are paid twice.
    // 50 seats × 44 days × 150.00 / 365 = 904.109… → 904.11.
    expect(plan.lines[0]).toMatchObject({
      creditEligible: true,
      creditFiledBy: 'customer',
      creditAmount: 90_411,
      creditCurrency: 'USD',
    });
    await t.expectOk({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token }, 202);
    await waitForTransition(t, plan.id, token, ['waiting']);
    const subs = await t.expectOk({ url: '/api/tenant/subscriptions?limit=200', token: c.adminToken });
    const bought = subs.items.find((s: { channel: string }) => s.channel === 'partner');
    expect(bought).toBeDefined();
    const file = (amount?: number) =>
      t.call({
        method: 'POST',
        url: '/api/tenant/credit-requests',
        token: c.adminToken,
        body: {
          subscriptionId: c.source.id,
          newSubscriptionId: bought.id,
          reason: 'Paid twice after moving to our partner',
          ...(amount === undefined ? {} : { amount }),
        },
      });

    // More than the days paid twice is refused, naming the computed bound; nothing is created.
    const before = await creditState();
    const tooMuch = await file(90_412);
    expect([tooMuch.status, tooMuch.body.code]).toEqual([422, 'credit_amount_too_high']);
    expect(tooMuch.body.data).toMatchObject({ max: 90_411, bound: 'overlap', currency: 'USD' });
    expect(await creditState()).toEqual(before);

    // Day 119 after the purchase: filed, with the amount the platform computed.
    await moveClock(119);
    const filed = await file();
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({
      subscriptionId: c.source.id,
      newSubscriptionId: bought.id,
      filedBy: 'customer',
      amount: 90_411,
      currency: 'USD',
      status: 'submitted',
    });

    // Day 121: the 120-day window is closed; nothing is created.
    await moveClock(2);
    const late = await file();
    expect([late.status, late.body.code]).toEqual([422, 'credit_window_closed']);
    // The purchase is the start of the partner subscription's term.
    expect(late.body.data).toEqual({
      days: 120,
      purchasedAt: bought.termStart,
      closedOn: addDaysUtc(new Date(bought.termStart), 120).toISOString(),
    });
    const mine = await t.expectOk({ url: '/api/tenant/credit-requests', token: c.adminToken });
    expect(mine.items.map((i: { id: string }) => i.id)).toEqual([filed.body.id]);
  });
});

describe('naming the new purchase', () => {
  it('must be a partner subscription of the same tenant; a smaller amount is kept as asked', async () => {
    const p = await t.newPartner();
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    const other = await t.newTenant();
    const now = await platformNow(t);
    // 10 seats at 365.00 a seat-year over 365 days: 10.00 a day. Bought by the partner 10 days ago,
    // 65 days before the source ends: 75 days paid twice, 750.00.
    const source = await insertSubscriptionRow(t.handle.db, {
      tenantId: c.tenant.id,
      channel: 'direct',
      termStart: addDaysUtc(now, -300),
      termEnd: addDaysUtc(now, 65),
    });
    const bought = await insertSubscriptionRow(t.handle.db, {
      tenantId: c.tenant.id,
      channel: 'partner',
      partnerId: p.partner.id,
      termStart: addDaysUtc(now, -10),
    });
    const volume = await insertSubscriptionRow(t.handle.db, { tenantId: c.tenant.id, channel: 'volume' });
    const elsewhere = await insertSubscriptionRow(t.handle.db, {
      tenantId: other.tenant.id,
      channel: 'partner',
      partnerId: p.partner.id,
    });
    const file = (body: Record<string, unknown>) =>
      t.call({
        method: 'POST',
        url: '/api/tenant/credit-requests',
        token: c.adminToken,
        body: { subscriptionId: source, reason: 'Paid twice', ...body },
      });
    const before = await creditState();
    const notPartner = await file({ newSubscriptionId: volume });
    expect([notPartner.status, notPartner.body.code]).toEqual([422, 'credit_new_subscription_invalid']);
    expect(notPartner.body.data).toMatchObject({ channel: 'volume' });
    const foreign = await file({ newSubscriptionId: elsewhere });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'credit_subscription_not_found']);
    expect(await creditState()).toEqual(before);

    const computed = await file({ newSubscriptionId: bought });
    expect([computed.status, computed.body.amount]).toEqual([201, 75_000]);
    const smaller = await file({ newSubscriptionId: bought, amount: 40_000 });
    expect([smaller.status, smaller.body.amount, smaller.body.newSubscriptionId]).toEqual([
      201,
      40_000,
      bought,
    ]);
    // Without the new purchase it is bounded by the term cost, as before (10 × 365.00).
    const plain = await file({ amount: 365_001 });
    expect([plain.status, plain.body.code]).toEqual([422, 'credit_amount_too_high']);
    expect(plain.body.data).toEqual({ amount: 365_001, max: 365_000, currency: 'EUR' });
  });
});
