import { DIRECTORY_ROLES, normaliseRoles, ROLE_TEMPLATES } from '../../domain/directory-roles.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { recordAudit } from '../audit/index.ts';
import { partnerUserIds } from '../users/index.ts';
import { findGrant } from './delegated-admin.repo.ts';
import {
  addAssignments,
  assignmentsOfGrants,
  findSecurityGroup,
  insertSecurityGroup,
  membersOf,
  replaceAssignments,
  securityGroupsOf,
  setMembers,
} from './security-groups.repo.ts';

/** The fixed list of directory roles a grant may carry, with Spanish names and least-privilege templates. */
export function listDirectoryRoles() {
  return {
    items: DIRECTORY_ROLES.map((r) => ({
      name: r.name,
      nameEs: r.nameEs,
      templateId: r.templateId,
      allows: r.allows,
      allowsEs: r.allowsEs,
      tasks: [...r.tasks],
    })),
    templates: Object.entries(ROLE_TEMPLATES).map(([id, roles]) => ({ id, roles: [...roles] })),
  };
}

function knownRoles(names: readonly string[]): string[] {
  const { roles, unknown } = normaliseRoles(names);
  if (unknown.length > 0) throw new DomainError('unknown_directory_role', { roles: unknown });
  return roles;
}

async function checkedMembers(ctx: Ctx, partnerId: string, userIds: string[]) {
  const own = await partnerUserIds(ctx.db, partnerId, userIds);
  const strangers = userIds.filter((u) => !own.has(u));
  // Another partner's user, or nobody: the same answer, so that ids elsewhere stay private.
  if (strangers.length > 0) throw new DomainError('security_group_member_invalid', { userIds: strangers });
}

async function groupView(
  db: Db | Trx,
  g: { id: string; partner_id: string; name: string; auto_assign_roles: string[]; created_at: Date },
) {
  const members = await membersOf(db, [g.id]);
  return {
    id: g.id,
    partnerId: g.partner_id,
    name: g.name,
    memberUserIds: members.map((m) => m.user_id),
    autoAssignRoles: g.auto_assign_roles,
    createdAt: g.created_at.toISOString(),
  };
}

/** The partner's account admin creates a security group and puts agents in it. */
export async function createSecurityGroup(
  ctx: Ctx,
  input: { name: string; memberUserIds: string[]; autoAssignRoles?: string[] },
) {
  const partnerId = ctx.actor.partnerId!;
  const autoAssignRoles = knownRoles(input.autoAssignRoles ?? []);
  await checkedMembers(ctx, partnerId, input.memberUserIds);
  const now = ctx.clock.now();
  const id = await insertSecurityGroup(ctx.db, { partnerId, name: input.name.trim(), autoAssignRoles, now });
  if (!id) throw new DomainError('security_group_name_taken', { name: input.name.trim() });
  await setMembers(ctx.db, id, input.memberUserIds, now);
  await recordAudit(ctx, {
    action: 'security-group.created',
    targetType: 'security-group',
    targetId: id,
    partnerId,
    data: { name: input.name.trim(), memberUserIds: input.memberUserIds, autoAssignRoles },
  });
  return groupView(ctx.db, (await findSecurityGroup(ctx.db, partnerId, id))!);
}

export async function listSecurityGroups(ctx: Ctx<Db | Trx>) {
  const groups = await securityGroupsOf(ctx.db, ctx.actor.partnerId ?? '');
  const members = await membersOf(
    ctx.db,
    groups.map((g) => g.id),
  );
  return {
    items: groups.map((g) => ({
      id: g.id,
      partnerId: g.partner_id,
      name: g.name,
      memberUserIds: members.filter((m) => m.group_id === g.id).map((m) => m.user_id),
      autoAssignRoles: g.auto_assign_roles,
      createdAt: g.created_at.toISOString(),
    })),
  };
}

export async function getSecurityGroup(ctx: Ctx<Db | Trx>, input: { id: string }) {
  const g = await findSecurityGroup(ctx.db, ctx.actor.partnerId ?? '', input.id);
  if (!g) throw new DomainError('security_group_not_found');
  return groupView(ctx.db, g);
}

/** Replaces a group's members (the account admin puts agents in or takes them out). */
export async function setSecurityGroupMembers(ctx: Ctx, input: { id: string; memberUserIds: string[] }) {
  const partnerId = ctx.actor.partnerId!;
  const g = await findSecurityGroup(ctx.db, partnerId, input.id);
  if (!g) throw new DomainError('security_group_not_found');
  await checkedMembers(ctx, partnerId, input.memberUserIds);
  const now = ctx.clock.now();
  await setMembers(ctx.db, g.id, input.memberUserIds, now);
  await ctx.db.updateTable('security_groups').set({ updated_at: now }).where('id', '=', g.id).execute();
  await recordAudit(ctx, {
    action: 'security-group.members-set',
    targetType: 'security-group',
    targetId: g.id,
    partnerId,
    data: { memberUserIds: input.memberUserIds },
  });
  return groupView(ctx.db, g);
}

function groupedAssignments(rows: { group_id: string; role: string }[]) {
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.group_id, [...(out.get(r.group_id) ?? []), r.role]);
  return [...out.entries()].map(([groupId, roles]) => ({ groupId, roles }));
}

/**
 * Gives a grant's roles to the partner's security groups in that customer's tenant (replacing what
 * was given before). Every role must be one the grant carries; every group the partner's own.
 */
export async function setGrantAssignments(
  ctx: Ctx,
  input: { tenantId: string; grantId: string; assignments: { groupId: string; roles: string[] }[] },
) {
  const partnerId = ctx.actor.partnerId!;
  const grant = await findGrant(ctx.db, input.grantId);
  if (!grant || grant.partner_id !== partnerId || grant.tenant_id !== input.tenantId)
    throw new DomainError('delegated_admin_grant_not_found');
  if (grant.kind !== 'gdap') throw new DomainError('delegated_admin_grant_not_granular');
  const granted = new Set(normaliseRoles(grant.roles).roles);
  const rows: { groupId: string; role: string }[] = [];
  for (const a of input.assignments) {
    const roles = knownRoles(a.roles);
    const outside = roles.filter((r) => !granted.has(r));
    if (outside.length > 0)
      throw new DomainError('assignment_role_not_granted', { roles: outside, granted: [...granted] });
    if (!(await findSecurityGroup(ctx.db, partnerId, a.groupId)))
      throw new DomainError('security_group_not_found', { groupId: a.groupId });
    for (const role of roles) rows.push({ groupId: a.groupId, role });
  }
  const now = ctx.clock.now();
  await replaceAssignments(ctx.db, grant.id, rows, now);
  const assignments = groupedAssignments(await assignmentsOfGrants(ctx.db, [grant.id]));
  await recordAudit(ctx, {
    action: 'delegated-admin.assignments-set',
    targetType: 'delegated-admin',
    targetId: grant.id,
    tenantId: grant.tenant_id,
    partnerId,
    data: { assignments },
  });
  return { grantId: grant.id, tenantId: grant.tenant_id, assignments };
}

/**
 * A GDAP grant just became active: each of the partner's groups with auto-assigned roles gets those
 * the grant carries (audited), so that a partner's standing teams need no hand work per customer.
 */
export async function autoAssignGroups(ctx: Ctx, grantId: string) {
  const grant = await findGrant(ctx.db, grantId);
  if (grant?.kind !== 'gdap') return;
  const granted = new Set(normaliseRoles(grant.roles).roles);
  const rows: { groupId: string; role: string }[] = [];
  for (const g of await securityGroupsOf(ctx.db, grant.partner_id))
    for (const role of g.auto_assign_roles) if (granted.has(role)) rows.push({ groupId: g.id, role });
  if (rows.length === 0) return;
  await addAssignments(ctx.db, grant.id, rows, ctx.clock.now());
  await recordAudit(ctx, {
    action: 'delegated-admin.assignments-set',
    targetType: 'delegated-admin',
    targetId: grant.id,
    tenantId: grant.tenant_id,
    partnerId: grant.partner_id,
    data: {
      assignments: groupedAssignments(rows.map((r) => ({ group_id: r.groupId, role: r.role }))),
      via: 'auto-assign',
    },
  });
}
