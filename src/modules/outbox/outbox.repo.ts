import type { Db, Trx } from '../../platform/db/database.ts';

type NewOutboxEvent = { id: string; type: string; payload: Record<string, unknown>; now: Date };

/** Events in one statement; their `seq` follows the order given. */
export async function insertOutboxEvents(db: Trx, events: NewOutboxEvent[]) {
  if (events.length === 0) return;
  await db
    .insertInto('outbox_events')
    .values(
      events.map((e) => ({ id: e.id, type: e.type, payload: JSON.stringify(e.payload), created_at: e.now })),
    )
    .execute();
}

/** The oldest unpublished events, locked; rows another publisher holds are skipped. */
export async function takeUnpublished(db: Trx, limit: number) {
  return db
    .selectFrom('outbox_events')
    .select(['id', 'type', 'payload', 'created_at', 'seq'])
    .where('published_at', 'is', null)
    .orderBy('seq')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function markPublished(db: Trx, ids: string[], now: Date) {
  if (ids.length === 0) return;
  await db.updateTable('outbox_events').set({ published_at: now }).where('id', 'in', ids).execute();
}

/** Whether any event waits to be published (a cheap look, for the publisher's wake-up). */
export async function hasUnpublished(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('outbox_events')
    .select('id')
    .where('published_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The payload and time of these events, by id (a consumer's deliveries name their events). */
export async function eventsByIds(db: Db | Trx, ids: string[]) {
  if (ids.length === 0) return new Map<string, { payload: Record<string, unknown>; created_at: Date }>();
  const rows = await db
    .selectFrom('outbox_events')
    .select(['id', 'payload', 'created_at'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { payload: r.payload, created_at: r.created_at }]));
}
