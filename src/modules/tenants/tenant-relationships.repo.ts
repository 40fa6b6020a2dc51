// The `relationships` rows: which partners serve a tenant. They sit with the tenants because every
// module scopes by them (tenant lists, delegated admin, orders, seat changes); the relationships
// module owns the requests, invitations and removal that write them, through the tenants face.
import { randomUUID } from 'node:crypto';
import type { Expression } from 'kysely';
import type { Db, Trx } from '../../platform/db/database.ts';

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
export async function lockAcceptedRelationship(db: Trx, partnerId: string, tenantId: string) {
  return db
    .selectFrom('relationships')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'accepted')
    .forUpdate()
    .executeTakeFirst();
}

/** Ends an accepted relationship; null when there was none (already removed meanwhile). */
export async function markRelationshipRemoved(db: Trx, id: string, now: Date) {
  return db
    .updateTable('relationships')
    .set({ status: 'removed', removed_at: now })
    .where('id', '=', id)
    .where('status', '=', 'accepted')
    .returning('id')
    .executeTakeFirst();
}

/** A tenant's partners with an accepted relationship, in partner-name order. */
export async function partnersOfTenant(
  db: Db | Trx,
  f: { tenantId: string; after?: [string, string]; limit: number },
) {
  let q = db
    .selectFrom('relationships')
    .innerJoin('partners', 'partners.id', 'relationships.partner_id')
    .select([
      'relationships.id as relationship_id',
      'relationships.status',
      'relationships.accepted_at',
      'partners.id as partner_id',
      'partners.name',
      'partners.country',
      'partners.region',
      'partners.kind',
    ])
    .where('relationships.tenant_id', '=', f.tenantId)
    .where('relationships.status', '=', 'accepted')
    .orderBy('partners.name')
    .orderBy('partners.id')
    .limit(f.limit + 1);
  if (f.after) {
    const [name, id] = f.after;
    q = q.where((eb) =>
      eb.or([
        eb('partners.name', '>', name),
        eb.and([eb('partners.name', '=', name), eb('partners.id', '>', id)]),
      ]),
    );
  }
  return q.execute();
}
