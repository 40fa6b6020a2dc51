import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';

/**
 * Routes addressed by an id other than the tenant's: another partner's or another tenant's
 * resource answers 404 (as if it did not exist), whatever the method, and nothing changes.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { catalog: true });
});
afterAll(async () => t?.close());

it('answers 404 to every id that belongs to another partner or another tenant, and changes nothing', async () => {
  const a = await t.newPartner();
  const b = await t.newPartner();
  const ca = await t.newTenant({ partnerToken: a.tokens['account-admin'] });
  const cb = await t.newTenant({ partnerToken: b.tokens['account-admin'] });
  const now = new Date((await t.expectOk({ url: '/api/clock', token: t.operatorToken })).now);
  const direct = await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${ca.tenant.id}/subscriptions`,
      token: t.operatorToken,
      body: {
        offerId: 'demo-m365-business-basic',
        quantity: 3,
        channel: 'direct',
        purchasedVia: 'admin-center',
        billingCycle: 'annual',
        termStart: new Date(now.getTime() - 100 * 86_400_000).toISOString(),
        termEnd: new Date(now.getTime() + 100 * 86_400_000).toISOString(),
        autoRenew: true,
      },
    },
    201,
  );
  const plan = await t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${ca.tenant.id}/transitions`,
      token: a.tokens['account-admin'],
      body: {},
    },
    201,
  );
  const request = await t.expectOk(
    { method: 'POST', url: '/api/relationship-requests', token: a.tokens['account-admin'], body: {} },
    201,
  );
  const gdap = await t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${ca.tenant.id}/delegated-admin-requests`,
      token: a.tokens['account-admin'],
      body: { roles: ['User Administrator'], durationDays: 30 },
    },
    201,
  );
  const token = await t.expectOk(
    { method: 'POST', url: '/api/auth/tokens', token: a.tokens['account-admin'], body: { name: 'a script' } },
    201,
  );
  const users = await t.expectOk({ url: '/api/partner/users', token: a.tokens['account-admin'] });
  const aUser = users.items.find((u: { roles: string[] }) => u.roles.includes('sales-agent'));

  const before = await databaseDigest(t.handle.db, ['sessions']);
  const attempts: [string, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string, string, unknown?][] = [
    ['another partner reads a transition', 'GET', `/api/transitions/${plan.id}`, b.tokens['account-admin']],
    ['another partner applies it', 'POST', `/api/transitions/${plan.id}/apply`, b.tokens['account-admin']],
    [
      'another partner withdraws a request',
      'POST',
      `/api/relationship-requests/${request.id}/withdraw`,
      b.tokens['account-admin'],
    ],
    [
      'another partner deletes a request',
      'DELETE',
      `/api/relationship-requests/${request.id}`,
      b.tokens['account-admin'],
    ],
    [
      'another partner revokes an API token',
      'DELETE',
      `/api/auth/tokens/${token.id}`,
      b.tokens['account-admin'],
    ],
    [
      "another partner changes a user's roles",
      'PUT',
      `/api/partner/users/${aUser.id}/roles`,
      b.tokens['account-admin'],
      { roles: ['billing-agent'] },
    ],
    [
      'another tenant approves a GDAP request',
      'POST',
      `/api/tenant/delegated-admin-requests/${gdap.id}/approve`,
      cb.adminToken,
    ],
    [
      'another tenant declines it',
      'POST',
      `/api/tenant/delegated-admin-requests/${gdap.id}/decline`,
      cb.adminToken,
    ],
    [
      'another tenant cancels a direct subscription',
      'PATCH',
      `/api/tenant/subscriptions/${direct.id}`,
      cb.adminToken,
      { status: 'cancelled' },
    ],
    [
      'another tenant removes a partner it does not have',
      'DELETE',
      `/api/tenant/partners/${a.partner.id}`,
      cb.adminToken,
    ],
    [
      "another tenant revokes that partner's delegated admin",
      'DELETE',
      `/api/tenant/partners/${a.partner.id}/delegated-admin`,
      cb.adminToken,
    ],
  ];
  const failures: string[] = [];
  for (const [what, method, url, tok, body] of attempts) {
    const res = await t.call({ method, url, token: tok, ...(body !== undefined ? { body } : {}) });
    if (res.status !== 404) failures.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  expect(failures).toEqual([]);
  expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
});
