import { addDaysUtc } from '../../domain/calendar.ts';
import {
  dueReminder,
  GDAP_REMINDER_DAYS,
  GDAP_REQUEST_TTL_DAYS,
  type GrantStatus,
  grantState,
} from '../../domain/delegated-admin.ts';
import {
  allowsTask,
  checkGrantRoles,
  GLOBAL_ADMINISTRATOR,
  normaliseRoles,
  rolesForTask,
} from '../../domain/directory-roles.ts';
import { type Action, can, DELEGATED_TASK_OF, type Role } from '../../platform/auth/permissions.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Actor, Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { findPartner } from '../partners/index.ts';
import { lockAcceptedRelationship, lockAcceptedRelationships } from '../tenants/index.ts';
import {
  activateGrant,
  activeGrants,
  activeGrantsOfTenants,
  declineGrant,
  endGrantsOfPair,
  findGrant,
  type GrantRow,
  grantsEndingWithin,
  grantsOfPair,
  grantsOfTenant,
  insertGrant,
  insertReminder,
  requestedGrantsOfTenant,
} from './delegated-admin.repo.ts';
import { assignmentsOfGrants, rolesOfUserOnGrants } from './security-groups.repo.ts';
import { autoAssignGroups } from './security-groups.service.ts';

export async function hasDelegatedAdmin(
  db: Db | Trx,
  partnerId: string,
  tenantId: string,
  now: Date,
): Promise<boolean> {
  return (await activeGrants(db, partnerId, tenantId, now)).length > 0;
}

/** What a partner user may do in each tenant: whether the partner holds delegated admin there, and the user's roles. */
export interface DelegatedRights {
  /** Tenants where the partner holds an active DAP or GDAP. */
  granted: Set<string>;
  /** Per tenant, the directory roles this user acts with there (list spelling). */
  roles: Map<string, string[]>;
}

/** Partner roles that legacy DAP made Global Administrators in the customer's tenant (its Admin agents group). */
const DAP_ADMINS: readonly Role[] = ['account-admin', 'admin-agent'];

/**
 * The directory roles a partner user acts with in each tenant (SPEC §10): the roles its security
 * groups hold on the partner's active GDAP there, no more. Legacy DAP (full, no roles) makes the
 * partner's account admins and admin agents Global Administrators, as DAP did; sales and billing
 * agents get nothing from it. The CLI's system identity (no user, so no groups) acts with the
 * grants' own roles: whoever runs the CLI on the server is trusted as the partner's account admin.
 */
export async function delegatedRightsOf(
  db: Db | Trx,
  actor: Actor,
  tenantIds: string[],
  now: Date,
): Promise<DelegatedRights> {
  const out: DelegatedRights = { granted: new Set(), roles: new Map() };
  if (actor.kind !== 'partner' || !actor.partnerId) return out;
  const grants = await activeGrantsOfTenants(db, actor.partnerId, tenantIds, now);
  const system = actor.userId === 'system';
  const gdap = grants.filter((g) => g.kind === 'gdap');
  const held = system
    ? []
    : await rolesOfUserOnGrants(
        db,
        actor.userId,
        gdap.map((g) => g.id),
      );
  const add = (tenantId: string, roles: string[]) => {
    const list = out.roles.get(tenantId) ?? [];
    for (const r of roles) if (!list.includes(r)) list.push(r);
    out.roles.set(tenantId, list);
  };
  for (const g of grants) {
    out.granted.add(g.tenant_id);
    if (g.kind === 'dap') {
      if (system || actor.roles.some((r) => DAP_ADMINS.includes(r))) add(g.tenant_id, [GLOBAL_ADMINISTRATOR]);
      else add(g.tenant_id, []);
    } else if (system) {
      add(g.tenant_id, normaliseRoles(g.roles).roles);
    } else {
      // Only roles the grant still carries count (an assignment never outgrows its grant).
      const granted = new Set(normaliseRoles(g.roles).roles);
      add(
        g.tenant_id,
        held.filter((h) => h.grant_id === g.id && granted.has(h.role)).map((h) => h.role),
      );
    }
  }
  return out;
}

/** The roles the acting user holds in one tenant, and whether the partner holds delegated admin there. */
export async function delegatedRolesIn(ctx: Ctx<Db | Trx>, tenantId: string) {
  const rights = await delegatedRightsOf(ctx.db, ctx.actor, [tenantId], ctx.clock.now());
  return { granted: rights.granted.has(tenantId), roles: rights.roles.get(tenantId) ?? [] };
}

/**
 * Acting on a customer's behalf (its users, their licenses, its direct subscriptions, a credit
 * request) needs delegated admin, and a role of the user's groups there that allows the action's
 * task (permissions.ts, DELEGATED_TASK_OF). Partners without a grant get 403
 * `delegated_admin_required`; without the role, 403 `delegated_role_required` naming the roles that
 * would do. The tenant's own admins and the operator pass. `what` names the act.
 */
export async function assertDelegatedAdmin(
  ctx: Ctx<Db | Trx>,
  tenantId: string,
  what: string,
  action: Action,
): Promise<void> {
  if (ctx.actor.kind !== 'partner') return;
  // The partner role first: a transition step calls this with the applier, past any route's guard.
  if (!can(ctx.actor.roles, action)) throw new DomainError('forbidden', { action });
  const { granted, roles } = await delegatedRolesIn(ctx, tenantId);
  if (!granted) throw new DomainError('delegated_admin_required', { tenantId, what });
  const task = DELEGATED_TASK_OF[action];
  if (task && !allowsTask(roles, task))
    throw new DomainError('delegated_role_required', { tenantId, what, task, roles: rolesForTask(task) });
}

/**
 * For a partner's license writes: the relationship locked first (lockAcceptedRelationship), then
 * the same check. Its removal ends delegated admin under the same lock, so it cannot pass between
 * this check and the write.
 */
export async function holdDelegatedAdmin(
  ctx: Ctx,
  tenantId: string,
  what: string,
  action: Action,
): Promise<void> {
  if (
    ctx.actor.kind === 'partner' &&
    !(await lockAcceptedRelationship(ctx.db, ctx.actor.partnerId!, tenantId))
  ) {
    throw new DomainError('relationship_not_found');
  }
  await assertDelegatedAdmin(ctx, tenantId, what, action);
}

/**
 * `holdDelegatedAdmin` for many tenants at once (a batch of transitions' license moves): the
 * relationships locked in one statement, the rights read in one. Answers the refusal per tenant
 * (none: it may act there), the same refusal `holdDelegatedAdmin` would throw.
 */
export async function holdDelegatedAdminMany(
  ctx: Ctx,
  tenantIds: string[],
  what: string,
  action: Action,
): Promise<Map<string, DomainError>> {
  const refused = new Map<string, DomainError>();
  if (ctx.actor.kind !== 'partner') return refused;
  const tenants = [...new Set(tenantIds)];
  const related = await lockAcceptedRelationships(ctx.db as Trx, ctx.actor.partnerId!, tenants);
  const rest = tenants.filter((t) => {
    if (!related.has(t)) refused.set(t, new DomainError('relationship_not_found'));
    return related.has(t);
  });
  if (rest.length === 0) return refused;
  if (!can(ctx.actor.roles, action)) {
    for (const t of rest) refused.set(t, new DomainError('forbidden', { action }));
    return refused;
  }
  const rights = await delegatedRightsOf(ctx.db, ctx.actor, rest, ctx.clock.now());
  const task = DELEGATED_TASK_OF[action];
  for (const tenantId of rest) {
    if (!rights.granted.has(tenantId))
      refused.set(tenantId, new DomainError('delegated_admin_required', { tenantId, what }));
    else if (task && !allowsTask(rights.roles.get(tenantId) ?? [], task))
      refused.set(
        tenantId,
        new DomainError('delegated_role_required', { tenantId, what, task, roles: rolesForTask(task) }),
      );
  }
  return refused;
}

/**
 * The roles a grant may carry: every one on the list (else 400 `unknown_directory_role`), and
 * Global Administrator never with auto-extend (400 `global_admin_auto_extend`). Returns them as the
 * list spells them.
 */
export function checkedGrantRoles(roles: readonly string[], autoExtend: boolean): string[] {
  const refused = checkGrantRoles(roles, autoExtend);
  if (refused) throw new DomainError(refused.code, 'roles' in refused ? { roles: refused.roles } : {});
  return normaliseRoles(roles).roles;
}

export function toGrantView(g: GrantRow, now: Date) {
  const { state, expiresAt } = grantState(
    {
      status: g.status as GrantStatus,
      expiresAt: g.expires_at,
      autoExtend: g.auto_extend,
      requestExpiresAt: g.request_expires_at,
    },
    now,
  );
  return {
    id: g.id,
    partnerId: g.partner_id,
    tenantId: g.tenant_id,
    kind: g.kind,
    roles: g.roles,
    durationDays: g.duration_days,
    autoExtend: g.auto_extend,
    status: state,
    requestedAt: g.requested_at.toISOString(),
    approvedAt: g.approved_at?.toISOString() ?? null,
    expiresAt: expiresAt?.toISOString() ?? null,
    requestExpiresAt: g.request_expires_at?.toISOString() ?? null,
    endedAt: g.revoked_at?.toISOString() ?? null,
  };
}
export type GrantView = ReturnType<typeof toGrantView>;

const isLive = (v: GrantView) => v.status === 'active' || v.status === 'requested';

export interface GdapInput {
  roles: string[];
  durationDays: number;
  autoExtend?: boolean;
}

/**
 * The partner asks the customer for GDAP (separately from the relationship, as since October
 * 2023). The customer's global admin approves it from the approval page (`url`) or the API.
 */
export async function requestDelegatedAdmin(ctx: Ctx, input: GdapInput & { tenantId: string }) {
  const roles = checkedGrantRoles(input.roles, !!input.autoExtend);
  const now = ctx.clock.now();
  const partnerId = ctx.actor.partnerId!;
  const id = await insertGrant(ctx.db, {
    partnerId,
    tenantId: input.tenantId,
    kind: 'gdap',
    roles,
    durationDays: input.durationDays,
    autoExtend: input.autoExtend ?? false,
    status: 'requested',
    now,
    requestExpiresAt: addDaysUtc(now, GDAP_REQUEST_TTL_DAYS),
  });
  await recordAudit(ctx, {
    action: 'delegated-admin.requested',
    targetType: 'delegated-admin',
    targetId: id,
    tenantId: input.tenantId,
    partnerId,
    data: {
      kind: 'gdap',
      roles,
      durationDays: input.durationDays,
      autoExtend: !!input.autoExtend,
    },
  });
  const grant = toGrantView((await findGrant(ctx.db, id))!, now);
  return { ...grant, url: `/tenant/delegated-admin-requests/${id}` };
}

/** Grants GDAP at once: the customer approved it by accepting the invitation that asked for it. */
export async function grantFromInvitation(
  ctx: Ctx,
  input: GdapInput & { partnerId: string; tenantId: string; relationshipRequestId: string },
) {
  const now = ctx.clock.now();
  // Asked before this list existed, an invitation may carry names it does not know: only known ones are granted.
  const roles = normaliseRoles(input.roles).roles.filter(
    (r) => !(input.autoExtend && r === GLOBAL_ADMINISTRATOR),
  );
  const id = await insertGrant(ctx.db, {
    partnerId: input.partnerId,
    tenantId: input.tenantId,
    kind: 'gdap',
    roles,
    durationDays: input.durationDays,
    autoExtend: input.autoExtend ?? false,
    status: 'active',
    now,
    expiresAt: addDaysUtc(now, input.durationDays),
    relationshipRequestId: input.relationshipRequestId,
  });
  await recordAudit(ctx, {
    action: 'delegated-admin.granted',
    targetType: 'delegated-admin',
    targetId: id,
    tenantId: input.tenantId,
    partnerId: input.partnerId,
    data: { kind: 'gdap', roles, durationDays: input.durationDays, via: 'invitation' },
  });
  await autoAssignGroups(ctx, id);
  return toGrantView((await findGrant(ctx.db, id))!, now);
}

/** The operator records a legacy full DAP (no expiry) for a partner that already serves the tenant. */
export async function grantLegacyDap(ctx: Ctx, input: { tenantId: string; partnerId: string }) {
  if (!(await findPartner(ctx.db, input.partnerId))) throw new DomainError('partner_not_found');
  if (!(await lockAcceptedRelationship(ctx.db, input.partnerId, input.tenantId))) {
    throw new DomainError('relationship_not_found');
  }
  const now = ctx.clock.now();
  const id = await insertGrant(ctx.db, {
    partnerId: input.partnerId,
    tenantId: input.tenantId,
    kind: 'dap',
    status: 'active',
    now,
  });
  await recordAudit(ctx, {
    action: 'delegated-admin.granted',
    targetType: 'delegated-admin',
    targetId: id,
    tenantId: input.tenantId,
    partnerId: input.partnerId,
    data: { kind: 'dap' },
  });
  return toGrantView((await findGrant(ctx.db, id))!, now);
}

/** The customer's pending GDAP requests. */
export async function listDelegatedAdminRequests(ctx: Ctx<Db>, input: { cursor?: string; limit?: number }) {
  const limit = input.limit ?? 50;
  const after = decodeTimeCursor(input.cursor);
  const now = ctx.clock.now();
  const rows = await requestedGrantsOfTenant(ctx.db, {
    tenantId: ctx.actor.tenantId!,
    now,
    ...(after ? { after } : {}),
    limit,
  });
  return toPage(
    rows,
    limit,
    (g) => toGrantView(g, now),
    (g) => [g.created_at.toISOString(), g.id],
  );
}

/** A pending request of the actor's own tenant, or 404; refused when answered or lapsed. */
async function pendingRequestOfOwnTenant(ctx: Ctx, id: string) {
  const g = await findGrant(ctx.db, id);
  if (!g || g.tenant_id !== ctx.actor.tenantId) throw new DomainError('delegated_admin_request_not_found');
  const view = toGrantView(g, ctx.clock.now());
  if (g.status === 'requested' && view.status === 'expired')
    throw new DomainError('delegated_admin_request_expired');
  if (g.status !== 'requested')
    throw new DomainError('delegated_admin_request_not_pending', { status: view.status });
  return g;
}

export async function approveDelegatedAdminRequest(ctx: Ctx, input: { id: string }) {
  const g = await pendingRequestOfOwnTenant(ctx, input.id);
  const now = ctx.clock.now();
  const expiresAt = g.kind === 'gdap' && g.duration_days ? addDaysUtc(now, g.duration_days) : null;
  if (!(await activateGrant(ctx.db, g.id, now, expiresAt))) throw new DomainError('conflict');
  await recordAudit(ctx, {
    action: 'delegated-admin.granted',
    targetType: 'delegated-admin',
    targetId: g.id,
    tenantId: g.tenant_id,
    partnerId: g.partner_id,
    data: { kind: g.kind, roles: g.roles, durationDays: g.duration_days, via: 'request' },
  });
  await autoAssignGroups(ctx, g.id);
  return toGrantView((await findGrant(ctx.db, g.id))!, now);
}

export async function declineDelegatedAdminRequest(ctx: Ctx, input: { id: string }) {
  const g = await pendingRequestOfOwnTenant(ctx, input.id);
  const now = ctx.clock.now();
  if (!(await declineGrant(ctx.db, g.id, now))) throw new DomainError('conflict');
  await recordAudit(ctx, {
    action: 'delegated-admin.declined',
    targetType: 'delegated-admin',
    targetId: g.id,
    tenantId: g.tenant_id,
    partnerId: g.partner_id,
  });
  return toGrantView((await findGrant(ctx.db, g.id))!, now);
}

/**
 * The customer revokes a partner's delegated admin (DAP, GDAP and pending requests alike). The
 * relationship and every subscription stay as they are.
 */
export async function revokeDelegatedAdmin(ctx: Ctx, input: { partnerId: string }) {
  const tenantId = ctx.actor.tenantId!;
  const now = ctx.clock.now();
  const live = (await grantsOfPair(ctx.db, input.partnerId, tenantId)).filter((g) =>
    isLive(toGrantView(g, now)),
  );
  if (live.length === 0) throw new DomainError('delegated_admin_not_found');
  const ended = await endGrantsOfPair(ctx.db, input.partnerId, tenantId, 'revoked', now);
  const ids = ended.map((g) => g.id);
  await recordAudit(ctx, {
    action: 'delegated-admin.revoked',
    targetType: 'delegated-admin',
    targetId: ids[0] ?? null,
    tenantId,
    partnerId: input.partnerId,
    data: { grantIds: ids },
  });
  await recordEvent(ctx, 'delegated-admin.revoked', {
    tenantId,
    partnerId: input.partnerId,
    grantIds: ids,
    reason: 'revoked-by-customer',
  });
  return { partnerId: input.partnerId, tenantId, revokedGrantIds: ids };
}

/** With the relationship gone, its delegated admin goes too (called by the relationships module). */
export async function endDelegatedAdminWithRelationship(ctx: Ctx, partnerId: string, tenantId: string) {
  const ended = await endGrantsOfPair(ctx.db, partnerId, tenantId, 'removed', ctx.clock.now());
  if (ended.length === 0) return [];
  const ids = ended.map((g) => g.id);
  await recordAudit(ctx, {
    action: 'delegated-admin.removed',
    targetType: 'delegated-admin',
    targetId: ids[0] ?? null,
    tenantId,
    partnerId,
    data: { grantIds: ids, reason: 'relationship-removed' },
  });
  await recordEvent(ctx, 'delegated-admin.revoked', {
    tenantId,
    partnerId,
    grantIds: ids,
    reason: 'relationship-removed',
  });
  return ids;
}

/** The partner's own view of its delegated admin on a tenant. */
export async function getPartnerDelegatedAdmin(ctx: Ctx<Db>, input: { tenantId: string }) {
  const now = ctx.clock.now();
  const partnerId = ctx.actor.partnerId!;
  const grants = (await grantsOfPair(ctx.db, partnerId, input.tenantId)).map((g) => toGrantView(g, now));
  const assignments = await assignmentsOfGrants(
    ctx.db,
    grants.map((g) => g.id),
  );
  const byGroup = new Map<string, { grantId: string; groupId: string; roles: string[] }>();
  for (const a of assignments) {
    const k = `${a.grant_id}/${a.group_id}`;
    const e = byGroup.get(k) ?? { grantId: a.grant_id, groupId: a.group_id, roles: [] };
    e.roles.push(a.role);
    byGroup.set(k, e);
  }
  const mine = await delegatedRolesIn(ctx, input.tenantId);
  return {
    tenantId: input.tenantId,
    partnerId,
    canActOnBehalf: grants.some((g) => g.status === 'active'),
    myRoles: mine.roles,
    grants,
    assignments: [...byGroup.values()],
  };
}

/** Per partner, the grants a tenant gave (live and past), for the tenant's partners page. */
export async function delegatedAdminByPartner(
  db: Db | Trx,
  tenantId: string,
  partnerIds: string[],
  now: Date,
) {
  const byPartner = new Map<string, GrantView[]>();
  for (const g of await grantsOfTenant(db, tenantId, partnerIds)) {
    const list = byPartner.get(g.partner_id) ?? [];
    list.push(toGrantView(g, now));
    byPartner.set(g.partner_id, list);
  }
  return byPartner;
}

/**
 * Sends the GDAP expiry reminders due now (30, 7 and 1 days before the end): an outbox event for
 * the partner and the customer (webhooks carry it on) and an audit row, each exactly once per
 * grant, end and threshold, however many processes sweep and however the clock jumps.
 */
export async function sendDueReminders(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  const grants = await grantsEndingWithin(ctx.db, now, Math.max(...GDAP_REMINDER_DAYS));
  let sent = 0;
  for (const g of grants) {
    const days = dueReminder(
      { status: g.status as GrantStatus, expiresAt: g.expires_at, autoExtend: g.auto_extend },
      now,
    );
    if (days === null || !g.expires_at) continue;
    if (!(await insertReminder(ctx.db, { grantId: g.id, expiresAt: g.expires_at, daysBefore: days, now })))
      continue;
    const data = {
      grantId: g.id,
      partnerId: g.partner_id,
      tenantId: g.tenant_id,
      roles: g.roles,
      expiresAt: g.expires_at.toISOString(),
      daysBefore: days,
    };
    await recordEvent(ctx, 'delegated-admin.expiry-reminder', data);
    await recordAudit(ctx, {
      action: 'delegated-admin.expiry-reminder',
      targetType: 'delegated-admin',
      targetId: g.id,
      tenantId: g.tenant_id,
      partnerId: g.partner_id,
      data,
    });
    sent++;
  }
  return sent;
}
