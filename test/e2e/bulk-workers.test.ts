import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBulk, type ReportCustomer } from '../../src/cli/plan-report.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { DatabaseHandle } from '../../src/platform/db/connect.ts';
import { createLogger } from '../../src/platform/log.ts';
import { seedScale } from '../../src/seed/scale.ts';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';

/**
 * Bulk planning in worker threads (issue 20): the same book planned in the main thread and by two
 * workers gives the same plans, the same report lines in the same order, the same CSV summary and
 * the same run as the console reads it; only the new transitions' ids differ.
 */
const config = loadConfig({}, { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
const log = createLogger('silent');
const CUSTOMERS = 45;
let db: TestDatabase;
let h: DatabaseHandle;
let dir: string;
let partnerId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  h = db.handle;
  dir = mkdtempSync(join(tmpdir(), 'traslado-bulk-workers-'));
  partnerId = (await seedScale(h.db, { customers: CUSTOMERS, seed: 23, config })).partnerId;
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

/** A run's report, CSV, saved plans and run rows, with each transition id named by its tenant. */
async function planWith(workers: number) {
  const out = join(dir, `plan-${workers}.jsonl`);
  const result = await planBulk(h, {
    partnerId,
    out,
    batchSize: 4,
    workers,
    // Fixed dates in the plans: each line bought now, whatever day the test runs on.
    options: { provision: 'now' },
    config,
    log,
  });
  const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  const customers = lines.map((l) => JSON.parse(l) as ReportCustomer);
  const ids = new Map(customers.filter((c) => c.transitionId).map((c) => [c.transitionId!, c.tenantId]));
  // The instant each run plans at (its `provisionAt` for lines bought now) differs between runs.
  const byTenant = (text: string) => {
    let t = text.replaceAll(result.generatedAt, 'NOW');
    for (const [id, tenant] of ids) t = t.replaceAll(id, `transition-of-${tenant}`);
    return t;
  };
  const saved = await h.executeSql(
    `select tenant_id, verdict, status, plan::text as plan from transitions where id = any($1) order by tenant_id`,
    [[...ids.keys()]],
  );
  const run = await h.executeSql(
    `select c.seq, c.tenant_id, c.company_name, c.verdict, c.reasons::text as reasons, c.transition_id
       from bulk_plan_run_customers c
      where c.run_id = (select id from bulk_plan_runs where partner_id = $1 order by created_at desc, id desc limit 1)
      order by c.seq`,
    [partnerId],
  );
  return {
    result,
    report: lines.map(byTenant),
    summary: readFileSync(`${out}.summary.csv`, 'utf8'),
    plans: (saved.rows as { plan: string }[]).map((r) => ({ ...r, plan: byTenant(r.plan) })),
    run: (run.rows as { transition_id: string | null }[]).map((r) => ({
      ...r,
      transition_id: r.transition_id && ids.get(r.transition_id),
    })),
  };
}

describe('planBulk with worker threads', () => {
  it('plans, reports and records exactly what planning in the main thread does, in the same order', async () => {
    const inThread = await planWith(0);
    const inWorkers = await planWith(2);
    expect(inThread.result.workers).toBe(0);
    expect(inWorkers.result.workers).toBe(2);
    expect(inWorkers.result.customers).toBe(CUSTOMERS);
    expect(inWorkers.result.batches).toBe(Math.ceil(CUSTOMERS / 4));
    expect(inWorkers.result.counts).toEqual(inThread.result.counts);
    // Not a trivial book: several verdicts, and lines with reasons.
    expect(Object.values(inThread.result.counts).filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(inThread.report).toHaveLength(CUSTOMERS);
    const tenants = inThread.report.map((l) => (JSON.parse(l) as ReportCustomer).tenantId);
    expect(tenants).toEqual([...tenants].sort());
    expect(inWorkers.report).toEqual(inThread.report);
    expect(inWorkers.summary).toEqual(inThread.summary);
    expect(inThread.plans.length).toBeGreaterThan(0);
    expect(inWorkers.plans).toEqual(inThread.plans);
    expect(inThread.run).toHaveLength(CUSTOMERS);
    expect(inWorkers.run).toEqual(inThread.run);
  }, 120_000);
});
