import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratedUsageForMonth } from '../../src/modules/azure/index.ts';
import { closeInvoicesNow } from '../../src/modules/billing/index.ts';
import { createLogger } from '../../src/platform/log.ts';
import { inSystemTransaction } from '../../src/platform/runtime.ts';
import { DEMO_PASSWORD } from '../../src/seed/demo.ts';
import { seedDemoOnce } from '../../src/seed/seed-once.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';

/**
 * Issue 22, the Azure plan (SPEC §9), end to end through the API on the demo data: Fabrikam's own
 * pay-as-you-go subscription goes by resource move (the lab that cannot move is named before
 * anything moves), Northwind's enterprise agreement by billing transfer once its admin approves.
 */
let t: TestApp;
let fabrikam: string;
let northwind: string;
const tok: Record<string, string> = {};
/** The usage imported after Fabrikam's move, for the invoice check at the end. */
let movedUsage: { subscriptionId: string; days: string[]; total: number } | undefined;

beforeAll(async () => {
  t = await startTestApp({}, { queue: true });
  await inSystemTransaction(t.handle, t.config, createLogger('silent'), seedDemoOnce);
  for (const email of [
    'account.admin@partner.demo',
    'admin.agent@partner.demo',
    'sales.agent@partner.demo',
    'billing.agent@partner.demo',
    'admin@fabrikam.demo',
    'admin@northwind.demo',
  ])
    tok[email] = await t.login(email, DEMO_PASSWORD);
  const ids = await t.handle.db.selectFrom('tenants').select(['id', 'default_domain']).execute();
  fabrikam = ids.find((r) => r.default_domain === 'fabrikam.demo')!.id;
  northwind = ids.find((r) => r.default_domain === 'northwind.demo')!.id;
});
afterAll(async () => t?.close());

type Json = Record<string, any>;
const admin = () => tok['account.admin@partner.demo']!;
const agent = () => tok['admin.agent@partner.demo']!;

const today = async () =>
  (await t.expectOk({ url: '/api/clock', token: admin() })).now.slice(0, 10) as string;
const daysAgo = (day: string, n: number) =>
  new Date(new Date(`${day}T00:00:00Z`).getTime() - n * 86_400_000).toISOString().slice(0, 10);

async function ownAzure(tenantId: string, token: string) {
  return (await t.expectOk({ url: `/api/tenant/azure-subscriptions`, token })).items.filter(
    (s: Json) => s.tenantId === tenantId,
  );
}

/** The demo partner asks Fabrikam for a relationship with delegated admin; Fabrikam's admin accepts. */
async function fabrikamBecomesCustomer() {
  const invite = await t.expectOk(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: admin(),
      body: { tenantId: fabrikam, delegatedAdmin: { roles: ['Directory Readers'], durationDays: 180 } },
    },
    201,
  );
  await t.expectOk({
    method: 'POST',
    url: `/api/invitations/${invite.token}/accept`,
    token: tok['admin@fabrikam.demo'],
  });
}

describe('the demo’s own Azure (issue 22, demo)', () => {
  it('Fabrikam pays as it goes with a month of usage; Northwind has an enterprise agreement; Contoso is an Azure expert MSP', async () => {
    const fab = await ownAzure(fabrikam, tok['admin@fabrikam.demo']!);
    expect(fab).toHaveLength(1);
    expect(fab[0]).toMatchObject({
      kind: 'pay-as-you-go',
      status: 'active',
      partnerId: null,
      currency: 'EUR',
    });
    expect(fab[0].resources.map((r: Json) => r.resourceType)).toContain('Microsoft.DevTestLab/labs');
    const usage = await t.expectOk({
      url: `/api/tenant/azure-usage?month=${(await today()).slice(0, 7)}`,
      token: tok['admin@fabrikam.demo'],
    });
    const prev = await t.expectOk({
      url: `/api/tenant/azure-usage?month=${daysAgo(await today(), 31).slice(0, 7)}`,
      token: tok['admin@fabrikam.demo'],
    });
    // 30 days × 3 meters, across this month and the last.
    expect(usage.items.length + prev.items.length).toBe(90);
    const nw = await ownAzure(northwind, tok['admin@northwind.demo']!);
    expect(nw).toHaveLength(1);
    expect(nw[0]).toMatchObject({ kind: 'enterprise-agreement', billingAccountId: 'EA-ENROLLMENT-8675309' });
    const me = await t.expectOk({ url: '/api/partner', token: admin() });
    expect(me.azureExpertMsp).toBe(true);
  });
});

describe('Fabrikam: a resource move (issue 22, acceptance 1)', () => {
  let transfer: Json;
  let own: Json;

  it('the transition plan shows the Azure subscription as a resource move naming the lab, before anything moves', async () => {
    await fabrikamBecomesCustomer();
    own = (await ownAzure(fabrikam, tok['admin@fabrikam.demo']!))[0];
    // Without an Azure plan the move is blocked.
    const before = await t.expectOk(
      { method: 'POST', url: `/api/customers/${fabrikam}/transitions`, token: admin(), body: {} },
      201,
    );
    expect(before.azure).toHaveLength(1);
    expect(before.azure[0]).toMatchObject({
      subscriptionId: own.id,
      disposition: 'azure-resource-move',
      eligible: false,
    });
    expect(before.azure[0].blockers.map((b: Json) => b.code)).toContain('NoActiveAzurePlan');

    const plan = await t.expectOk(
      { method: 'POST', url: `/api/customers/${fabrikam}/azure-plan`, token: agent() },
      201,
    );
    expect(plan).toMatchObject({
      tenantId: fabrikam,
      billingKind: 'usage',
      currency: 'EUR',
      status: 'active',
    });
    // One plan per customer: asking again answers the same plan.
    const again = await t.expectOk(
      { method: 'POST', url: `/api/customers/${fabrikam}/azure-plan`, token: admin() },
      201,
    );
    expect(again.id).toBe(plan.id);

    const p = await t.expectOk(
      { method: 'POST', url: `/api/customers/${fabrikam}/transitions`, token: admin(), body: {} },
      201,
    );
    const line = p.azure[0];
    expect(line).toMatchObject({ subscriptionId: own.id, path: 'resource-move', eligible: true });
    expect(line.blockers).toEqual([
      expect.objectContaining({
        code: 'ResourceTypeCannotMove',
        resourceType: 'Microsoft.DevTestLab/labs',
        blocksSubscription: false,
      }),
    ]);
    // The plan read back later shows the same lines.
    const read = await t.expectOk({ url: `/api/transitions/${p.id}`, token: admin() });
    expect(read.azure).toEqual(p.azure);

    const digest = await databaseDigest(t.handle.db, ['sessions', 'audit_events', 'idempotency_keys']);
    transfer = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${fabrikam}/azure-transfers`,
        token: agent(),
        body: { subscriptionIds: [own.id] },
      },
      201,
    );
    expect(transfer.lines).toEqual([
      expect.objectContaining({
        subscriptionId: own.id,
        path: 'resource-move',
        eligible: true,
        status: 'ready',
        blockers: [
          expect.objectContaining({
            code: 'ResourceTypeCannotMove',
            resourceType: 'Microsoft.DevTestLab/labs',
          }),
        ],
      }),
    ]);
    // The check moved nothing: only the request itself was written.
    const after = await databaseDigest(t.handle.db, ['sessions', 'audit_events', 'idempotency_keys']);
    const changed = Object.keys(after).filter((k) => after[k] !== digest[k]);
    expect(changed.sort()).toEqual(['azure_transfer_lines', 'azure_transfers']);
  });

  it('a sales agent may not move; the move puts every movable resource in a new subscription under the plan', async () => {
    const refused = await t.call({
      method: 'POST',
      url: `/api/azure-transfers/${transfer.id}/move`,
      token: tok['sales.agent@partner.demo'],
    });
    expect(refused.status).toBe(403);
    const moved = await t.expectOk({
      method: 'POST',
      url: `/api/azure-transfers/${transfer.id}/move`,
      token: admin(),
    });
    const line = moved.lines[0];
    expect(line).toMatchObject({ status: 'completed' });
    const subs = (await t.expectOk({ url: `/api/customers/${fabrikam}/azure-subscriptions`, token: admin() }))
      .items;
    const fresh = subs.find((s: Json) => s.id === line.newSubscriptionId);
    const old = subs.find((s: Json) => s.id === own.id);
    expect(fresh).toMatchObject({
      kind: 'azure-plan',
      movedFromSubscriptionId: own.id,
      friendlyName: own.friendlyName,
    });
    expect(fresh.resources.map((r: Json) => r.resourceType).sort()).toEqual([
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Sql/servers',
      'Microsoft.Storage/storageAccounts',
    ]);
    expect(old.resources.map((r: Json) => r.resourceType)).toEqual(['Microsoft.DevTestLab/labs']);
    // Planning again shows the old subscription as moved (what is left of it could not move).
    const replanned = await t.expectOk(
      { method: 'POST', url: `/api/customers/${fabrikam}/transitions`, token: admin(), body: {} },
      201,
    );
    expect(replanned.azure.find((l: Json) => l.subscriptionId === own.id)).toMatchObject({
      azureTransferId: transfer.id,
      azureTransferStatus: 'completed',
    });
    // A second move has nothing left to run.
    const twice = await t.call({
      method: 'POST',
      url: `/api/azure-transfers/${transfer.id}/move`,
      token: admin(),
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('azure_transfer_nothing_to_move');

    // Usage of the new subscription, from the move on, is the partner's; the old one's history stays behind.
    const moveDay = await today();
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { advanceDays: 6 },
    });
    const day = await today();
    const rows = [];
    for (let d = 6; d >= 0; d--)
      rows.push({
        date: daysAgo(day, d),
        subscriptionId: fresh.id,
        meterId: 'vm-d2s-v5',
        meterName: 'D2s v5',
        meterCategory: 'Virtual Machines',
        unit: '1 Hour',
        quantity: '24',
        unitPrice: 10,
        currency: 'EUR',
        resourceId: fresh.resources[0].resourceId,
      });
    expect(rows[0]!.date).toBe(moveDay);
    const imported = await t.expectOk({
      method: 'POST',
      url: '/api/azure/usage',
      token: t.operatorToken,
      body: { rows },
    });
    expect(imported).toMatchObject({ received: 7, imported: 7, unchanged: 0, refused: [] });
    const months = [...new Set([moveDay.slice(0, 7), day.slice(0, 7)])];
    const partnerItems: Json[] = [];
    let total = 0;
    for (const m of months) {
      const u = await t.expectOk({
        url: `/api/customers/${fabrikam}/azure-usage?month=${m}`,
        token: tok['billing.agent@partner.demo'],
      });
      partnerItems.push(...u.items);
      total += u.totals.reduce((a: number, x: Json) => a + x.amount, 0);
    }
    expect(partnerItems.map((i) => i.date)).toEqual(rows.map((r) => r.date));
    expect(new Set(partnerItems.map((i) => i.subscriptionId))).toEqual(new Set([fresh.id]));
    expect(partnerItems[0]).toMatchObject({
      meterName: 'D2s v5',
      quantity: '24',
      amount: { amount: 240, currency: 'EUR' },
    });
    expect(total).toBe(7 * 240);
    movedUsage = { subscriptionId: fresh.id, days: rows.map((r) => r.date), total };
    // Billed as it is imported: one `usage` line per row, unbilled until its month closes.
    const unbilled = (
      await t.expectOk({ url: '/api/billing/unbilled?limit=200', token: tok['billing.agent@partner.demo'] })
    ).items.filter((l: Json) => l.subscriptionId === fresh.id);
    expect(unbilled.map((l: Json) => [l.chargeType, l.chargeStart, l.total, l.currency])).toEqual(
      rows.map((r) => ['usage', r.date, 240, 'EUR']),
    );
    // What billing reads for the month's `usage` lines: the partner's days only, per customer,
    // subscription and day, in minor units (the old subscription's history is not the partner's).
    const me = await t.expectOk({ url: '/api/partner', token: admin() });
    const billed = [];
    for (const m of months)
      billed.push(...(await ratedUsageForMonth({ db: t.handle.db }, { month: m, partnerId: me.id })));
    expect(billed.filter((b) => b.tenantId === fabrikam)).toEqual(
      rows.map((r) => ({
        partnerId: me.id,
        tenantId: fabrikam,
        subscriptionId: fresh.id,
        date: r.date,
        amount: 240,
        currency: 'EUR',
      })),
    );
    // The customer's admin still sees the old subscription's history (the demo's month before the move).
    const history = await t.expectOk({
      url: `/api/tenant/azure-usage?month=${daysAgo(moveDay, 1).slice(0, 7)}`,
      token: tok['admin@fabrikam.demo'],
    });
    expect(history.items.filter((i: Json) => i.subscriptionId === own.id).length).toBeGreaterThan(0);
    // Audited, on the partner's trail.
    const audit = (await t.expectOk({ url: '/api/audit?limit=200', token: admin() })).items.map(
      (a: Json) => a.action,
    );
    expect(audit).toEqual(expect.arrayContaining(['azure-transfer.requested', 'azure-transfer.moved']));
  });
});

describe('Northwind: a billing transfer (issue 22, acceptance 1)', () => {
  it('a partner not marked Azure expert gets ProductTypeNotSupported', async () => {
    const other = await t.newPartner();
    const invite = await t.expectOk(
      {
        method: 'POST',
        url: '/api/relationship-requests',
        token: other.tokens['account-admin'],
        body: { tenantId: northwind },
      },
      201,
    );
    await t.expectOk({
      method: 'POST',
      url: `/api/invitations/${invite.token}/accept`,
      token: tok['admin@northwind.demo'],
    });
    await t.expectOk(
      { method: 'POST', url: `/api/customers/${northwind}/azure-plan`, token: other.tokens['admin-agent'] },
      201,
    );
    const ea = (await ownAzure(northwind, tok['admin@northwind.demo']!))[0];
    const r = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${northwind}/azure-transfers`,
        token: other.tokens['admin-agent'],
        body: { subscriptionIds: [ea.id] },
      },
      201,
    );
    expect(r.lines[0]).toMatchObject({ path: 'billing-transfer', eligible: false, status: 'blocked' });
    expect(r.lines[0].blockers.map((b: Json) => b.code)).toEqual(['ProductTypeNotSupported']);
    // Nothing to approve on a blocked line.
    const approve = await t.call({
      method: 'POST',
      url: `/api/tenant/azure-transfers/${r.id}/approve`,
      token: tok['admin@northwind.demo'],
    });
    expect(approve.status).toBe(409);
  });

  it('goes to the Azure expert partner once the billing admin approves; usage from that day on is the partner’s', async () => {
    const ea = (await ownAzure(northwind, tok['admin@northwind.demo']!))[0];
    const day = await today();
    // Usage before approval: the customer's.
    const before = {
      date: daysAgo(day, 0),
      subscriptionId: ea.id,
      meterId: 'vm-d4s-v5',
      meterName: 'D4s v5',
      meterCategory: 'Virtual Machines',
      unit: '1 Hour',
      quantity: '10.5',
      unitPrice: 19,
      currency: 'EUR',
      resourceId: ea.resources[0].resourceId,
    };
    await t.expectOk({
      method: 'POST',
      url: '/api/azure/usage',
      token: t.operatorToken,
      body: { rows: [{ ...before, date: daysAgo(day, 1) }] },
    });
    const noPlan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${northwind}/azure-transfers`,
        token: admin(),
        body: { subscriptionIds: [ea.id] },
      },
      201,
    );
    expect(noPlan.lines[0].blockers.map((b: Json) => b.code)).toEqual(['NoActiveAzurePlan']);
    await t.expectOk({ method: 'POST', url: `/api/customers/${northwind}/azure-plan`, token: admin() }, 201);
    const r = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${northwind}/azure-transfers`,
        token: admin(),
        body: { subscriptionIds: [ea.id] },
      },
      201,
    );
    expect(r.lines[0]).toMatchObject({
      path: 'billing-transfer',
      eligible: true,
      status: 'awaiting-approval',
      blockers: [],
    });
    // The partner cannot approve for the customer; another tenant's admin does not see it.
    expect(
      (await t.call({ method: 'POST', url: `/api/tenant/azure-transfers/${r.id}/approve`, token: admin() }))
        .status,
    ).toBe(403);
    const foreign = await t.call({
      method: 'POST',
      url: `/api/tenant/azure-transfers/${r.id}/approve`,
      token: tok['admin@fabrikam.demo'],
    });
    expect(foreign.status).toBe(404);
    const seen = (
      await t.expectOk({ url: '/api/tenant/azure-transfers', token: tok['admin@northwind.demo'] })
    ).items;
    expect(seen.map((x: Json) => x.id)).toContain(r.id);
    const approved = await t.expectOk({
      method: 'POST',
      url: `/api/tenant/azure-transfers/${r.id}/approve`,
      token: tok['admin@northwind.demo'],
    });
    expect(approved.lines[0]).toMatchObject({ status: 'completed', newSubscriptionId: null });
    const now = (await ownAzure(northwind, tok['admin@northwind.demo']!)).find((s: Json) => s.id === ea.id);
    const me = await t.expectOk({ url: '/api/partner', token: admin() });
    expect(now).toMatchObject({ kind: 'azure-plan', originKind: 'enterprise-agreement', partnerId: me.id });
    expect(now.resources).toHaveLength(2);
    // Today's usage is the partner's; yesterday's stays the customer's.
    await t.expectOk({
      method: 'POST',
      url: '/api/azure/usage',
      token: t.operatorToken,
      body: { rows: [before] },
    });
    const months = [...new Set([daysAgo(day, 1).slice(0, 7), day.slice(0, 7)])];
    const partnerDays = [];
    for (const m of months)
      partnerDays.push(
        ...(await t.expectOk({ url: `/api/customers/${northwind}/azure-usage?month=${m}`, token: admin() }))
          .items,
      );
    expect(partnerDays.map((i: Json) => i.date)).toEqual([day]);
    expect(partnerDays[0]).toMatchObject({ quantity: '10.5', amount: { amount: 199, currency: 'EUR' } });
    const audit = (
      await t.expectOk({ url: '/api/audit?limit=200', token: tok['admin@northwind.demo'] })
    ).items.map((a: Json) => a.action);
    expect(audit).toContain('azure-transfer.approved');
  });
});

describe('the month closes (issue 22, acceptance 1)', () => {
  it("puts the moved subscription's imported usage on the partner's invoice, once", async () => {
    expect(movedUsage, 'the resource-move test ran first').toBeDefined();
    if (!movedUsage) return;
    const last = movedUsage.days.at(-1)!;
    const next = new Date(`${last.slice(0, 7)}-01T00:00:00Z`);
    next.setUTCMonth(next.getUTCMonth() + 1);
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { now: new Date(next.getTime() + 3_600_000).toISOString() },
    });
    await closeInvoicesNow({ handle: t.handle, config: t.config, log: t.deps.log });
    const billing = tok['billing.agent@partner.demo']!;
    const invoices = (await t.expectOk({ url: '/api/invoices?limit=200', token: billing })).items;
    const usage: Json[] = [];
    for (const inv of invoices) {
      const detail = await t.expectOk({ url: `/api/invoices/${inv.id}?limit=200`, token: billing });
      usage.push(
        ...detail.lines.items
          .filter((l: Json) => l.chargeType === 'usage' && l.subscriptionId === movedUsage?.subscriptionId)
          .map((l: Json) => ({ invoice: inv.number, day: l.chargeStartDate, total: l.total })),
      );
    }
    expect(usage.map((u) => u.day).sort()).toEqual([...movedUsage.days].sort());
    expect(usage.reduce((a, u) => a + u.total, 0)).toBe(movedUsage.total);
    // Importing the same rows again bills nothing twice.
    expect(
      await t.handle.db
        .selectFrom('billing_lines')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('subscription_id', '=', movedUsage.subscriptionId)
        .where('charge_type', '=', 'usage')
        .executeTakeFirstOrThrow(),
    ).toEqual({ n: movedUsage.days.length });
  });
});
