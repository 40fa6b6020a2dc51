import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { insertSubscriptionRow } from '../fixtures/direct-subscriptions.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const body = {
  subscriptionId: 'sub-direct-1',
  reason: 'Duplicate licenses after moving to CSP',
  amount: 12_000,
};

describe('credit requests', () => {
  it('a partner without delegated admin is refused (403 delegated_admin_required: the customer must file it); nothing is created', async () => {
    const p = await t.newPartner();
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    const before = await databaseDigest(t.handle.db, ['sessions']);
    for (const role of ['account-admin', 'admin-agent'] as const) {
      const res = await t.call({
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/credit-requests`,
        token: p.tokens[role],
        body,
      });
      expect([res.status, res.body.code]).toEqual([403, 'delegated_admin_required']);
      expect(res.body.description).toMatch(/customer/i);
      expect(res.body.data).toMatchObject({ tenantId: c.tenant.id, what: 'file a credit request' });
    }
    // Roles without credits.file never get that far.
    for (const role of ['sales-agent', 'billing-agent'] as const) {
      const res = await t.call({
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/credit-requests`,
        token: p.tokens[role],
        body,
      });
      expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
    }
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
    const mine = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/credit-requests`,
      token: p.tokens['billing-agent'],
    });
    expect(mine.items).toEqual([]);
  });

  it('billing support refuses to decide an unknown request, and its queue answers', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/api/admin/credit-requests/no-such-request/decision',
      token: t.operatorToken,
      body: { decision: 'approved', amount: 100 },
    });
    expect([res.status, res.body.code]).toEqual([404, 'credit_request_not_found']);
    const queue = await t.expectOk({
      url: '/api/admin/credit-requests?status=submitted',
      token: t.operatorToken,
    });
    expect(Array.isArray(queue.items)).toBe(true);
    const c = await t.newTenant();
    expect((await t.expectOk({ url: '/api/tenant/credit-requests', token: c.adminToken })).items).toEqual([]);
  });

  it("a partner with delegated admin files it on the customer's behalf; billing support decides; both sides see it", async () => {
    const p = await t.newPartner();
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    const direct = await insertSubscriptionRow(t.handle.db, { tenantId: c.tenant.id, channel: 'direct' });
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/delegated-admin`,
        token: t.operatorToken,
        body: { partnerId: p.partner.id },
      },
      201,
    );
    const filed = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/credit-requests`,
        token: p.tokens['admin-agent'],
        body: { ...body, subscriptionId: direct },
      },
      201,
    );
    expect(filed).toMatchObject({
      tenantId: c.tenant.id,
      subscriptionId: direct,
      filedBy: 'partner',
      partnerId: p.partner.id,
      amount: 12_000,
      status: 'submitted',
      decidedAmount: null,
    });
    const queue = await t.expectOk({
      url: '/api/admin/credit-requests?status=submitted',
      token: t.operatorToken,
    });
    expect(queue.items.map((i: { id: string }) => i.id)).toContain(filed.id);
    // The queue names the customer (the console shows no tenant id).
    expect(queue.items.find((i: { id: string }) => i.id === filed.id).customerName).toBe(
      c.tenant.companyName,
    );

    const decided = await t.expectOk({
      method: 'POST',
      url: `/api/admin/credit-requests/${filed.id}/decision`,
      token: t.operatorToken,
      body: { decision: 'approved', amount: 10_000 },
    });
    expect(decided).toMatchObject({ status: 'approved', decidedAmount: 10_000 });
    const again = await t.call({
      method: 'POST',
      url: `/api/admin/credit-requests/${filed.id}/decision`,
      token: t.operatorToken,
      body: { decision: 'rejected' },
    });
    expect([again.status, again.body.code]).toEqual([409, 'credit_request_decided']);
    const partnerSide = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/credit-requests`,
      token: p.tokens['billing-agent'],
    });
    const customerSide = await t.expectOk({ url: '/api/tenant/credit-requests', token: c.adminToken });
    for (const side of [partnerSide, customerSide]) {
      expect(side.items).toEqual([
        expect.objectContaining({ id: filed.id, status: 'approved', decidedAmount: 10_000 }),
      ]);
    }
    const events = await t.handle.db
      .selectFrom('outbox_events')
      .selectAll()
      .where('type', '=', 'credit-request.decided')
      .execute();
    expect(
      events.some((e) => e.payload.creditRequestId === filed.id && e.payload.decision === 'approved'),
    ).toBe(true);
  });

  it("the customer files it itself; another channel is refused naming the channel; another tenant's subscription is not found", async () => {
    const p = await t.newPartner();
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    const other = await t.newTenant();
    const direct = await insertSubscriptionRow(t.handle.db, { tenantId: c.tenant.id, channel: 'direct' });
    const viaPartner = await insertSubscriptionRow(t.handle.db, {
      tenantId: c.tenant.id,
      channel: 'partner',
      partnerId: p.partner.id,
    });
    const volume = await insertSubscriptionRow(t.handle.db, { tenantId: c.tenant.id, channel: 'volume' });
    const elsewhere = await insertSubscriptionRow(t.handle.db, {
      tenantId: other.tenant.id,
      channel: 'direct',
    });

    const filed = await t.expectOk(
      {
        method: 'POST',
        url: '/api/tenant/credit-requests',
        token: c.adminToken,
        body: { subscriptionId: direct, reason: 'Bought twice' },
      },
      201,
    );
    expect(filed).toMatchObject({ filedBy: 'customer', partnerId: null, amount: null, status: 'submitted' });

    const before = await databaseDigest(t.handle.db, ['sessions']);
    for (const [sub, channel] of [
      [viaPartner, 'partner'],
      [volume, 'volume'],
    ] as const) {
      const res = await t.call({
        method: 'POST',
        url: '/api/tenant/credit-requests',
        token: c.adminToken,
        body: { subscriptionId: sub, reason: 'Please' },
      });
      expect([res.status, res.body.code, res.body.data?.channel]).toEqual([
        422,
        'credit_not_direct',
        channel,
      ]);
      expect(res.body.description).toContain(channel);
    }
    const foreign = await t.call({
      method: 'POST',
      url: '/api/tenant/credit-requests',
      token: c.adminToken,
      body: { subscriptionId: elsewhere, reason: 'Please' },
    });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'credit_subscription_not_found']);
    // Approving needs an amount when none was asked for.
    const noAmount = await t.call({
      method: 'POST',
      url: `/api/admin/credit-requests/${filed.id}/decision`,
      token: t.operatorToken,
      body: { decision: 'approved' },
    });
    expect([noAmount.status, noAmount.body.code]).toEqual([422, 'credit_amount_required']);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
    const rejected = await t.expectOk({
      method: 'POST',
      url: `/api/admin/credit-requests/${filed.id}/decision`,
      token: t.operatorToken,
      body: { decision: 'rejected' },
    });
    expect(rejected.status).toBe('rejected');
    // The partner did not file it, so it does not see it; the customer does.
    expect(
      (
        await t.expectOk({
          url: `/api/customers/${c.tenant.id}/credit-requests`,
          token: p.tokens['admin-agent'],
        })
      ).items,
    ).toEqual([]);
    expect(
      (await t.expectOk({ url: '/api/tenant/credit-requests', token: c.adminToken })).items[0].status,
    ).toBe('rejected');
  });

  it("refuses an amount over what the subscription's term cost (422 credit_amount_too_high), filing and deciding, and a reason over 2,000 characters; nothing changes", async () => {
    const c = await t.newTenant();
    // 10 seats at 1,000 minor units per seat per term: at most 10,000.
    const direct = await insertSubscriptionRow(t.handle.db, {
      tenantId: c.tenant.id,
      channel: 'direct',
      unitPrice: 1_000,
    });
    const file = (extra: Record<string, unknown>) =>
      t.call({
        method: 'POST',
        url: '/api/tenant/credit-requests',
        token: c.adminToken,
        body: { subscriptionId: direct, reason: 'Bought twice', ...extra },
      });
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const over = await file({ amount: 10_001 });
    expect([over.status, over.body.code, over.body.data]).toEqual([
      422,
      'credit_amount_too_high',
      { amount: 10_001, max: 10_000, currency: 'EUR' },
    ]);
    for (const amount of [Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e20, -1, 1.5]) {
      const res = await file({ amount });
      expect([res.status, res.body.code], String(amount)).toEqual([400, 'invalid_request']);
    }
    const long = await file({ reason: 'r'.repeat(2_001) });
    expect([long.status, long.body.code]).toEqual([400, 'invalid_request']);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);

    const filed = await file({ amount: 10_000, reason: 'r'.repeat(2_000) });
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    const decidedBefore = await databaseDigest(t.handle.db, ['sessions']);
    const tooMuch = await t.call({
      method: 'POST',
      url: `/api/admin/credit-requests/${id}/decision`,
      token: t.operatorToken,
      body: { decision: 'approved', amount: 10_001 },
    });
    expect([tooMuch.status, tooMuch.body.code]).toEqual([422, 'credit_amount_too_high']);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(decidedBefore);
    const approved = await t.expectOk({
      method: 'POST',
      url: `/api/admin/credit-requests/${id}/decision`,
      token: t.operatorToken,
      body: { decision: 'approved', amount: 10_000 },
    });
    expect(approved).toMatchObject({ status: 'approved', decidedAmount: 10_000 });
  });
});
