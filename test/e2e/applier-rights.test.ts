import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { seedCase as seedCaseOf, waitForTransition } from '../fixtures/transition-case.ts';

/**
 * Issue 17, acceptance 2: every transition step runs with the rights of the user who applied it
 * (SPEC §3.8): its partner role and the directory roles of its security groups in the tenant (§10).
 * The case: Office 365 E1, end of sale, so the plan moves every user's licenses to the successor.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

type Json = Record<string, any>;
const LICENSE_STEPS = ['assign-target-licenses', 'remove-source-licenses'];

/** An E1 customer whose GDAP carries License Administrator and Directory Readers; the admin agent is in a group holding `roles`. */
async function gdapCase(roles: string[]) {
  const c = await seedCaseOf(t, { offerId: 'demo-o365-e1', quantity: 6, assigned: 4 });
  const req = await t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/delegated-admin-requests`,
      token: c.tokens['admin-agent'],
      body: { roles: ['License Administrator', 'Directory Readers'], durationDays: 90 },
    },
    201,
  );
  await t.expectOk({
    method: 'POST',
    url: `/api/tenant/delegated-admin-requests/${req.id}/approve`,
    token: c.adminToken,
  });
  const group = await t.expectOk(
    {
      method: 'POST',
      url: '/api/partner/security-groups',
      token: c.tokens['account-admin'],
      body: { name: 'Transition agents', memberUserIds: [c.userIds['admin-agent']] },
    },
    201,
  );
  await t.expectOk({
    method: 'PUT',
    url: `/api/customers/${c.tenant.id}/delegated-admin/${req.id}/assignments`,
    token: c.tokens['account-admin'],
    body: { assignments: [{ groupId: group.id, roles }] },
  });
  return { ...c, grantId: req.id as string, groupId: group.id as string };
}

async function plan(c: { tenant: { id: string } }, token: string, options: Json = { provision: 'now' }) {
  return t.expectOk(
    { method: 'POST', url: `/api/customers/${c.tenant.id}/transitions`, token, body: { options } },
    201,
  );
}

async function licenses(tenantId: string) {
  return t.handle.db
    .selectFrom('license_assignments')
    .select(['directory_user_id', 'sku_id'])
    .where('tenant_id', '=', tenantId)
    .orderBy('directory_user_id')
    .orderBy('sku_id')
    .execute();
}

describe('steps run with the applier’s rights (issue 17, acceptance 2)', () => {
  it('a sales agent applying a plan with license moves is refused before anything changes', async () => {
    const c = await gdapCase(['License Administrator']);
    const p = await plan(c, c.tokens['sales-agent']);
    expect(p.verdict).toBe('ready');
    const line = p.lines[0];
    expect(line.reassignLicenses).toBe(true);
    // The moves stay the partner's (a colleague's), and the plan says the sales agent cannot run them.
    expect(line.reasons.map((r: Json) => r.code)).not.toContain('line.reassign-by-customer');
    expect(line.requiredRoles).toContain('License Administrator');
    expect(line.appliedBy.canApply).toBe(false);
    expect(line.appliedBy.missing).toEqual(expect.arrayContaining(['admin-agent', 'License Administrator']));
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const refused = await t.call({
      method: 'POST',
      url: `/api/transitions/${p.id}/apply`,
      token: c.tokens['sales-agent'],
    });
    expect([refused.status, refused.body.code]).toEqual([403, 'transition_apply_forbidden']);
    expect(refused.body.description).toContain('License Administrator');
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
    const tr = await t.expectOk({ url: `/api/transitions/${p.id}`, token: c.tokens['sales-agent'] });
    expect([tr.status, tr.steps]).toEqual(['planned', []]);

    // The sales agent's plan also gave the partner the direct source's auto-renew and credit (a sales
    // agent may do neither, so they went to a colleague): the admin agent, without Billing
    // Administrator, may not run it either. Its own plan hands those to the customer (next test).
    const colleague = await t.call({
      method: 'POST',
      url: `/api/transitions/${p.id}/apply`,
      token: c.tokens['admin-agent'],
    });
    expect([colleague.status, colleague.body.code, colleague.body.data?.missing]).toEqual([
      403,
      'transition_apply_forbidden',
      ['Billing Administrator'],
    ]);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
  });

  it('an admin agent in a group holding License Administrator applies it: the moves are done, audited as that agent', async () => {
    const c = await gdapCase(['License Administrator']);
    const p = await plan(c, c.tokens['admin-agent']);
    const line = p.lines[0];
    expect(line.requiredRoles).toEqual(['License Administrator']);
    expect(line.appliedBy).toEqual({ canApply: true, missing: [] });
    // Without Billing Administrator, the direct source's auto-renew and the credit are the customer's.
    expect(line.sourceActor).toBe('customer');
    expect(line.creditFiledBy).toBe('customer');
    await t.expectOk(
      { method: 'POST', url: `/api/transitions/${p.id}/apply`, token: c.tokens['admin-agent'] },
      202,
    );
    const done = await waitForTransition(t, p.id, c.tokens['admin-agent'], ['waiting', 'applied', 'failed']);
    expect(done.status).toBe('waiting');
    expect(done.steps.filter((s: Json) => LICENSE_STEPS.includes(s.kind)).map((s: Json) => s.status)).toEqual(
      ['done', 'done'],
    );
    const held = await licenses(c.tenant.id);
    for (const u of c.users) {
      const skus = held.filter((h) => h.directory_user_id === u).map((h) => h.sku_id);
      expect(skus.sort()).toEqual([...line.targetSkuIds].sort());
    }
    const audit = await t.expectOk({
      url: `/api/audit?tenantId=${c.tenant.id}&limit=200`,
      token: c.tokens['account-admin'],
    });
    const moves = audit.items.filter(
      (e: Json) => e.action === 'transition.step-done' && /licenses/.test(e.data.step),
    );
    expect(moves).toHaveLength(2);
    for (const m of moves) expect(m.actor.userId).toBe(c.userIds['admin-agent']);
  });

  it('the same agent in a group holding only Directory Readers: the license moves are handed to the customer, nothing else changes', async () => {
    const c = await gdapCase(['Directory Readers']);
    const p = await plan(c, c.tokens['admin-agent']);
    const line = p.lines[0];
    expect(line.reasons.map((r: Json) => r.code)).toContain('line.reassign-by-customer');
    expect(line.requiredRoles).toEqual([]);
    expect(line.appliedBy).toEqual({ canApply: true, missing: [] });
    const before = await licenses(c.tenant.id);
    await t.expectOk(
      { method: 'POST', url: `/api/transitions/${p.id}/apply`, token: c.tokens['admin-agent'] },
      202,
    );
    const done = await waitForTransition(t, p.id, c.tokens['admin-agent'], ['waiting', 'applied', 'failed']);
    expect(done.status).toBe('waiting');
    expect(done.steps.filter((s: Json) => LICENSE_STEPS.includes(s.kind)).map((s: Json) => s.status)).toEqual(
      ['waiting', 'waiting'],
    );
    // The partner touched no license; the customer's admin has every user's move in its task list.
    expect(await licenses(c.tenant.id)).toEqual(before);
    const tasks = await t.expectOk({ url: '/api/tenant/tasks', token: c.adminToken });
    const moves = tasks.items.filter((i: Json) => LICENSE_STEPS.includes(i.step));
    expect(moves).toHaveLength(2);
    expect(moves[0].users).toHaveLength(4);
  });

  it('a dated step runs with the rights of the user who applied it, read when it falls due', async () => {
    const c = await gdapCase(['License Administrator']);
    // Bought a few days before the source ends: the license moves are dated steps.
    const p = await plan(c, c.tokens['admin-agent'], { provision: 'before-end' });
    expect(p.lines[0].provision).toBe('before-end');
    await t.expectOk(
      { method: 'POST', url: `/api/transitions/${p.id}/apply`, token: c.tokens['admin-agent'] },
      202,
    );
    await waitForTransition(t, p.id, c.tokens['admin-agent'], ['waiting']);
    // Meanwhile the agent leaves the group: when the day comes, it no longer holds the role.
    await t.expectOk({
      method: 'PUT',
      url: `/api/partner/security-groups/${c.groupId}/members`,
      token: c.tokens['account-admin'],
      body: { memberUserIds: [] },
    });
    const before = await licenses(c.tenant.id);
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { now: new Date(Date.parse(p.lines[0].provisionAt) + 3_600_000).toISOString() },
    });
    let steps: Json[] = [];
    for (let i = 0; i < 100; i++) {
      const tr = await t.expectOk({ url: `/api/transitions/${p.id}`, token: c.tokens['admin-agent'] });
      steps = tr.steps.filter((s: Json) => LICENSE_STEPS.includes(s.kind));
      if (steps.every((s) => s.status !== 'pending')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(steps.map((s) => s.status)).toEqual(['waiting', 'waiting']);
    expect(await licenses(c.tenant.id)).toEqual(before);
    const row = await t.handle.db
      .selectFrom('transition_steps')
      .select('detail')
      .where('transition_id', '=', p.id)
      .where('kind', '=', 'assign-target-licenses')
      .executeTakeFirstOrThrow();
    expect(row.detail).toMatchObject({ by: 'customer', needs: ['License Administrator'] });
  });
});
