import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addMonths, monthOf, planClose } from '../../src/domain/invoices.ts';
import type { NewBillingLine } from '../../src/modules/billing/index.ts';
import type { DatabaseHandle } from '../../src/platform/db/connect.ts';
import { billingLine, billingParties, insertLines } from '../fixtures/billing.ts';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';

/**
 * The month close from two processes at once (`traslado invoices close`), SIGKILLed at random points,
 * round after round, with lines still arriving (late ones too): at every point, one invoice per
 * partner, currency and month, each invoice's total and count those of its lines, numbers without a
 * gap, no line on an invoice of another partner, currency or earlier month; at the end none lost
 * and nothing left to close. Random choices from a printed seed (CRASH_SEED to replay; CRASH_ROUNDS
 * rounds, default 5).
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 5);
const CURRENCIES = ['EUR', 'USD', 'BRL'];
let random = SEED;
/** mulberry32, so a failing run can be replayed with CRASH_SEED. */
function rand() {
  random = (random + 0x6d2b79f5) >>> 0;
  let x = random;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
}
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

let db: TestDatabase;
let url: string;
let parties: { partnerId: string; tenantIds: string[] }[];
let current: string;
const written: NewBillingLine[] = [];
const children: ChildProcess[] = [];
let n = 0;

const urlOf = (h: DatabaseHandle) =>
  (h.pool as unknown as { options: { connectionString: string } }).options.connectionString;

async function addLines(count: number, months: string[]) {
  const batch: NewBillingLine[] = [];
  for (let i = 0; i < count; i++) {
    const p = pick(parties);
    batch.push(
      billingLine(
        {
          partnerId: p.partnerId,
          tenantId: pick(p.tenantIds),
          currency: pick(CURRENCIES),
          month: pick(months),
          chargeType: pick([
            'new',
            'renew',
            'addQuantity',
            'removeQuantity',
            'transferIn',
            'credit',
          ] as const),
        },
        n++,
      ),
    );
  }
  await insertLines(db.handle.db, batch);
  written.push(...batch);
}

function close() {
  const child = spawn(process.execPath, ['bin/traslado.js', 'invoices', 'close'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let issued = 0;
  let stderr = '';
  const waiting: [number, () => void][] = [];
  child.stdout!.on('data', (d: Buffer) => {
    issued += (d.toString().match(/^issued /gm) ?? []).length;
    for (const [k, f] of waiting) if (issued >= k) f();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    issued: () => issued,
    stderr: () => stderr,
    afterIssued: (k: number) =>
      Promise.race([
        exited,
        new Promise<void>((resolve) => {
          if (issued >= k) resolve();
          waiting.push([k, resolve]);
        }),
      ]),
  };
}

/**
 * Holds the lines table (ACCESS EXCLUSIVE, in a transaction of the test's own) until `n` sessions
 * wait on it, then lets them all go at once: the two processes really race, whatever their start
 * times (a close reads the lines before anything else).
 */
async function holdLines() {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query('lock table billing_lines in access exclusive mode');
  return {
    async openWhenWaiting(n: number) {
      try {
        for (let i = 0; ; i++) {
          const r = await client.query<{ n: number }>(
            `select count(*)::int as n from pg_locks where relation = 'billing_lines'::regclass and not granted`,
          );
          if (r.rows[0]!.n >= n) break;
          if (i > 1200) throw new Error('the closing processes never reached the lines');
          await new Promise((res) => setTimeout(res, 50));
        }
      } finally {
        await client.query('commit');
        await client.end();
      }
    },
  };
}

const q = async <T>(text: string) => (await db.handle.executeSql(text)).rows as T[];

/** What must hold whenever no close is running, however the last ones ended. */
async function checkInvariants(label: string) {
  const badTotals = await q<{ number: string }>(`
    select i.number from invoices i
      left join (select invoice_id, sum(total) s, count(*) c from billing_lines group by invoice_id) l
        on l.invoice_id = i.id
     where coalesce(l.s, 0) <> i.total or coalesce(l.c, 0) <> i.line_count or i.line_count = 0`);
  expect(badTotals, `${label}: invoice totals and counts are their lines'`).toEqual([]);
  const twice = await q(`
    select partner_id, currency, period_start, count(*) from invoices
     group by 1, 2, 3 having count(*) > 1`);
  expect(twice, `${label}: one invoice per partner, currency and month`).toEqual([]);
  const misplaced = await q(`
    select l.id from billing_lines l join invoices i on i.id = l.invoice_id
     where l.partner_id <> i.partner_id or l.currency <> i.currency or l.billing_month > i.period_start`);
  expect(
    misplaced,
    `${label}: lines only on their partner's and currency's invoices, never before their month`,
  ).toEqual([]);
  const numbers = (await q<{ number: string }>('select number from invoices order by number')).map(
    (r) => r.number,
  );
  expect(numbers, `${label}: numbers without a gap`).toEqual(
    numbers.map((_, i) => `TR-${String(i + 1).padStart(8, '0')}`),
  );
  const early = await q(`select number from invoices where period_start >= '${current}'::date`);
  expect(early, `${label}: the current month never closes`).toEqual([]);
  // None lost: every line written is there once, with its amount.
  const [all] = await q<{ c: number; s: string }>(
    'select count(*)::int c, sum(total)::text s from billing_lines',
  );
  expect(all!.c).toBe(written.length);
  expect(Number(all!.s)).toBe(written.reduce((s, l) => s + Number(l.total), 0));
}

beforeAll(async () => {
  console.log(`[invoice-close-kill] CRASH_SEED=${SEED}`);
  db = await openTestDatabase('postgres');
  url = urlOf(db.handle);
  parties = await billingParties(db.handle.db, 5, 3);
  current = monthOf(new Date());
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await db?.drop();
});

it('two processes closing at once, SIGKILLed at random points: every invoice exactly once, no line lost or billed twice', async () => {
  const closable = [5, 4, 3, 2, 1].map((k) => addMonths(current, -k));
  // Several hundred lines over five partners, three currencies and five closed months (and this one).
  await addLines(400, [...closable.slice(0, 4), current]);
  let killedMidway = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Lines keep arriving between closes: last month's, this month's, and late ones for closed months.
    if (round > 0) await addLines(30 + Math.floor(rand() * 40), [...closable, current]);
    // Both start closing at the same instant: the lines are locked until both wait on them.
    const gate = await holdLines();
    const runs = [close(), close()];
    await gate.openWhenWaiting(2);
    const plans = runs.map(async (run, i) => {
      // The first kill lands right after the first invoice, so at least one lands mid-close; the
      // others at random points (after some invoices, at a random instant, or never).
      const first = round === 0 && i === 0;
      const mode = first
        ? 'after-issued'
        : pick(['after-issued', 'after-issued', 'at-random', 'never'] as const);
      if (mode === 'never') return run.exited;
      if (mode === 'after-issued') await run.afterIssued(first ? 1 : 1 + Math.floor(rand() * 8));
      const delay = first ? 0 : Math.floor(rand() * (mode === 'at-random' ? 600 : 25));
      await new Promise((r) => setTimeout(r, delay));
      const stillRunning = run.child.exitCode === null && run.child.signalCode === null;
      run.child.kill('SIGKILL');
      const end = await run.exited;
      if (stillRunning && end.signal === 'SIGKILL') {
        killedMidway++;
        console.log(
          `[invoice-close-kill] round ${round + 1}, process ${i + 1}: killed ${mode} + ${delay} ms, after ${run.issued()} issued`,
        );
      }
      return end;
    });
    const ends = await Promise.all(plans);
    for (const [i, e] of ends.entries())
      if (e.signal !== 'SIGKILL')
        expect(e.code, `round ${round + 1} process ${i + 1}: ${runs[i]!.stderr()}`).toBe(0);
    await checkInvariants(`round ${round + 1}`);
  }
  console.log(`[invoice-close-kill] ${killedMidway} kills landed while a close ran`);
  expect(killedMidway).toBeGreaterThan(0);

  // A last close, never killed: nothing before this month is left unbilled but the late lines the
  // rule keeps for the next close (their month and last month already invoiced).
  const last = close();
  expect((await last.exited).code).toBe(0);
  await checkInvariants('after the last close');
  const again = close();
  expect((await again.exited).code).toBe(0);
  expect(again.issued()).toBe(0);
  const invoiced = await q<{ partner_id: string; currency: string; month: string }>(
    'select partner_id, currency, period_start::text as month from invoices',
  );
  const unbilled = await q<{ partner_id: string; currency: string; month: string }>(`
    select distinct partner_id, currency, billing_month::text as month from billing_lines
     where invoice_id is null and billing_month < '${current}'::date`);
  for (const u of unbilled) {
    const mine = invoiced
      .filter((i) => i.partner_id === u.partner_id && i.currency === u.currency)
      .map((i) => i.month);
    expect(
      planClose({ current, unbilledMonths: [u.month], invoicedMonths: mine }),
      `${u.partner_id} ${u.currency} ${u.month} waits only as the rule says`,
    ).toEqual([]);
  }
  const [counts] = await q<{ invoices: number; billed: number; waiting: number }>(`
    select (select count(*)::int from invoices) invoices,
           (select count(*)::int from billing_lines where invoice_id is not null) billed,
           (select count(*)::int from billing_lines where invoice_id is null and billing_month < '${current}'::date) waiting`);
  const closableLines = written.filter((l) => String(l.billing_month) < current).length;
  console.log(
    `[invoice-close-kill] ${counts!.invoices} invoices, ${counts!.billed} lines billed, ${counts!.waiting} late lines waiting`,
  );
  expect(counts!.billed + counts!.waiting).toBe(closableLines);
  expect(counts!.invoices).toBeGreaterThan(40);
  expect(counts!.billed).toBeGreaterThan(300);
}, 600_000);
