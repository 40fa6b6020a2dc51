import type { Db, Trx } from '../../platform/db/database.ts';

/** The bulk plan runs' SQL (migration 0024): a run's row, its customers, and the reads of both. */

export async function insertBulkRun(db: Db | Trx, r: { id: string; partnerId: string; now: Date }) {
  await db
    .insertInto('bulk_plan_runs')
    .values({ id: r.id, partner_id: r.partnerId, created_at: r.now, finished_at: null })
    .execute();
}

export async function insertBulkRunCustomers(
  db: Db | Trx,
  rows: {
    runId: string;
    seq: number;
    tenantId: string;
    companyName: string | null;
    transitionId: string | null;
    verdict: string;
    /** `{ code, params, line? }[]` as JSON text. */
    reasonsJson: string;
  }[],
) {
  if (rows.length === 0) return;
  await db
    .insertInto('bulk_plan_run_customers')
    .values(
      rows.map((r) => ({
        run_id: r.runId,
        seq: r.seq,
        tenant_id: r.tenantId,
        company_name: r.companyName,
        transition_id: r.transitionId,
        verdict: r.verdict,
        reasons: r.reasonsJson,
      })),
    )
    .execute();
}

export async function finishBulkRun(
  db: Db | Trx,
  r: { id: string; customers: number; counts: Record<string, number>; now: Date },
) {
  await db
    .updateTable('bulk_plan_runs')
    .set({ finished_at: r.now, customers: r.customers, counts: JSON.stringify(r.counts) })
    .where('id', '=', r.id)
    .execute();
}

export async function listBulkRunRows(db: Db | Trx, partnerId: string, limit: number) {
  return db
    .selectFrom('bulk_plan_runs')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function findBulkRun(db: Db | Trx, partnerId: string, id: string) {
  return db
    .selectFrom('bulk_plan_runs')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function bulkRunCustomerRows(db: Db | Trx, runId: string) {
  return db
    .selectFrom('bulk_plan_run_customers')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('seq')
    .execute();
}

export async function bulkRunTransitionRows(db: Db | Trx, runId: string) {
  return db
    .selectFrom('bulk_plan_run_customers')
    .select('transition_id')
    .where('run_id', '=', runId)
    .where('transition_id', 'is not', null)
    .execute();
}
