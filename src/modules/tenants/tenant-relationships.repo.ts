// The `relationships` rows: which partners serve a tenant. They sit with the tenants because every
// module scopes by them (tenant lists, delegated admin, orders, seat changes); the relationships
// module owns the requests, invitations and removal that write them, through the tenants face.
import { randomUUID } from 'node:crypto';
import type { Expression, Selectable } from 'kysely';
import type { Db, RelationshipsTable, Trx } from '../../platform/db/database.ts';
import { memoized, transactionMemo } from '../../platform/db/transaction-memo.ts';

/**
 * The one tenant-scoping expression: the tenants a partner has an accepted reseller
 * relationship with. Other modules' queries use it (`where('tenant_id', 'in', …)`) instead of
 * reading this table themselves.
 */
export function visibleTenantIds(db: Db | Trx, partnerId: string) {
  return db
    .selectFrom('relationships')
    .select('relationships.tenant_id')
    .where('relationships.partner_id', '=', partnerId)
    .where('relationships.status', '=', 'accepted');
}

/**
 * The accepted relationship between a partner and a tenant, as a subquery: `partnerId` may be a
 * column of the caller's query, so the request guard asks it inside its sign-in statement.
 */
export function acceptedRelationship(
  db: Db | Trx,
  partnerId: string | Expression<string | null>,
  tenantId: string,
) {
  return db
    .selectFrom('relationships')
    .select('relationships.id')
    .where('relationships.partner_id', '=', partnerId)
    .where('relationships.tenant_id', '=', tenantId)
    .where('relationships.status', '=', 'accepted');
}

export async function hasAcceptedRelationship(
  db: Db | Trx,
  partnerId: string,
  tenantId: string,
): Promise<boolean> {
  return !!(await acceptedRelationship(db, partnerId, tenantId).executeTakeFirst());
}

export async function insertAcceptedRelationship(
  db: Trx,
  partnerId: string,
  tenantId: string,
  now: Date,
  indirectProviderId: string | null = null,
) {
  const id = randomUUID();
  relationshipsLocked.forget(db);
  await db
    .insertInto('relationships')
    .values({
      id,
      partner_id: partnerId,
      tenant_id: tenantId,
      status: 'accepted',
      accepted_at: now,
      indirect_provider_id: indirectProviderId,
      created_at: now,
    })
    .execute();
  return id;
}

/**
 * Locks the accepted relationship of a partner and a tenant until the transaction ends, or
 * undefined when there is none. Its removal and every write that needs it (orders, seat changes,
 * license work, a legacy DAP) take this lock first, so they run one after the other: a removal
 * that waited for an order then counts the order's subscriptions, and an order that waited for a
 * removal finds no relationship (PostgreSQL re-checks `status` on the row it waited for).
 */
/**
 * Relationships a transaction has locked (accepted): the lock holds until it ends, so no one else
 * changes them; a write to relationships in the same transaction forgets them.
 */
const relationshipsLocked = transactionMemo<Selectable<RelationshipsTable>>();

export async function lockAcceptedRelationship(db: Trx, partnerId: string, tenantId: string) {
  return memoized(relationshipsLocked, db, `${partnerId}|${tenantId}`, () =>
    db
      .selectFrom('relationships')
      .selectAll()
      .where('partner_id', '=', partnerId)
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'accepted')
      .forUpdate()
      .executeTakeFirst(),
  );
}

/**
 * `lockAcceptedRelationship` for many tenants of one partner in one statement (a batch of
 * transitions): locked in tenant order, so two such batches never deadlock. Answers the tenants
 * that have one; each is remembered as `lockAcceptedRelationship` would.
 */
export async function lockAcceptedRelationships(db: Trx, partnerId: string, tenantIds: string[]) {
  const memo = relationshipsLocked.of(db);
  const locked = new Set<string>();
  const missing: string[] = [];
  for (const t of new Set(tenantIds)) {
    if (memo?.has(`${partnerId}|${t}`)) locked.add(t);
    else missing.push(t);
  }
  if (missing.length === 0) return locked;
  const rows = await db
    .selectFrom('relationships')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('tenant_id', 'in', missing)
    .where('status', '=', 'accepted')
    .orderBy('tenant_id')
    .forUpdate()
    .execute();
  for (const r of rows) {
    memo?.set(`${partnerId}|${r.tenant_id}`, r);
    locked.add(r.tenant_id);
  }
  return locked;
}

/** Ends an accepted relationship; null when there was none (already removed meanwhile). */
export async function markRelationshipRemoved(db: Trx, id: string, now: Date) {
  relationshipsLocked.forget(db);
  return db
    .updateTable('relationships')
    .set({ status: 'removed', removed_at: now })
    .where('id', '=', id)
    .where('status', '=', 'accepted')
    .returning('id')
    .executeTakeFirst();
}

/**
 * Batch reader: the accepted relationships of a tenant (a tenant has few partners), for the
 * customer's list of its partners; the partners' own rows come from the partners face.
 */
export async function acceptedRelationshipsOfTenant(db: Db | Trx, tenantId: string) {
  return db
    .selectFrom('relationships')
    .select(['id as relationship_id', 'status', 'accepted_at', 'partner_id'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'accepted')
    .execute();
}
