import { randomUUID } from 'node:crypto';
import type { Expression, Selectable } from 'kysely';
import type { Db, RelationshipRequestsTable, Trx } from '../../platform/db/database.ts';

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

// Relationship requests (invitations). The token itself is never stored, only its hash.

export type RelationshipRequestRow = Selectable<RelationshipRequestsTable>;

export async function insertRelationshipRequest(
  db: Trx,
  r: {
    id: string;
    partnerId: string;
    tenantId: string | null;
    tokenHash: string;
    delegatedAdmin: Record<string, unknown> | null;
    createdByUserId: string;
    indirectProviderId?: string | null;
    now: Date;
    expiresAt: Date;
  },
) {
  await db
    .insertInto('relationship_requests')
    .values({
      id: r.id,
      partner_id: r.partnerId,
      tenant_id: r.tenantId,
      token_hash: r.tokenHash,
      delegated_admin: r.delegatedAdmin ? JSON.stringify(r.delegatedAdmin) : null,
      status: 'pending',
      created_by_user_id: r.createdByUserId,
      indirect_provider_id: r.indirectProviderId ?? null,
      created_at: r.now,
      expires_at: r.expiresAt,
    })
    .execute();
}

export async function findRelationshipRequest(db: Db | Trx, id: string) {
  return db.selectFrom('relationship_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRelationshipRequestByTokenHash(db: Db | Trx, tokenHash: string) {
  return db
    .selectFrom('relationship_requests')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/**
 * A partner's requests, newest first. `status` filters on the status at `now`: `pending` and
 * `expired` are both stored as pending and told apart by the expiry.
 */
export async function listRelationshipRequestRows(
  db: Db | Trx,
  f: {
    partnerId: string;
    status?: 'pending' | 'accepted' | 'declined' | 'expired' | 'withdrawn';
    now: Date;
    before?: [string, string];
    limit: number;
  },
) {
  let q = db
    .selectFrom('relationship_requests')
    .selectAll('relationship_requests')
    .where('relationship_requests.partner_id', '=', f.partnerId)
    .orderBy('relationship_requests.created_at', 'desc')
    .orderBy('relationship_requests.id', 'desc')
    .limit(f.limit + 1);
  if (f.status === 'pending') {
    q = q
      .where('relationship_requests.status', '=', 'pending')
      .where('relationship_requests.expires_at', '>', f.now);
  } else if (f.status === 'expired') {
    q = q
      .where('relationship_requests.status', '=', 'pending')
      .where('relationship_requests.expires_at', '<=', f.now);
  } else if (f.status) {
    q = q.where('relationship_requests.status', '=', f.status);
  }
  if (f.before) {
    const at = new Date(f.before[0]);
    const id = f.before[1];
    q = q.where((eb) =>
      eb.or([
        eb('relationship_requests.created_at', '<', at),
        eb.and([eb('relationship_requests.created_at', '=', at), eb('relationship_requests.id', '<', id)]),
      ]),
    );
  }
  return q.execute();
}

/** Moves a pending request to its answer; null when it was answered or withdrawn meanwhile. */
export async function closeRelationshipRequest(
  db: Trx,
  id: string,
  to: {
    status: 'accepted' | 'declined' | 'withdrawn';
    now: Date;
    userId: string;
    tenantId?: string;
    relationshipId?: string;
  },
) {
  return db
    .updateTable('relationship_requests')
    .set({
      status: to.status,
      responded_at: to.now,
      responded_by_user_id: to.userId,
      responded_tenant_id: to.tenantId ?? null,
      relationship_id: to.relationshipId ?? null,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
}
