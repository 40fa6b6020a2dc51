import type { Selectable } from 'kysely';
import type { Db, RelationshipRequestsTable, Trx } from '../../platform/db/database.ts';
import { tenantNamesQuery } from '../tenants/index.ts';

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

/** A partner's pending requests (not expired), oldest first, each naming its customer when it has one. */
export async function pendingRequestRows(db: Db | Trx, partnerId: string, now: Date, limit: number) {
  return db
    .selectFrom('relationship_requests as r')
    .leftJoin(tenantNamesQuery(db).as('c'), 'c.id', 'r.tenant_id')
    .select(['r.id', 'r.tenant_id', 'r.created_at', 'r.expires_at', 'c.company_name', 'c.default_domain'])
    .where('r.partner_id', '=', partnerId)
    .where('r.status', '=', 'pending')
    .where('r.expires_at', '>', now)
    .orderBy('r.expires_at')
    .orderBy('r.id')
    .limit(limit)
    .execute();
}
