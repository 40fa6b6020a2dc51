import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../platform/db/database.ts';

export async function insertSecurityGroup(
  db: Trx,
  g: { partnerId: string; name: string; autoAssignRoles: string[]; now: Date },
) {
  const id = randomUUID();
  const row = await db
    .insertInto('security_groups')
    .values({
      id,
      partner_id: g.partnerId,
      name: g.name,
      auto_assign_roles: g.autoAssignRoles,
      created_at: g.now,
      updated_at: g.now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function findSecurityGroup(db: Db | Trx, partnerId: string, id: string) {
  return db
    .selectFrom('security_groups')
    .selectAll()
    .where('id', '=', id)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
}

export async function securityGroupsOf(db: Db | Trx, partnerId: string) {
  return db
    .selectFrom('security_groups')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function membersOf(db: Db | Trx, groupIds: string[]) {
  if (groupIds.length === 0) return [];
  return db
    .selectFrom('security_group_members')
    .select(['group_id', 'user_id'])
    .where('group_id', 'in', groupIds)
    .orderBy('user_id')
    .execute();
}

export async function setMembers(db: Trx, groupId: string, userIds: string[], now: Date) {
  await db.deleteFrom('security_group_members').where('group_id', '=', groupId).execute();
  if (userIds.length > 0)
    await db
      .insertInto('security_group_members')
      .values(userIds.map((u) => ({ group_id: groupId, user_id: u, created_at: now })))
      .execute();
}

export async function assignmentsOfGrants(db: Db | Trx, grantIds: string[]) {
  if (grantIds.length === 0) return [];
  return db
    .selectFrom('delegated_admin_assignments')
    .select(['grant_id', 'group_id', 'role'])
    .where('grant_id', 'in', grantIds)
    .orderBy('group_id')
    .orderBy('role')
    .execute();
}

export async function replaceAssignments(
  db: Trx,
  grantId: string,
  rows: { groupId: string; role: string }[],
  now: Date,
) {
  await db.deleteFrom('delegated_admin_assignments').where('grant_id', '=', grantId).execute();
  if (rows.length > 0)
    await db
      .insertInto('delegated_admin_assignments')
      .values(rows.map((r) => ({ grant_id: grantId, group_id: r.groupId, role: r.role, created_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
}

/** Adds assignments (the auto-assigned roles of groups on a grant that became active). */
export async function addAssignments(
  db: Trx,
  grantId: string,
  rows: { groupId: string; role: string }[],
  now: Date,
) {
  if (rows.length === 0) return;
  await db
    .insertInto('delegated_admin_assignments')
    .values(rows.map((r) => ({ grant_id: grantId, group_id: r.groupId, role: r.role, created_at: now })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The roles a user's groups hold on the given grants. */
export async function rolesOfUserOnGrants(db: Db | Trx, userId: string, grantIds: string[]) {
  if (grantIds.length === 0) return [];
  return db
    .selectFrom('delegated_admin_assignments as a')
    .innerJoin('security_group_members as m', 'm.group_id', 'a.group_id')
    .select(['a.grant_id', 'a.role'])
    .distinct()
    .where('m.user_id', '=', userId)
    .where('a.grant_id', 'in', grantIds)
    .execute();
}
