import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/** Multi-partner, multi-channel: a second partner changes nothing of the first one's. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { catalog: true });
});
afterAll(async () => t?.close());

it('two partners of one tenant: each may change only its own subscriptions; the customer sees both', async () => {
  const a = await t.newPartner();
  const b = await t.newPartner();
  const c = await t.newTenant({ partnerToken: a.tokens['sales-agent'] });
  const order = { lineItems: [{ offerId: 'demo-m365-business-basic', quantity: 3 }] };
  const subA = (
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/orders`,
        token: a.tokens['sales-agent'],
        body: order,
      },
      201,
    )
  ).subscriptions[0];
  const relA = await t.handle.db
    .selectFrom('relationships')
    .selectAll()
    .where('tenant_id', '=', c.tenant.id)
    .execute();

  const invite = await t.expectOk(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: b.tokens['sales-agent'],
      body: { tenantId: c.tenant.id },
    },
    201,
  );
  await t.expectOk({ method: 'POST', url: `/api/invitations/${invite.token}/accept`, token: c.adminToken });
  // Accepting the second partner changed nothing of the first one's relationship.
  const relAfter = await t.handle.db
    .selectFrom('relationships')
    .selectAll()
    .where('partner_id', '=', a.partner.id)
    .execute();
  expect(relAfter).toEqual(relA);
  const subB = (
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/orders`,
        token: b.tokens['sales-agent'],
        body: order,
      },
      201,
    )
  ).subscriptions[0];

  for (const [who, mine, theirs] of [
    [a, subA.id, subB.id],
    [b, subB.id, subA.id],
  ] as const) {
    const list = await t.expectOk({
      url: `/api/customers/${c.tenant.id}/subscriptions`,
      token: who.tokens['sales-agent'],
    });
    const byId = new Map(list.items.map((s: { id: string; canChange: boolean }) => [s.id, s.canChange]));
    expect(byId.get(mine)).toBe(true);
    expect(byId.get(theirs)).toBe(false);
    const refused = await t.call({
      method: 'PATCH',
      url: `/api/customers/${c.tenant.id}/subscriptions/${theirs}`,
      token: who.tokens['sales-agent'],
      body: { autoRenew: false },
    });
    expect(refused).toMatchObject({
      status: 403,
      body: { code: 'subscription_not_changeable', data: { channel: 'partner' } },
    });
  }
  const partners = await t.expectOk({ url: '/api/tenant/partners', token: c.adminToken });
  expect(partners.items.map((p: { partner: { id: string } }) => p.partner.id).sort()).toEqual(
    [a.partner.id, b.partner.id].sort(),
  );
});
