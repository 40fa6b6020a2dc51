import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db, SubscriptionsTable, Trx } from '../../platform/db/database.ts';

export type SubscriptionRow = Selectable<SubscriptionsTable>;

export async function insertSubscription(db: Trx, row: Insertable<SubscriptionsTable>) {
  await db.insertInto('subscriptions').values(row).execute();
}

export async function findSubscription(db: Db | Trx, tenantId: string, id: string) {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Locks one subscription for a change; only inside a transaction. */
export async function lockSubscription(db: Trx, tenantId: string, id: string) {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateSubscriptionRow(db: Trx, id: string, patch: Updateable<SubscriptionsTable>) {
  await db.updateTable('subscriptions').set(patch).where('id', '=', id).execute();
}

/** Every subscription of a tenant (pools, holdings): a tenant holds tens, not thousands. */
export async function tenantSubscriptionRows(db: Db | Trx, tenantId: string, skuIds?: string[]) {
  let q = db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id');
  if (skuIds) {
    if (skuIds.length === 0) return [];
    q = q.where('sku_id', 'in', skuIds);
  }
  return q.execute();
}

export async function subscriptionRowsByIds(db: Db | Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('subscriptions').selectAll().where('id', 'in', ids).execute();
}

/** A page of a tenant's subscriptions, oldest first. */
export async function listSubscriptionRows(
  db: Db | Trx,
  f: { tenantId: string; channel?: string; after?: [string, string]; limit: number },
) {
  let q = db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', f.tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.channel) q = q.where('channel', '=', f.channel as SubscriptionRow['channel']);
  if (f.after) {
    const [at, id] = f.after;
    const t = new Date(at);
    q = q.where((eb) =>
      eb.or([eb('created_at', '>', t), eb.and([eb('created_at', '=', t), eb('id', '>', id)])]),
    );
  }
  return q.execute();
}

/** A subscription already recorded with the same tenant, offer, channel, partner and term (re-imports). */
export async function findRecordedTwin(
  db: Db | Trx,
  s: {
    tenantId: string;
    offerId: string;
    channel: string;
    partnerId: string | null;
    termStart: Date;
    termEnd: Date;
  },
) {
  let q = db
    .selectFrom('subscriptions')
    .select('id')
    .where('tenant_id', '=', s.tenantId)
    .where('offer_id', '=', s.offerId)
    .where('channel', '=', s.channel as 'direct')
    .where('term_start', '=', s.termStart)
    .where('term_end', '=', s.termEnd);
  q = s.partnerId ? q.where('partner_id', '=', s.partnerId) : q.where('partner_id', 'is', null);
  return q.executeTakeFirst();
}
