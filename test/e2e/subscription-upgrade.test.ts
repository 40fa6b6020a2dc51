import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertGrant } from '../../src/modules/delegated-admin/delegated-admin.repo.ts';
import { startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { newOffer } from '../fixtures/offers.ts';

const DAY = 86_400_000;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function serverNow(): Promise<Date> {
  return new Date((await t.expectOk({ url: '/api/clock', token: t.operatorToken })).now);
}

/** A partner with a customer (accepted relationship), delegated admin on it, and three users. */
async function customerWithPartner() {
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], users: 3 });
  const now = await serverNow();
  await t.handle.db.transaction().execute((trx) =>
    insertGrant(trx, {
      partnerId: p.partner.id,
      tenantId: c.tenant.id,
      kind: 'dap',
      status: 'active',
      now,
    }),
  );
  const users = await t.handle.db
    .selectFrom('directory_users')
    .select(['id', 'user_principal_name'])
    .where('tenant_id', '=', c.tenant.id)
    .orderBy('user_principal_name')
    .execute();
  return { ...p, ...c, tenantId: c.tenant.id as string, users };
}

/** Hand computation of one seat's rest of a period (docs/billing.md): floor(p × (n − k) / n). */
const rest = (price: number, k: number, n: number) => Math.floor((price * (n - k)) / n);

describe('subscription upgrade', () => {
  it('offers only eligible higher offers, refuses the others with typed errors, converts with licenses and billing, and replays a retry', async () => {
    const basic = await newOffer(t, 'O365_BUSINESS_ESSENTIALS', { unitPrice: 36_500 });
    const standard = await newOffer(t, 'O365_BUSINESS_PREMIUM', { unitPrice: 73_000 });
    const premium = await newOffer(t, 'SPB', { unitPrice: 120_000 });
    const otherFamily = await newOffer(t, 'ENTERPRISEPACK', { unitPrice: 150_000 });
    const cheaper = await newOffer(t, 'SPB', { unitPrice: 20_000 });
    const monthly = await newOffer(t, 'O365_BUSINESS_PREMIUM', {
      unitPrice: 80_000,
      billingCycle: 'monthly',
    });
    const brazilOnly = await newOffer(t, 'SPB', { unitPrice: 90_000, markets: ['BR'], currency: 'BRL' });

    const c = await customerWithPartner();
    const admin = c.tokens['account-admin'];
    const order = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: admin,
        body: { lineItems: [{ offerId: basic.id, quantity: 3 }] },
      },
      201,
    );
    const sub = order.subscriptions[0];
    for (const u of c.users.slice(0, 2))
      await t.expectOk(
        {
          method: 'POST',
          url: `/api/customers/${c.tenantId}/users/${u.id}/license-updates`,
          token: admin,
          body: { assign: [{ skuId: basic.skuId }], remove: [] },
        },
        201,
      );
    const base = `/api/customers/${c.tenantId}/subscriptions/${sub.id}`;

    // The options: same family and segment, higher price, same term and cycle, sold in ES.
    const options = await t.expectOk({ url: `${base}/upgrade-options`, token: c.tokens['sales-agent'] });
    expect(options.family).toBe('Microsoft 365 Business');
    expect(options.items.map((o: { offerId: string }) => o.offerId)).toEqual([standard.id, premium.id]);
    expect(options.items[0].estimate.charge).toBeGreaterThan(options.items[0].estimate.credit);

    // Eligibility errors, typed, in both languages.
    const refused = async (body: Record<string, unknown>, lang = 'en') =>
      t.call({
        method: 'POST',
        url: `${base}/upgrade`,
        token: admin,
        body,
        headers: { 'accept-language': lang },
      });
    const cases: [string, string, RegExp, RegExp][] = [
      [otherFamily.id, 'family', /another product family/, /otra familia de productos/],
      [cheaper.id, 'price', /not higher/, /no es mayor/],
      [monthly.id, 'cycle', /billing cycle/, /ciclo de facturación/],
      [brazilOnly.id, 'market', /market/, /mercado/],
      [basic.id, 'same', /already has/, /ya tiene/],
    ];
    for (const [offerId, reason, en, es] of cases) {
      const r = await refused({ targetOfferId: offerId });
      expect(r.status, reason).toBe(422);
      expect(r.body.code).toBe('subscription_upgrade_not_eligible');
      expect(r.body.description).toMatch(en);
      const rEs = await refused({ targetOfferId: offerId }, 'es');
      expect(rEs.body.description).toMatch(es);
    }
    const fewer = await refused({ targetOfferId: standard.id, quantity: 2 });
    expect(fewer.status).toBe(422);
    expect(fewer.body.code).toBe('subscription_upgrade_quantity');
    const unknown = await refused({ targetOfferId: unique('no-offer-') });
    expect(unknown.body.code).toBe('offer_not_found');
    // Roles: a billing agent may not change subscriptions.
    const billing = await t.call({
      method: 'POST',
      url: `${base}/upgrade`,
      token: c.tokens['billing-agent'],
      body: { targetOfferId: standard.id },
    });
    expect(billing.status).toBe(403);
    // Another partner's customer's subscription is not this partner's to upgrade.
    const stranger = await t.newPartner();
    const foreign = await t.call({
      method: 'POST',
      url: `${base}/upgrade`,
      token: stranger.tokens['account-admin'],
      body: { targetOfferId: standard.id },
    });
    expect(foreign.status).toBeGreaterThanOrEqual(403);
    expect(foreign.status).toBeLessThan(500);

    // 100 days into the term, upgrade to Standard with one seat more.
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { advanceDays: 100 },
    });
    const key = unique('upgrade-');
    const call = () =>
      t.call({
        method: 'POST',
        url: `${base}/upgrade`,
        token: admin,
        body: { targetOfferId: standard.id, quantity: 4 },
        headers: { 'idempotency-key': key },
      });
    const first = await call();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      id: sub.id,
      offerId: standard.id,
      skuId: standard.skuId,
      quantity: 4,
      unitPrice: 73_000,
      term: sub.term,
      termStart: sub.termStart,
      termEnd: sub.termEnd,
      upgrade: { fromOfferId: basic.id, licensesMoved: 2 },
    });
    expect(first.body.assignedSeats).toBe(2);

    // The licenses followed: both users hold Standard, nobody holds Basic.
    const assignments = await t.handle.db
      .selectFrom('license_assignments')
      .select(['directory_user_id', 'sku_id'])
      .where('tenant_id', '=', c.tenantId)
      .execute();
    expect(assignments.length).toBe(2);
    expect(assignments.every((a) => a.sku_id === standard.skuId)).toBe(true);
    expect(assignments.map((a) => a.directory_user_id).sort()).toEqual(
      c.users
        .slice(0, 2)
        .map((u) => u.id)
        .sort(),
    );

    // Billing: the old rest paid back for 3 seats, the new rest charged for 4 (hand computation).
    const lines = await t.handle.db
      .selectFrom('billing_lines')
      .selectAll()
      .where('subscription_id', '=', sub.id)
      .where('charge_type', '=', 'convert')
      .orderBy('subtotal')
      .execute();
    expect(lines.length).toBe(2);
    const termStart = new Date(sub.termStart).getTime();
    const n = Math.ceil((new Date(sub.termEnd).getTime() - termStart) / DAY);
    const k = Math.ceil((new Date(lines[0]!.occurred_at).getTime() - termStart) / DAY);
    expect(k).toBeGreaterThanOrEqual(100);
    const [out, into] = lines;
    const shape = (l: typeof out) => ({
      offer: l!.offer_id,
      seats: Number(l!.billable_quantity),
      price: Number(l!.unit_price),
    });
    expect(shape(out)).toEqual({ offer: basic.id, seats: -3, price: 36_500 });
    expect(Number(out!.subtotal)).toBe(-rest(36_500, k, n) * 3);
    expect(shape(into)).toEqual({ offer: standard.id, seats: 4, price: 73_000 });
    expect(Number(into!.subtotal)).toBe(rest(73_000, k, n) * 4);
    expect(first.body.upgrade.amountCredited).toBe(rest(36_500, k, n) * 3);
    expect(first.body.upgrade.amountCharged).toBe(rest(73_000, k, n) * 4);

    // A retry under the same key replays the answer and creates nothing new.
    const countOf = async () => ({
      lines: (
        await t.handle.db
          .selectFrom('billing_lines')
          .select('id')
          .where('subscription_id', '=', sub.id)
          .execute()
      ).length,
      audit: (
        await t.handle.db
          .selectFrom('audit_events')
          .select('id')
          .where('target_id', '=', sub.id)
          .where('action', '=', 'subscription.upgraded')
          .execute()
      ).length,
    });
    const before = await countOf();
    expect(before.audit).toBe(1);
    const again = await call();
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await countOf()).toEqual(before);

    // Now on Standard: Premium is still above it, Standard no longer offered.
    const after = await t.expectOk({ url: `${base}/upgrade-options`, token: admin });
    expect(after.items.map((o: { offerId: string }) => o.offerId)).toEqual([premium.id]);

    // The change history reads the upgrade and the seats from the audit trail.
    const history = await t.expectOk({ url: `${base}/history`, token: c.tokens['sales-agent'] });
    expect(history.items.length).toBeGreaterThan(0);
    expect(history.items[0]).toMatchObject({
      action: 'upgraded',
      offer: { from: basic.id, to: standard.id },
      quantity: { from: 3, to: 4 },
    });
    expect(history.items[0].actorEmail).toMatch(/^account-admin\./);
  });

  it('keeps a seat change, auto-renew and suspension in the history, with the previous values', async () => {
    const offer = await newOffer(t, 'O365_BUSINESS_ESSENTIALS');
    const c = await customerWithPartner();
    const admin = c.tokens['account-admin'];
    const order = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: admin,
        body: { lineItems: [{ offerId: offer.id, quantity: 2 }] },
      },
      201,
    );
    // The order list names the offer and what the purchase charged (a year of 365.00 × 2 seats).
    const orders = await t.expectOk({ url: `/api/customers/${c.tenantId}/orders`, token: admin });
    expect(orders.items.length).toBe(1);
    expect(orders.items[0].lineItems[0]).toMatchObject({
      offerId: offer.id,
      offerName: offer.name,
      quantity: 2,
      amount: 73_000,
      currency: 'EUR',
    });
    expect(orders.items[0].totals).toEqual([{ amount: 73_000, currency: 'EUR' }]);
    const url = `/api/customers/${c.tenantId}/subscriptions/${order.subscriptions[0].id}`;
    await t.expectOk({ method: 'PATCH', url, token: admin, body: { quantity: 5 } });
    await t.expectOk({ method: 'PATCH', url, token: admin, body: { autoRenew: false } });
    await t.expectOk({ method: 'PATCH', url, token: admin, body: { status: 'suspended' } });
    const history = await t.expectOk({ url: `${url}/history`, token: admin });
    expect(history.items.map((h: { action: string }) => h.action)).toEqual(['changed', 'changed', 'changed']);
    expect(history.items[0]).toMatchObject({ status: 'suspended' });
    expect(history.items[1]).toMatchObject({ autoRenew: false });
    expect(history.items[2]).toMatchObject({ quantity: { from: 2, to: 5 } });
    // Another partner reads nothing of it.
    const other = await t.newPartner();
    const foreign = await t.call({ url: `${url}/history`, token: other.tokens['account-admin'] });
    expect(foreign.status).toBeGreaterThanOrEqual(403);
  });
});
