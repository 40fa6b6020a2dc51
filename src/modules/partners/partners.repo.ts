import type { Db, PartnerRow, Trx } from '../../platform/db/database.ts';
import { memoized, transactionMemo } from '../../platform/db/transaction-memo.ts';

export function toPartnerView(p: PartnerRow) {
  return {
    id: p.id,
    name: p.name,
    country: p.country,
    region: p.region,
    kind: p.kind,
    azureExpertMsp: p.azure_expert_msp,
    createdAt: p.created_at.toISOString(),
  };
}

export async function insertPartner(
  db: Trx,
  p: {
    id: string;
    name: string;
    country: string;
    region: string;
    kind: string;
    azureExpertMsp?: boolean;
    now: Date;
  },
) {
  await db
    .insertInto('partners')
    .values({
      id: p.id,
      name: p.name,
      country: p.country,
      region: p.region,
      kind: p.kind,
      azure_expert_msp: p.azureExpertMsp ?? false,
      created_at: p.now,
    })
    .execute();
}

/** Partners are never changed once created: a transaction reads each once. */
const partnersRead = transactionMemo<PartnerRow>();

export async function findPartner(db: Db | Trx, id: string): Promise<PartnerRow | undefined> {
  return memoized(partnersRead, db, id, () =>
    db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst(),
  );
}

/** Locks the partner's row: changes to who administers it run one at a time. */
export async function lockPartner(db: Trx, id: string): Promise<void> {
  await db.selectFrom('partners').select('id').where('id', '=', id).forUpdate().execute();
}

export async function listPartnerRows(db: Db | Trx, f: { afterId?: string; limit: number }) {
  let q = db
    .selectFrom('partners')
    .selectAll()
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.afterId) q = q.where('id', '>', f.afterId);
  return q.execute();
}

/** Names of these partners, for views that show another partner (a transfer's other side). */
/** Batch reader: the partners with these ids (any order). */
export async function partnersByIds(db: Db | Trx, ids: readonly string[]): Promise<PartnerRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('partners')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

export async function partnerNameRows(db: Db | Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('partners').select(['id', 'name']).where('id', 'in', ids).execute();
}

// --- Two-tier links (SPEC §7): which indirect resellers a provider transacts for ---------------

export async function findIndirectLink(db: Db | Trx, providerId: string, resellerId: string) {
  return db
    .selectFrom('indirect_links')
    .selectAll()
    .where('provider_id', '=', providerId)
    .where('reseller_id', '=', resellerId)
    .executeTakeFirst();
}

export async function upsertActiveLink(db: Trx, providerId: string, resellerId: string, now: Date) {
  await db
    .insertInto('indirect_links')
    .values({ provider_id: providerId, reseller_id: resellerId, status: 'active', created_at: now })
    .onConflict((oc) => oc.columns(['provider_id', 'reseller_id']).doUpdateSet({ status: 'active' }))
    .execute();
}

/** A provider's links to its resellers, or a reseller's to its providers. */
export async function listLinkRows(db: Db | Trx, side: { providerId: string } | { resellerId: string }) {
  const q = db
    .selectFrom('indirect_links')
    .selectAll()
    .orderBy('created_at')
    .orderBy('provider_id')
    .orderBy('reseller_id');
  return 'providerId' in side
    ? q.where('provider_id', '=', side.providerId).execute()
    : q.where('reseller_id', '=', side.resellerId).execute();
}
