import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertGrant } from '../../src/modules/delegated-admin/delegated-admin.repo.ts';
import { startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { newOffer } from '../fixtures/offers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function customerWithPartner(users: number, delegatedAdmin = true) {
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], users });
  if (delegatedAdmin) {
    const now = new Date((await t.expectOk({ url: '/api/clock', token: t.operatorToken })).now);
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
  const rows = await t.handle.db
    .selectFrom('directory_users')
    .select(['id'])
    .where('tenant_id', '=', c.tenant.id)
    .orderBy('user_principal_name')
    .execute();
  return { ...p, tenantId: c.tenant.id as string, users: rows.map((r) => r.id) };
}

async function holdings(tenantId: string) {
  const rows = await t.handle.db
    .selectFrom('license_assignments')
    .select(['directory_user_id', 'sku_id'])
    .where('tenant_id', '=', tenantId)
    .orderBy('directory_user_id')
    .orderBy('sku_id')
    .execute();
  return rows.map((r) => `${r.directory_user_id}:${r.sku_id}`);
}

describe('bulk license updates', () => {
  it('assigns and removes for many users in one transaction, and refuses the whole set naming the SKU and the shortfall', async () => {
    const basic = await newOffer(t, 'O365_BUSINESS_ESSENTIALS');
    const standard = await newOffer(t, 'O365_BUSINESS_PREMIUM');
    const c = await customerWithPartner(5);
    const admin = c.tokens['account-admin'];
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: admin,
        body: {
          lineItems: [
            { offerId: basic.id, quantity: 3 },
            { offerId: standard.id, quantity: 2 },
          ],
        },
      },
      201,
    );
    const url = `/api/customers/${c.tenantId}/license-updates`;
    const [u1, u2, u3, u4, u5] = c.users as [string, string, string, string, string];

    // Three users get Basic at once.
    const first = await t.expectOk(
      {
        method: 'POST',
        url,
        token: admin,
        body: {
          updates: [u1, u2, u3].map((userId) => ({ userId, assign: [{ skuId: basic.skuId }], remove: [] })),
        },
      },
      201,
    );
    expect(first.items.map((u: { id: string }) => u.id)).toEqual([u1, u2, u3]);
    expect(
      first.items.every((u: { licenses: { skuId: string }[] }) => u.licenses[0]?.skuId === basic.skuId),
    ).toBe(true);

    // A set that needs 2 more Basic seats than there are: 409 naming the SKU and the shortfall, nothing changed.
    const before = await holdings(c.tenantId);
    const tooMany = await t.call({
      method: 'POST',
      url,
      token: admin,
      headers: { 'accept-language': 'es' },
      body: {
        updates: [
          { userId: u1, assign: [{ skuId: standard.skuId }], remove: [] },
          { userId: u4, assign: [{ skuId: basic.skuId }], remove: [] },
          { userId: u5, assign: [{ skuId: basic.skuId }], remove: [] },
        ],
      },
    });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.code).toBe('license_quota_exceeded');
    expect(tooMany.body.description).toContain('Microsoft 365 Business Basic');
    expect(tooMany.body.description).toMatch(/faltan 2/);
    expect(await holdings(c.tenantId)).toEqual(before);

    // A later update fails (no such user) after an earlier one was applied: it rolls back too.
    const bad = await t.call({
      method: 'POST',
      url,
      token: admin,
      body: {
        updates: [
          { userId: u1, assign: [], remove: [basic.skuId] },
          { userId: unique('nobody-'), assign: [], remove: [basic.skuId] },
        ],
      },
    });
    expect(bad.status).toBe(404);
    expect(bad.body.code).toBe('user_not_found');
    expect(await holdings(c.tenantId)).toEqual(before);

    // Removals free seats before additions take them: u1 and u2 give Basic to u4 and u5, u1 gets Standard.
    await t.expectOk(
      {
        method: 'POST',
        url,
        token: admin,
        headers: { 'idempotency-key': unique('bulk-') },
        body: {
          updates: [
            { userId: u4, assign: [{ skuId: basic.skuId }], remove: [] },
            { userId: u5, assign: [{ skuId: basic.skuId }], remove: [] },
            { userId: u1, assign: [{ skuId: standard.skuId }], remove: [basic.skuId] },
            { userId: u2, assign: [], remove: [basic.skuId] },
          ],
        },
      },
      201,
    );
    expect(await holdings(c.tenantId)).toEqual(
      [
        `${u1}:${standard.skuId}`,
        `${u3}:${basic.skuId}`,
        `${u4}:${basic.skuId}`,
        `${u5}:${basic.skuId}`,
      ].sort(),
    );

    // One update per user.
    const twice = await t.call({
      method: 'POST',
      url,
      token: admin,
      body: {
        updates: [
          { userId: u2, assign: [], remove: [] },
          { userId: u2, assign: [], remove: [] },
        ],
      },
    });
    expect(twice.status).toBe(422);
    expect(twice.body.code).toBe('license_bulk_duplicate_user');
    // Roles: a sales agent may not assign licenses.
    const sales = await t.call({
      method: 'POST',
      url,
      token: c.tokens['sales-agent'],
      body: { updates: [{ userId: u2, assign: [{ skuId: standard.skuId }], remove: [] }] },
    });
    expect(sales.status).toBe(403);
  });

  it('needs delegated admin on the customer', async () => {
    const offer = await newOffer(t, 'O365_BUSINESS_ESSENTIALS');
    const c = await customerWithPartner(1, false);
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenantId}/orders`,
        token: c.tokens['account-admin'],
        body: { lineItems: [{ offerId: offer.id, quantity: 1 }] },
      },
      201,
    );
    const r = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenantId}/license-updates`,
      token: c.tokens['account-admin'],
      body: { updates: [{ userId: c.users[0], assign: [{ skuId: offer.skuId }], remove: [] }] },
    });
    expect(r.status).toBe(403);
    expect(await holdings(c.tenantId)).toEqual([]);
  });
});
