import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { seedScale } from '../src/seed/scale.ts';
import type { BenchDatabase } from './database.ts';
import { figure, heading, note } from './report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MIB = 1024 * 1024;
/** The application_name of the children's sessions, to wait for them to be gone. */
const CHILD_APP = 'traslado-bench-child';

interface ChildResult<T> {
  /** The last of what the child wrote to stderr (its warnings). */
  stderr?: string;
  wallMs: number;
  /** CPU time (user + system) the child used for the operation. */
  cpuMs: number;
  /** Of which in the kernel (socket writes and reads, mostly). */
  systemCpuMs: number;
  startRssBytes: number;
  peakRssBytes: number;
  result: T;
}

/**
 * `BENCH_CPU_PROF=<folder>`: the plan and apply children write V8 CPU profiles in `<folder>/<op>`
 * (for finding where the time goes), one file per thread: Node's own names (with the thread id)
 * keep a planning worker's profile from overwriting the main thread's.
 */
function profileArgs(op: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}/${op}`] : [];
}

/**
 * The Node flags the `traslado` command runs with (bin/traslado.js's first line, as the CLI's bulk
 * plan and apply run): the children are measured with the runtime the product gives them.
 */
function cliFlags(): string[] {
  const first = readFileSync(`${ROOT}bin/traslado.js`, 'utf8').split('\n', 1)[0]!;
  const words = first
    .replace(/^#!\S*\s*/, '')
    .split(/\s+/)
    .filter(Boolean);
  if (words[0] === '-S') words.shift();
  if (words[0] !== 'node') throw new Error(`bin/traslado.js does not start with a node shebang: ${first}`);
  return words.slice(1);
}

/** Runs bench/bulk-child.ts (planBulk or applyBulk in a process of its own) and reads its RESULT line. */
function runChild<T>(op: 'plan' | 'apply', args: object, databaseUrl: string): Promise<ChildResult<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...cliFlags(), ...profileArgs(op), '--import', 'tsx', 'bench/bulk-child.ts', op, JSON.stringify(args)],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, PGAPPNAME: CHILD_APP },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-8000);
    });
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line)
        resolve({ ...(JSON.parse(line.slice('RESULT '.length)) as ChildResult<T>), stderr: err });
      else reject(new Error(`bulk ${op} exited ${code}: ${err.trim() || out.trim()}`));
    });
  });
}

/** Streams `COPY (query) TO STDOUT` and counts its rows (one line per row in text format). */
async function copyRows(client: pg.Client, query: string): Promise<number> {
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT`));
  let rows = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
  }
  return rows;
}

export interface SeededBook {
  partnerId: string;
  customers: number;
  subscriptions: number;
  users: number;
  assignments: number;
}

export async function seedBook(db: BenchDatabase, customers: number, seed = 1): Promise<SeededBook> {
  const t0 = performance.now();
  let last = 0;
  const book = await seedScale(db.handle.db, {
    customers,
    seed,
    onProgress: (done, total) => {
      if (performance.now() - last > 10_000) {
        last = performance.now();
        note(`seeding: ${done}/${total} customers`);
      }
    },
  });
  note(
    `book seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s (untimed): ${book.tenants} customers, ` +
      `${book.subscriptions} subscriptions, ${book.users} users, ${book.assignments} licenses`,
  );
  await sql`analyze`.execute(db.handle.db);
  return {
    partnerId: book.partnerId,
    customers: book.tenants,
    subscriptions: book.subscriptions,
    users: book.users,
    assignments: book.assignments,
  };
}

/**
 * 1. Bulk plan: planBulk over the whole book in a child process (wall time, peak RSS), against
 * COPY … TO STDOUT of the same rows it reads (the partner's customers, their subscriptions, their
 * licenses with the users' names, their delegated-admin grants) in this run.
 */
export async function benchPlan(db: BenchDatabase, book: SeededBook, reportFile: string, full: boolean) {
  heading(
    `1. Bulk plan: ${book.customers} customers, ${book.subscriptions} source subscriptions, ${book.users} users`,
  );
  const child = await runChild<{ customers: number; counts: Record<string, number> }>(
    'plan',
    { partnerId: book.partnerId, out: reportFile },
    db.url,
  );
  const p = book.partnerId.replace(/[^0-9a-f-]/g, '');
  const mine = `select tenant_id from relationships where partner_id = '${p}' and status = 'accepted'`;
  const queries = [
    `select t.* from tenants t where t.id in (${mine}) order by t.id`,
    `select s.* from subscriptions s where s.tenant_id in (${mine})`,
    `select a.tenant_id, u.id, u.user_principal_name, a.sku_id, a.excluded_plans
       from license_assignments a join directory_users u on u.id = a.directory_user_id
      where a.tenant_id in (${mine}) order by a.tenant_id, u.id`,
    `select distinct tenant_id from delegated_admin_grants
      where partner_id = '${p}' and tenant_id in (${mine}) and status = 'active'`,
  ];
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  let copied = 0;
  const c0 = performance.now();
  try {
    for (const q of queries) copied += await copyRows(client, q);
  } finally {
    await client.end();
  }
  const copyS = (performance.now() - c0) / 1000;
  const planS = child.wallMs / 1000;
  note(
    `verdicts: ${Object.entries(child.result.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; rows read = ${copied} (customers, subscriptions, licenses, grants)`,
  );
  // The 10-second target is for 10,000 customers: judged on that book only. A smaller book gets the
  // time 10,000 would take at its rate (planning is linear in customers; a small book's fixed costs
  // inflate it), not a "met" that says nothing.
  if (full) figure('plan.wall_s', planS, 's', { op: '≤', value: 10, unit: 's' });
  else {
    figure('plan.wall_s', planS, 's');
    note(
      `at this rate 10,000 customers would take ~${((planS * 10_000) / book.customers).toFixed(0)} s (target ≤ 10 s, judged on the full book)`,
    );
  }
  figure('plan.rows_per_s', copied / planS, 'rows/s');
  figure('plan.copy_rows_per_s', copied / copyS, 'rows/s');
  figure('plan.ratio_vs_copy', copied / planS / (copied / copyS), '×', { op: '≥', value: 0.25, unit: '×' });
  figure('plan.peak_rss_mib', child.peakRssBytes / MIB, 'MiB', { op: '≤', value: 1024, unit: 'MiB' });
  note(
    `peak RSS is the planning child's own (a Node process through tsx starts at ${Math.round(child.startRssBytes / MIB)} MiB); the children run with the traslado command's Node flags: ${cliFlags().join(' ') || '(none)'}`,
  );
  return child.result;
}

/** Rows written per table since the stats were last reset, from the server's own counters. */
async function writtenRows(db: BenchDatabase, tables: string[]): Promise<number> {
  const r = await sql<{ n: number }>`
    select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint as n
      from pg_stat_user_tables where relname in (${sql.join(tables)})`.execute(db.handle.db);
  return Number(r.rows[0]!.n);
}

/** Waits until the children's sessions have ended: a session flushes its counters as it ends. */
async function settleStats(db: BenchDatabase) {
  for (let i = 0; i < 100; i++) {
    const r = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
       where datname = current_database() and application_name = ${CHILD_APP}`.execute(db.handle.db);
    if (r.rows[0]!.n === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  await sql`select pg_stat_clear_snapshot()`.execute(db.handle.db);
}

/** What a second apply could change if it did anything twice. */
async function digest(db: BenchDatabase) {
  const r = await sql<Record<string, string>>`
    select
      (select count(*) || ' ' || md5(coalesce(string_agg(s::text, ',' order by s.id), '')) from subscriptions s) as subscriptions,
      (select count(*) || ' ' || md5(coalesce(string_agg(a::text, ',' order by a::text), '')) from license_assignments a) as licenses,
      (select count(*) || ' ' || md5(coalesce(string_agg(o::text, ',' order by o.id), '')) from orders o) as orders,
      (select count(*)::text from transition_steps where status = 'done') as steps_done,
      (select string_agg(status || ':' || n, ',' order by status) from
         (select status, count(*) n from transitions group by status) s) as transitions`.execute(
    db.handle.db,
  );
  return r.rows[0]!;
}

/**
 * 2. Bulk apply: applyBulk over the plan report in a child process; rows = rows it inserted,
 * updated or deleted in subscriptions and license_assignments (the server's counters). Exactly
 * once: a second applyBulk over the same report changes nothing. Baseline: the same number of rows
 * inserted by multi-row INSERTs (1,000 rows a statement) into a scratch table like subscriptions.
 */
export async function benchApply(db: BenchDatabase, reportFile: string) {
  heading('2. Bulk apply: every ready plan of the report, with its license moves');
  const tables = ['subscriptions', 'license_assignments'];
  const allTables = (
    await sql<{ relname: string }>`select relname from pg_stat_user_tables`.execute(db.handle.db)
  ).rows.map((r) => r.relname);
  await settleStats(db);
  const before = await writtenRows(db, tables);
  const beforeAll = await writtenRows(db, allTables);
  const child = await runChild<{
    applied: number;
    waiting: number;
    failed: unknown[];
    skipped: number;
    underway: number;
  }>('apply', { report: reportFile }, db.url);
  await settleStats(db);
  const rows = (await writtenRows(db, tables)) - before;
  const rowsAll = (await writtenRows(db, allTables)) - beforeAll;
  const r = child.result;
  note(
    `transitions: ${r.applied} applied, ${r.waiting} waiting, ${r.failed.length} failed, ${r.skipped} skipped, ${r.underway} under way; ` +
      `${rows} subscription and license rows written (${rowsAll} rows in all tables, queue and audit included)`,
  );
  const applyS = child.wallMs / 1000;
  note(
    `the applying process used ${(child.cpuMs / 1000).toFixed(1)} s of CPU (${(child.systemCpuMs / 1000).toFixed(1)} s of it in the kernel) in ${applyS.toFixed(1)} s`,
  );

  const d1 = await digest(db);
  const again = await runChild<{ applied: number; waiting: number }>('apply', { report: reportFile }, db.url);
  const d2 = await digest(db);
  const changed = Object.keys(d1).filter((k) => d1[k] !== d2[k]);
  note(
    `second apply of the same report: ${again.result.applied} applied, ${again.result.waiting} waiting; ` +
      (changed.length ? `changed: ${changed.join(', ')}` : 'nothing changed'),
  );

  // Baseline: the same number of rows, shaped like subscriptions, by multi-row INSERT.
  const n = Math.max(1, rows);
  const insertS = await rawInsert(db, n);
  figure('apply.wall_s', applyS, 's');
  figure('apply.rows_per_s', rows / applyS, 'rows/s');
  figure('apply.insert_rows_per_s', n / insertS, 'rows/s');
  figure('apply.ratio_vs_insert', rows / applyS / (n / insertS), '×', { op: '≥', value: 0.3, unit: '×' });
  figure('apply.second_run_changes', changed.length, 'changes', {
    op: '≤',
    value: 0,
    unit: '(exactly once)',
  });
  figure('apply.peak_rss_mib', child.peakRssBytes / MIB, 'MiB');
  return { ...r, rows, changed, rowsPerS: rows / applyS };
}

/**
 * 5. Many processes on one PostgreSQL: a second book of the same size and shape (seedScale's next
 * seed, planned untimed) applied by two processes at once, each `applyBulk` over half the report
 * with half the workers (2 each; the single process above ran 4), sharing the server and the job
 * queue. Rows written per second against the single process's figure in this run.
 */
export async function benchApplyProcesses(
  db: BenchDatabase,
  customers: number,
  reportFile: string,
  single: { rowsPerS: number },
) {
  heading('5. Bulk apply with 2 processes on the same server (a second book, same size)');
  const book = await seedBook(db, customers, 2);
  await runChild('plan', { partnerId: book.partnerId, out: reportFile }, db.url);
  // Two reports: the header, then every other customer.
  const [header, ...entries] = readFileSync(reportFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const halves = [0, 1].map((h) => {
    const file = `${reportFile}.${h}`;
    writeFileSync(file, `${[header, ...entries.filter((_, i) => i % 2 === h)].join('\n')}\n`);
    return file;
  });
  const tables = ['subscriptions', 'license_assignments'];
  try {
    await settleStats(db);
    const before = await writtenRows(db, tables);
    const results = await Promise.all(
      halves.map((file) =>
        runChild<{ applied: number; waiting: number; failed: unknown[] }>(
          'apply',
          { report: file, concurrency: 2 },
          db.url,
        ),
      ),
    );
    // The longer of the two: both children were started together (their Node and
    // tsx start, a few seconds, is left out, as for the single process).
    const wallS = Math.max(...results.map((r) => r.wallMs)) / 1000;
    await settleStats(db);
    const rows = (await writtenRows(db, tables)) - before;
    note(
      `two processes: ${results.map((r) => `${r.result.applied} applied, ${r.result.waiting} waiting, ${r.result.failed.length} failed in ${(r.wallMs / 1000).toFixed(1)} s (${(r.cpuMs / 1000).toFixed(1)} s CPU)`).join('; ')}; ${rows} rows written`,
    );
    const warned = results.map((r) => (r.stderr ?? '').split('\n').filter((l) => l.includes('"level":40')));
    if (warned.some((w) => w.length > 0))
      note(
        `warnings: ${warned.map((w) => w.length).join(' + ')}; last: ${warned.flat().slice(-3).join(' | ').slice(0, 1500)}`,
      );
    figure('apply2.wall_s', wallS, 's');
    figure('apply2.rows_per_s', rows / wallS, 'rows/s');
    figure('apply2.ratio_vs_one_process', rows / wallS / single.rowsPerS, '×', {
      op: '≥',
      value: 1,
      unit: '×',
    });
  } finally {
    for (const f of halves) rmSync(f, { force: true });
  }
}

async function rawInsert(db: BenchDatabase, n: number): Promise<number> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query('drop table if exists bench_scratch');
    await client.query('create table bench_scratch (like subscriptions including all)');
    const sample = (await client.query('select * from subscriptions order by id limit 1000')).rows as Record<
      string,
      unknown
    >[];
    if (sample.length === 0) throw new Error('no subscriptions to shape the baseline rows on');
    const cols = Object.keys(sample[0]!);
    const per = 1000;
    const t0 = performance.now();
    for (let done = 0; done < n; done += per) {
      const count = Math.min(per, n - done);
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (let i = 0; i < count; i++) {
        const row: Record<string, unknown> = {
          ...sample[(done + i) % sample.length]!,
          id: `bench-${done + i}`,
        };
        tuples.push(`(${cols.map((_, c) => `$${values.length + c + 1}`).join(',')})`);
        for (const c of cols) values.push(row[c]);
      }
      await client.query(
        `insert into bench_scratch (${cols.map((c) => `"${c}"`).join(',')}) values ${tuples.join(',')}`,
        values,
      );
    }
    const s = (performance.now() - t0) / 1000;
    await client.query('drop table bench_scratch');
    return s;
  } finally {
    await client.end();
  }
}
