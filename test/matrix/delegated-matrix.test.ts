import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowsTask, TASK_LEAST_ROLE } from '../../src/domain/directory-roles.ts';
import { STEP_NEEDS } from '../../src/domain/planner/rights.ts';
import {
  can,
  DELEGATED_TASK_OF,
  PARTNER_ROLES,
  type PartnerRole,
} from '../../src/platform/auth/permissions.ts';
import type { RouteInfo } from '../../src/platform/http/server.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { seedCase as seedCaseOf, waitForTransition } from '../fixtures/transition-case.ts';

/**
 * Issue 17, acceptance 1: the route × partner role × delegated role matrix, generated from the two
 * tables (the partner permission table and DELEGATED_TASK_OF with the directory roles' tasks). Every
 * route that acts inside a customer's tenant answers as both tables say, and so does every transition
 * step when a plan is applied: the partner role first (403 `forbidden`), then a role of the caller's
 * security groups that allows the task (403 `delegated_role_required`), else it goes through.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

type Json = Record<string, unknown> & { [k: string]: any };

/** No group at all, then one group holding exactly one role: the least role of each task and a few that allow none. */
const DELEGATED: (string | null)[] = [
  null,
  'Directory Readers',
  'License Administrator',
  'User Administrator',
  'Billing Administrator',
  'Service Support Administrator',
  'Exchange Administrator',
  'Global Reader',
];
const GRANTED = DELEGATED.filter((r): r is string => r !== null);

/** A valid body per route (unknown ids: a call let through is answered 4xx by the use case and changes nothing). */
const BODIES: Record<string, Json | undefined> = {
  'GET /api/customers/:tenantId/users': undefined,
  'GET /api/customers/:tenantId/seat-pools': undefined,
  'POST /api/customers/:tenantId/users/:userId/license-updates': { assign: [], remove: [] },
  'POST /api/customers/:tenantId/license-updates': {
    updates: [{ userId: 'matrix-no-such-user', assign: [], remove: [] }],
  },
  'POST /api/customers/:tenantId/credit-requests': {
    subscriptionId: 'matrix-no-such-subscription',
    reason: 'matrix: a credit for a subscription that does not exist',
  },
};

/** A partner with GDAP on a customer carrying every role above; its users are put in groups per cell. */
async function granted() {
  const c = await seedCaseOf(t, { offerId: 'demo-o365-e1', quantity: 4, assigned: 2 });
  const req = await t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/delegated-admin-requests`,
      token: c.tokens['account-admin'],
      body: { roles: GRANTED, durationDays: 60 },
    },
    201,
  );
  await t.expectOk({
    method: 'POST',
    url: `/api/tenant/delegated-admin-requests/${req.id}/approve`,
    token: c.adminToken,
  });
  const ids = {
    ...c.userIds,
    'account-admin': (
      await t.handle.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', `account-admin.${c.tag}@partner.test`)
        .executeTakeFirstOrThrow()
    ).id,
  } as Record<PartnerRole, string>;
  return { ...c, grantId: req.id as string, ids };
}

/** Puts the users of `roles` in one group holding exactly `delegated` on the grant (null: a group holding nothing). */
async function holding(
  c: Awaited<ReturnType<typeof granted>>,
  roles: readonly PartnerRole[],
  delegated: string | null,
) {
  const group = await t.expectOk(
    {
      method: 'POST',
      url: '/api/partner/security-groups',
      token: c.tokens['account-admin'],
      body: { name: `g-${delegated ?? 'none'}-${Math.random()}`, memberUserIds: roles.map((r) => c.ids[r]) },
    },
    201,
  );
  await t.expectOk({
    method: 'PUT',
    url: `/api/customers/${c.tenant.id}/delegated-admin/${c.grantId}/assignments`,
    token: c.tokens['account-admin'],
    body: { assignments: delegated ? [{ groupId: group.id, roles: [delegated] }] : [] },
  });
}

/** What both tables say a call answers. */
function expected(action: string, role: PartnerRole, delegated: string | null) {
  if (!can([role], action as never)) return 'forbidden';
  const task = DELEGATED_TASK_OF[action as keyof typeof DELEGATED_TASK_OF];
  if (task && !allowsTask(delegated ? [delegated] : [], task)) return 'delegated_role_required';
  return 'through';
}

describe('route × partner role × delegated role (issue 17, acceptance 1)', () => {
  it('every route acting in a customer tenant answers as the two tables say, and refusals change nothing', async () => {
    const tenantRoutes = t.routes.filter(
      (r: RouteInfo) => !r.public && r.action && r.action in DELEGATED_TASK_OF,
    );
    // Every such route is in this matrix: a new one without a body here fails, by name.
    expect(tenantRoutes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(Object.keys(BODIES).sort());
    const c = await granted();
    const failures: string[] = [];
    let cells = 0;
    for (const delegated of DELEGATED) {
      // The assignments replace the grant's previous ones: only this cell's group holds a role.
      await holding(c, PARTNER_ROLES, delegated);
      const before = await databaseDigest(t.handle.db, ['sessions', 'audit_events']);
      for (const route of tenantRoutes) {
        for (const role of PARTNER_ROLES) {
          const key = `${route.method} ${route.url}`;
          const body = BODIES[key];
          const res = await t.call({
            method: route.method as 'GET',
            url: route.url.replace(':tenantId', c.tenant.id).replace(':userId', c.users[0]!),
            token: c.tokens[role],
            ...(body ? { body } : {}),
          });
          cells++;
          const want = expected(route.action!, role, delegated);
          const got = res.status === 403 ? res.body.code : res.status === 401 ? 'unauthenticated' : 'through';
          if (got !== want)
            failures.push(
              `${key} as ${role} holding ${delegated ?? 'nothing'}: wanted ${want}, got ${res.status} ${res.body?.code}`,
            );
          if (res.status >= 500) failures.push(`${key} as ${role}: ${res.status}`);
        }
      }
      // Nothing any of these calls answered changed a row (the bodies name nothing that exists).
      expect(await databaseDigest(t.handle.db, ['sessions', 'audit_events'])).toEqual(before);
    }
    expect(failures).toEqual([]);
    expect(cells).toBe(DELEGATED.length * PARTNER_ROLES.length * tenantRoutes.length);
  });

  it('every transition step, when a plan is applied, runs or is handed off as the two tables say', async () => {
    const failures: string[] = [];
    const planners = PARTNER_ROLES.filter((r) => can([r], 'transitions.apply'));
    for (const role of planners) {
      for (const delegated of DELEGATED) {
        const c = await granted();
        await holding(c, [role], delegated);
        const roles = delegated ? [delegated] : [];
        const p = await t.expectOk(
          {
            method: 'POST',
            url: `/api/customers/${c.tenant.id}/transitions`,
            token: c.tokens[role],
            body: { options: { provision: 'now' } },
          },
          201,
        );
        const cell = `${role} holding ${delegated ?? 'nothing'}`;
        // From the tables: who each kind of step is for, and whether this user may run it.
        const lacks = (step: keyof typeof STEP_NEEDS) => {
          const needs = STEP_NEEDS[step]!;
          const missing: string[] = [];
          if (!can([role], needs.action as never)) missing.push('partner role');
          if (needs.task && !allowsTask(roles, needs.task)) missing.push(TASK_LEAST_ROLE[needs.task]);
          return missing;
        };
        // A step whose partner role the user lacks stays the partner's (a colleague's); one whose
        // directory role it lacks goes to the customer.
        const byPartner = (step: keyof typeof STEP_NEEDS) =>
          !can([role], STEP_NEEDS[step]!.action as never) || lacks(step).length === 0;
        const line = p.lines[0];
        const licensesByPartner = byPartner('assign-target-licenses');
        const billingByPartner = byPartner('turn-off-auto-renew') && byPartner('file-credit-request');
        const partnerSteps = [
          'provision',
          ...(licensesByPartner ? ['assign-target-licenses', 'remove-source-licenses'] : []),
          ...(billingByPartner ? ['turn-off-auto-renew', 'file-credit-request'] : []),
        ] as (keyof typeof STEP_NEEDS)[];
        const canApply = partnerSteps.every((s) => lacks(s).length === 0);
        if (line.appliedBy.canApply !== canApply)
          failures.push(`${cell}: plan says canApply ${line.appliedBy.canApply}, tables say ${canApply}`);
        if (line.reasons.some((r: Json) => r.code === 'line.reassign-by-customer') === licensesByPartner)
          failures.push(`${cell}: license moves given to the wrong party`);
        if ((line.creditFiledBy === 'partner') !== billingByPartner)
          failures.push(`${cell}: credit given to ${line.creditFiledBy}`);
        const before = await databaseDigest(t.handle.db, ['sessions']);
        const res = await t.call({
          method: 'POST',
          url: `/api/transitions/${p.id}/apply`,
          token: c.tokens[role],
        });
        if (!canApply) {
          if (res.status !== 403 || res.body.code !== 'transition_apply_forbidden')
            failures.push(
              `${cell}: apply wanted 403 transition_apply_forbidden, got ${res.status} ${res.body?.code}`,
            );
          if (JSON.stringify(await databaseDigest(t.handle.db, ['sessions'])) !== JSON.stringify(before))
            failures.push(`${cell}: a refused apply changed rows`);
          continue;
        }
        if (res.status !== 202) {
          failures.push(`${cell}: apply wanted 202, got ${res.status} ${res.body?.code}`);
          continue;
        }
        const done = await waitForTransition(t, p.id, c.tokens[role], ['waiting', 'applied', 'failed']);
        const status = (kind: string) => done.steps.find((s: Json) => s.kind === kind)?.status;
        const want: Record<string, string> = {
          provision: 'done',
          'assign-target-licenses': licensesByPartner ? 'done' : 'waiting',
          'remove-source-licenses': licensesByPartner ? 'done' : 'waiting',
          'turn-off-auto-renew': billingByPartner ? 'done' : 'waiting',
        };
        if (billingByPartner) want['file-credit-request'] = 'done';
        for (const [kind, s] of Object.entries(want))
          if (status(kind) !== s) failures.push(`${cell}: ${kind} wanted ${s}, got ${status(kind)}`);
        if (!billingByPartner && status('file-credit-request') !== undefined)
          failures.push(`${cell}: a credit step the customer files was planned for the partner`);
      }
    }
    expect(failures).toEqual([]);
  });
});
