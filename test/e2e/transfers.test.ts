import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc as addDays } from '../../src/domain/calendar.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { platformNow, STANDARD, waitForTransition } from '../fixtures/transition-case.ts';

/**
 * SPEC §7, partner-to-partner transfers, end to end through the API: partner B plans a customer
 * whose subscription partner A holds, applies, and A answers. The clock moves for expiry.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

/** A customer of partner A with A's annual subscription (120 days left) for 30 licensed users; B also its reseller. */
async function transferCase(users = 30) {
  const a = await t.newPartner();
  const b = await t.newPartner();
  const c = await t.newTenant({ partnerToken: a.tokens['account-admin'], users: 0 });
  const now = await platformNow(t);
  const offer = await t.expectOk({ url: `/api/offers/${STANDARD}`, token: a.tokens['sales-agent'] });
  const source = await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${c.tenant.id}/subscriptions`,
      token: t.operatorToken,
      body: {
        offerId: STANDARD,
        quantity: users,
        channel: 'partner',
        partnerId: a.partner.id,
        billingCycle: 'annual',
        termStart: addDays(now, -245).toISOString(),
        termEnd: addDays(now, 120).toISOString(),
        autoRenew: true,
      },
    },
    201,
  );
  for (let i = 0; i < users; i++)
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/users`,
        token: t.operatorToken,
        body: {
          userPrincipalName: `user${i}@${c.domain}`,
          displayName: `User ${i}`,
          licenses: [{ skuId: offer.skuId }],
        },
      },
      201,
    );
  const invite = await t.expectOk(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: b.tokens['account-admin'],
      body: { tenantId: c.tenant.id },
    },
    201,
  );
  await t.expectOk({ method: 'POST', url: `/api/invitations/${invite.token}/accept`, token: c.adminToken });
  return { a, b, ...c, source, skuId: offer.skuId as string };
}

type Case = Awaited<ReturnType<typeof transferCase>>;

const plan = (c: Case) =>
  t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/transitions`,
      token: c.b.tokens['account-admin'],
      body: { options: { provision: 'now' } },
    },
    201,
  );

async function sourceRow(c: Case) {
  return t.handle.db
    .selectFrom('subscriptions')
    .selectAll()
    .where('id', '=', c.source.id)
    .executeTakeFirstOrThrow();
}

async function licensed(c: Case) {
  const rows = await t.handle.db
    .selectFrom('license_assignments')
    .select('directory_user_id')
    .where('tenant_id', '=', c.tenant.id)
    .where('sku_id', '=', c.skuId)
    .execute();
  return rows.length;
}

async function auditActions(token: string, transferId: string) {
  const page = await t.expectOk({ url: '/api/audit?limit=200', token });
  return page.items
    .filter((e: { targetId: string | null }) => e.targetId === transferId)
    .map((e: { action: string }) => e.action)
    .sort();
}

/** B plans and applies; the transition waits on A with one pending transfer. */
async function planAndApply(c: Case) {
  const p = await plan(c);
  await t.expectOk(
    { method: 'POST', url: `/api/transitions/${p.id}/apply`, token: c.b.tokens['account-admin'], body: {} },
    202,
  );
  await waitForTransition(t, p.id, c.b.tokens['account-admin'], ['waiting']);
  const incoming = await t.expectOk({
    url: '/api/transfers?direction=incoming',
    token: c.a.tokens['sales-agent'],
  });
  expect(incoming.items).toHaveLength(1);
  return { plan: p, transfer: incoming.items[0] };
}

describe('partner-to-partner transfer (SPEC §7)', () => {
  it('B plans a transfer with no overlap; A approves; the subscription is B’s with the same end date, nobody unlicensed, both audits and the customer see it', async () => {
    const c = await transferCase();
    const before = await sourceRow(c);
    const p = await plan(c);
    expect(p.verdict).toBe('ready');
    expect(p.lines).toHaveLength(1);
    expect(p.lines[0]).toMatchObject({
      sourceSubscriptionId: c.source.id,
      disposition: 'transfer',
      targetOfferId: STANDARD,
      quantity: 30,
      overlapCost: { amount: 0, currency: 'EUR' },
      lossIfCancelledNow: { amount: 0, currency: 'EUR' },
      reassignLicenses: false,
      sourceActor: 'partner-of-record',
    });
    expect(p.timeline.map((s: { step: string }) => s.step)).toEqual(['request-transfer']);
    expect(p.seats.every((s: { points: { pool: number; assigned: number }[] }) => s.points.length > 0)).toBe(
      true,
    );
    for (const s of p.seats) for (const pt of s.points) expect(pt.pool).toBeGreaterThanOrEqual(pt.assigned);

    await t.expectOk(
      { method: 'POST', url: `/api/transitions/${p.id}/apply`, token: c.b.tokens['account-admin'], body: {} },
      202,
    );
    await waitForTransition(t, p.id, c.b.tokens['account-admin'], ['waiting']);
    const incoming = await t.expectOk({
      url: '/api/transfers?direction=incoming',
      token: c.a.tokens['sales-agent'],
    });
    expect(incoming.items).toHaveLength(1);
    const transfer = incoming.items[0];
    expect(transfer).toMatchObject({
      status: 'pending',
      direction: 'incoming',
      sourcePartnerId: c.a.partner.id,
      targetPartnerId: c.b.partner.id,
      tenantId: c.tenant.id,
      transitionId: p.id,
      lineItems: [{ subscriptionId: c.source.id, status: 'pending' }],
    });
    const outgoing = await t.expectOk({
      url: '/api/transfers?direction=outgoing',
      token: c.b.tokens['billing-agent'],
    });
    expect(outgoing.items.map((x: { id: string }) => x.id)).toEqual([transfer.id]);
    // The customer's global admin sees it while it is open.
    const seen = await t.expectOk({ url: '/api/tenant/transfers', token: c.adminToken });
    expect(seen.items.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([
      [transfer.id, 'pending'],
    ]);

    // Nobody changes a subscription with an open transfer, not even its partner of record.
    const seats = await t.call({
      method: 'PATCH',
      url: `/api/customers/${c.tenant.id}/subscriptions/${c.source.id}`,
      token: c.a.tokens['account-admin'],
      body: { quantity: 31 },
    });
    expect(seats.status).toBe(409);
    expect(seats.body.code).toBe('subscription_transfer_pending');
    // The target may not answer its own request.
    const self = await t.call({
      method: 'POST',
      url: `/api/transfers/${transfer.id}/approve`,
      token: c.b.tokens['account-admin'],
      body: { subscriptionIds: [c.source.id] },
    });
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('transfer_not_source');
    expect(await licensed(c)).toBe(30);

    const approved = await t.expectOk({
      method: 'POST',
      url: `/api/transfers/${transfer.id}/approve`,
      token: c.a.tokens['sales-agent'],
      body: { subscriptionIds: [c.source.id] },
    });
    expect(approved).toMatchObject({
      status: 'completed',
      lineItems: [{ subscriptionId: c.source.id, status: 'transferred' }],
    });
    const after = await sourceRow(c);
    expect(after).toMatchObject({
      channel: 'partner',
      partner_id: c.b.partner.id,
      offer_id: before.offer_id,
      quantity: before.quantity,
      term: before.term,
      auto_renew: before.auto_renew,
      transfer_id: null,
    });
    expect(after.term_end.toISOString()).toBe(before.term_end.toISOString());
    expect(after.term_start.toISOString()).toBe(before.term_start.toISOString());
    // The same 30 users hold the same licenses: no reassignment, no moment without a license.
    expect(await licensed(c)).toBe(30);
    const view = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/subscriptions/${c.source.id}`,
      token: c.b.tokens['account-admin'],
    });
    expect(view).toMatchObject({ partnerId: c.b.partner.id, canChange: true });

    // The transition's step sees the answer and finishes.
    await waitForTransition(t, p.id, c.b.tokens['account-admin'], ['applied']);
    for (const token of [c.a.tokens['account-admin'], c.b.tokens['account-admin']])
      expect(await auditActions(token, transfer.id)).toEqual(['transfer.completed', 'transfer.requested']);
    const tenantView = await t.expectOk({ url: '/api/tenant/transfers', token: c.adminToken });
    expect(tenantView.items.map((x: { status: string }) => x.status)).toEqual(['completed']);
    const tenantSubs = await t.expectOk({ url: '/api/tenant/subscriptions', token: c.adminToken });
    expect(tenantSubs.items.find((s: { id: string }) => s.id === c.source.id)).toMatchObject({
      partnerId: c.b.partner.id,
    });
  });

  it('A rejects: B’s next plan lets it expire and shows the overlap; A may change it again', async () => {
    const c = await transferCase(5);
    const { plan: first, transfer } = await planAndApply(c);
    const rejected = await t.expectOk({
      method: 'POST',
      url: `/api/transfers/${transfer.id}/reject`,
      token: c.a.tokens['account-admin'],
    });
    expect(rejected).toMatchObject({ status: 'rejected', lineItems: [{ status: 'declined' }] });
    expect((await sourceRow(c)).partner_id).toBe(c.a.partner.id);
    await waitForTransition(t, first.id, c.b.tokens['account-admin'], ['applied']);
    const next = await plan(c);
    expect(next.lines).toHaveLength(1);
    expect(next.lines[0]).toMatchObject({ disposition: 'let-expire', targetOfferId: STANDARD });
    expect(next.lines[0].overlapCost.amount).toBeGreaterThan(0);
    expect(next.lines[0].reasons.map((r: { code: string }) => r.code)).toContain('line.transfer-refused');
    await t.expectOk({
      method: 'PATCH',
      url: `/api/customers/${c.tenant.id}/subscriptions/${c.source.id}`,
      token: c.a.tokens['account-admin'],
      body: { quantity: 6 },
    });
  });

  it('a request left unanswered for 30 days expires, and the next plan lets the source expire', async () => {
    const c = await transferCase(3);
    const asked = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transfers`,
        token: c.b.tokens['sales-agent'],
        body: { sourcePartnerId: c.a.partner.id },
      },
      201,
    );
    expect(asked).toMatchObject({ status: 'pending', lineItems: [{ subscriptionId: c.source.id }] });
    expect(new Date(asked.expiresAt).getTime() - new Date(asked.createdAt).getTime()).toBe(30 * 86_400_000);
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { advanceDays: 31 },
    });
    let status = 'pending';
    for (let i = 0; i < 100 && status === 'pending'; i++) {
      status = (await t.expectOk({ url: `/api/transfers/${asked.id}`, token: c.b.tokens['sales-agent'] }))
        .status;
      if (status === 'pending') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('expired');
    expect((await sourceRow(c)).transfer_id).toBeNull();
    const late = await t.call({
      method: 'POST',
      url: `/api/transfers/${asked.id}/approve`,
      token: c.a.tokens['account-admin'],
      body: { subscriptionIds: [c.source.id] },
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('transfer_not_pending');
    const next = await plan(c);
    expect(next.lines[0]).toMatchObject({ disposition: 'let-expire' });
    for (const token of [c.a.tokens['account-admin'], c.b.tokens['account-admin']])
      expect(await auditActions(token, asked.id)).toEqual(['transfer.expired', 'transfer.requested']);
  });

  it('two approvals at once make one transfer; a second request for a held subscription is refused', async () => {
    const c = await transferCase(3);
    const asked = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transfers`,
        token: c.b.tokens['account-admin'],
        body: { sourcePartnerId: c.a.partner.id, subscriptionIds: [c.source.id] },
      },
      201,
    );
    const again = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/transfers`,
      token: c.b.tokens['account-admin'],
      body: { sourcePartnerId: c.a.partner.id, subscriptionIds: [c.source.id] },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('subscription_transfer_pending');
    const answers = await Promise.all(
      [c.a.tokens['account-admin'], c.a.tokens['sales-agent']].map((token) =>
        t.call({
          method: 'POST',
          url: `/api/transfers/${asked.id}/approve`,
          token,
          body: { subscriptionIds: [c.source.id] },
        }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 409)!.body.code).toBe('transfer_not_pending');
    expect((await sourceRow(c)).partner_id).toBe(c.b.partner.id);
    expect(await auditActions(c.a.tokens['account-admin'], asked.id)).toEqual([
      'transfer.completed',
      'transfer.requested',
    ]);
  });

  it('bad requests change nothing: own partner, foreign subscription, unknown line item, a stranger', async () => {
    const c = await transferCase(2);
    const stranger = await t.newPartner();
    const digest = await databaseDigest(t.handle.db, ['sessions']);
    const cases: [string, Promise<{ status: number; body: { code: string } }>, number, string][] = [
      [
        'asking oneself',
        t.call({
          method: 'POST',
          url: `/api/customers/${c.tenant.id}/transfers`,
          token: c.a.tokens['account-admin'],
          body: { sourcePartnerId: c.a.partner.id },
        }),
        422,
        'transfer_same_partner',
      ],
      [
        'a subscription the source does not hold',
        t.call({
          method: 'POST',
          url: `/api/customers/${c.tenant.id}/transfers`,
          token: c.b.tokens['account-admin'],
          body: { sourcePartnerId: stranger.partner.id, subscriptionIds: [c.source.id] },
        }),
        422,
        'transfer_subscription_invalid',
      ],
      [
        'a customer the stranger has no relationship with',
        t.call({
          method: 'POST',
          url: `/api/customers/${c.tenant.id}/transfers`,
          token: stranger.tokens['account-admin'],
          body: { sourcePartnerId: c.a.partner.id },
        }),
        404,
        'tenant_not_found',
      ],
    ];
    for (const [what, call, status, code] of cases) {
      const r = await call;
      expect({ what, status: r.status, code: r.body.code }).toEqual({ what, status, code });
    }
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(digest);

    const asked = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transfers`,
        token: c.b.tokens['account-admin'],
        body: { sourcePartnerId: c.a.partner.id },
      },
      201,
    );
    const held = await databaseDigest(t.handle.db, ['sessions']);
    const unknown = await t.call({
      method: 'POST',
      url: `/api/transfers/${asked.id}/approve`,
      token: c.a.tokens['account-admin'],
      body: { subscriptionIds: ['not-in-the-request'] },
    });
    expect([unknown.status, unknown.body.code]).toEqual([422, 'transfer_line_items_invalid']);
    const foreign = await t.call({
      url: `/api/transfers/${asked.id}`,
      token: stranger.tokens['account-admin'],
    });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'transfer_not_found']);
    const foreignApprove = await t.call({
      method: 'POST',
      url: `/api/transfers/${asked.id}/approve`,
      token: stranger.tokens['account-admin'],
      body: { subscriptionIds: [c.source.id] },
    });
    expect([foreignApprove.status, foreignApprove.body.code]).toEqual([404, 'transfer_not_found']);
    const billing = await t.call({
      method: 'POST',
      url: `/api/transfers/${asked.id}/reject`,
      token: c.a.tokens['billing-agent'],
    });
    expect(billing.status).toBe(403);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(held);
  });
});
