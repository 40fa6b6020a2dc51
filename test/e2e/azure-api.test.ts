import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';

/**
 * Issue 22 (SPEC §9) through the API, on fresh partners and tenants: the Azure plan and its
 * subscriptions with their lifecycle, rated usage by API, role checks, tenant isolation, and
 * refusals that change nothing.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { queue: true });
});
afterAll(async () => t?.close());

type Json = Record<string, any>;
const NOT_AUDITED = ['sessions', 'audit_events', 'idempotency_keys'];

async function azureCase() {
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], users: 0 });
  return { ...p, ...c };
}
type Case = Awaited<ReturnType<typeof azureCase>>;

const plan = (c: Case, token = c.tokens['admin-agent']) =>
  t.call({ method: 'POST', url: `/api/customers/${c.tenant.id}/azure-plan`, token });
const newSub = (c: Case, friendlyName = 'Production') =>
  t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/azure-subscriptions`,
      token: c.tokens['sales-agent'],
      body: { friendlyName },
    },
    201,
  );
const own = (tenantId: string, body: Json) =>
  t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${tenantId}/azure-subscriptions`,
      token: t.operatorToken,
      body,
    },
    201,
  );
const today = async () =>
  (await t.expectOk({ url: '/api/clock', token: t.operatorToken })).now.slice(0, 10) as string;
const usageRow = (subscriptionId: string, date: string, over: Json = {}) => ({
  date,
  subscriptionId,
  meterId: 'vm',
  meterName: 'D2s v5',
  meterCategory: 'Virtual Machines',
  unit: '1 Hour',
  quantity: '24',
  unitPrice: 10,
  currency: 'EUR',
  resourceId: '/subscriptions/x/vm1',
  ...over,
});

describe('the Azure plan and its subscriptions', () => {
  it('one plan per customer, created by a partner role that may, and only with an accepted relationship', async () => {
    const c = await azureCase();
    const billing = await plan(c, c.tokens['billing-agent']);
    expect(billing.status).toBe(403);
    const first = await plan(c);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ billingKind: 'usage', currency: 'EUR', partnerId: c.partner.id });
    const second = await plan(c, c.tokens['account-admin']);
    expect(second.body.id).toBe(first.body.id);
    expect(
      await t.handle.db.selectFrom('azure_plans').where('tenant_id', '=', c.tenant.id).selectAll().execute(),
    ).toHaveLength(1);
    // Another partner with no relationship: the tenant does not exist for it; nothing changes.
    const stranger = await t.newPartner();
    const before = await databaseDigest(t.handle.db, NOT_AUDITED);
    const r = await plan({ ...c, tokens: stranger.tokens });
    expect(r.status).toBe(404);
    expect(await databaseDigest(t.handle.db, NOT_AUDITED)).toEqual(before);
  });

  it('a subscription needs the plan; it lives under it in the plan’s currency', async () => {
    const c = await azureCase();
    const noPlan = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/azure-subscriptions`,
      token: c.tokens['admin-agent'],
      body: { friendlyName: 'Dev' },
    });
    expect(noPlan.status).toBe(422);
    expect(noPlan.body.code).toBe('azure_plan_required');
    const p = (await plan(c)).body;
    const s = await newSub(c);
    expect(s).toMatchObject({
      kind: 'azure-plan',
      planId: p.id,
      status: 'active',
      currency: 'EUR',
      partnerId: c.partner.id,
    });
    const bad = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/azure-subscriptions`,
      token: c.tokens['admin-agent'],
      body: { friendlyName: '' },
    });
    expect(bad.status).toBe(400);
    const list = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/azure-subscriptions`,
      token: c.tokens['billing-agent'],
    });
    expect(list.items.map((x: Json) => x.id)).toEqual([s.id]);
    const mine = await t.expectOk({ url: '/api/tenant/azure-subscriptions', token: c.adminToken });
    expect(mine.items.map((x: Json) => x.id)).toEqual([s.id]);
  });

  it('disabled, enabled again, disabled, then deleted 90 days later by the lifecycle job', async () => {
    const c = await azureCase();
    await plan(c);
    const s = await newSub(c);
    const url = `/api/customers/${c.tenant.id}/azure-subscriptions/${s.id}`;
    const off = await t.expectOk({
      method: 'PATCH',
      url,
      token: c.tokens['admin-agent'],
      body: { status: 'disabled' },
    });
    expect(off.status).toBe('disabled');
    expect(new Date(off.deletesAt).getTime() - new Date(off.disabledAt).getTime()).toBe(90 * 86_400_000);
    const on = await t.expectOk({
      method: 'PATCH',
      url,
      token: c.tokens['admin-agent'],
      body: { status: 'active' },
    });
    expect(on).toMatchObject({ status: 'active', disabledAt: null, deletesAt: null });
    await t.expectOk({ method: 'PATCH', url, token: c.tokens['admin-agent'], body: { status: 'disabled' } });
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { advanceDays: 89 },
    });
    // The job ran after the clock moved: not yet.
    await new Promise((r) => setTimeout(r, 2500));
    const list = async () =>
      (
        await t.expectOk({
          url: `/api/customers/${c.tenant.id}/azure-subscriptions`,
          token: c.tokens['admin-agent'],
        })
      ).items[0];
    expect((await list()).status).toBe('disabled');
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { advanceDays: 1 },
    });
    let now: Json = {};
    for (let i = 0; i < 60 && now.status !== 'deleted'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      now = await list();
    }
    expect(now.status).toBe('deleted');
    const gone = await t.call({
      method: 'PATCH',
      url,
      token: c.tokens['admin-agent'],
      body: { status: 'active' },
    });
    expect(gone.status).toBe(409);
    expect(gone.body.code).toBe('azure_subscription_deleted');
  });

  it('another partner’s subscription cannot be changed, and the customer’s own is not the partner’s to change', async () => {
    const c = await azureCase();
    await plan(c);
    const mine = await own(c.tenant.id, { kind: 'pay-as-you-go', friendlyName: 'Own' });
    const r = await t.call({
      method: 'PATCH',
      url: `/api/customers/${c.tenant.id}/azure-subscriptions/${mine.id}`,
      token: c.tokens['admin-agent'],
      body: { status: 'disabled' },
    });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('azure_subscription_not_yours');
  });
});

describe('rated usage through the API', () => {
  it('JSON rows and a CSV text: bad rows refused by index or line, the rest stored once', async () => {
    const c = await azureCase();
    await plan(c);
    const s = await newSub(c);
    const day = await today();
    const rows = [
      usageRow(s.id, day),
      usageRow(s.id, day, { meterId: 'disk', quantity: '-1' }),
      usageRow(s.id, day, { meterId: 'sql', currency: 'USD' }),
      usageRow('nope', day),
    ];
    const r = await t.expectOk({
      method: 'POST',
      url: '/api/azure/usage',
      token: t.operatorToken,
      body: { rows },
    });
    expect(r).toMatchObject({ received: 4, imported: 1, unchanged: 0 });
    expect(r.refused.map((x: Json) => [x.line, x.problem])).toEqual([
      [2, 'negative-quantity'],
      [3, 'wrong-currency'],
      [4, 'unknown-subscription'],
    ]);
    const before = await databaseDigest(t.handle.db, NOT_AUDITED);
    const again = await t.expectOk({
      method: 'POST',
      url: '/api/azure/usage',
      token: t.operatorToken,
      body: { rows },
    });
    expect(again).toMatchObject({ imported: 0, unchanged: 1 });
    expect(await databaseDigest(t.handle.db, NOT_AUDITED)).toEqual(before);

    const csv = [
      'date,subscriptionId,meterId,meterName,meterCategory,unit,quantity,unitPrice,currency,resourceId',
      `${day},${s.id},vm,D2s v5,Virtual Machines,1 Hour,24,10,EUR,/subscriptions/x/vm1`,
      `${day},${s.id},ip,Public IP,Networking,1 Hour,24,1,EUR,/subscriptions/x/ip1`,
      `not-a-day,${s.id},ip,Public IP,Networking,1 Hour,24,1,EUR,/subscriptions/x/ip1`,
    ].join('\n');
    const viaCsv = await t.expectOk({
      method: 'POST',
      url: '/api/azure/usage',
      token: t.operatorToken,
      body: { csv },
    });
    expect(viaCsv).toMatchObject({
      received: 3,
      imported: 1,
      unchanged: 1,
      refused: [{ line: 4, problem: 'bad-date' }],
    });
    // The same file as a text/csv body: everything is there already.
    const raw = await t.call({
      method: 'POST',
      url: '/api/azure/usage',
      token: t.operatorToken,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(raw.status).toBe(200);
    expect(raw.body).toMatchObject({ received: 3, imported: 0, unchanged: 2, refused: [{ line: 4 }] });
    const notCsv = await t.call({
      method: 'POST',
      url: '/api/azure/usage',
      token: t.operatorToken,
      rawBody: 'just one line',
      headers: { 'content-type': 'text/csv' },
    });
    expect([notCsv.status, notCsv.body.code]).toEqual([400, 'azure_usage_invalid']);
    // Only this route reads CSV.
    const elsewhere = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/azure-subscriptions`,
      token: c.tokens['admin-agent'],
      rawBody: 'friendlyName\nx',
      headers: { 'content-type': 'text/csv' },
    });
    expect(elsewhere.status).toBe(415);
    const u = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/azure-usage?month=${day.slice(0, 7)}`,
      token: c.tokens['billing-agent'],
    });
    expect(u.items.map((i: Json) => [i.meterId, i.amount.amount])).toEqual([
      ['ip', 24],
      ['vm', 240],
    ]);
    // Only the operator imports usage.
    const partner = await t.call({
      method: 'POST',
      url: '/api/azure/usage',
      token: c.tokens['account-admin'],
      body: { rows },
    });
    expect(partner.status).toBe(403);
    const badMonth = await t.call({
      url: `/api/customers/${c.tenant.id}/azure-usage?month=2026-13`,
      token: c.tokens['billing-agent'],
    });
    expect(badMonth.status).toBe(400);
  });
});

describe('moving own Azure: refusals and blockers', () => {
  it('a subscription in another currency or region is refused; an EA with a reservation is held back', async () => {
    const c = await azureCase();
    await plan(c);
    const usd = await own(c.tenant.id, { kind: 'pay-as-you-go', friendlyName: 'USD', currency: 'USD' });
    const br = await own(c.tenant.id, {
      kind: 'pay-as-you-go',
      friendlyName: 'Brazil',
      billingCountry: 'BR',
    });
    const ea = await own(c.tenant.id, {
      kind: 'enterprise-customer-agreement',
      friendlyName: 'MCA-E',
      resources: [
        {
          resourceId: '/subscriptions/x/r1',
          resourceType: 'Microsoft.Compute/virtualMachines',
          hasReservation: true,
        },
      ],
    });
    const r = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/azure-transfers`,
        token: c.tokens['admin-agent'],
        body: { subscriptionIds: [usd.id, br.id, ea.id] },
      },
      201,
    );
    const byId = new Map(r.lines.map((l: Json) => [l.subscriptionId, l]));
    const codes = (id: string) => (byId.get(id) as Json).blockers.map((b: Json) => b.code);
    // Without delegated admin the partner has no owner rights on the sources either.
    expect(codes(usd.id)).toEqual(['CrossBillingAccountNotAllowed', 'InsufficientPermissionOnSource']);
    expect(codes(br.id)).toEqual(['CrossBillingAccountNotAllowed', 'InsufficientPermissionOnSource']);
    expect(codes(ea.id)).toEqual(['ProductTypeNotSupported', 'SubscriptionHasReservations']);
    expect(r.lines.every((l: Json) => l.eligible === false && l.status === 'blocked')).toBe(true);
    expect(r.lines).toHaveLength(3);
    const move = await t.call({
      method: 'POST',
      url: `/api/azure-transfers/${r.id}/move`,
      token: c.tokens['admin-agent'],
    });
    expect(move.body.code).toBe('azure_transfer_nothing_to_move');
  });

  it('refuses a sales agent, a subscription already under a plan, another tenant’s subscription; changing nothing', async () => {
    const c = await azureCase();
    await plan(c);
    const s = await newSub(c);
    const other = await azureCase();
    const foreign = await own(other.tenant.id, { kind: 'pay-as-you-go', friendlyName: 'Foreign' });
    const before = await databaseDigest(t.handle.db, NOT_AUDITED);
    const ask = (token: string, subscriptionIds: string[]) =>
      t.call({
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/azure-transfers`,
        token,
        body: { subscriptionIds },
      });
    expect((await ask(c.tokens['sales-agent'], [s.id])).status).toBe(403);
    const already = await ask(c.tokens['admin-agent'], [s.id]);
    expect([already.status, already.body.code]).toEqual([422, 'azure_subscription_not_own']);
    const elsewhere = await ask(c.tokens['admin-agent'], [foreign.id]);
    expect([elsewhere.status, elsewhere.body.code]).toEqual([404, 'azure_subscription_not_found']);
    expect((await ask(c.tokens['admin-agent'], [])).status).toBe(400);
    expect(await databaseDigest(t.handle.db, NOT_AUDITED)).toEqual(before);
    // Another partner does not see the transfer list of a tenant it does not serve.
    const list = await t.call({
      url: `/api/customers/${c.tenant.id}/azure-transfers`,
      token: other.tokens['admin-agent'],
    });
    expect(list.status).toBe(404);
  });
});
