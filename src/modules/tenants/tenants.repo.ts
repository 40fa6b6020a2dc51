import { sql } from 'kysely';
import type { Db, TenantRow, Trx } from '../../platform/db/database.ts';
import { memoized, transactionMemo } from '../../platform/db/transaction-memo.ts';
import { visibleTenantIds } from './tenant-relationships.repo.ts';

export async function insertTenant(
  db: Trx,
  t: { id: string; companyName: string; defaultDomain: string; country: string; region: string; now: Date },
) {
  await db
    .insertInto('tenants')
    .values({
      id: t.id,
      company_name: t.companyName,
      default_domain: t.defaultDomain.toLowerCase(),
      country: t.country,
      region: t.region,
      created_at: t.now,
    })
    .execute();
}

/** Tenants are never changed once created: a transaction reads each once. */
const tenantsRead = transactionMemo<TenantRow>();

export async function findTenant(db: Db | Trx, id: string): Promise<TenantRow | undefined> {
  return memoized(tenantsRead, db, id, () =>
    db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst(),
  );
}

export async function findTenantByDomain(db: Db | Trx, domain: string): Promise<TenantRow | undefined> {
  return db
    .selectFrom('tenants')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['default_domain']), '=', domain.toLowerCase()))
    .executeTakeFirst();
}

export async function domainTaken(db: Db | Trx, domain: string) {
  return !!(await findTenantByDomain(db, domain));
}

/** Tenants in company-name order, limited to a partner's relationships when `partnerId` is given. */
export async function listTenantRows(
  db: Db | Trx,
  f: { partnerId?: string; search?: string; after?: [string, string]; limit: number },
) {
  let q = db
    .selectFrom('tenants')
    .selectAll()
    .orderBy('company_name')
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.partnerId) {
    const pid = f.partnerId;
    q = q.where('id', 'in', visibleTenantIds(db, pid));
  }
  if (f.search) {
    const like = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['company_name']), 'like', like),
        eb(eb.fn('lower', ['default_domain']), 'like', like),
      ]),
    );
  }
  if (f.after) {
    const [name, id] = f.after;
    q = q.where((eb) =>
      eb.or([eb('company_name', '>', name), eb.and([eb('company_name', '=', name), eb('id', '>', id)])]),
    );
  }
  return q.execute();
}

export async function insertDirectoryUser(
  db: Trx,
  u: { id: string; tenantId: string; userPrincipalName: string; displayName: string; now: Date },
) {
  await db
    .insertInto('directory_users')
    .values({
      id: u.id,
      tenant_id: u.tenantId,
      user_principal_name: u.userPrincipalName,
      display_name: u.displayName,
      created_at: u.now,
    })
    .execute();
}

export async function upnTaken(db: Db | Trx, tenantId: string, upn: string) {
  const row = await db
    .selectFrom('directory_users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb(eb.fn('lower', ['user_principal_name']), '=', upn.toLowerCase()))
    .executeTakeFirst();
  return !!row;
}

export async function relationshipOf(db: Db | Trx, partnerId: string, tenantId: string) {
  return db
    .selectFrom('relationships')
    .select(['id', 'status', 'accepted_at'])
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export async function findDirectoryUser(db: Db | Trx, tenantId: string, id: string) {
  return db
    .selectFrom('directory_users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A page of a tenant's directory in user-principal-name order. */
export async function listDirectoryUserRows(
  db: Db | Trx,
  f: { tenantId: string; after?: [string, string]; limit: number },
) {
  let q = db
    .selectFrom('directory_users')
    .selectAll()
    .where('tenant_id', '=', f.tenantId)
    .orderBy('user_principal_name')
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.after) {
    const [upn, id] = f.after;
    q = q.where((eb) =>
      eb.or([
        eb('user_principal_name', '>', upn),
        eb.and([eb('user_principal_name', '=', upn), eb('id', '>', id)]),
      ]),
    );
  }
  return q.execute();
}

export async function directoryUsersByIds(db: Db | Trx, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('directory_users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

/** Batch reader: the directory users of many tenants among `ids` (`id`, `tenant_id`). */
export async function directoryUsersOfTenants(db: Db | Trx, tenantIds: string[], ids: string[]) {
  if (tenantIds.length === 0 || ids.length === 0) return [];
  return db
    .selectFrom('directory_users')
    .select(['id', 'tenant_id'])
    .where('tenant_id', 'in', [...new Set(tenantIds)])
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

/** A new tenant's whole directory in one statement. */
export async function insertDirectoryUsers(
  db: Trx,
  tenantId: string,
  users: { id: string; userPrincipalName: string; displayName: string }[],
  now: Date,
) {
  if (users.length === 0) return;
  await db
    .insertInto('directory_users')
    .values(
      users.map((u) => ({
        id: u.id,
        tenant_id: tenantId,
        user_principal_name: u.userPrincipalName,
        display_name: u.displayName,
        created_at: now,
      })),
    )
    .execute();
}

/** Name, domain and country of a batch of tenants (billing's reconciliation files). */
export async function tenantSummaryRows(db: Db | Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('tenants')
    .select(['id', 'company_name', 'default_domain', 'country'])
    .where('id', 'in', ids)
    .execute();
}

export async function tenantNameRows(db: Db | Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('tenants').select(['id', 'company_name']).where('id', 'in', ids).execute();
}

export interface TenantFilter {
  partnerId?: string;
  /** Name or domain, any part, any case. */
  search?: string;
  country?: string;
}

export const TENANT_SORTS = ['companyName', 'defaultDomain', 'country', 'createdAt'] as const;
export type TenantSort = (typeof TENANT_SORTS)[number];
const TENANT_COLUMN = {
  companyName: 'company_name',
  defaultDomain: 'default_domain',
  country: 'country',
  createdAt: 'created_at',
} as const satisfies Record<TenantSort, string>;

function filteredTenants(db: Db | Trx, f: TenantFilter) {
  let q = db.selectFrom('tenants');
  if (f.partnerId) q = q.where('id', 'in', visibleTenantIds(db, f.partnerId));
  if (f.country) q = q.where('country', '=', f.country.toUpperCase());
  if (f.search) {
    const like = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['company_name']), 'like', like),
        eb(eb.fn('lower', ['default_domain']), 'like', like),
      ]),
    );
  }
  return q;
}

/** A window of tenants in any of the list's orders (ties broken by id). */
export async function sortedTenantRows(
  db: Db | Trx,
  f: TenantFilter,
  w: { sort: { field: TenantSort; direction: 'asc' | 'desc' }; offset: number; limit: number },
) {
  return filteredTenants(db, f)
    .selectAll()
    .orderBy(TENANT_COLUMN[w.sort.field], w.sort.direction)
    .orderBy('id', w.sort.direction)
    .offset(w.offset)
    .limit(w.limit)
    .execute();
}

export async function countTenantRows(db: Db | Trx, f: TenantFilter) {
  const row = await filteredTenants(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Batch reader (the planner's): the user principal names of many tenants' directory users, one
 * JSON text per tenant of `[user id, user principal name]` pairs.
 */
export async function directoryUserNamesOfTenants(db: Db | Trx, tenantIds: string[]) {
  if (tenantIds.length === 0) return [];
  return db
    .selectFrom('directory_users')
    .select(['tenant_id', sql<string>`json_agg(json_build_array(id, user_principal_name))::text`.as('users')])
    .where('tenant_id', 'in', tenantIds)
    .groupBy('tenant_id')
    .execute();
}

/** Batch reader: tenants by id (any order). */
export async function tenantsByIds(db: Db | Trx, ids: readonly string[]): Promise<TenantRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('tenants')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** The partner's customers after `after` in id order, one page (keyset: never an offset). */
export async function customerPage(db: Db | Trx, partnerId: string, after: string, limit: number) {
  return db
    .selectFrom('tenants')
    .selectAll()
    .where('id', 'in', visibleTenantIds(db, partnerId))
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** How many customers the partner has (accepted relationships). */
export async function countCustomers(db: Db | Trx, partnerId: string): Promise<number> {
  const row = await db
    .selectFrom(visibleTenantIds(db, partnerId).as('v'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Tenants' names as a subquery other modules join (`.innerJoin(tenantNamesQuery(db).as('c'), …)`)
 * to filter and sort their own rows by customer name in SQL, without naming this module's table.
 */
export function tenantNamesQuery(db: Db | Trx) {
  return db.selectFrom('tenants').select(['id', 'company_name', 'default_domain']);
}
