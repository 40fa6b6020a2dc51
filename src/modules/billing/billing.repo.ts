import { randomUUID } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import type { BillingLinesTable, Db, Trx } from '../../platform/db/database.ts';

export type BillingLineRow = Selectable<BillingLinesTable>;
export type NewBillingLine = Omit<Insertable<BillingLinesTable>, 'id' | 'created_at' | 'invoice_id'>;

/**
 * Writes a billing line once per causing event: a second write of the same `source_key` (a retried
 * job, a second process, a replayed step) changes nothing. Returns whether this call wrote it.
 * Call it inside the transaction that makes the change it bills, so a crash leaves both or neither.
 */
export async function insertBillingLines(db: Db | Trx, lines: NewBillingLine[], now: Date) {
  if (lines.length === 0) return;
  await db
    .insertInto('billing_lines')
    .values(lines.map((line) => ({ ...line, id: randomUUID(), created_at: now })))
    .onConflict((oc) => oc.column('source_key').doNothing())
    .execute();
}

/** One line (see `insertBillingLines`, many lines in one statement, each written once too). */
export async function insertBillingLine(db: Db | Trx, line: NewBillingLine, now: Date): Promise<boolean> {
  const res = await db
    .insertInto('billing_lines')
    .values({ ...line, id: randomUUID(), created_at: now })
    .onConflict((oc) => oc.column('source_key').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}
