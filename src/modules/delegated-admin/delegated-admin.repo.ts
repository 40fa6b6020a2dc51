import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db, DelegatedAdminGrantsTable, Trx } from '../../platform/db/database.ts';
import { transactionMemo } from '../../platform/db/transaction-memo.ts';

export type GrantRow = Selectable<DelegatedAdminGrantsTable>;

/**
 * Active grants of a partner on a tenant at `now`: DAP never expires; GDAP until expires_at,
 * or for good while it auto-extends (each extension is computed on read, see domain rules).
 */
export async function activeGrants(db: Db | Trx, partnerId: string, tenantId: string, now: Date) {
  return db
    .selectFrom('delegated_admin_grants')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now), eb('auto_extend', '=', true)]),
    )
    .execute();
}

export async function insertGrant(
  db: Trx,
  g: {
    partnerId: string;
    tenantId: string;
    kind: 'dap' | 'gdap';
    roles?: string[];
    durationDays?: number | null;
    autoExtend?: boolean;
    status: 'requested' | 'active';
    now: Date;
    expiresAt?: Date | null;
    requestExpiresAt?: Date | null;
    relationshipRequestId?: string | null;
  },
) {
  const id = randomUUID();
  grantsRead.forget(db);
  await db
    .insertInto('delegated_admin_grants')
    .values({
      id,
      partner_id: g.partnerId,
      tenant_id: g.tenantId,
      kind: g.kind,
      roles: g.roles ?? [],
      duration_days: g.durationDays ?? null,
      auto_extend: g.autoExtend ?? false,
      status: g.status,
      requested_at: g.now,
      approved_at: g.status === 'active' ? g.now : null,
      expires_at: g.expiresAt ?? null,
      created_at: g.now,
      request_expires_at: g.requestExpiresAt ?? null,
      relationship_request_id: g.relationshipRequestId ?? null,
    })
    .execute();
  return id;
}

export async function findGrant(db: Db | Trx, id: string): Promise<GrantRow | undefined> {
  return db.selectFrom('delegated_admin_grants').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every grant of a pair, newest first. */
export async function grantsOfPair(db: Db | Trx, partnerId: string, tenantId: string) {
  return db
    .selectFrom('delegated_admin_grants')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The grants of a tenant for the given partners (the tenant's partners page). */
export async function grantsOfTenant(db: Db | Trx, tenantId: string, partnerIds: string[]) {
  if (partnerIds.length === 0) return [];
  return db
    .selectFrom('delegated_admin_grants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('partner_id', 'in', partnerIds)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** A tenant's GDAP requests still waiting for an answer (lapsed ones are filtered by the caller's clock). */
export async function requestedGrantsOfTenant(
  db: Db | Trx,
  f: { tenantId: string; now: Date; after?: [string, string]; limit: number },
) {
  let q = db
    .selectFrom('delegated_admin_grants')
    .selectAll()
    .where('tenant_id', '=', f.tenantId)
    .where('status', '=', 'requested')
    .where('request_expires_at', '>', f.now)
    .orderBy('created_at')
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.after) {
    const at = new Date(f.after[0]);
    const id = f.after[1];
    q = q.where((eb) =>
      eb.or([eb('created_at', '>', at), eb.and([eb('created_at', '=', at), eb('id', '>', id)])]),
    );
  }
  return q.execute();
}

/** Approves a pending request; null when it was answered meanwhile (the caller re-reads to say why). */
export async function activateGrant(db: Trx, id: string, now: Date, expiresAt: Date | null) {
  grantsRead.forget(db);
  return db
    .updateTable('delegated_admin_grants')
    .set({ status: 'active', approved_at: now, expires_at: expiresAt })
    .where('id', '=', id)
    .where('status', '=', 'requested')
    .returning('id')
    .executeTakeFirst();
}

export async function declineGrant(db: Trx, id: string, now: Date) {
  grantsRead.forget(db);
  return db
    .updateTable('delegated_admin_grants')
    .set({ status: 'declined', revoked_at: now })
    .where('id', '=', id)
    .where('status', '=', 'requested')
    .returning('id')
    .executeTakeFirst();
}

/**
 * Ends every live grant (active or requested) of a pair: `revoked` by the customer, `removed`
 * with the relationship. Returns the rows ended.
 */
export async function endGrantsOfPair(
  db: Trx,
  partnerId: string,
  tenantId: string,
  to: 'revoked' | 'removed',
  now: Date,
) {
  grantsRead.forget(db);
  return db
    .updateTable('delegated_admin_grants')
    .set({ status: to, revoked_at: now })
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', ['active', 'requested'])
    .returning(['id', 'kind', 'status'])
    .execute();
}

/** Active GDAP grants that end within `days` of `now` and do not auto-extend: the ones to remind about. */
export async function grantsEndingWithin(db: Db | Trx, now: Date, days: number) {
  return db
    .selectFrom('delegated_admin_grants')
    .selectAll()
    .where('kind', '=', 'gdap')
    .where('status', '=', 'active')
    .where('auto_extend', '=', false)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', new Date(now.getTime() + days * 86_400_000))
    .orderBy('id')
    .execute();
}

/** A partner's active GDAP grants that end within `days` and do not auto-extend (home's reminder), soonest first. */
export async function partnerGrantsEndingWithin(db: Db | Trx, partnerId: string, now: Date, days: number) {
  return db
    .selectFrom('delegated_admin_grants')
    .select(['id', 'tenant_id', 'expires_at'])
    .where('partner_id', '=', partnerId)
    .where('kind', '=', 'gdap')
    .where('status', '=', 'active')
    .where('auto_extend', '=', false)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', new Date(now.getTime() + days * 86_400_000))
    .orderBy('expires_at')
    .orderBy('id')
    .execute();
}

/** Records a reminder; false when it was already sent (by this or another process). */
export async function insertReminder(
  db: Trx,
  r: { grantId: string; expiresAt: Date; daysBefore: number; now: Date },
): Promise<boolean> {
  const row = await db
    .insertInto('delegated_admin_reminders')
    .values({ grant_id: r.grantId, expires_at: r.expiresAt, days_before: r.daysBefore, sent_at: r.now })
    .onConflict((oc) => oc.columns(['grant_id', 'expires_at', 'days_before']).doNothing())
    .returning('grant_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** `activeGrants` for many tenants at once (bulk planning asks for a whole batch). */
/** Batch reader: which of these tenants have given the partner delegated admin in force at `now`. */
export async function tenantsWithActiveGrant(
  db: Db | Trx,
  partnerId: string,
  tenantIds: string[],
  now: Date,
) {
  if (tenantIds.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('delegated_admin_grants')
    .select('tenant_id')
    .distinct()
    .where('partner_id', '=', partnerId)
    .where('tenant_id', 'in', tenantIds)
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now), eb('auto_extend', '=', true)]),
    )
    .execute();
  return new Set(rows.map((r) => r.tenant_id));
}

/**
 * What a transaction read of active grants (a transition's steps and the use cases they call ask
 * again and again); every write to grants above forgets it.
 */
const grantsRead = transactionMemo<Pick<GrantRow, 'id' | 'tenant_id' | 'kind' | 'roles'>[]>();

export async function activeGrantsOfTenants(db: Db | Trx, partnerId: string, tenantIds: string[], now: Date) {
  const tenants = [...new Set(tenantIds)];
  if (tenants.length === 0) return [];
  // Kept per tenant: a batch's read serves each of its tenants' later checks in the transaction.
  const keyOf = (tenantId: string) => `${partnerId}|${now.toISOString()}|${tenantId}`;
  const m = grantsRead.of(db);
  const missing = tenants.filter((t) => !m?.has(keyOf(t)));
  if (missing.length > 0) {
    const rows = await db
      .selectFrom('delegated_admin_grants')
      .select(['id', 'tenant_id', 'kind', 'roles'])
      .where('partner_id', '=', partnerId)
      .where('tenant_id', 'in', missing)
      .where('status', '=', 'active')
      .where((eb) =>
        eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now), eb('auto_extend', '=', true)]),
      )
      .execute();
    if (!m) return rows;
    for (const t of missing) m.set(keyOf(t), []);
    for (const r of rows) m.get(keyOf(r.tenant_id))!.push(r);
  }
  return tenants.flatMap((t) => m!.get(keyOf(t)) ?? []);
}
