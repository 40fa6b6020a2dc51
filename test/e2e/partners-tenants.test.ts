import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestApp, unique } from '../fixtures/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe('partners and their users', () => {
  it('puts the partner in the region its country decides', async () => {
    const { partner } = await t.newPartner({ country: 'es' });
    expect(partner).toMatchObject({ country: 'ES', region: 'europe' });
    const br = await t.newPartner({ country: 'BR' });
    expect(br.partner.region).toBe('brazil');
    const bad = await t.call({
      method: 'POST',
      url: '/api/admin/partners',
      token: t.operatorToken,
      body: { name: 'X', country: 'ZZ' },
    });
    expect(bad).toMatchObject({ status: 422, body: { code: 'unknown_country' } });
  });

  it("lets an account admin give several roles to a user, and not another partner's user", async () => {
    const a = await t.newPartner();
    const b = await t.newPartner();
    const email = `${unique('multi')}@partner.test`;
    const u = await t.expectOk(
      {
        method: 'POST',
        url: '/api/partner/users',
        token: a.tokens['account-admin'],
        body: { email, password: PASSWORD, roles: ['sales-agent', 'billing-agent'] },
      },
      201,
    );
    expect(u.roles).toEqual(['billing-agent', 'sales-agent']);
    const token = await t.login(email);
    // Both roles' permissions apply: billing views and relationship requests are both allowed.
    const me = (await t.call({ url: '/api/auth/me', token })).body;
    expect(me.roles).toEqual(['billing-agent', 'sales-agent']);
    expect(me.permissions).toEqual(expect.arrayContaining(['billing.read', 'relationships.request']));
    const changed = await t.call({
      method: 'PUT',
      url: `/api/partner/users/${u.id}/roles`,
      token: a.tokens['account-admin'],
      body: { roles: ['admin-agent'] },
    });
    expect(changed).toMatchObject({ status: 200, body: { roles: ['admin-agent'] } });
    const foreign = await t.call({
      method: 'PUT',
      url: `/api/partner/users/${u.id}/roles`,
      token: b.tokens['account-admin'],
      body: { roles: ['sales-agent'] },
    });
    expect(foreign).toMatchObject({ status: 404, body: { code: 'user_not_found' } });
    const users = await t.expectOk({ url: '/api/partner/users', token: b.tokens['account-admin'] });
    expect(users.items.map((x: { id: string }) => x.id)).not.toContain(u.id);
  });

  it('refuses a duplicate e-mail, whatever its case', async () => {
    const a = await t.newPartner();
    const email = `${unique('dup')}@partner.test`;
    await t.expectOk(
      {
        method: 'POST',
        url: '/api/partner/users',
        token: a.tokens['account-admin'],
        body: { email, password: PASSWORD, roles: ['sales-agent'] },
      },
      201,
    );
    const again = await t.call({
      method: 'POST',
      url: '/api/partner/users',
      token: a.tokens['account-admin'],
      body: { email: email.toUpperCase(), password: PASSWORD, roles: ['sales-agent'] },
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'email_taken' } });
  });
});

describe('customers', () => {
  it('lists only the tenants the partner has a relationship with, paged and searchable', async () => {
    const a = await t.newPartner();
    const b = await t.newPartner();
    const mine = [];
    for (let i = 0; i < 3; i++)
      mine.push((await t.newTenant({ partnerToken: a.tokens['sales-agent'] })).tenant);
    const theirs = (await t.newTenant({ partnerToken: b.tokens['sales-agent'] })).tenant;
    const page1 = await t.expectOk({ url: '/api/customers?limit=2', token: a.tokens['billing-agent'] });
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await t.expectOk({
      url: `/api/customers?limit=2&cursor=${page1.nextCursor}`,
      token: a.tokens['billing-agent'],
    });
    const ids = [...page1.items, ...page2.items].map((x: { id: string }) => x.id);
    expect(ids.sort()).toEqual(mine.map((m) => m.id).sort());
    expect(page2.nextCursor).toBeNull();
    expect(ids).not.toContain(theirs.id);
    const found = await t.expectOk({
      url: `/api/customers?search=${encodeURIComponent(mine[1].defaultDomain)}`,
      token: a.tokens['sales-agent'],
    });
    expect(found.items.map((x: { id: string }) => x.id)).toEqual([mine[1].id]);
    const hidden = await t.call({ url: `/api/customers/${theirs.id}`, token: a.tokens['account-admin'] });
    expect(hidden).toMatchObject({ status: 404, body: { code: 'tenant_not_found' } });
  });

  it("creates a customer with the partner as reseller, in the partner's region only, naming both regions", async () => {
    const a = await t.newPartner({ country: 'ES' });
    const { tenant } = await t.newTenant({ partnerToken: a.tokens['admin-agent'], country: 'PT' });
    expect(tenant).toMatchObject({ country: 'PT', region: 'europe', relationship: { status: 'accepted' } });
    const domain = `${unique('br')}.test`;
    const before = await t.handle.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const refused = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: a.tokens['admin-agent'],
      body: { companyName: 'Brasil Ltda', defaultDomain: domain, country: 'BR' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('region_mismatch');
    expect(refused.body.data).toEqual({
      partnerRegion: 'Europe',
      tenantRegion: 'Brazil',
      partnerRegionId: 'europe',
      tenantRegionId: 'brazil',
    });
    expect(refused.body.description).toMatch(/Europe.*Brazil/);
    const after = await t.handle.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("records a new tenant's whole directory, and refuses a directory that names a user twice", async () => {
    const a = await t.newPartner();
    const { tenant } = await t.newTenant({ partnerToken: a.tokens['sales-agent'], users: 40 });
    const rows = await t.handle.db
      .selectFrom('directory_users')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .execute();
    expect(rows).toHaveLength(40);
    const domain = `${unique('dup')}.test`;
    const before = await t.handle.db.selectFrom('tenants').select('id').execute();
    const dup = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: a.tokens['sales-agent'],
      body: {
        companyName: 'Twice SL',
        defaultDomain: domain,
        country: 'ES',
        users: [
          { userPrincipalName: `ana@${domain}`, displayName: 'Ana' },
          { userPrincipalName: `ANA@${domain}`, displayName: 'Ana again' },
        ],
      },
    });
    expect(dup).toMatchObject({ status: 409, body: { code: 'user_exists' } });
    expect(await t.handle.db.selectFrom('tenants').select('id').execute()).toHaveLength(before.length);
  });

  it('shows a customer admin its own tenant only', async () => {
    const a = await t.newPartner();
    const { tenant, adminToken } = await t.newTenant({ partnerToken: a.tokens['sales-agent'] });
    const own = await t.expectOk({ url: '/api/tenant', token: adminToken });
    expect(own.id).toBe(tenant.id);
    expect((await t.call({ url: '/api/customers', token: adminToken })).status).toBe(403);
  });

  it('replays a retried creating call with the same Idempotency-Key, and refuses the key with another body', async () => {
    const a = await t.newPartner();
    const domain = `${unique('idem')}.test`;
    const body = { companyName: 'Idempotent SL', defaultDomain: domain, country: 'ES' };
    const key = unique('key');
    const first = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: a.tokens['sales-agent'],
      body,
      headers: { 'idempotency-key': key },
    });
    const second = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: a.tokens['sales-agent'],
      body,
      headers: { 'ms-requestid': key },
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const count = await t.handle.db
      .selectFrom('tenants')
      .select('id')
      .where('default_domain', '=', domain)
      .execute();
    expect(count).toHaveLength(1);
    const other = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: a.tokens['sales-agent'],
      body: { ...body, companyName: 'Other' },
      headers: { 'idempotency-key': key },
    });
    expect(other).toMatchObject({ status: 409, body: { code: 'idempotency_key_reused' } });
  });
});

describe('audit trail', () => {
  it("records who did what, where, with the request id; partners see their own trail, customers their tenant's", async () => {
    const a = await t.newPartner();
    const b = await t.newPartner();
    const res = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: a.tokens['sales-agent'],
      body: {
        companyName: 'Audited SA',
        defaultDomain: `${unique('aud')}.test`,
        country: 'ES',
        admin: { email: `admin@${unique('aud')}.test` },
      },
      headers: { 'x-request-id': `req-${unique()}` },
    });
    expect(res.status).toBe(201);
    const trail = await t.expectOk({ url: '/api/audit?limit=200', token: a.tokens['billing-agent'] });
    const mine = trail.items.filter(
      (e: { requestId: string }) => e.requestId === res.headers['x-request-id'],
    );
    expect(mine.map((e: { action: string }) => e.action).sort()).toEqual([
      'password-link.issued',
      'relationship.created',
      'tenant.created',
      'user.created',
    ]);
    for (const e of mine) {
      expect(e.actor).toMatchObject({ roles: ['sales-agent'], partnerId: a.partner.id });
      expect(e.tenantId).toBe(res.body.id);
      // Names, not ids, for the console to show (issue 21): the customer, and the user's e-mail.
      expect(e.tenantName).toBe(res.body.companyName);
    }
    const byAction = (action: string) => mine.find((e: { action: string }) => e.action === action);
    expect(byAction('tenant.created').targetName).toBe(res.body.companyName);
    expect(byAction('user.created').targetName).toMatch(/^admin@aud.*\.test$/);
    const other = await t.expectOk({ url: '/api/audit?limit=200', token: b.tokens['account-admin'] });
    expect(other.items.some((e: { requestId: string }) => e.requestId === res.headers['x-request-id'])).toBe(
      false,
    );
  });

  it('has an audit row for every change made through the API in this file so far', async () => {
    expect(t.changes.length).toBeGreaterThan(20);
    expect(await t.unauditedChanges()).toEqual([]);
  });
});
