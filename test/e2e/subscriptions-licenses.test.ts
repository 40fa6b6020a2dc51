import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertGrant } from '../../src/modules/delegated-admin/delegated-admin.repo.ts';
import { insertAcceptedRelationship } from '../../src/modules/tenants/index.ts';
import { startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { newOffer as newOfferOf } from '../fixtures/offers.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function serverNow(): Promise<Date> {
  return new Date((await t.expectOk({ url: '/api/clock', token: t.operatorToken })).now);
}

async function advance(days: number) {
  await t.expectOk({
    method: 'POST',
    url: '/api/admin/clock',
    token: t.operatorToken,
    body: { advanceDays: days },
  });
}

/** An offer on a real SKU of the reference; 36 500 per seat and year = 100 a day. */
const newOffer = (partNumber?: string, over: Record<string, unknown> = {}) => newOfferOf(t, partNumber, over);

/** A partner with a customer (accepted relationship) and delegated admin on it. */
async function customerWithPartner(opts: { users?: number; delegatedAdmin?: boolean } = {}) {
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], users: opts.users ?? 3 });
  if (opts.delegatedAdmin !== false) {
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
  }
  const users = await t.handle.db
    .selectFrom('directory_users')
    .select(['id', 'user_principal_name'])
    .where('tenant_id', '=', c.tenant.id)
    .orderBy('user_principal_name')
    .execute();
  return { ...p, ...c, tenantId: c.tenant.id as string, users };
}

async function record(tenantId: string, body: Record<string, unknown>) {
  return t.expectOk(
    { method: 'POST', url: `/api/admin/tenants/${tenantId}/subscriptions`, token: t.operatorToken, body },
    201,
  );
}

function term(start: Date, days: number) {
  return { termStart: start.toISOString(), termEnd: new Date(start.getTime() + days * DAY).toISOString() };
}

async function rowCounts(tenantId: string) {
  const subs = await t.handle.db
    .selectFrom('subscriptions')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .execute();
  const orders = await t.handle.db
    .selectFrom('orders')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .execute();
  return { subscriptions: subs.length, orders: orders.length };
}

describe('catalog', () => {
  it('lists offers of a market with the contract fields, and the operator changes price and market', async () => {
    const offer = await newOffer('O365_BUSINESS_PREMIUM');
    const { tokens } = await t.newPartner();
    const list = await t.expectOk({ url: '/api/offers?market=ES&limit=200', token: tokens['sales-agent'] });
    const listed = list.body ?? list;
    const found = listed.items.find((o: { id: string }) => o.id === offer.id);
    expect(found).toMatchObject({
      id: offer.id,
      name: 'Microsoft 365 Business Standard',
      skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
      skuPartNumber: 'O365_BUSINESS_PREMIUM',
      kind: 'base',
      term: 'P1Y',
      billingCycle: 'annual',
      minQuantity: 1,
      maxQuantity: 100,
      status: 'available',
      existingCustomersOnly: false,
      markets: ['ES'],
      unitPrice: 36_500,
    });
    for (const f of ['successorAddOnOfferIds', 'servicePlans']) expect(found).toHaveProperty(f);
    const teams = found.servicePlans.find((s: { name: string }) => s.name === 'TEAMS1');
    expect(teams).toMatchObject({ workload: 'chat', holdsUserData: true });
    const mailbox = found.servicePlans.find((s: { name: string }) => s.name === 'EXCHANGE_S_STANDARD');
    expect(mailbox).toMatchObject({ workload: 'mailbox', holdsUserData: true });
    const br = await t.expectOk({ url: '/api/offers?market=BR&limit=200', token: tokens['sales-agent'] });
    expect(br.items.some((o: { id: string }) => o.id === offer.id)).toBe(false);

    const changed = await t.expectOk({
      method: 'PATCH',
      url: `/api/admin/offers/${offer.id}`,
      token: t.operatorToken,
      body: { unitPrice: 40_000, markets: ['es', 'BR'] },
    });
    expect(changed).toMatchObject({ unitPrice: 40_000, markets: ['ES', 'BR'] });
    const nowBr = await t.expectOk({ url: '/api/offers?market=BR&limit=200', token: tokens['sales-agent'] });
    expect(nowBr.items.some((o: { id: string }) => o.id === offer.id)).toBe(true);
  });

  it('declares successors made of a base and add-ons, and refuses references to missing offers', async () => {
    const suite = await newOffer('O365_w/o_Teams_Bundle_E3');
    const teams = await newOffer('Microsoft_Teams_EEA_New', { kind: 'add-on', baseOfferIds: [suite.id] });
    const e3 = await newOffer('ENTERPRISEPACK', {
      existingCustomersOnly: true,
      successorOfferId: suite.id,
      successorAddOnOfferIds: [teams.id],
    });
    expect(e3).toMatchObject({ successorOfferId: suite.id, successorAddOnOfferIds: [teams.id] });
    const bad = await t.call({
      method: 'PATCH',
      url: `/api/admin/offers/${e3.id}`,
      token: t.operatorToken,
      body: { successorOfferId: 'no-such-offer' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('offer_reference_invalid');
  });
});

describe('lifecycle on the movable clock', () => {
  it('goes expired → disabled at +30 days → deleted at +120 days with auto-renew off, and rolls the term with it on', async () => {
    const offer = await newOffer('O365_BUSINESS_ESSENTIALS');
    const c = await t.newTenant();
    const now = await serverNow();
    const start = new Date(now.getTime() - 360 * DAY);
    const endsAt = new Date(start.getTime() + 365 * DAY);
    const base = {
      offerId: offer.id,
      quantity: 5,
      channel: 'direct',
      purchasedVia: 'admin-center',
      billingCycle: 'annual',
      ...term(start, 365),
    };
    const off = await record(c.tenant.id, { ...base, autoRenew: false });
    const on = await record(c.tenant.id, { ...base, autoRenew: true });
    const state = async () => {
      const list = await t.expectOk({ url: '/api/tenant/subscriptions', token: c.adminToken });
      type View = { id: string; termStart: string; termEnd: string };
      const byId = new Map<string, View>(list.items.map((s: View) => [s.id, s]));
      return { off: byId.get(off.id)!, on: byId.get(on.id)! };
    };
    expect((await state()).off).toMatchObject({ status: 'active', usersHaveAccess: true });

    await advance(6); // 1 day past the term end
    let s = await state();
    expect(s.off).toMatchObject({ status: 'expired', usersHaveAccess: true, adminsHaveAccess: true });
    expect(s.on).toMatchObject({ status: 'active', usersHaveAccess: true, renewals: 1 });
    expect(new Date(s.on.termStart).getTime()).toBe(endsAt.getTime());
    expect(new Date(s.on.termEnd).getTime()).toBeGreaterThan(endsAt.getTime() + 360 * DAY);

    await advance(30); // 31 days past the end
    s = await state();
    expect(s.off).toMatchObject({
      status: 'disabled',
      usersHaveAccess: false,
      adminsHaveAccess: true,
      dataRetained: true,
    });

    await advance(89); // 120 days past the end
    s = await state();
    expect(s.off).toMatchObject({ status: 'deleted', usersHaveAccess: false, dataRetained: false });
    expect(s.on).toMatchObject({ status: 'active', renewals: 1 });
  });

  it('keeps the rolled term when auto-renew is turned off afterwards', async () => {
    const offer = await newOffer('O365_BUSINESS_ESSENTIALS');
    const c = await t.newTenant();
    const now = await serverNow();
    const sub = await record(c.tenant.id, {
      offerId: offer.id,
      quantity: 2,
      channel: 'direct',
      billingCycle: 'annual',
      autoRenew: true,
      ...term(new Date(now.getTime() - 400 * DAY), 365),
    });
    const listed = (await t.expectOk({ url: '/api/tenant/subscriptions', token: c.adminToken })).items[0];
    expect(listed.renewals).toBe(1);
    const changed = await t.expectOk({
      method: 'PATCH',
      url: `/api/tenant/subscriptions/${sub.id}`,
      token: c.adminToken,
      body: { autoRenew: false },
    });
    expect(changed).toMatchObject({ status: 'active', autoRenew: false, termEnd: listed.termEnd });
  });
});

describe('seat pools across channels', () => {
  it('pools seats of one SKU from two channels, refuses beyond the pool, and names exactly who lost access', async () => {
    const offer = await newOffer('O365_BUSINESS_PREMIUM');
    const c = await customerWithPartner({ users: 4 });
    const now = await serverNow();
    const direct = await record(c.tenantId, {
      offerId: offer.id,
      quantity: 2,
      channel: 'direct',
      purchasedVia: 'admin-center',
      billingCycle: 'annual',
      autoRenew: false,
      ...term(new Date(now.getTime() - 360 * DAY), 365),
    });
    const order = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: c.tokens['admin-agent'],
        body: { lineItems: [{ offerId: offer.id, quantity: 1 }] },
      },
      201,
    );
    const partnerSub = order.subscriptions[0];
    const sku = offer.skuId;
    const assign = (userId: string) =>
      t.call({
        method: 'POST',
        url: `/api/customers/${c.tenantId}/users/${userId}/license-updates`,
        token: c.tokens['admin-agent'],
        body: { assign: [{ skuId: sku }], remove: [] },
      });
    const [u0, u1, u2, u3] = c.users;
    for (const u of [u0!, u1!, u2!]) expect((await assign(u.id)).status).toBe(201);
    const over = await assign(u3!.id);
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'license_quota_exceeded', data: { skuId: sku, available: 0 } });

    const subs = await t.expectOk({
      url: `/api/customers/${c.tenantId}/subscriptions`,
      token: c.tokens['admin-agent'],
    });
    const seats = new Map(
      subs.items.map((s: { id: string; assignedSeats: number }) => [s.id, s.assignedSeats]),
    );
    expect(seats.get(direct.id)).toBe(2);
    expect(seats.get(partnerSub.id)).toBe(1);

    // The direct subscription expires: users keep access for 30 days (the pool still counts it).
    await advance(6);
    let users = await t.expectOk({
      url: `/api/customers/${c.tenantId}/users`,
      token: c.tokens['admin-agent'],
    });
    expect(users.items.filter((u: { hasAccess: boolean }) => u.hasAccess)).toHaveLength(3);

    // Disabled: the pool is the partner's single seat. The two assigned last lose access.
    await advance(30);
    users = await t.expectOk({ url: `/api/customers/${c.tenantId}/users`, token: c.tokens['admin-agent'] });
    const access = Object.fromEntries(
      users.items.map((u: { id: string; hasAccess: boolean }) => [u.id, u.hasAccess]),
    );
    expect(access).toEqual({ [u0!.id]: true, [u1!.id]: false, [u2!.id]: false, [u3!.id]: false });
    const u1view = users.items.find((u: { id: string }) => u.id === u1!.id);
    expect(u1view.licenses).toMatchObject([{ skuId: sku, hasAccess: false }]);
    const pools = await t.expectOk({
      url: `/api/customers/${c.tenantId}/seat-pools`,
      token: c.tokens['admin-agent'],
    });
    const pool = pools.items.find((p: { skuId: string }) => p.skuId === sku);
    expect(pool).toMatchObject({ seats: 1, assigned: 3, available: 0 });
    expect(pool.usersWithoutAccess.map((u: { id: string }) => u.id).sort()).toEqual([u1!.id, u2!.id].sort());
  });

  it('updates licenses atomically, keeps excluded plans, and never exceeds the pool under concurrent updates', async () => {
    const standard = await newOffer('O365_BUSINESS_PREMIUM');
    const basic = await newOffer('O365_BUSINESS_ESSENTIALS');
    const c = await customerWithPartner({ users: 4 });
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: c.tokens['admin-agent'],
        body: { lineItems: [{ offerId: standard.id, quantity: 1 }] },
      },
      201,
    );
    const [u0, u1, u2] = c.users;
    const url = (u: { id: string }) => `/api/customers/${c.tenantId}/users/${u.id}/license-updates`;
    // Standard fits, Basic has no seats: neither is assigned.
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const mixed = await t.call({
      method: 'POST',
      url: url(u0!),
      token: c.tokens['admin-agent'],
      body: { assign: [{ skuId: standard.skuId }, { skuId: basic.skuId }], remove: [] },
    });
    expect(mixed.status).toBe(409);
    expect(mixed.body.data.skuId).toBe(basic.skuId);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);

    const teams = standard.servicePlans.find((p: { name: string }) => p.name === 'TEAMS1');
    const ok = await t.expectOk(
      {
        method: 'POST',
        url: url(u0!),
        token: c.tokens['admin-agent'],
        body: { assign: [{ skuId: standard.skuId, excludedPlans: [teams.id] }], remove: [] },
      },
      201,
    );
    expect(ok.licenses[0].excludedPlans).toEqual([teams.id]);
    expect(ok.licenses[0].servicePlans.some((p: { name: string }) => p.name === 'TEAMS1')).toBe(false);
    expect(ok.licenses[0].servicePlans.some((p: { name: string }) => p.name === 'EXCHANGE_S_STANDARD')).toBe(
      true,
    );

    // Move the seat: remove from u0 and give to u1 in two calls; then two users race for one freed seat.
    await t.expectOk(
      {
        method: 'POST',
        url: url(u0!),
        token: c.tokens['admin-agent'],
        body: { assign: [], remove: [standard.skuId] },
      },
      201,
    );
    const race = await Promise.all(
      [u1!, u2!].map((u) =>
        t.call({
          method: 'POST',
          url: url(u),
          token: c.tokens['admin-agent'],
          body: { assign: [{ skuId: standard.skuId }], remove: [] },
        }),
      ),
    );
    expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
    const held = await t.handle.db
      .selectFrom('license_assignments')
      .select('directory_user_id')
      .where('tenant_id', '=', c.tenantId)
      .execute();
    expect(held).toHaveLength(1);
  });

  it('needs delegated admin for the users routes', async () => {
    const c = await customerWithPartner({ delegatedAdmin: false });
    const r = await t.call({ url: `/api/customers/${c.tenantId}/users`, token: c.tokens['admin-agent'] });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('delegated_admin_required');
    const w = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenantId}/users/${c.users[0]!.id}/license-updates`,
      token: c.tokens['admin-agent'],
      body: { assign: [], remove: [] },
    });
    expect(w.status).toBe(403);
  });

  it('lets the operator record users with licenses from the pool', async () => {
    const offer = await newOffer('EXCHANGESTANDARD');
    const c = await t.newTenant();
    const now = await serverNow();
    await record(c.tenant.id, {
      offerId: offer.id,
      quantity: 1,
      channel: 'volume',
      billingCycle: 'annual',
      autoRenew: false,
      ...term(now, 365),
    });
    const u = await t.expectOk(
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/users`,
        token: t.operatorToken,
        body: {
          userPrincipalName: `mail1@${c.domain}`,
          displayName: 'Mail One',
          licenses: [{ skuId: offer.skuId }],
        },
      },
      201,
    );
    expect(u.licenses).toEqual([{ skuId: offer.skuId, excludedPlans: [], hasAccess: true }]);
    const second = await t.call({
      method: 'POST',
      url: `/api/admin/tenants/${c.tenant.id}/users`,
      token: t.operatorToken,
      body: {
        userPrincipalName: `mail2@${c.domain}`,
        displayName: 'Mail Two',
        licenses: [{ skuId: offer.skuId }],
      },
    });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('license_quota_exceeded');
    const users = await t.handle.db
      .selectFrom('directory_users')
      .select('id')
      .where('user_principal_name', '=', `mail2@${c.domain}`)
      .execute();
    expect(users).toHaveLength(0);
  });
});

describe('cancellation and refunds', () => {
  it('cancels inside the window with a prorated refund, and refuses outside it with 409 cancellation_window_closed, changing nothing (property)', async () => {
    const offer = await newOffer('O365_BUSINESS_PREMIUM');
    const c = await customerWithPartner();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 364 }),
        fc.integer({ min: 1, max: 20 }),
        async (elapsedDays, quantity) => {
          const now = await serverNow();
          // One hour short of `elapsedDays` ago: exactly `elapsedDays` days have started.
          const start = new Date(now.getTime() - elapsedDays * DAY + HOUR);
          const sub = await record(c.tenantId, {
            offerId: offer.id,
            quantity,
            channel: 'partner',
            partnerId: c.partner.id,
            billingCycle: 'annual',
            autoRenew: true,
            ...term(start, 365),
          });
          const r = await t.call({
            method: 'PATCH',
            url: `/api/customers/${c.tenantId}/subscriptions/${sub.id}`,
            token: c.tokens['sales-agent'],
            body: { status: 'cancelled' },
          });
          const remaining = (365 - elapsedDays) * 100 * quantity;
          const inside = elapsedDays * 24 - 1 < 168;
          if (inside) {
            expect(r.status).toBe(200);
            expect(r.body).toMatchObject({
              status: 'deleted',
              usersHaveAccess: false,
              dataRetained: true,
              amountRefunded: remaining,
              amountLost: 0,
            });
          } else {
            expect(r.status).toBe(409);
            expect(r.body.code).toBe('cancellation_window_closed');
            const after = await t.expectOk({
              url: `/api/customers/${c.tenantId}/subscriptions/${sub.id}`,
              token: c.tokens['sales-agent'],
            });
            expect(after).toMatchObject({ status: 'active', cancelledAt: null, autoRenew: true });
          }
        },
      ),
      {
        numRuns: 12,
        examples: [
          [3, 3],
          [7, 3],
          [8, 3],
          [100, 3],
        ],
      },
    );
  });

  it('reduces seats only inside the refund window, refunding the removed seats', async () => {
    const offer = await newOffer('O365_BUSINESS_PREMIUM');
    const c = await customerWithPartner();
    const now = await serverNow();
    const old = await record(c.tenantId, {
      offerId: offer.id,
      quantity: 10,
      channel: 'partner',
      partnerId: c.partner.id,
      billingCycle: 'annual',
      autoRenew: true,
      ...term(new Date(now.getTime() - 100 * DAY + HOUR), 365),
    });
    const patch = (id: string, body: unknown) =>
      t.call({
        method: 'PATCH',
        url: `/api/customers/${c.tenantId}/subscriptions/${id}`,
        token: c.tokens['sales-agent'],
        body,
      });
    const down = await patch(old.id, { quantity: 9 });
    expect(down.status).toBe(422);
    expect(down.body.code).toBe('seat_reduction_outside_window');
    const up = await patch(old.id, { quantity: 12 });
    expect(up.status).toBe(200);
    expect(up.body.quantity).toBe(12);
    // Seats just added may go again, but not below what was held before.
    expect((await patch(old.id, { quantity: 9 })).body.code).toBe('seat_reduction_outside_window');
    const back = await patch(old.id, { quantity: 10 });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ quantity: 10, amountRefunded: 2 * 265 * 100, amountLost: 0 });

    const suspended = await patch(old.id, { status: 'suspended', autoRenew: false });
    expect(suspended.body).toMatchObject({
      status: 'suspended',
      usersHaveAccess: false,
      adminsHaveAccess: true,
      autoRenew: false,
    });
    expect((await patch(old.id, { status: 'active' })).body).toMatchObject({
      status: 'active',
      usersHaveAccess: true,
    });
  });
});

describe('who may change a subscription', () => {
  it('refuses another channel and another partner with 403 naming the channel; the customer changes only direct ones', async () => {
    const offer = await newOffer('O365_BUSINESS_PREMIUM');
    const c = await customerWithPartner();
    const other = await t.newPartner();
    await t.handle.db
      .transaction()
      .execute((trx) => insertAcceptedRelationship(trx, other.partner.id, c.tenantId, new Date()));
    const now = await serverNow();
    const common = {
      offerId: offer.id,
      quantity: 3,
      billingCycle: 'annual',
      autoRenew: true,
      ...term(now, 365),
    };
    const direct = await record(c.tenantId, { ...common, channel: 'direct', purchasedVia: 'admin-center' });
    const volume = await record(c.tenantId, { ...common, channel: 'volume' });
    const theirs = await record(c.tenantId, { ...common, channel: 'partner', partnerId: other.partner.id });
    const mine = await record(c.tenantId, { ...common, channel: 'partner', partnerId: c.partner.id });

    const list = await t.expectOk({
      url: `/api/customers/${c.tenantId}/subscriptions`,
      token: c.tokens['billing-agent'],
    });
    const can = Object.fromEntries(
      list.items.map((s: { id: string; canChange: boolean }) => [s.id, s.canChange]),
    );
    expect(can).toEqual({ [direct.id]: false, [volume.id]: false, [theirs.id]: false, [mine.id]: true });
    expect(list.items.find((s: { id: string }) => s.id === direct.id)).toMatchObject({
      channel: 'direct',
      purchasedVia: 'admin-center',
    });

    const before = await databaseDigest(t.handle.db, ['sessions']);
    for (const [sub, channel] of [
      [direct, 'direct'],
      [volume, 'volume'],
      [theirs, 'partner'],
    ] as const) {
      const r = await t.call({
        method: 'PATCH',
        url: `/api/customers/${c.tenantId}/subscriptions/${sub.id}`,
        token: c.tokens['admin-agent'],
        body: { autoRenew: false },
      });
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'subscription_not_changeable', data: { channel } });
    }
    const asCustomer = await t.call({
      method: 'PATCH',
      url: `/api/tenant/subscriptions/${mine.id}`,
      token: c.adminToken,
      body: { status: 'cancelled' },
    });
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.body.data.channel).toBe('partner');
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);

    const cancelled = await t.expectOk({
      method: 'PATCH',
      url: `/api/tenant/subscriptions/${direct.id}`,
      token: c.adminToken,
      body: { status: 'cancelled' },
    });
    // Inside the refund window: the started day counts as used, the other 364 are refunded. Bought
    // in the admin center, it is disabled (admins only, data kept) before it is deleted.
    expect(cancelled).toMatchObject({
      status: 'disabled',
      usersHaveAccess: false,
      dataRetained: true,
      amountRefunded: 3 * 364 * 100,
      amountLost: 0,
    });
  });
});

describe('orders', () => {
  it('replays a retried order under the same Idempotency-Key, and refuses the key with another body', async () => {
    const offer = await newOffer('O365_BUSINESS_PREMIUM');
    const c = await customerWithPartner();
    const key = unique('order-key-');
    const send = (quantity: number) =>
      t.call({
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: c.tokens['sales-agent'],
        headers: { 'idempotency-key': key },
        body: { lineItems: [{ offerId: offer.id, quantity }] },
      });
    const first = await send(5);
    expect(first.status).toBe(201);
    expect(first.body.subscriptions).toHaveLength(1);
    expect(first.body.subscriptions[0]).toMatchObject({
      channel: 'partner',
      partnerId: c.partner.id,
      quantity: 5,
      status: 'active',
    });
    const counts = await rowCounts(c.tenantId);
    const again = await send(5);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await rowCounts(c.tenantId)).toEqual(counts);
    const other = await send(6);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await rowCounts(c.tenantId)).toEqual(counts);
    expect(counts).toEqual({ subscriptions: 1, orders: 1 });

    const orders = await t.expectOk({
      url: `/api/customers/${c.tenantId}/orders`,
      token: c.tokens['billing-agent'],
    });
    expect(orders.items.map((o: { id: string }) => o.id)).toEqual([first.body.id]);
  });

  it('refuses another market, quantity out of range, end of sale, existing-customers-only, missing base, no relationship and another region, creating nothing', async () => {
    const brOnly = await newOffer('O365_BUSINESS_ESSENTIALS', { markets: ['BR'] });
    const limited = await newOffer('O365_BUSINESS_ESSENTIALS', { minQuantity: 5, maxQuantity: 10 });
    const ended = await newOffer('STANDARDPACK', { status: 'end-of-sale' });
    const eco = await newOffer('ENTERPRISEPACK', { existingCustomersOnly: true });
    const suite = await newOffer('O365_w/o_Teams_Bundle_E3');
    const teams = await newOffer('Microsoft_Teams_EEA_New', { kind: 'add-on', baseOfferIds: [suite.id] });
    const c = await customerWithPartner();
    const order = (lineItems: unknown, token = c.tokens['sales-agent'], tenantId = c.tenantId) =>
      t.call({ method: 'POST', url: `/api/customers/${tenantId}/orders`, token, body: { lineItems } });

    const stranger = await t.newPartner();
    const br = await t.newTenant({ country: 'BR' });
    // A relationship across regions (left over from before the rule).
    await t.handle.db
      .transaction()
      .execute((trx) => insertAcceptedRelationship(trx, c.partner.id, br.tenant.id, new Date()));

    const before = await databaseDigest(t.handle.db, ['sessions']);
    const cases: [unknown, number, string][] = [
      [[{ offerId: brOnly.id, quantity: 1 }], 422, 'offer_not_in_market'],
      [[{ offerId: limited.id, quantity: 4 }], 422, 'quantity_out_of_range'],
      [[{ offerId: limited.id, quantity: 11 }], 422, 'quantity_out_of_range'],
      [[{ offerId: ended.id, quantity: 1 }], 422, 'offer_end_of_sale'],
      [[{ offerId: eco.id, quantity: 1 }], 422, 'offer_existing_customers_only'],
      [[{ offerId: teams.id, quantity: 1 }], 422, 'offer_needs_base'],
      [
        [
          { offerId: limited.id, quantity: 5 },
          { offerId: brOnly.id, quantity: 1 },
        ],
        422,
        'offer_not_in_market',
      ],
      [[{ offerId: 'no-such-offer', quantity: 1 }], 404, 'offer_not_found'],
    ];
    for (const [lines, status, code] of cases) {
      const r = await order(lines);
      expect([r.status, r.body.code], JSON.stringify(lines)).toEqual([status, code]);
    }
    const mismatch = await order([{ offerId: brOnly.id, quantity: 1 }]);
    expect(mismatch.body.data).toMatchObject({ offerId: brOnly.id, market: c.tenant.country });

    // No relationship: another partner's customer is not even visible.
    const hidden = await order([{ offerId: limited.id, quantity: 5 }], stranger.tokens['sales-agent']);
    expect([hidden.status, hidden.body.code]).toEqual([404, 'tenant_not_found']);

    // Across regions: refused naming both regions.
    const region = await order([{ offerId: brOnly.id, quantity: 1 }], c.tokens['sales-agent'], br.tenant.id);
    expect(region.status).toBe(422);
    expect(region.body).toMatchObject({
      code: 'region_mismatch',
      data: {
        partnerRegion: 'Europe',
        tenantRegion: 'Brazil',
        partnerRegionId: 'europe',
        tenantRegionId: 'brazil',
      },
    });
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);

    // The add-on with its base, and the existing-customers-only offer once the tenant holds the SKU elsewhere.
    const now = await serverNow();
    await record(c.tenantId, {
      offerId: eco.id,
      quantity: 2,
      channel: 'volume',
      billingCycle: 'annual',
      autoRenew: false,
      ...term(now, 365),
    });
    const ok = await order([
      { offerId: suite.id, quantity: 2 },
      { offerId: teams.id, quantity: 2 },
      { offerId: eco.id, quantity: 1 },
    ]);
    expect(ok.status).toBe(201);
    expect(ok.body.subscriptions.map((s: { offerId: string }) => s.offerId)).toEqual([
      suite.id,
      teams.id,
      eco.id,
    ]);
  });
});

describe('bad input', () => {
  it('answers 4xx and changes nothing', async () => {
    const offer = await newOffer('O365_BUSINESS_PREMIUM');
    const c = await customerWithPartner();
    const now = await serverNow();
    const sub = await record(c.tenantId, {
      offerId: offer.id,
      quantity: 2,
      channel: 'partner',
      partnerId: c.partner.id,
      billingCycle: 'annual',
      autoRenew: true,
      ...term(now, 365),
    });
    const u = c.users[0]!;
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const A = c.tokens['admin-agent'];
    const O = t.operatorToken;
    const cases: {
      method: 'POST' | 'PATCH' | 'GET';
      url: string;
      token: string;
      body?: unknown;
      status: number;
      code?: string;
    }[] = [
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: A,
        body: { lineItems: [] },
        status: 400,
      },
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: A,
        body: { lineItems: [{ offerId: offer.id, quantity: 0 }] },
        status: 400,
      },
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: A,
        body: { lineItems: [{ offerId: offer.id, quantity: 1 }], extra: 1 },
        status: 400,
      },
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: A,
        body: {
          lineItems: [
            { offerId: offer.id, quantity: 1 },
            { offerId: offer.id, quantity: 1 },
          ],
        },
        status: 422,
        code: 'duplicate_line_item',
      },
      {
        method: 'PATCH',
        url: `/api/customers/${c.tenantId}/subscriptions/${sub.id}`,
        token: A,
        body: {},
        status: 400,
      },
      {
        method: 'PATCH',
        url: `/api/customers/${c.tenantId}/subscriptions/${sub.id}`,
        token: A,
        body: { status: 'expired' },
        status: 400,
      },
      {
        method: 'PATCH',
        url: `/api/customers/${c.tenantId}/subscriptions/${sub.id}`,
        token: A,
        body: { quantity: 101 },
        status: 422,
        code: 'quantity_out_of_range',
      },
      {
        method: 'PATCH',
        url: `/api/customers/${c.tenantId}/subscriptions/nope`,
        token: A,
        body: { autoRenew: false },
        status: 404,
        code: 'subscription_not_found',
      },
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/users/${u.id}/license-updates`,
        token: A,
        body: { assign: [{ skuId: 'not-a-guid' }], remove: [] },
        status: 400,
      },
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/users/${u.id}/license-updates`,
        token: A,
        body: {
          assign: [{ skuId: offer.skuId, excludedPlans: ['00000000-0000-0000-0000-000000000000'] }],
          remove: [],
        },
        status: 422,
        code: 'license_plan_unknown',
      },
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/users/${u.id}/license-updates`,
        token: A,
        body: { assign: [{ skuId: offer.skuId }], remove: [offer.skuId] },
        status: 422,
        code: 'license_update_invalid',
      },
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/users/nobody/license-updates`,
        token: A,
        body: { assign: [], remove: [] },
        status: 404,
        code: 'user_not_found',
      },
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenantId}/subscriptions`,
        token: O,
        body: {
          offerId: offer.id,
          quantity: 1,
          channel: 'partner',
          billingCycle: 'annual',
          autoRenew: true,
          ...term(now, 365),
        },
        status: 422,
        code: 'subscription_partner_invalid',
      },
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenantId}/subscriptions`,
        token: O,
        body: {
          offerId: offer.id,
          quantity: 1,
          channel: 'direct',
          billingCycle: 'annual',
          autoRenew: true,
          ...term(now, -1),
        },
        status: 422,
        code: 'subscription_term_invalid',
      },
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenantId}/subscriptions`,
        token: O,
        body: {
          offerId: offer.id,
          quantity: 1,
          channel: 'fax',
          billingCycle: 'annual',
          autoRenew: true,
          ...term(now, 365),
        },
        status: 400,
      },
      {
        method: 'POST',
        url: '/api/admin/offers',
        token: O,
        body: { skuId: offer.skuId, minQuantity: 10, maxQuantity: 5 },
        status: 422,
        code: 'quantity_limits_invalid',
      },
      {
        method: 'POST',
        url: '/api/admin/offers',
        token: O,
        body: { skuId: '11111111-2222-3333-4444-555555555555' },
        status: 422,
        code: 'sku_not_found',
      },
      {
        method: 'POST',
        url: '/api/admin/offers',
        token: O,
        body: { id: offer.id, skuId: offer.skuId },
        status: 409,
        code: 'offer_exists',
      },
      {
        method: 'PATCH',
        url: `/api/admin/offers/${offer.id}`,
        token: O,
        body: { unitPrice: -1 },
        status: 400,
      },
      { method: 'GET', url: '/api/offers?market=ESP', token: A, status: 400 },
      { method: 'GET', url: `/api/customers/${c.tenantId}/subscriptions?cursor=zzz`, token: A, status: 400 },
    ];
    const failures: string[] = [];
    for (const k of cases) {
      const r = await t.call({
        method: k.method,
        url: k.url,
        token: k.token,
        ...(k.body !== undefined ? { body: k.body } : {}),
      });
      if (r.status !== k.status || (k.code && r.body.code !== k.code))
        failures.push(`${k.method} ${k.url} ${JSON.stringify(k.body)} → ${r.status} ${r.body?.code}`);
    }
    expect(failures).toEqual([]);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
  });
});
