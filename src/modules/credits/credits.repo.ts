import type { Selectable } from 'kysely';
import type { CreditRequestsTable, Db, Trx } from '../../platform/db/database.ts';

export type CreditRequestRow = Selectable<CreditRequestsTable>;

export interface NewCreditRequest {
  id: string;
  tenantId: string;
  subscriptionId: string;
  newSubscriptionId: string | null;
  currency: string | null;
  filedBy: 'customer' | 'partner';
  partnerId: string | null;
  userId: string;
  reason: string;
  amount: number | null;
  now: Date;
}

/** Many requests in one statement, answered as stored. */
export async function insertCreditRequests(db: Trx, requests: NewCreditRequest[]) {
  if (requests.length === 0) return [];
  return db
    .insertInto('credit_requests')
    .values(
      requests.map((r) => ({
        id: r.id,
        tenant_id: r.tenantId,
        subscription_id: r.subscriptionId,
        new_subscription_id: r.newSubscriptionId,
        currency: r.currency,
        filed_by: r.filedBy,
        partner_id: r.partnerId,
        filed_by_user_id: r.userId,
        reason: r.reason,
        requested_amount: r.amount,
        status: 'submitted' as const,
        created_at: r.now,
      })),
    )
    .returningAll()
    .execute();
}

export async function findCreditRequest(db: Db | Trx, id: string): Promise<CreditRequestRow | undefined> {
  return db.selectFrom('credit_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first; by tenant (customer), by tenant and filing partner (partner), or all (operator). */
export async function listCreditRequestRows(
  db: Db | Trx,
  f: {
    tenantId?: string;
    partnerId?: string;
    status?: 'submitted' | 'approved' | 'rejected';
    before?: [string, string];
    limit: number;
  },
) {
  let q = db
    .selectFrom('credit_requests')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.tenantId) q = q.where('tenant_id', '=', f.tenantId);
  if (f.partnerId) q = q.where('partner_id', '=', f.partnerId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.before) {
    const at = new Date(f.before[0]);
    const id = f.before[1];
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
    );
  }
  return q.execute();
}

export async function decideCreditRequest(
  db: Trx,
  id: string,
  d: { status: 'approved' | 'rejected'; amount: number | null; userId: string; now: Date },
) {
  return db
    .updateTable('credit_requests')
    .set({ status: d.status, decided_amount: d.amount, decided_by_user_id: d.userId, decided_at: d.now })
    .where('id', '=', id)
    .where('status', '=', 'submitted')
    .returning('id')
    .executeTakeFirst();
}
