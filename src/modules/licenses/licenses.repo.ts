import { sql } from 'kysely';
import type { Db, Trx } from '../../platform/db/database.ts';

export async function tenantAssignments(db: Db | Trx, tenantId: string) {
  return db
    .selectFrom('license_assignments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('assigned_at')
    .orderBy('directory_user_id')
    .execute();
}

/**
 * The seats assigned per SKU in a tenant (`sku_id`, `n`), as a derived table a read from another
 * module joins (the subscriptions list shows seats), so it needs no round trip of its own.
 */
export function assignedSeatsBySku(db: Db | Trx, tenantId: string) {
  return db
    .selectFrom('license_assignments')
    .select(['license_assignments.sku_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('license_assignments.tenant_id', '=', tenantId)
    .groupBy('license_assignments.sku_id');
}

export async function insertAssignment(
  db: Trx,
  a: { tenantId: string; userId: string; skuId: string; excludedPlans: string[]; now: Date },
) {
  await db
    .insertInto('license_assignments')
    .values({
      tenant_id: a.tenantId,
      directory_user_id: a.userId,
      sku_id: a.skuId,
      excluded_plans: a.excludedPlans,
      assigned_at: a.now,
    })
    .execute();
}

export async function updateExcludedPlans(db: Trx, userId: string, skuId: string, excludedPlans: string[]) {
  await db
    .updateTable('license_assignments')
    .set({ excluded_plans: excludedPlans })
    .where('directory_user_id', '=', userId)
    .where('sku_id', '=', skuId)
    .execute();
}

export async function deleteAssignments(db: Trx, userId: string, skuIds: string[]) {
  if (skuIds.length === 0) return;
  await db
    .deleteFrom('license_assignments')
    .where('directory_user_id', '=', userId)
    .where('sku_id', 'in', skuIds)
    .execute();
}

/** Many users at once (bulk moves): one statement, users who already hold the SKU left as they are. */
export async function insertAssignments(
  db: Trx,
  tenantId: string,
  skuId: string,
  users: { userId: string; excludedPlans: string[] }[],
  now: Date,
) {
  if (users.length === 0) return;
  await db
    .insertInto('license_assignments')
    .values(
      users.map((u) => ({
        tenant_id: tenantId,
        directory_user_id: u.userId,
        sku_id: skuId,
        excluded_plans: u.excludedPlans,
        assigned_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['directory_user_id', 'sku_id']).doNothing())
    .execute();
}

export async function deleteSkuAssignments(db: Trx, tenantId: string, skuId: string, userIds: string[]) {
  if (userIds.length === 0) return;
  await db
    .deleteFrom('license_assignments')
    .where('tenant_id', '=', tenantId)
    .where('sku_id', '=', skuId)
    .where('directory_user_id', 'in', userIds)
    .execute();
}

/**
 * An upgrade moves `count` assignments of one SKU to another (the most recently assigned first, as
 * they would lose access first), in the caller's transaction: a user who already holds the new SKU
 * keeps that one. Service plans differ between SKUs, so the moved assignments exclude none.
 * Returns the users moved.
 */
export async function moveSkuAssignments(
  db: Trx,
  input: { tenantId: string; fromSkuId: string; toSkuId: string; count: number; now: Date },
): Promise<string[]> {
  if (input.count <= 0 || input.fromSkuId === input.toSkuId) return [];
  const rows = await db
    .selectFrom('license_assignments')
    .select('directory_user_id')
    .where('tenant_id', '=', input.tenantId)
    .where('sku_id', '=', input.fromSkuId)
    .orderBy('assigned_at', 'desc')
    .orderBy('directory_user_id', 'desc')
    .limit(input.count)
    .execute();
  const users = rows.map((r) => r.directory_user_id);
  await deleteSkuAssignments(db, input.tenantId, input.fromSkuId, users);
  await insertAssignments(
    db,
    input.tenantId,
    input.toSkuId,
    users.map((userId) => ({ userId, excludedPlans: [] })),
    input.now,
  );
  return users;
}

/**
 * Batch reader (the planner's): the licenses of many tenants, one JSON text per tenant holding
 * `[directory user id, SKU, switched-off plans]` per license in user id order. Decoding one text
 * per tenant costs far less than a row per license when the book has millions.
 */
export async function licensesOfTenants(db: Db | Trx, tenantIds: string[]) {
  if (tenantIds.length === 0) return [];
  return db
    .selectFrom('license_assignments')
    .select([
      'tenant_id',
      sql<string>`json_agg(json_build_array(directory_user_id, sku_id, excluded_plans) order by directory_user_id, sku_id)::text`.as(
        'licenses',
      ),
    ])
    .where('tenant_id', 'in', tenantIds)
    .groupBy('tenant_id')
    .execute();
}

/** Batch reader: who holds which of these SKUs in many tenants (`tenant_id`, `directory_user_id`, `sku_id`). */
export async function holdersOfTenantSkus(db: Db | Trx, tenantIds: string[], skuIds: string[]) {
  if (tenantIds.length === 0 || skuIds.length === 0) return [];
  return db
    .selectFrom('license_assignments')
    .select(['tenant_id', 'directory_user_id', 'sku_id'])
    .where('tenant_id', 'in', [...new Set(tenantIds)])
    .where('sku_id', 'in', [...new Set(skuIds)])
    .execute();
}

/**
 * Many tenants' new assignments in one statement, whatever their number (one JSON parameter, not
 * five per row); a user who already holds the SKU keeps that assignment.
 */
export async function insertAssignmentRows(
  db: Trx,
  rows: { tenantId: string; userId: string; skuId: string; excludedPlans: string[] }[],
  now: Date,
) {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({ t: r.tenantId, u: r.userId, s: r.skuId, e: r.excludedPlans })),
  );
  await sql`insert into license_assignments (tenant_id, directory_user_id, sku_id, excluded_plans, assigned_at)
    select x.t, x.u, x.s, x.e, ${now}::timestamptz
    from json_to_recordset(${json}::json) as x (t text, u text, s text, e text[])
    on conflict (directory_user_id, sku_id) do nothing`.execute(db);
}

/** Many tenants' assignments removed in one statement: each row names its tenant, SKU and user. */
export async function deleteAssignmentRows(
  db: Trx,
  rows: { tenantId: string; skuId: string; userId: string }[],
) {
  if (rows.length === 0) return;
  await sql`delete from license_assignments a
    using unnest(${rows.map((r) => r.tenantId)}::text[], ${rows.map((r) => r.skuId)}::text[],
                 ${rows.map((r) => r.userId)}::text[]) as x (t, s, u)
    where a.tenant_id = x.t and a.sku_id = x.s and a.directory_user_id = x.u`.execute(db);
}
