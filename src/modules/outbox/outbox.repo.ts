import type { Trx } from '../../platform/db/database.ts';

export async function insertOutboxEvent(
  db: Trx,
  e: { id: string; type: string; payload: Record<string, unknown>; now: Date },
) {
  await db
    .insertInto('outbox_events')
    .values({ id: e.id, type: e.type, payload: JSON.stringify(e.payload), created_at: e.now })
    .execute();
}
