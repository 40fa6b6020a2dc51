import type { Selectable } from 'kysely';
import type { Db, TransferLineItemsTable, TransfersTable, Trx } from '../../platform/db/database.ts';

export type TransferRow = Selectable<TransfersTable>;
export type TransferLineRow = Selectable<TransferLineItemsTable>;

export async function insertTransfer(
  db: Trx,
  t: {
    id: string;
    tenantId: string;
    sourcePartnerId: string;
    targetPartnerId: string;
    userId: string | null;
    transitionId: string | null;
    subscriptionIds: string[];
    expiresAt: Date;
    now: Date;
  },
) {
  await db
    .insertInto('transfers')
    .values({
      id: t.id,
      tenant_id: t.tenantId,
      source_partner_id: t.sourcePartnerId,
      target_partner_id: t.targetPartnerId,
      status: 'pending',
      requested_by_user_id: t.userId,
      transition_id: t.transitionId,
      expires_at: t.expiresAt,
      created_at: t.now,
      updated_at: t.now,
    })
    .execute();
  await db
    .insertInto('transfer_line_items')
    .values(
      t.subscriptionIds.map((s) => ({ transfer_id: t.id, subscription_id: s, status: 'pending' as const })),
    )
    .execute();
}

export async function findTransfer(db: Db | Trx, id: string) {
  return db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks a transfer for its decision: two approvals at once are one after the other. */
export async function lockTransfer(db: Trx, id: string) {
  return db.selectFrom('transfers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function lineItemsOf(db: Db | Trx, transferIds: string[]): Promise<TransferLineRow[]> {
  if (transferIds.length === 0) return [];
  return db
    .selectFrom('transfer_line_items')
    .selectAll()
    .where('transfer_id', 'in', transferIds)
    .orderBy('transfer_id')
    .orderBy('subscription_id')
    .execute();
}

export async function settleTransfer(
  db: Trx,
  t: {
    id: string;
    status: 'completed' | 'rejected' | 'expired';
    transferred: string[];
    userId: string | null;
    now: Date;
  },
) {
  await db
    .updateTable('transfers')
    .set({
      status: t.status,
      decided_at: t.now,
      decided_by_user_id: t.userId,
      updated_at: t.now,
    })
    .where('id', '=', t.id)
    .execute();
  await db
    .updateTable('transfer_line_items')
    .set((eb) => ({
      status:
        t.transferred.length > 0
          ? eb
              .case()
              .when('subscription_id', 'in', t.transferred)
              .then('transferred' as const)
              .else('declined' as const)
              .end()
          : ('declined' as const),
    }))
    .where('transfer_id', '=', t.id)
    .execute();
}

/** Pending transfers past their 30 days, oldest first, locked (skipped if another process has them). */
export async function lockOverdueTransfers(db: Trx, now: Date, limit: number) {
  return db
    .selectFrom('transfers')
    .selectAll()
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Newest first, scoped to one side, or to a tenant. */
export async function listTransferRows(
  db: Db | Trx,
  f: {
    partnerId?: string;
    direction?: 'incoming' | 'outgoing';
    tenantId?: string;
    status?: TransferRow['status'];
    before?: [string, string];
    limit: number;
  },
) {
  let q = db
    .selectFrom('transfers')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.tenantId) q = q.where('tenant_id', '=', f.tenantId);
  if (f.partnerId) {
    const p = f.partnerId;
    if (f.direction === 'incoming') q = q.where('source_partner_id', '=', p);
    else if (f.direction === 'outgoing') q = q.where('target_partner_id', '=', p);
    else q = q.where((eb) => eb.or([eb('source_partner_id', '=', p), eb('target_partner_id', '=', p)]));
  }
  if (f.status) q = q.where('status', '=', f.status);
  if (f.before) {
    const [at, id] = f.before;
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(at)),
        eb.and([eb('created_at', '=', new Date(at)), eb('id', '<', id)]),
      ]),
    );
  }
  return q.execute();
}

/** The latest transfer a target asked for each of these subscriptions (the planner's fallback). */
export async function latestTransferOutcomes(db: Db | Trx, targetPartnerId: string, tenantIds: string[]) {
  if (tenantIds.length === 0) return [];
  return db
    .selectFrom('transfer_line_items as l')
    .innerJoin('transfers as t', 't.id', 'l.transfer_id')
    .select([
      'l.subscription_id',
      't.tenant_id',
      't.status',
      'l.status as lineStatus',
      't.created_at',
      't.id',
    ])
    .where('t.target_partner_id', '=', targetPartnerId)
    .where('t.tenant_id', 'in', tenantIds)
    .orderBy('l.subscription_id')
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .execute();
}

/** The transfer a transition's step asked for this subscription, with the line's status. */
export async function transferOfTransitionLine(db: Db | Trx, transitionId: string, subscriptionId: string) {
  return db
    .selectFrom('transfers as t')
    .innerJoin('transfer_line_items as l', 'l.transfer_id', 't.id')
    .select(['t.id', 't.status', 'l.status as lineStatus'])
    .where('t.transition_id', '=', transitionId)
    .where('l.subscription_id', '=', subscriptionId)
    .orderBy('t.created_at', 'desc')
    .executeTakeFirst();
}
