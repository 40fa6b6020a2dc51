import type { Db, Trx } from '../../platform/db/database.ts';

export interface NewNotification {
  id: string;
  userId: string;
  eventId: string;
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

/** A user's notifications, newest first (keyset on created_at, id). */
export async function listUserNotifications(
  db: Db,
  userId: string,
  opts: { limit: number; before?: [string, string]; unreadOnly?: boolean },
) {
  let q = db
    .selectFrom('notifications')
    .select(['id', 'kind', 'data', 'created_at', 'read_at'])
    .where('user_id', '=', userId);
  if (opts.unreadOnly) q = q.where('read_at', 'is', null);
  if (opts.before) {
    const [at, id] = opts.before;
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(at)),
        eb.and([eb('created_at', '=', new Date(at)), eb('id', '<', id)]),
      ]),
    );
  }
  return q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
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
