import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { insertSubscriptionRow } from '../fixtures/direct-subscriptions.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const DAY = 86_400_000;

async function advance(days: number) {
  await t.expectOk({
    method: 'POST',
    url: '/api/admin/clock',
    token: t.operatorToken,
    body: { advanceDays: days },
  });
}

/** A partner serving a tenant (created by the operator, joined by invitation). */
async function served(delegatedAdmin?: Record<string, unknown>) {
  const p = await t.newPartner();
  const c = await t.newTenant();
  const req = await t.expectOk(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: p.tokens['account-admin'],
      body: { tenantId: c.tenant.id, ...(delegatedAdmin ? { delegatedAdmin } : {}) },
    },
    201,
  );
  await t.expectOk({ method: 'POST', url: `/api/invitations/${req.token}/accept`, token: c.adminToken });
  return { p, c };
}

async function partnerView(p: { tokens: Record<string, string> }, tenantId: string) {
  return t.expectOk({ url: `/api/customers/${tenantId}/delegated-admin`, token: p.tokens['admin-agent'] });
}

/** What the partner can do on the customer's behalf: file a credit request (refused before any lookup without DA). */
async function creditAttempt(p: { tokens: Record<string, string> }, tenantId: string) {
  return t.call({
    method: 'POST',
    url: `/api/customers/${tenantId}/credit-requests`,
    token: p.tokens['admin-agent'],
    body: { subscriptionId: 'no-such-subscription', reason: 'duplicate licenses after a change of partner' },
  });
}

describe('delegated admin', () => {
  it("GDAP asked in the invitation is granted on acceptance; a partner user acts only with its groups' roles", async () => {
    const { p, c } = await served({ roles: ['User Administrator'], durationDays: 20 });
    const before = await partnerView(p, c.tenant.id);
    expect(before.canActOnBehalf).toBe(true);
    expect(before.grants).toHaveLength(1);
    expect(before.grants[0]).toMatchObject({
      kind: 'gdap',
      status: 'active',
      roles: ['User Administrator'],
      autoExtend: false,
    });
    expect(Date.parse(before.grants[0].expiresAt) - Date.parse(before.grants[0].approvedAt)).toBe(20 * DAY);
    // The grant alone gives nobody anything: a partner user acts with its groups' roles (SPEC §10).
    const direct = await insertSubscriptionRow(t.handle.db, { tenantId: c.tenant.id, channel: 'direct' });
    const credit = {
      method: 'POST' as const,
      url: `/api/customers/${c.tenant.id}/credit-requests`,
      token: p.tokens['admin-agent'],
      body: { subscriptionId: direct, reason: 'duplicate licenses after a change of partner' },
    };
    const ungrouped = await t.call(credit);
    expect([ungrouped.status, ungrouped.body.code]).toEqual([403, 'delegated_role_required']);
    const group = await t.expectOk(
      {
        method: 'POST',
        url: '/api/partner/security-groups',
        token: p.tokens['account-admin'],
        body: { name: 'Agents', memberUserIds: [p.userIds['admin-agent']] },
      },
      201,
    );
    const assign = (roles: string[]) =>
      t.call({
        method: 'PUT',
        url: `/api/customers/${c.tenant.id}/delegated-admin/${before.grants[0].id}/assignments`,
        token: p.tokens['account-admin'],
        body: { assignments: [{ groupId: group.id, roles }] },
      });
    expect((await assign(['User Administrator'])).status).toBe(200);
    // User Administrator moves licenses but does not file credits: Billing Administrator does.
    const userAdmin = await t.call(credit);
    expect([userAdmin.status, userAdmin.body.code]).toEqual([403, 'delegated_role_required']);
    expect(userAdmin.body.description).toContain('Billing Administrator');
    // A role the customer did not grant cannot be given to a group.
    const outside = await assign(['Billing Administrator']);
    expect([outside.status, outside.body.code]).toEqual([422, 'assignment_role_not_granted']);
    expect((await partnerView(p, c.tenant.id)).myRoles).toEqual(['User Administrator']);
  });

  it("with Billing Administrator through a group, an admin agent files a credit on the customer's behalf until the grant expires on the platform clock", async () => {
    const { p, c } = await served({
      roles: ['User Administrator', 'Billing Administrator'],
      durationDays: 20,
    });
    const before = await partnerView(p, c.tenant.id);
    const group = await t.expectOk(
      {
        method: 'POST',
        url: '/api/partner/security-groups',
        token: p.tokens['account-admin'],
        body: { name: 'Billing', memberUserIds: [p.userIds['admin-agent']] },
      },
      201,
    );
    await t.expectOk({
      method: 'PUT',
      url: `/api/customers/${c.tenant.id}/delegated-admin/${before.grants[0].id}/assignments`,
      token: p.tokens['account-admin'],
      body: { assignments: [{ groupId: group.id, roles: ['Billing Administrator'] }] },
    });
    const direct = await insertSubscriptionRow(t.handle.db, { tenantId: c.tenant.id, channel: 'direct' });
    const filed = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/credit-requests`,
      token: p.tokens['admin-agent'],
      body: { subscriptionId: direct, reason: 'duplicate licenses after a change of partner' },
    });
    expect([filed.status, filed.body.filedBy]).toEqual([201, 'partner']);
    await advance(21);
    const after = await partnerView(p, c.tenant.id);
    expect(after.canActOnBehalf).toBe(false);
    expect(after.grants[0].status).toBe('expired');
    const refused = await creditAttempt(p, c.tenant.id);
    expect([refused.status, refused.body.code]).toEqual([403, 'delegated_admin_required']);
    // The customer sees the same.
    const partners = await t.expectOk({ url: '/api/tenant/partners', token: c.adminToken });
    expect(partners.items[0].delegatedAdmin.canActOnBehalf).toBe(false);
    expect(partners.items[0].relationship.status).toBe('accepted');
  });

  it('GDAP requested separately: the customer approves it; auto-extend moves the end by 180 days on the clock', async () => {
    const { p, c } = await served();
    expect((await partnerView(p, c.tenant.id)).canActOnBehalf).toBe(false);
    const refused = await creditAttempt(p, c.tenant.id);
    expect([refused.status, refused.body.code]).toEqual([403, 'delegated_admin_required']);

    const salesTry = await t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/delegated-admin-requests`,
      token: p.tokens['sales-agent'],
      body: { roles: ['User Administrator'], durationDays: 10 },
    });
    expect([salesTry.status, salesTry.body.code]).toEqual([403, 'forbidden']);
    const asked = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/delegated-admin-requests`,
        token: p.tokens['admin-agent'],
        body: { roles: ['User Administrator', 'License Administrator'], durationDays: 10, autoExtend: true },
      },
      201,
    );
    expect(asked).toMatchObject({
      status: 'requested',
      kind: 'gdap',
      url: `/tenant/delegated-admin-requests/${asked.id}`,
    });
    expect(Date.parse(asked.requestExpiresAt) - Date.parse(asked.requestedAt)).toBe(90 * DAY);
    // Still nothing until the customer approves.
    expect((await partnerView(p, c.tenant.id)).canActOnBehalf).toBe(false);

    const pending = await t.expectOk({ url: '/api/tenant/delegated-admin-requests', token: c.adminToken });
    expect(pending.items.map((i: { id: string }) => i.id)).toEqual([asked.id]);
    // Another tenant's admin cannot see or approve it.
    const stranger = await t.newTenant();
    const foreign = await t.call({
      method: 'POST',
      url: `/api/tenant/delegated-admin-requests/${asked.id}/approve`,
      token: stranger.adminToken,
    });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'delegated_admin_request_not_found']);

    const approved = await t.expectOk({
      method: 'POST',
      url: `/api/tenant/delegated-admin-requests/${asked.id}/approve`,
      token: c.adminToken,
    });
    expect(approved.status).toBe('active');
    const end = Date.parse(approved.expiresAt);
    expect(end - Date.parse(approved.approvedAt)).toBe(10 * DAY);
    expect((await partnerView(p, c.tenant.id)).canActOnBehalf).toBe(true);
    const twice = await t.call({
      method: 'POST',
      url: `/api/tenant/delegated-admin-requests/${asked.id}/approve`,
      token: c.adminToken,
    });
    expect([twice.status, twice.body.code]).toEqual([409, 'delegated_admin_request_not_pending']);

    await advance(11);
    const extended = await partnerView(p, c.tenant.id);
    expect(extended.canActOnBehalf).toBe(true);
    expect(extended.grants[0].status).toBe('active');
    expect(Date.parse(extended.grants[0].expiresAt)).toBe(end + 180 * DAY);

    await advance(180);
    expect(Date.parse((await partnerView(p, c.tenant.id)).grants[0].expiresAt)).toBe(end + 360 * DAY);
  });

  it('an unapproved GDAP request lapses after 90 days; a declined one grants nothing', async () => {
    const { p, c } = await served();
    const body = { roles: ['Global Reader'], durationDays: 730 };
    const url = `/api/customers/${c.tenant.id}/delegated-admin-requests`;
    const lapsing = await t.expectOk({ method: 'POST', url, token: p.tokens['account-admin'], body }, 201);
    const declined = await t.expectOk({ method: 'POST', url, token: p.tokens['account-admin'], body }, 201);
    const res = await t.expectOk({
      method: 'POST',
      url: `/api/tenant/delegated-admin-requests/${declined.id}/decline`,
      token: c.adminToken,
    });
    expect(res.status).toBe('declined');
    expect((await partnerView(p, c.tenant.id)).canActOnBehalf).toBe(false);
    await advance(90);
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const late = await t.call({
      method: 'POST',
      url: `/api/tenant/delegated-admin-requests/${lapsing.id}/approve`,
      token: c.adminToken,
    });
    expect([late.status, late.body.code]).toEqual([410, 'delegated_admin_request_expired']);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
    expect(
      (await t.expectOk({ url: '/api/tenant/delegated-admin-requests', token: c.adminToken })).items,
    ).toEqual([]);
    const view = await partnerView(p, c.tenant.id);
    expect(view.canActOnBehalf).toBe(false);
    expect(
      Object.fromEntries(view.grants.map((g: { id: string; status: string }) => [g.id, g.status])),
    ).toEqual({
      [lapsing.id]: 'expired',
      [declined.id]: 'declined',
    });
    // Out-of-range durations are refused.
    for (const durationDays of [0, 731]) {
      const r = await t.call({
        method: 'POST',
        url,
        token: p.tokens['account-admin'],
        body: { roles: ['Global Reader'], durationDays },
      });
      expect([r.status, r.body.code]).toEqual([400, 'invalid_request']);
    }
  });

  it('legacy DAP (recorded by the operator) never expires; the customer revokes it and the relationship stays', async () => {
    const { p, c } = await served();
    const stranger = await t.newPartner();
    const notServing = await t.call({
      method: 'POST',
      url: `/api/admin/tenants/${c.tenant.id}/delegated-admin`,
      token: t.operatorToken,
      body: { partnerId: stranger.partner.id },
    });
    expect([notServing.status, notServing.body.code]).toEqual([404, 'relationship_not_found']);
    const dap = await t.expectOk(
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/delegated-admin`,
        token: t.operatorToken,
        body: { partnerId: p.partner.id },
      },
      201,
    );
    expect(dap).toMatchObject({ kind: 'dap', status: 'active', expiresAt: null });
    await advance(1000);
    expect((await partnerView(p, c.tenant.id)).canActOnBehalf).toBe(true);

    const revoked = await t.expectOk({
      method: 'DELETE',
      url: `/api/tenant/partners/${p.partner.id}/delegated-admin`,
      token: c.adminToken,
    });
    expect(revoked.revokedGrantIds).toEqual([dap.id]);
    const view = await partnerView(p, c.tenant.id);
    expect(view.canActOnBehalf).toBe(false);
    expect(view.grants[0].status).toBe('revoked');
    const refused = await creditAttempt(p, c.tenant.id);
    expect([refused.status, refused.body.code]).toEqual([403, 'delegated_admin_required']);
    // The relationship stays: the partner still sees its customer.
    const customer = await t.expectOk({
      url: `/api/customers/${c.tenant.id}`,
      token: p.tokens['sales-agent'],
    });
    expect(customer.relationship.status).toBe('accepted');
    const again = await t.call({
      method: 'DELETE',
      url: `/api/tenant/partners/${p.partner.id}/delegated-admin`,
      token: c.adminToken,
    });
    expect([again.status, again.body.code]).toEqual([404, 'delegated_admin_not_found']);
    const events = await t.handle.db
      .selectFrom('outbox_events')
      .selectAll()
      .where('type', '=', 'delegated-admin.revoked')
      .execute();
    expect(
      events.some((e) => e.payload.tenantId === c.tenant.id && e.payload.partnerId === p.partner.id),
    ).toBe(true);
  });

  it('revoking GDAP mid-term stops it at once, and only for that partner', async () => {
    const { p, c } = await served({ roles: ['User Administrator'], durationDays: 365 });
    const other = await t.newPartner();
    const req = await t.expectOk(
      {
        method: 'POST',
        url: '/api/relationship-requests',
        token: other.tokens['account-admin'],
        body: {
          tenantId: c.tenant.id,
          delegatedAdmin: { roles: ['Helpdesk Administrator'], durationDays: 365 },
        },
      },
      201,
    );
    await t.expectOk({ method: 'POST', url: `/api/invitations/${req.token}/accept`, token: c.adminToken });
    await t.expectOk({
      method: 'DELETE',
      url: `/api/tenant/partners/${p.partner.id}/delegated-admin`,
      token: c.adminToken,
    });
    expect((await partnerView(p, c.tenant.id)).canActOnBehalf).toBe(false);
    expect((await partnerView(other, c.tenant.id)).canActOnBehalf).toBe(true);
    const partners = await t.expectOk({ url: '/api/tenant/partners', token: c.adminToken });
    const byId = Object.fromEntries(
      partners.items.map((i: { partner: { id: string }; delegatedAdmin: { canActOnBehalf: boolean } }) => [
        i.partner.id,
        i.delegatedAdmin.canActOnBehalf,
      ]),
    );
    expect(byId).toEqual({ [p.partner.id]: false, [other.partner.id]: true });
  });
});

describe('the directory roles list (issue 17, acceptance 3)', () => {
  it('serves the fixed list with Spanish names and the least-privilege templates', async () => {
    const p = await t.newPartner();
    const list = await t.expectOk({ url: '/api/delegated-admin/roles', token: p.tokens['sales-agent'] });
    expect(list.items.find((r: { name: string }) => r.name === 'License Administrator')).toMatchObject({
      nameEs: 'Administrador de licencias',
      allowsEs: 'el rol mínimo que mueve licencias',
      templateId: '4d6ac14f-3453-41d0-bef9-a3e0c569773a',
      tasks: ['read-users', 'assign-licenses'],
    });
    expect(list.items.length).toBeGreaterThanOrEqual(11);
    expect(list.templates).toEqual([
      { id: 'license-moves', roles: ['License Administrator'] },
      { id: 'billing-and-credits', roles: ['Billing Administrator'] },
      { id: 'read-only', roles: ['Directory Readers'] },
    ]);
  });

  it('refuses "Banana Reader" and Global Administrator with auto-extend with 400, changing nothing', async () => {
    const { p, c } = await served();
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const asks = [
      { roles: ['Banana Reader'], durationDays: 30 },
      { roles: ['License Administrator', 'Banana Reader'], durationDays: 30 },
      { roles: ['Global Administrator'], durationDays: 30, autoExtend: true },
    ];
    for (const body of asks) {
      const separate = await t.call({
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/delegated-admin-requests`,
        token: p.tokens['admin-agent'],
        body,
      });
      const invitation = await t.call({
        method: 'POST',
        url: '/api/relationship-requests',
        token: p.tokens['admin-agent'],
        body: { domain: 'prospect.example', delegatedAdmin: body },
      });
      const want = body.autoExtend ? 'global_admin_auto_extend' : 'unknown_directory_role';
      for (const res of [separate, invitation]) {
        expect([res.status, res.body.code]).toEqual([400, want]);
        expect(typeof res.body.description).toBe('string');
      }
    }
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
    // Global Administrator without auto-extend is a valid (if broad) ask; names are matched as the list spells them.
    const ok = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/delegated-admin-requests`,
        token: p.tokens['admin-agent'],
        body: { roles: ['global administrator'], durationDays: 30 },
      },
      201,
    );
    expect(ok.roles).toEqual(['Global Administrator']);
  });
});

describe('security groups', () => {
  it("holds only the partner's own users, one name each, idempotently; assignments only on the partner's own grants and groups", async () => {
    const { p, c } = await served({ roles: ['License Administrator'], durationDays: 30 });
    const other = await t.newPartner();
    const grantId = (await partnerView(p, c.tenant.id)).grants[0].id;
    const before = await databaseDigest(t.handle.db, ['sessions']);
    // Another partner's user, as a member: refused, nothing written.
    const stranger = await t.call({
      method: 'POST',
      url: '/api/partner/security-groups',
      token: p.tokens['account-admin'],
      body: { name: 'Agents', memberUserIds: [other.userIds['admin-agent']] },
    });
    expect([stranger.status, stranger.body.code]).toEqual([422, 'security_group_member_invalid']);
    // Only the account admin manages groups.
    const agent = await t.call({
      method: 'POST',
      url: '/api/partner/security-groups',
      token: p.tokens['admin-agent'],
      body: { name: 'Agents', memberUserIds: [] },
    });
    expect([agent.status, agent.body.code]).toEqual([403, 'forbidden']);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);

    const create = () =>
      t.call({
        method: 'POST',
        url: '/api/partner/security-groups',
        token: p.tokens['account-admin'],
        headers: { 'idempotency-key': `groups-${p.tag}` },
        body: { name: 'Agents', memberUserIds: [p.userIds['admin-agent']] },
      });
    const first = await create();
    const again = await create();
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const list = await t.expectOk({ url: '/api/partner/security-groups', token: p.tokens['sales-agent'] });
    expect(list.items.map((g: { id: string }) => g.id)).toEqual([first.body.id]);
    const taken = await t.call({
      method: 'POST',
      url: '/api/partner/security-groups',
      token: p.tokens['account-admin'],
      body: { name: 'agents', memberUserIds: [] },
    });
    expect([taken.status, taken.body.code]).toEqual([409, 'security_group_name_taken']);

    // The other partner can neither see the group nor give it this grant's roles.
    const peek = await t.call({
      url: `/api/partner/security-groups/${first.body.id}`,
      token: other.tokens['account-admin'],
    });
    expect([peek.status, peek.body.code]).toEqual([404, 'security_group_not_found']);
    const otherGroup = await t.expectOk(
      {
        method: 'POST',
        url: '/api/partner/security-groups',
        token: other.tokens['account-admin'],
        body: { name: 'Theirs', memberUserIds: [] },
      },
      201,
    );
    const foreignGroup = await t.call({
      method: 'PUT',
      url: `/api/customers/${c.tenant.id}/delegated-admin/${grantId}/assignments`,
      token: p.tokens['account-admin'],
      body: { assignments: [{ groupId: otherGroup.id, roles: ['License Administrator'] }] },
    });
    expect([foreignGroup.status, foreignGroup.body.code]).toEqual([404, 'security_group_not_found']);
    const banana = await t.call({
      method: 'PUT',
      url: `/api/customers/${c.tenant.id}/delegated-admin/${grantId}/assignments`,
      token: p.tokens['account-admin'],
      body: { assignments: [{ groupId: first.body.id, roles: ['Banana Reader'] }] },
    });
    expect([banana.status, banana.body.code]).toEqual([400, 'unknown_directory_role']);
    expect((await partnerView(p, c.tenant.id)).assignments).toEqual([]);
    const set = await t.expectOk({
      method: 'PUT',
      url: `/api/customers/${c.tenant.id}/delegated-admin/${grantId}/assignments`,
      token: p.tokens['account-admin'],
      body: { assignments: [{ groupId: first.body.id, roles: ['license administrator'] }] },
    });
    expect(set.assignments).toEqual([{ groupId: first.body.id, roles: ['License Administrator'] }]);
    expect((await partnerView(p, c.tenant.id)).myRoles).toEqual(['License Administrator']);
  });
});
