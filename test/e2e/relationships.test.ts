import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { insertSubscriptionRow } from '../fixtures/direct-subscriptions.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function invite(partnerToken: string, body: Record<string, unknown> = {}) {
  return t.expectOk({ method: 'POST', url: '/api/relationship-requests', token: partnerToken, body }, 201);
}

async function plainUser(tenantId: string, domain: string) {
  const email = `${unique('plain')}@${domain}`;
  await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${tenantId}/accounts`,
      token: t.operatorToken,
      body: { email, password: PASSWORD, roles: ['tenant-user'] },
    },
    201,
  );
  return t.login(email);
}

/** The rows an answer to an invitation could create or change. */
const digest = () => databaseDigest(t.handle.db, ['sessions']);

describe('relationship requests and invitations', () => {
  it('issues a signed, single-use link for a tenant; the customer sees who asks for what, and accepts', async () => {
    const p = await t.newPartner({ name: `Contoso ${unique()}` });
    const c = await t.newTenant();
    const req = await invite(p.tokens['sales-agent'], {
      domain: c.domain,
      delegatedAdmin: { roles: ['User Administrator', 'License Administrator'], durationDays: 60 },
    });
    expect(req).toMatchObject({ status: 'pending', tenantId: c.tenant.id, dap: false });
    // The domain asked, not the company's name: the tenant is not the partner's to see yet.
    expect(req.customer).toEqual({ name: null, domain: c.domain });
    expect(req.url).toBe(`/invitations/${req.token}`);
    // At least 128 bits of randomness before the signature.
    const [nonce] = req.token.split('.');
    expect(Buffer.from(nonce, 'base64url').length).toBeGreaterThanOrEqual(16);
    const ttl = Date.parse(req.expiresAt) - Date.now();
    expect(Math.round(ttl / 86_400_000)).toBe(30);
    // Only a hash of the token is stored.
    const stored = await t.handle.db.selectFrom('relationship_requests').select('token_hash').execute();
    expect(stored.some((r) => r.token_hash.includes(req.token) || req.token.includes(r.token_hash))).toBe(
      false,
    );

    const view = await t.expectOk({ url: `/api/invitations/${req.token}` });
    expect(view).toEqual({
      kind: 'reseller-relationship',
      partner: { name: p.partner.name, country: 'ES', region: 'europe', regionName: 'Europe' },
      dap: false,
      delegatedAdmin: {
        roles: ['User Administrator', 'License Administrator'],
        durationDays: 60,
        autoExtend: false,
      },
      indirectProvider: null,
      expiresAt: req.expiresAt,
    });
    expect(JSON.stringify(view)).not.toContain(c.tenant.id);

    // The partner does not see the tenant before acceptance.
    expect(
      (await t.call({ url: `/api/customers/${c.tenant.id}`, token: p.tokens['sales-agent'] })).status,
    ).toBe(404);
    const accepted = await t.expectOk({
      method: 'POST',
      url: `/api/invitations/${req.token}/accept`,
      token: c.adminToken,
    });
    expect(accepted.relationship).toMatchObject({
      partnerId: p.partner.id,
      tenantId: c.tenant.id,
      status: 'accepted',
    });
    expect(accepted.delegatedAdmin).toMatchObject({ kind: 'gdap', status: 'active', durationDays: 60 });
    const customer = await t.expectOk({
      url: `/api/customers/${c.tenant.id}`,
      token: p.tokens['sales-agent'],
    });
    expect(customer.relationship.status).toBe('accepted');

    const list = await t.expectOk({ url: '/api/relationship-requests', token: p.tokens['account-admin'] });
    expect(list.items.find((i: { id: string }) => i.id === req.id)).toMatchObject({
      status: 'accepted',
      relationshipId: accepted.relationship.id,
      // Named for the console (issue 21): the customer it is for, not an id.
      customer: { name: c.tenant.companyName, domain: c.domain },
    });
    expect(JSON.stringify(list)).not.toContain(req.token);

    const events = await t.handle.db
      .selectFrom('outbox_events')
      .selectAll()
      .where('type', '=', 'relationship.accepted')
      .execute();
    expect(events.some((e) => e.payload.relationshipId === accepted.relationship.id)).toBe(true);
  });

  it('refuses the billing agent, an unknown tenant, and a tenant the partner already serves', async () => {
    const p = await t.newPartner();
    const served = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    const r1 = await t.call({
      method: 'POST',
      url: '/api/relationship-requests',
      token: p.tokens['billing-agent'],
      body: {},
    });
    expect([r1.status, r1.body.code]).toEqual([403, 'forbidden']);
    const r2 = await t.call({
      method: 'POST',
      url: '/api/relationship-requests',
      token: p.tokens['admin-agent'],
      body: { domain: `${unique()}.test` },
    });
    expect([r2.status, r2.body.code]).toEqual([404, 'tenant_not_found']);
    const r3 = await t.call({
      method: 'POST',
      url: '/api/relationship-requests',
      token: p.tokens['admin-agent'],
      body: { tenantId: served.tenant.id },
    });
    expect([r3.status, r3.body.code]).toEqual([409, 'relationship_exists']);
  });

  describe('refuses every bad token with its own code and creates nothing', () => {
    it('forged, altered and malformed tokens → invitation_invalid', async () => {
      const p = await t.newPartner();
      const c = await t.newTenant();
      const req = await invite(p.tokens['account-admin'], { tenantId: c.tenant.id });
      const [nonce, sig] = req.token.split('.');
      const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
      const forged = `${nonce}.${'A'.repeat(43)}`;
      const altered = `${flip(nonce)}.${sig}`;
      const before = await digest();
      for (const bad of [forged, altered, 'not-a-token', `${req.token}x`]) {
        for (const verb of ['accept', 'decline']) {
          const res = await t.call({
            method: 'POST',
            url: `/api/invitations/${bad}/${verb}`,
            token: c.adminToken,
          });
          expect([res.status, res.body.code]).toEqual([404, 'invitation_invalid']);
        }
        const view = await t.call({ url: `/api/invitations/${bad}` });
        expect(view.body.code).toBe('invitation_invalid');
      }
      expect(await digest()).toEqual(before);
    });

    it('expired → invitation_expired', async () => {
      const p = await t.newPartner();
      const c = await t.newTenant();
      const req = await invite(p.tokens['account-admin'], { tenantId: c.tenant.id });
      await t.expectOk({
        method: 'POST',
        url: '/api/admin/clock',
        token: t.operatorToken,
        body: { advanceDays: 31 },
      });
      const before = await digest();
      const res = await t.call({
        method: 'POST',
        url: `/api/invitations/${req.token}/accept`,
        token: c.adminToken,
      });
      expect([res.status, res.body.code]).toEqual([410, 'invitation_expired']);
      expect((await t.call({ url: `/api/invitations/${req.token}` })).body.code).toBe('invitation_expired');
      expect(await digest()).toEqual(before);
      const list = await t.expectOk({
        url: '/api/relationship-requests?status=expired',
        token: p.tokens['account-admin'],
      });
      expect(list.items.map((i: { id: string }) => i.id)).toEqual([req.id]);
    });

    it('already used (accepted or declined) → invitation_used', async () => {
      const p = await t.newPartner();
      const c = await t.newTenant();
      const a = await invite(p.tokens['account-admin'], { tenantId: c.tenant.id });
      await t.expectOk({ method: 'POST', url: `/api/invitations/${a.token}/decline`, token: c.adminToken });
      const before = await digest();
      for (const verb of ['accept', 'decline']) {
        const res = await t.call({
          method: 'POST',
          url: `/api/invitations/${a.token}/${verb}`,
          token: c.adminToken,
        });
        expect([res.status, res.body.code]).toEqual([409, 'invitation_used']);
      }
      expect(await digest()).toEqual(before);
      const b = await invite(p.tokens['account-admin'], { tenantId: c.tenant.id });
      await t.expectOk({ method: 'POST', url: `/api/invitations/${b.token}/accept`, token: c.adminToken });
      const again = await t.call({
        method: 'POST',
        url: `/api/invitations/${b.token}/accept`,
        token: c.adminToken,
      });
      expect([again.status, again.body.code]).toEqual([409, 'invitation_used']);
      const statuses = await t.expectOk({
        url: '/api/relationship-requests',
        token: p.tokens['account-admin'],
      });
      expect(
        Object.fromEntries(statuses.items.map((i: { id: string; status: string }) => [i.id, i.status])),
      ).toEqual({
        [a.id]: 'declined',
        [b.id]: 'accepted',
      });
    });

    it('withdrawn → invitation_withdrawn', async () => {
      const p = await t.newPartner();
      const c = await t.newTenant();
      const a = await invite(p.tokens['sales-agent'], { tenantId: c.tenant.id });
      const b = await invite(p.tokens['sales-agent'], { tenantId: c.tenant.id });
      const w1 = await t.expectOk({
        method: 'DELETE',
        url: `/api/relationship-requests/${a.id}`,
        token: p.tokens['sales-agent'],
      });
      expect(w1.status).toBe('withdrawn');
      await t.expectOk({
        method: 'POST',
        url: `/api/relationship-requests/${b.id}/withdraw`,
        token: p.tokens['account-admin'],
      });
      const twice = await t.call({
        method: 'DELETE',
        url: `/api/relationship-requests/${a.id}`,
        token: p.tokens['sales-agent'],
      });
      expect([twice.status, twice.body.code]).toEqual([409, 'relationship_request_not_pending']);
      const other = await t.newPartner();
      const foreign = await t.call({
        method: 'DELETE',
        url: `/api/relationship-requests/${a.id}`,
        token: other.tokens['sales-agent'],
      });
      expect([foreign.status, foreign.body.code]).toEqual([404, 'relationship_request_not_found']);
      const before = await digest();
      for (const token of [a.token, b.token]) {
        const res = await t.call({
          method: 'POST',
          url: `/api/invitations/${token}/accept`,
          token: c.adminToken,
        });
        expect([res.status, res.body.code]).toEqual([410, 'invitation_withdrawn']);
      }
      expect(await digest()).toEqual(before);
    });

    it('an admin of another tenant → invitation_wrong_tenant; a non-admin of the right tenant → forbidden', async () => {
      const p = await t.newPartner();
      const c = await t.newTenant();
      const other = await t.newTenant();
      const plain = await plainUser(c.tenant.id, c.domain);
      const req = await invite(p.tokens['account-admin'], { tenantId: c.tenant.id });
      const before = await digest();
      for (const verb of ['accept', 'decline']) {
        const wrong = await t.call({
          method: 'POST',
          url: `/api/invitations/${req.token}/${verb}`,
          token: other.adminToken,
        });
        expect([wrong.status, wrong.body.code]).toEqual([403, 'invitation_wrong_tenant']);
        const user = await t.call({
          method: 'POST',
          url: `/api/invitations/${req.token}/${verb}`,
          token: plain,
        });
        expect([user.status, user.body.code]).toEqual([403, 'forbidden']);
        const partner = await t.call({
          method: 'POST',
          url: `/api/invitations/${req.token}/${verb}`,
          token: p.tokens['account-admin'],
        });
        expect([partner.status, partner.body.code]).toEqual([403, 'forbidden']);
        const anonymous = await t.call({ method: 'POST', url: `/api/invitations/${req.token}/${verb}` });
        expect([anonymous.status, anonymous.body.code]).toEqual([401, 'unauthenticated']);
      }
      expect(await digest()).toEqual(before);
      // The link still works for the right admin.
      await t.expectOk({ method: 'POST', url: `/api/invitations/${req.token}/accept`, token: c.adminToken });
    });
  });

  it('a prospect invitation is accepted by whichever tenant admin opens it, with the region checked then', async () => {
    const p = await t.newPartner();
    const c = await t.newTenant();
    const req = await invite(p.tokens['account-admin']);
    expect(req.tenantId).toBeNull();
    const res = await t.expectOk({
      method: 'POST',
      url: `/api/invitations/${req.token}/accept`,
      token: c.adminToken,
    });
    expect(res.relationship.tenantId).toBe(c.tenant.id);
    expect(res.delegatedAdmin).toBeNull();
    const list = await t.expectOk({ url: '/api/relationship-requests', token: p.tokens['account-admin'] });
    expect(list.items[0]).toMatchObject({
      id: req.id,
      tenantId: c.tenant.id,
      status: 'accepted',
      customer: { name: c.tenant.companyName, domain: c.domain },
    });
  });

  it('multi-partner: the customer sees both partners, and the second acceptance changes nothing of the first', async () => {
    const first = await t.newPartner();
    const second = await t.newPartner();
    const c = await t.newTenant({ partnerToken: first.tokens['account-admin'] });
    const firstRelBefore = await t.handle.db
      .selectFrom('relationships')
      .selectAll()
      .where('tenant_id', '=', c.tenant.id)
      .execute();
    const req = await invite(second.tokens['sales-agent'], { tenantId: c.tenant.id });
    await t.expectOk({ method: 'POST', url: `/api/invitations/${req.token}/accept`, token: c.adminToken });
    const firstRelAfter = await t.handle.db
      .selectFrom('relationships')
      .selectAll()
      .where('partner_id', '=', first.partner.id)
      .where('tenant_id', '=', c.tenant.id)
      .execute();
    expect(firstRelAfter).toEqual(firstRelBefore);
    const partners = await t.expectOk({ url: '/api/tenant/partners', token: c.adminToken });
    expect(partners.items.map((i: { partner: { id: string } }) => i.partner.id).sort()).toEqual(
      [first.partner.id, second.partner.id].sort(),
    );
    for (const item of partners.items) {
      expect(item.relationship.status).toBe('accepted');
      expect(item.delegatedAdmin).toEqual({ canActOnBehalf: false, grants: [] });
    }
    // Each partner sees the tenant as its own customer.
    for (const p of [first, second]) {
      const view = await t.expectOk({ url: `/api/customers/${c.tenant.id}`, token: p.tokens['admin-agent'] });
      expect(view.relationship.status).toBe('accepted');
    }
  });

  it('region rule: a Brazil tenant and a Europe partner, refused at request and at acceptance, naming both regions', async () => {
    const p = await t.newPartner({ country: 'ES' });
    const c = await t.newTenant({ country: 'BR' });
    const before = await digest();
    for (const body of [{ tenantId: c.tenant.id }, { domain: c.domain }]) {
      const res = await t.call({
        method: 'POST',
        url: '/api/relationship-requests',
        token: p.tokens['account-admin'],
        body,
      });
      expect([res.status, res.body.code]).toEqual([422, 'region_mismatch']);
      expect(res.body.description).toContain('Europe');
      expect(res.body.description).toContain('Brazil');
    }
    expect(await digest()).toEqual(before);
    // A prospect link may be made, but a Brazilian admin cannot accept it.
    const req = await invite(p.tokens['account-admin']);
    const mid = await digest();
    const res = await t.call({
      method: 'POST',
      url: `/api/invitations/${req.token}/accept`,
      token: c.adminToken,
    });
    expect([res.status, res.body.code]).toEqual([422, 'region_mismatch']);
    expect(res.body.description).toContain('Europe');
    expect(res.body.description).toContain('Brazil');
    expect(res.body.data).toMatchObject({ partnerRegion: 'Europe', tenantRegion: 'Brazil' });
    expect(await digest()).toEqual(mid);
  });

  it('removes a relationship from either side, with its delegated admin, and the partner loses the tenant', async () => {
    const p = await t.newPartner();
    const q = await t.newPartner();
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    const req = await invite(q.tokens['account-admin'], {
      tenantId: c.tenant.id,
      delegatedAdmin: { roles: ['Global Reader'], durationDays: 30 },
    });
    await t.expectOk({ method: 'POST', url: `/api/invitations/${req.token}/accept`, token: c.adminToken });
    // The partner side.
    const removed = await t.expectOk({
      method: 'DELETE',
      url: `/api/customers/${c.tenant.id}/relationship`,
      token: p.tokens['sales-agent'],
      body: { reason: 'the customer moved to another reseller' },
    });
    expect(removed).toMatchObject({ partnerId: p.partner.id, status: 'removed' });
    expect(
      (await t.call({ url: `/api/customers/${c.tenant.id}`, token: p.tokens['sales-agent'] })).status,
    ).toBe(404);
    // The customer side; the GDAP goes with it.
    await t.expectOk({ method: 'DELETE', url: `/api/tenant/partners/${q.partner.id}`, token: c.adminToken });
    const again = await t.call({
      method: 'DELETE',
      url: `/api/tenant/partners/${q.partner.id}`,
      token: c.adminToken,
    });
    expect([again.status, again.body.code]).toEqual([404, 'relationship_not_found']);
    const grants = await t.handle.db
      .selectFrom('delegated_admin_grants')
      .select('status')
      .where('tenant_id', '=', c.tenant.id)
      .execute();
    expect(grants.map((g) => g.status)).toEqual(['removed']);
    expect((await t.expectOk({ url: '/api/tenant/partners', token: c.adminToken })).items).toEqual([]);
    // A new invitation can start it again.
    const back = await invite(p.tokens['account-admin'], { tenantId: c.tenant.id });
    await t.expectOk({ method: 'POST', url: `/api/invitations/${back.token}/accept`, token: c.adminToken });
  });

  it('refuses to remove a relationship while the partner has a live subscription in the tenant, from either side', async () => {
    const p = await t.newPartner();
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    // Other partners' and other channels' subscriptions do not count.
    await insertSubscriptionRow(t.handle.db, { tenantId: c.tenant.id, channel: 'direct' });
    const farEnd = new Date(Date.now() + 1000 * 86_400_000);
    await insertSubscriptionRow(t.handle.db, {
      tenantId: c.tenant.id,
      channel: 'partner',
      partnerId: p.partner.id,
      termEnd: farEnd,
    });
    const before = await digest();
    const partnerSide = await t.call({
      method: 'DELETE',
      url: `/api/customers/${c.tenant.id}/relationship`,
      token: p.tokens['account-admin'],
      body: { reason: 'no longer serving' },
    });
    expect([partnerSide.status, partnerSide.body.code, partnerSide.body.data]).toEqual([
      409,
      'relationship_has_active_subscriptions',
      { count: 1 },
    ]);
    const customerSide = await t.call({
      method: 'DELETE',
      url: `/api/tenant/partners/${p.partner.id}`,
      token: c.adminToken,
    });
    expect([customerSide.status, customerSide.body.code]).toEqual([
      409,
      'relationship_has_active_subscriptions',
    ]);
    expect(await digest()).toEqual(before);
    // Once its term is over (no auto-renew), the relationship can end.
    const clock = await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { now: new Date(farEnd.getTime() + 86_400_000).toISOString() },
    });
    expect(Date.parse(clock.now)).toBeGreaterThan(farEnd.getTime());
    await t.expectOk({ method: 'DELETE', url: `/api/tenant/partners/${p.partner.id}`, token: c.adminToken });
  });
});
