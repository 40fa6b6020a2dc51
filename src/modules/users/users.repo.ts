import type { Db, Trx } from '../../platform/db/database.ts';

export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  kind: 'partner' | 'customer' | 'operator';
  partnerId: string | null;
  tenantId: string | null;
  roles: string[];
  createdAt: Date;
  /** Listed users only: whether the account is disabled. */
  disabled?: boolean;
}

export async function insertUser(
  db: Trx,
  u: Omit<UserRecord, 'roles'> & { passwordHash: string | null; roles: string[] },
): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: u.id,
      email: u.email,
      display_name: u.displayName,
      password_hash: u.passwordHash,
      kind: u.kind,
      partner_id: u.partnerId,
      tenant_id: u.tenantId,
      created_at: u.createdAt,
    })
    .execute();
  if (u.roles.length > 0) {
    await db
      .insertInto('user_roles')
      .values(u.roles.map((role) => ({ user_id: u.id, role })))
      .execute();
  }
}

export async function emailExists(db: Db | Trx, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  return !!row;
}

export async function findUserForLogin(db: Db | Trx, email: string) {
  return db
    .selectFrom('users')
    .select([
      'id',
      'email',
      'display_name',
      'password_hash',
      'kind',
      'partner_id',
      'tenant_id',
      'disabled_at',
    ])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export async function setPasswordHash(db: Trx, userId: string, hash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
}

export async function setDisabled(db: Trx, userId: string, at: Date | null): Promise<void> {
  await db.updateTable('users').set({ disabled_at: at }).where('id', '=', userId).execute();
}

/** The partner's enabled account admins other than `userId`. */
export async function otherActiveAccountAdmins(db: Trx, partnerId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('u.partner_id', '=', partnerId)
    .where('u.id', '<>', userId)
    .where('u.disabled_at', 'is', null)
    .where('r.role', '=', 'account-admin')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function rolesOf(db: Db | Trx, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_roles')
    .select('role')
    .where('user_id', '=', userId)
    .orderBy('role')
    .execute();
  return rows.map((r) => r.role);
}

export async function listUsers(
  db: Db | Trx,
  f: { partnerId?: string; tenantId?: string; afterId?: string; limit: number },
): Promise<UserRecord[]> {
  let q = db
    .selectFrom('users as u')
    .select([
      'u.id',
      'u.email',
      'u.display_name',
      'u.kind',
      'u.partner_id',
      'u.tenant_id',
      'u.created_at',
      'u.disabled_at',
      (eb) =>
        eb
          .fn<string[]>('array', [
            eb
              .selectFrom('user_roles as r')
              .select('r.role')
              .whereRef('r.user_id', '=', 'u.id')
              .orderBy('r.role'),
          ])
          .as('roles'),
    ])
    .orderBy('u.id')
    .limit(f.limit + 1);
  if (f.partnerId) q = q.where('u.partner_id', '=', f.partnerId);
  if (f.tenantId) q = q.where('u.tenant_id', '=', f.tenantId);
  if (f.afterId) q = q.where('u.id', '>', f.afterId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    kind: r.kind,
    partnerId: r.partner_id,
    tenantId: r.tenant_id,
    roles: r.roles,
    createdAt: r.created_at,
    disabled: r.disabled_at !== null,
  }));
}

export async function findUser(db: Db | Trx, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function replaceRoles(db: Trx, userId: string, roles: string[]) {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roles.length > 0)
    await db
      .insertInto('user_roles')
      .values(roles.map((role) => ({ user_id: userId, role })))
      .execute();
}

/** Partners with someone to answer a request: an enabled account admin, admin agent or sales agent. */
export async function partnersWithAgents(db: Db | Trx, partnerIds: string[]): Promise<Set<string>> {
  if (partnerIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select('u.partner_id')
    .distinct()
    .where('u.partner_id', 'in', partnerIds)
    .where('r.role', 'in', ['account-admin', 'admin-agent', 'sales-agent'])
    .where('u.disabled_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.partner_id!));
}

/**
 * The enabled users of some partners and tenants with their roles, in one query: who an event's
 * notification may go to (the notifications module picks by role).
 */
export async function membersOf(
  db: Db | Trx,
  scope: { partnerIds: string[]; tenantIds: string[] },
): Promise<{ id: string; partnerId: string | null; tenantId: string | null; roles: string[] }[]> {
  if (scope.partnerIds.length === 0 && scope.tenantIds.length === 0) return [];
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.partner_id', 'u.tenant_id', 'r.role'])
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(scope.partnerIds.length > 0 ? [eb('u.partner_id', 'in', scope.partnerIds)] : []),
        ...(scope.tenantIds.length > 0 ? [eb('u.tenant_id', 'in', scope.tenantIds)] : []),
      ]),
    )
    .orderBy('u.id')
    .execute();
  const byId = new Map<
    string,
    { id: string; partnerId: string | null; tenantId: string | null; roles: string[] }
  >();
  for (const r of rows) {
    const m = byId.get(r.id) ?? { id: r.id, partnerId: r.partner_id, tenantId: r.tenant_id, roles: [] };
    m.roles.push(r.role);
    byId.set(r.id, m);
  }
  return [...byId.values()];
}

/** Batch reader: which of these users are the partner's own partner users. */
export async function partnerUserIds(db: Db | Trx, partnerId: string, userIds: string[]) {
  if (userIds.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('partner_id', '=', partnerId)
    .where('kind', '=', 'partner')
    .where('id', 'in', userIds)
    .execute();
  return new Set(rows.map((r) => r.id));
}
