import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planBulk } from '../../src/cli/plan-report.ts';
import type { Plan } from '../../src/domain/planner/types.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { DatabaseHandle } from '../../src/platform/db/connect.ts';
import { createLogger } from '../../src/platform/log.ts';
import { seedScale } from '../../src/seed/scale.ts';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';

/**
 * `traslado apply REPORT` SIGKILLed at a random point, then run again to completion, must end
 * exactly as an uninterrupted run on the same book: every ready plan applied once (no duplicate
 * order or partner subscription, each step done once), every transition applied or waiting.
 * The random choices come from a printed seed (CRASH_SEED to replay; CRASH_KILLS kills, default 2).
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const BOOK_SEED = 31;
const CUSTOMERS = 30;
const config = loadConfig({}, { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
const log = createLogger('silent');
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
let random = SEED;
/** mulberry32, so a failing run can be replayed with CRASH_SEED. */
function rand() {
  random = (random + 0x6d2b79f5) >>> 0;
  let t = random;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

interface Book {
  db: TestDatabase;
  url: string;
  report: string;
  ready: number;
}
let calm: Book;
let rough: Book;
let dir: string;
const children: ChildProcess[] = [];

const urlOf = (h: DatabaseHandle) =>
  (h.pool as unknown as { options: { connectionString: string } }).options.connectionString;

async function book(name: string): Promise<Book> {
  const db = await openTestDatabase('postgres');
  const seeded = await seedScale(db.handle.db, { customers: CUSTOMERS, seed: BOOK_SEED, config });
  const report = join(dir, `${name}.jsonl`);
  const planned = await planBulk(db.handle, {
    partnerId: seeded.partnerId,
    out: report,
    config,
    log,
    options: { provision: 'now' },
  });
  return { db, url: urlOf(db.handle), report, ready: planned.counts.ready };
}

function apply(b: Book) {
  const child = spawn(process.execPath, ['bin/traslado.js', 'apply', b.report, '--concurrency', '3'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: b.url, LOG_LEVEL: 'warn', TRASLADO_CLOCK: 'unlocked' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const progressLines: ((n: number) => void)[] = [];
  let lines = 0;
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
    lines = (stderr.match(/^applying \d+\/\d+/gm) ?? []).length;
    for (const f of progressLines) f(lines);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    /** Resolves once `n` progress lines were printed (or the process ended). */
    afterLines: (n: number) =>
      Promise.race([
        exited,
        new Promise<void>((resolve) => {
          if (lines >= n) resolve();
          progressLines.push((k) => k >= n && resolve());
        }),
      ]),
  };
}

/** Everything a run changes, per tenant, without the ids a run makes up. */
async function endState(b: Book) {
  const q = async (text: string) => (await b.db.handle.executeSql(text)).rows as Record<string, unknown>[];
  const partnerSubs = await q(`
    select s.tenant_id, string_agg(s.offer_id || '×' || s.quantity, ',' order by s.offer_id, s.quantity) as subs
    from subscriptions s join partners p on p.id = s.partner_id
    where s.channel = 'partner' and p.name like 'Scale Partner %' group by s.tenant_id order by s.tenant_id`);
  const licenses = await q(`
    select u.tenant_id, md5(string_agg(u.user_principal_name || ':' || a.sku_id, ',' order by u.user_principal_name, a.sku_id)) as licenses
    from license_assignments a join directory_users u on u.id = a.directory_user_id
    group by u.tenant_id order by u.tenant_id`);
  const transitions = await q(`
    select t.tenant_id, t.status,
      string_agg(s.step_key || '=' || s.status, ',' order by s.step_key) as steps
    from transitions t left join transition_steps s on s.transition_id = t.id
    group by t.tenant_id, t.status order by t.tenant_id`);
  const orders = await q(
    `select tenant_id, count(*)::int as n from orders group by tenant_id order by tenant_id`,
  );
  const subscriptionStates = await q(`
    select tenant_id, string_agg(offer_id || ':' || auto_renew || ':' || (cancelled_at is not null), ',' order by offer_id, auto_renew, (cancelled_at is not null)) as s
    from subscriptions where channel <> 'partner' group by tenant_id order by tenant_id`);
  return { partnerSubs, licenses, transitions, orders, subscriptionStates };
}

beforeAll(async () => {
  console.log(`[cli-apply-kill] CRASH_SEED=${SEED}`);
  dir = mkdtempSync(join(tmpdir(), 'traslado-kill-'));
  calm = await book('calm');
  rough = await book('rough');
}, 300_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await calm?.db.drop();
  await rough?.db.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('SIGKILLed at random points and run again, apply ends exactly as an uninterrupted run', async () => {
  expect(calm.ready).toBeGreaterThan(5);
  expect(rough.ready).toBe(calm.ready);

  const reference = apply(calm);
  expect(await reference.exited).toBe(0);
  const summary = /(\d+) applied, (\d+) waiting .*, 0 failed, (\d+) skipped/.exec(reference.output().stdout);
  expect(summary).not.toBeNull();
  expect(Number(summary![1]) + Number(summary![2])).toBe(calm.ready);
  const expected = await endState(calm);

  const kills = Number(process.env.CRASH_KILLS ?? 2);
  let killedMidway = 0;
  for (let k = 0; k < kills; k++) {
    const run = apply(rough);
    // The first kill lands right after the first progress line, so at least one lands mid-run;
    // the others at random points.
    const lines = k === 0 ? 1 : 1 + Math.floor(rand() * 3);
    const delay = k === 0 ? 0 : Math.floor(rand() * 800);
    await run.afterLines(lines);
    await new Promise((r) => setTimeout(r, delay));
    const stillRunning = run.child.exitCode === null;
    run.child.kill('SIGKILL');
    await run.exited;
    if (stillRunning) killedMidway++;
    console.log(
      `[cli-apply-kill] kill ${k + 1}: after ${lines} progress lines + ${delay} ms (${stillRunning ? 'killed mid-run' : 'had already finished'})`,
    );
  }
  const last = apply(rough);
  expect(await last.exited).toBe(0);
  expect(last.output().stdout).toMatch(
    new RegExp(`${summary![1]} applied, ${summary![2]} waiting .*, 0 failed, ${summary![3]} skipped`),
  );
  console.log(`[cli-apply-kill] ${killedMidway}/${kills} kills landed mid-run`);
  expect(killedMidway).toBeGreaterThan(0);

  const got = await endState(rough);
  expect(got).toEqual(expected);

  // Exactly once, checked directly: one step row per timeline step, each step done at most once
  // (one audit row per done step), one order per provision step, every transition applied or waiting.
  const rows = (
    await rough.db.handle.executeSql(
      `select t.id, t.status, t.plan,
       (select count(*)::int from transition_steps s where s.transition_id = t.id) as steps,
       (select count(*)::int from orders o where o.tenant_id = t.tenant_id) as orders,
       (select count(*)::int from audit_events a where a.target_id = t.id and a.action = 'transition.step-done') as done_rows,
       (select count(distinct a.data->>'step')::int from audit_events a where a.target_id = t.id and a.action = 'transition.step-done') as done_steps
     from transitions t where t.verdict = 'ready'`,
    )
  ).rows as {
    status: string;
    plan: Plan;
    steps: number;
    orders: number;
    done_rows: number;
    done_steps: number;
  }[];
  expect(rows).toHaveLength(rough.ready);
  for (const r of rows) {
    expect(['applied', 'waiting']).toContain(r.status);
    expect(r.steps).toBe(r.plan.timeline.length);
    expect(r.orders).toBe(r.plan.timeline.filter((s) => s.step === 'provision').length);
    expect(r.done_rows).toBe(r.done_steps);
  }
}, 600_000);
