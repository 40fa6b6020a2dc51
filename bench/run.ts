import { rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchApi } from './api.ts';
import { benchApply, benchApplyProcesses, benchPlan, seedBook } from './bulk.ts';
import { benchCatalog } from './catalog.ts';
import { type BenchDatabase, createBenchDatabase } from './database.ts';
import { benchReconciliation } from './reconciliation.ts';
import { figures, heading, note, parseArgs } from './report.ts';
import { benchStart } from './start.ts';

/**
 * `npm run bench` (full size) or `npm run bench -- --small` (the CI size). Flags: `--customers N`,
 * `--duration S` (API load, seconds), `--start-runs N`, `--lines N` (the reconciliation invoice),
 * `--only plan,apply,api,start,catalog,reconciliation`.
 * Prints every figure with its target and whether this run met it; asserts nothing.
 * Runs on DATABASE_URL, TEST_DATABASE_URL or the local PostgreSQL, in a throwaway database
 * `traslado_bench_<pid>` dropped at the end.
 */
const args = parseArgs(process.argv.slice(2));
const small = args.has('small');
const customers = args.num('customers', small ? 20 : 10_000);
// Small: 1 s per side (the CI's check that every figure prints, not a measurement).
const durationS = args.num('duration', small ? 1 : 10);
const startRuns = args.num('start-runs', small ? 1 : 5);
const invoiceLines = args.num('lines', small ? 2_000 : 100_000);
const onlyFlag = args.flags.get('only');
const only = new Set(
  typeof onlyFlag === 'string'
    ? onlyFlag.split(',')
    : ['plan', 'apply', 'api', 'start', 'catalog', 'reconciliation'],
);
const full = customers >= 10_000;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const t0 = performance.now();
console.log(
  `Traslado bench (${small ? 'small' : full ? 'full' : 'custom'} size), ${new Date().toISOString()}`,
);
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `Node ${process.version}, load average ${load()} at start`,
);

let db: BenchDatabase | undefined;
const reportFile = join(tmpdir(), `traslado-bench-${process.pid}.jsonl`);
const cleanup = async () => {
  rmSync(reportFile, { force: true });
  rmSync(`${reportFile}.summary.csv`, { force: true });
  await db?.drop();
};
process.once('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});

try {
  if (only.has('catalog')) benchCatalog(small ? 3 : 5);
  if (only.has('plan') || only.has('apply') || only.has('api') || only.has('reconciliation')) {
    db = await createBenchDatabase();
    console.log(`PostgreSQL ${db.serverVersion}, database ${db.name} (dropped at the end)`);
    if (only.has('plan') || only.has('apply')) {
      heading(`Seeding the book: ${customers} customers (seedScale)`);
      const book = await seedBook(db, customers);
      await benchPlan(db, book, reportFile, full);
      if (only.has('apply')) {
        const single = await benchApply(db, reportFile);
        await benchApplyProcesses(db, customers, reportFile, single);
      }
    }
    if (only.has('api')) await benchApi({ databaseUrl: db.url, durationS });
    if (only.has('reconciliation')) await benchReconciliation(db, invoiceLines);
  }
} finally {
  await cleanup();
}
if (only.has('start')) await benchStart(startRuns);

heading('Summary');
for (const f of figures.filter((x) => x.target)) console.log(`  ${f.met ? 'met    ' : 'not met'}  ${f.key}`);
note(`bench took ${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${load()} at the end`);
// Child processes and pools are closed; leave nothing to keep the event loop alive.
process.exit(0);
