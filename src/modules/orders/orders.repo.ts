import type { Selectable } from 'kysely';
import type { Db, OrdersTable, Trx } from '../../platform/db/database.ts';

export type OrderRow = Selectable<OrdersTable>;

/** Many orders in one statement (a batch of transitions' purchases). */
export async function insertOrders(
  db: Trx,
  orders: {
    id: string;
    tenantId: string;
    partnerId: string;
    userId: string | null;
    lineItems: { offerId: string; quantity: number; subscriptionId: string }[];
    partnerOnRecordId?: string | null;
    now: Date;
  }[],
) {
  if (orders.length === 0) return;
  await db
    .insertInto('orders')
    .values(
      orders.map((o) => ({
        id: o.id,
        tenant_id: o.tenantId,
        partner_id: o.partnerId,
        created_by_user_id: o.userId,
        status: 'completed' as const,
        line_items: JSON.stringify(o.lineItems),
        partner_on_record_id: o.partnerOnRecordId ?? null,
        created_at: o.now,
      })),
    )
    .execute();
}

export async function findOrder(db: Db | Trx, tenantId: string, id: string) {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A page of a tenant's orders, newest first; a partner's own only when `partnerId` is given. */
export async function listOrderRows(
  db: Db | Trx,
  f: { tenantId: string; partnerId?: string; before?: [string, string]; limit: number },
) {
  let q = db
    .selectFrom('orders')
    .selectAll()
    .where('tenant_id', '=', f.tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  // A partner sees the orders it placed and, as an indirect reseller, those placed for it.
  if (f.partnerId) {
    const p = f.partnerId;
    q = q.where((eb) => eb.or([eb('partner_id', '=', p), eb('partner_on_record_id', '=', p)]));
  }
  if (f.before) {
    const [at, id] = f.before;
    const t = new Date(at);
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', t), eb.and([eb('created_at', '=', t), eb('id', '<', id)])]),
    );
  }
  return q.execute();
}
