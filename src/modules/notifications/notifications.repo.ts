import type { Db, Trx } from '../../platform/db/database.ts';

export interface NewNotification {
  id: string;
  userId: string;
  eventId: string;
  eventSeq: number;
  kind: string;
  partnerId: string | null;
  tenantId: string | null;
  data: Record<string, unknown>;
  now: Date;
}

export async function insertNotifications(db: Trx, rows: NewNotification[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('notifications')
      .values(
        rows.slice(i, i + 500).map((n) => ({
          id: n.id,
          user_id: n.userId,
          event_id: n.eventId,
          event_seq: n.eventSeq,
          kind: n.kind,
          partner_id: n.partnerId,
          tenant_id: n.tenantId,
          data: JSON.stringify(n.data),
          created_at: n.now,
        })),
      )
      // An event notifies a user once, whatever publishes it again.
      .onConflict((oc) => oc.columns(['user_id', 'event_id']).doNothing())
      .execute();
  }
}

/** A user's notifications, newest first: in the order of their events (keyset on the event's seq). */
export async function listUserNotifications(
  db: Db,
  userId: string,
  opts: { limit: number; beforeSeq?: number; unreadOnly?: boolean },
) {
  let q = db
    .selectFrom('notifications')
    .select(['id', 'kind', 'data', 'created_at', 'read_at', 'event_seq'])
    .where('user_id', '=', userId);
  if (opts.unreadOnly) q = q.where('read_at', 'is', null);
  if (opts.beforeSeq !== undefined) q = q.where('event_seq', '<', opts.beforeSeq);
  return q
    .orderBy('event_seq', 'desc')
    .limit(opts.limit + 1)
    .execute();
}

export async function countUnread(db: Db | Trx, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Marks one of the user's notifications read (once: the first reading stays); undefined if not theirs. */
export async function markRead(db: Trx, userId: string, id: string, now: Date) {
  await db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
  return db
    .selectFrom('notifications')
    .select(['id', 'kind', 'data', 'created_at', 'read_at'])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function markAllRead(db: Trx, userId: string, now: Date): Promise<number> {
  const res = await db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
