import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import { PASSWORD, startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { platformNow, STANDARD, waitForTransition } from '../fixtures/transition-case.ts';

/**
 * SPEC §7, the two-tier model through the API: an indirect provider links a reseller; the reseller
 * reaches a customer through it; the reseller never orders, its transitions buy through the provider
 * with the reseller as partner of record; the provider sees what it sold for the reseller.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

async function partnerOfKind(kind: 'direct-bill' | 'indirect-provider' | 'indirect-reseller') {
  const tag = unique('k');
  const email = `admin.${tag}@partner.test`;
  const partner = await t.expectOk(
    {
      method: 'POST',
      url: '/api/admin/partners',
      token: t.operatorToken,
      body: { name: `${kind} ${tag}`, country: 'ES', kind, admin: { email, password: PASSWORD } },
    },
    201,
  );
  return { partner, token: await t.login(email) };
}

/** A provider and a reseller linked through the provider's invitation. */
async function linkedPair() {
  const provider = await partnerOfKind('indirect-provider');
  const reseller = await partnerOfKind('indirect-reseller');
  const invitation = await t.expectOk(
    { method: 'POST', url: '/api/indirect-resellers/invitations', token: provider.token },
    201,
  );
  const link = await t.expectOk({
    method: 'POST',
    url: `/api/indirect-invitations/${invitation.token}/accept`,
    token: reseller.token,
  });
  expect(link).toMatchObject({
    providerId: provider.partner.id,
    resellerId: reseller.partner.id,
    status: 'active',
  });
  return { provider, reseller, invitation };
}

/** A customer with a direct subscription (45 days left) for `users` licensed users, reached by the reseller. */
async function resellersCustomer(pair: Awaited<ReturnType<typeof linkedPair>>, users = 4) {
  const c = await t.newTenant({ users: 0 });
  const invite = await t.expectOk(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: pair.reseller.token,
      body: { tenantId: c.tenant.id, indirectProviderId: pair.provider.partner.id },
    },
    201,
  );
  expect(invite.indirectProviderId).toBe(pair.provider.partner.id);
  const shown = await t.expectOk({ url: `/api/invitations/${invite.token}` });
  expect(shown.indirectProvider).toEqual({ name: pair.provider.partner.name });
  await t.expectOk({ method: 'POST', url: `/api/invitations/${invite.token}/accept`, token: c.adminToken });
  const now = await platformNow(t);
  const offer = await t.expectOk({ url: `/api/offers/${STANDARD}`, token: pair.reseller.token });
  const source = await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${c.tenant.id}/subscriptions`,
      token: t.operatorToken,
      body: {
        offerId: STANDARD,
        quantity: users,
        channel: 'direct',
        purchasedVia: 'admin-center',
        billingCycle: 'annual',
        termStart: addDaysUtc(now, -320).toISOString(),
        termEnd: addDaysUtc(now, 45).toISOString(),
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
  return { ...c, source };
}

describe('two-tier (SPEC §7)', () => {
  it('a provider links a reseller by a single-use link; only providers invite, only resellers accept', async () => {
    const pair = await linkedPair();
    const again = await t.call({
      method: 'POST',
      url: `/api/indirect-invitations/${pair.invitation.token}/accept`,
      token: pair.reseller.token,
    });
    expect([again.status, again.body.code]).toEqual([409, 'invitation_used']);
    const direct = await partnerOfKind('direct-bill');
    const refused = await t.call({
      method: 'POST',
      url: '/api/indirect-resellers/invitations',
      token: direct.token,
    });
    expect([refused.status, refused.body.code]).toEqual([422, 'not_indirect_provider']);
    const link = await t.expectOk(
      { method: 'POST', url: '/api/indirect-resellers/invitations', token: pair.provider.token },
      201,
    );
    const notReseller = await t.call({
      method: 'POST',
      url: `/api/indirect-invitations/${link.token}/accept`,
      token: direct.token,
    });
    expect([notReseller.status, notReseller.body.code]).toEqual([422, 'not_indirect_reseller']);
    const providers = await t.expectOk({ url: '/api/indirect-providers', token: pair.reseller.token });
    expect(providers.items).toMatchObject([{ providerId: pair.provider.partner.id, status: 'active' }]);
  });

  it('a reseller asks a customer through its provider: accepting relates both; without a provider it is refused', async () => {
    const pair = await linkedPair();
    const c = await resellersCustomer(pair, 1);
    const rels = await t.handle.db
      .selectFrom('relationships')
      .select(['partner_id', 'indirect_provider_id'])
      .where('tenant_id', '=', c.tenant.id)
      .where('status', '=', 'accepted')
      .orderBy('partner_id')
      .execute();
    expect(rels).toEqual(
      [
        { partner_id: pair.reseller.partner.id, indirect_provider_id: pair.provider.partner.id },
        { partner_id: pair.provider.partner.id, indirect_provider_id: null },
      ].sort((a, b) => a.partner_id.localeCompare(b.partner_id)),
    );
    const other = await t.newTenant({ users: 0 });
    const noProvider = await t.call({
      method: 'POST',
      url: '/api/relationship-requests',
      token: pair.reseller.token,
      body: { tenantId: other.tenant.id },
    });
    expect([noProvider.status, noProvider.body.code]).toEqual([422, 'indirect_provider_required']);
    const stranger = await partnerOfKind('indirect-provider');
    const notLinked = await t.call({
      method: 'POST',
      url: '/api/relationship-requests',
      token: pair.reseller.token,
      body: { tenantId: other.tenant.id, indirectProviderId: stranger.partner.id },
    });
    expect([notLinked.status, notLinked.body.code]).toEqual([422, 'indirect_provider_invalid']);
  });

  it("a reseller's plan buys through its provider with the reseller as partner of record; ordering directly is 403", async () => {
    const pair = await linkedPair();
    const c = await resellersCustomer(pair);
    const digest = await databaseDigest(t.handle.db, ['sessions']);
    const direct = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/orders`,
      token: pair.reseller.token,
      body: { lineItems: [{ offerId: STANDARD, quantity: 1 }] },
    });
    expect([direct.status, direct.body.code]).toEqual([403, 'indirect_reseller_cannot_transact']);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(digest);

    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token: pair.reseller.token,
        body: { options: { provision: 'now' } },
      },
      201,
    );
    expect(plan.verdict).toBe('ready');
    await t.expectOk(
      { method: 'POST', url: `/api/transitions/${plan.id}/apply`, token: pair.reseller.token, body: {} },
      202,
    );
    await waitForTransition(t, plan.id, pair.reseller.token, ['waiting', 'applied']);
    const orders = await t.handle.db
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', c.tenant.id)
      .execute();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      partner_id: pair.provider.partner.id,
      partner_on_record_id: pair.reseller.partner.id,
    });
    const bought = await t.handle.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('order_id', '=', orders[0]!.id)
      .execute();
    expect(bought).toHaveLength(1);
    expect(bought[0]).toMatchObject({
      channel: 'partner',
      partner_id: pair.provider.partner.id,
      partner_on_record_id: pair.reseller.partner.id,
      quantity: 4,
    });
    // The reseller sees the order placed for it and the subscription it is partner of record of.
    const listed = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/orders`,
      token: pair.reseller.token,
    });
    expect(
      listed.items.map((o: { id: string; partnerOnRecordId: string }) => [o.id, o.partnerOnRecordId]),
    ).toEqual([[orders[0]!.id, pair.reseller.partner.id]]);
    const sub = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/subscriptions/${bought[0]!.id}`,
      token: pair.reseller.token,
    });
    expect(sub).toMatchObject({
      partnerId: pair.provider.partner.id,
      partnerOnRecordId: pair.reseller.partner.id,
    });
    // The provider sees what it sold for the reseller.
    const resellers = await t.expectOk({ url: '/api/indirect-resellers', token: pair.provider.token });
    expect(resellers.items).toEqual([
      expect.objectContaining({
        resellerId: pair.reseller.partner.id,
        sold: { subscriptions: 1, seats: 4, customers: 1 },
      }),
    ]);
    // Both partners' trails show the order.
    for (const token of [pair.provider.token, pair.reseller.token]) {
      const audit = await t.expectOk({ url: '/api/audit?limit=200', token });
      expect(
        audit.items.some(
          (e: { action: string; targetId: string }) =>
            e.action === 'order.created' && e.targetId === orders[0]!.id,
        ),
      ).toBe(true);
    }
  });

  it('a provider orders for a linked reseller, not for a partner it is not linked to', async () => {
    const pair = await linkedPair();
    const c = await resellersCustomer(pair, 1);
    const order = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/orders`,
        token: pair.provider.token,
        body: {
          lineItems: [{ offerId: STANDARD, quantity: 2 }],
          partnerOnRecordId: pair.reseller.partner.id,
        },
      },
      201,
    );
    expect(order).toMatchObject({
      partnerId: pair.provider.partner.id,
      partnerOnRecordId: pair.reseller.partner.id,
    });
    // Billing (SPEC §8): the program bills the provider; the reseller is the line's reseller of record.
    const lines = await t.handle.db
      .selectFrom('billing_lines')
      .select(['partner_id', 'reseller_partner_id', 'charge_type', 'subtotal'])
      .where('order_id', '=', order.id)
      .execute();
    expect(lines).toEqual([
      {
        partner_id: pair.provider.partner.id,
        reseller_partner_id: pair.reseller.partner.id,
        charge_type: 'new',
        subtotal: 2 * 15_000,
      },
    ]);
    const other = await partnerOfKind('indirect-reseller');
    const digest = await databaseDigest(t.handle.db, ['sessions']);
    const refused = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/orders`,
      token: pair.provider.token,
      body: { lineItems: [{ offerId: STANDARD, quantity: 2 }], partnerOnRecordId: other.partner.id },
    });
    expect([refused.status, refused.body.code]).toEqual([422, 'partner_on_record_invalid']);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(digest);
  });
});
