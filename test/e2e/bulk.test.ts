import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyBulk,
  bulkActor,
  planBulk,
  type ReportCustomer,
  readCustomerIds,
  readReport,
} from '../../src/cli/plan-report.ts';
import type { Plan } from '../../src/domain/planner/types.ts';
import { planCustomerTransition } from '../../src/modules/transitions/transitions.service.ts';
import { PlatformClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { openContext } from '../../src/platform/context.ts';
import type { DatabaseHandle } from '../../src/platform/db/connect.ts';
import { createLogger } from '../../src/platform/log.ts';
import { scaleId, seedScale } from '../../src/seed/scale.ts';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';
import { databaseDigest } from '../fixtures/digest.ts';

/**
 * Bulk work on a synthetic book: the scale seed's shape, planning streamed in batches (the same
 * verdicts as planning each customer alone, the report and its CSV), and applying every ready plan
 * through the job queue exactly once, failures and skips reported, a second run doing nothing twice.
 */
const config = loadConfig({}, { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
const log = createLogger('silent');
const SEED = 11;
const CUSTOMERS = 40;
let db: TestDatabase;
let h: DatabaseHandle;
let dir: string;
let book: Awaited<ReturnType<typeof seedScale>>;

beforeAll(async () => {
  db = await openTestDatabase();
  h = db.handle;
  dir = mkdtempSync(join(tmpdir(), 'traslado-bulk-'));
  const progress: number[] = [];
  book = await seedScale(h.db, {
    customers: CUSTOMERS,
    seed: SEED,
    batchSize: 15,
    config,
    onProgress: (done) => progress.push(done),
  });
  expect(progress).toEqual([15, 30, 40]);
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

const count = async (q: string, params: unknown[] = []) =>
  Number(((await h.executeSql(q, params)).rows[0] as { n: number | string }).n);

describe('seedScale', () => {
  it('writes the promised book: its counts, channels, offers, pools, relationships and delegated admin', async () => {
    const p = book.partnerId;
    const inBook = `tenant_id in (select tenant_id from relationships where partner_id = $1 and status = 'accepted')`;
    expect(book.created).toBe(true);
    expect(book.tenants).toBe(CUSTOMERS);
    expect(
      await count(`select count(*) as n from relationships where partner_id = $1 and status = 'accepted'`, [
        p,
      ]),
    ).toBe(CUSTOMERS);
    expect(await count(`select count(*) as n from subscriptions where ${inBook}`, [p])).toBe(
      book.subscriptions,
    );
    expect(await count(`select count(*) as n from directory_users where ${inBook}`, [p])).toBe(book.users);
    expect(await count(`select count(*) as n from license_assignments where ${inBook}`, [p])).toBe(
      book.assignments,
    );

    // Per customer: 5–500 users and 1–40 subscriptions, averaging near ~100 and ~10.
    const per = (
      await h.executeSql(
        `select t.id,
           (select count(*) from directory_users u where u.tenant_id = t.id)::int as users,
           (select count(*) from subscriptions s where s.tenant_id = t.id)::int as subs
         from tenants t where t.id in (select tenant_id from relationships where partner_id = $1)`,
        [p],
      )
    ).rows as { id: string; users: number; subs: number }[];
    expect(per).toHaveLength(CUSTOMERS);
    for (const c of per) {
      expect(c.users).toBeGreaterThanOrEqual(5);
      expect(c.users).toBeLessThanOrEqual(500);
      expect(c.subs).toBeGreaterThanOrEqual(1);
      expect(c.subs).toBeLessThanOrEqual(40);
    }
    const avgUsers = book.users / CUSTOMERS;
    const avgSubs = book.subscriptions / CUSTOMERS;
    expect(avgUsers).toBeGreaterThan(40);
    expect(avgUsers).toBeLessThan(200);
    expect(avgSubs).toBeGreaterThan(4);
    expect(avgSubs).toBeLessThan(20);

    // Every channel, another partner's subscriptions included, and the three kinds of case.
    const channels = (
      await h.executeSql(`select distinct channel, partner_id from subscriptions where ${inBook}`, [p])
    ).rows as { channel: string; partner_id: string | null }[];
    expect(new Set(channels.map((c) => c.channel))).toEqual(
      new Set(['direct', 'partner', 'volume', 'trial']),
    );
    expect(channels.filter((c) => c.channel === 'partner').every((c) => c.partner_id !== p)).toBe(true);
    const offers = new Set(
      (
        (await h.executeSql(`select distinct offer_id from subscriptions where ${inBook}`, [p])).rows as {
          offer_id: string;
        }[]
      ).map((o) => o.offer_id),
    );
    expect(offers.has('demo-m365-business-standard')).toBe(true); // same offer
    expect(offers.has('demo-o365-e1')).toBe(true); // end of sale, with a successor
    expect(offers.has('demo-project-online-premium')).toBe(true); // cross-offer search (none covers it)

    // Licenses stay within each SKU's pool of seats.
    const overfull = await count(
      `select count(*) as n from (
         select a.tenant_id, a.sku_id, count(*) as assigned,
           (select sum(quantity) from subscriptions s where s.tenant_id = a.tenant_id and s.sku_id = a.sku_id) as pool
         from license_assignments a where a.${inBook} group by a.tenant_id, a.sku_id) x
       where assigned > pool`,
      [p],
    );
    expect(overfull).toBe(0);

    // Delegated admin for most customers, not all.
    const dap = await count(
      `select count(distinct tenant_id) as n from delegated_admin_grants where partner_id = $1 and status = 'active'`,
      [p],
    );
    expect(dap).toBeGreaterThan(CUSTOMERS / 2);
    expect(dap).toBeLessThan(CUSTOMERS);
  }, 180_000);

  it('is deterministic for a seed, and seeding the same seed again changes nothing', async () => {
    const again = await seedScale(h.db, { customers: CUSTOMERS, seed: SEED, config });
    expect(again).toMatchObject({ created: false, partnerId: book.partnerId, tenants: CUSTOMERS });
    expect(again.users).toBe(book.users);

    // The same seed in another database gives the same rows (ids, quantities, channels, licenses).
    const other = await openTestDatabase();
    try {
      await seedScale(other.handle.db, { customers: 6, seed: SEED, config });
      const digest = async (handle: DatabaseHandle) =>
        (
          await sql<{ d: string }>`
            select md5(string_agg(concat_ws('|', s.id, s.tenant_id, s.offer_id, s.quantity, s.channel, s.auto_renew,
              (select count(*) from license_assignments a where a.tenant_id = s.tenant_id and a.sku_id = s.sku_id)), ',' order by s.id)) as d
            from subscriptions s where s.tenant_id = any(${[0, 1, 2, 3, 4, 5].map((i) => scaleId(SEED, 'tenant', i))})`.execute(
            handle.db,
          )
        ).rows[0]!.d;
      expect(await digest(other.handle)).toBe(await digest(h));
    } finally {
      await other.drop();
    }
  }, 180_000);
});

describe('planBulk', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof planBulk>>;
  const progress: [number, number][] = [];

  beforeAll(async () => {
    out = join(dir, 'plan.jsonl');
    result = await planBulk(h, {
      partnerId: book.partnerId,
      out,
      batchSize: 7,
      config,
      log,
      onProgress: (d, t) => progress.push([d, t]),
    });
  }, 120_000);

  it('streams the customers in batches and counts every verdict', () => {
    expect(result.batches).toBe(Math.ceil(CUSTOMERS / 7));
    expect(result.customers).toBe(CUSTOMERS);
    expect(progress.map(([d]) => d)).toEqual([7, 14, 21, 28, 35, 40]);
    expect(progress.every(([, t]) => t === CUSTOMERS)).toBe(true);
    expect(Object.values(result.counts).reduce((a, b) => a + b, 0)).toBe(CUSTOMERS);
    // The book mixes plans that can go and plans that cannot (Project Online: no covering offer).
    expect(result.counts.ready).toBeGreaterThan(0);
    expect(result.counts.blocked).toBeGreaterThan(0);
    expect(result.peakRssBytes).toBeGreaterThan(0);
  }, 180_000);

  it('gives each customer the same verdict, lines and totals as planning it alone', async () => {
    const clock = new PlatformClock(h.db);
    await clock.refresh(true);
    const lines = [];
    for await (const e of readReport(out)) if (!('partnerId' in e)) lines.push(e);
    // The checks below run per line: without lines they would pass on nothing.
    expect(lines).toHaveLength(CUSTOMERS);
    for (const e of lines) {
      const saved = await h.db
        .selectFrom('transitions')
        .select(['plan', 'verdict', 'status', 'tenant_id'])
        .where('id', '=', e.transitionId!)
        .executeTakeFirstOrThrow();
      const alone = await openContext(
        { db: h.db, clock, actor: bulkActor(book.partnerId), requestId: 't', log, config },
        (ctx) => planCustomerTransition(ctx, { tenantId: e.tenantId }),
      );
      const plan = saved.plan as Plan;
      expect(saved).toMatchObject({ status: 'planned', tenant_id: e.tenantId, verdict: e.verdict });
      expect(alone.verdict).toBe(e.verdict);
      // The saved plan keeps minor units per currency; the API shows each as { amount, currency }.
      expect(alone.totals).toEqual(
        plan.totals.map((x) => ({
          ...x,
          overlapCost: { amount: x.overlapCost, currency: x.currency },
          lossIfCancelledNow: { amount: x.lossIfCancelledNow, currency: x.currency },
        })),
      );
      expect(
        alone.lines.map((l) => [l.sourceSubscriptionId, l.targetOfferId, l.quantity, l.verdict]),
      ).toEqual(plan.lines.map((l) => [l.sourceSubscriptionId, l.targetOfferId, l.quantity, l.verdict]));
    }
  }, 180_000);

  it('writes a JSON-lines report (header, one line per customer) and a CSV summary beside it', () => {
    const [head, ...rows] = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(head).toMatchObject({ type: 'header', partnerId: book.partnerId });
    expect(new Date(head.generatedAt).toISOString()).toBe(head.generatedAt);
    expect(rows).toHaveLength(CUSTOMERS);
    expect(new Set(rows.map((r) => r.tenantId)).size).toBe(CUSTOMERS);
    for (const r of rows) {
      expect(r).toEqual(
        expect.objectContaining({
          type: 'customer',
          tenantId: expect.any(String),
          transitionId: expect.any(String),
          verdict: expect.stringMatching(/^(ready|needs-acknowledgment|blocked)$/),
          lines: expect.any(Array),
          totals: expect.arrayContaining([
            expect.objectContaining({
              currency: expect.any(String),
              quantity: expect.any(Number),
              overlapCost: { amount: expect.any(Number), currency: expect.any(String) },
            }),
          ]),
          reasons: expect.any(Array),
        }),
      );
      expect(r.lines.length).toBeGreaterThan(0);
    }
    // Every reason carries its text; Project Online's line names the data at risk.
    expect(rows.every((r) => r.reasons.every((x: { text?: string }) => (x.text ?? '').length > 0))).toBe(
      true,
    );
    expect(
      rows.some(
        (r) =>
          r.verdict === 'blocked' && r.reasons.some((x: { code: string }) => x.code === 'line.data-at-risk'),
      ),
    ).toBe(true);

    const csv = parseCsv(readFileSync(`${out}.summary.csv`, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(Object.keys(csv[0]!)).toEqual([
      'customer',
      'tenantId',
      'verdict',
      'seats',
      'overlapCost',
      'lossIfCancelledNow',
      'currency',
      'reasons',
    ]);
    expect(csv).toHaveLength(CUSTOMERS);
    for (const [i, c] of csv.entries()) {
      const r = rows[i];
      expect(c.tenantId).toBe(r.tenantId);
      expect(c.verdict).toBe(r.verdict);
      // One value per currency, in the order of the currency column: never summed across currencies.
      type Total = { currency: string; quantity: number; overlapCost: { amount: number } };
      const totals = r.totals as (Total & { lossIfCancelledNow: { amount: number } })[];
      expect(c.currency).toBe(totals.map((x) => x.currency).join('; '));
      expect(Number(c.seats)).toBe(totals.reduce((n, x) => n + x.quantity, 0));
      expect((c.overlapCost ?? '').split('; ').map((x) => Math.round(Number(x) * 100))).toEqual(
        totals.map((x) => x.overlapCost.amount),
      );
      expect((c.lossIfCancelledNow ?? '').split('; ').map((x) => Math.round(Number(x) * 100))).toEqual(
        totals.map((x) => x.lossIfCancelledNow.amount),
      );
    }
  }, 180_000);

  it('plans a listed set of customers (CSV or JSON) and reports the ones it may not plan', async () => {
    const listed = [scaleId(SEED, 'tenant', 3), scaleId(SEED, 'tenant', 5)];
    const stranger = await seedScale(h.db, { customers: 1, seed: SEED + 1, config });
    const foreign = scaleId(SEED + 1, 'tenant', 0);
    const csvFile = join(dir, 'customers.csv');
    writeFileSync(csvFile, `name,tenantId\nA,${listed[0]}\nB,${listed[1]}\nC,${foreign}\nD,no-such-tenant\n`);
    const jsonFile = join(dir, 'customers.json');
    writeFileSync(jsonFile, JSON.stringify([listed[0], listed[1], foreign, 'no-such-tenant']));
    expect(await readCustomerIds(csvFile)).toEqual([...listed, foreign, 'no-such-tenant']);
    expect(await readCustomerIds(jsonFile)).toEqual([...listed, foreign, 'no-such-tenant']);

    const before = await count('select count(*) as n from transitions');
    const out2 = join(dir, 'listed.jsonl');
    const r = await planBulk(h, {
      partnerId: book.partnerId,
      tenantIds: await readCustomerIds(csvFile),
      out: out2,
      config,
      log,
    });
    expect(r.customers).toBe(4);
    expect(r.counts.refused).toBe(2);
    expect(await count('select count(*) as n from transitions')).toBe(before + 2);
    const rows = readFileSync(out2, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l));
    const byTenant = new Map(rows.map((x) => [x.tenantId, x]));
    expect(byTenant.get(foreign)).toMatchObject({
      verdict: 'refused',
      transitionId: null,
      reasons: [{ code: 'relationship_required' }],
    });
    expect(byTenant.get('no-such-tenant')).toMatchObject({
      verdict: 'refused',
      reasons: [{ code: 'tenant_not_found' }],
    });
    expect(stranger.partnerId).not.toBe(book.partnerId);
  }, 180_000);
});

describe('applyBulk', () => {
  // A smaller book of its own: applying runs every step of every ready plan.
  const APPLY_SEED = 21;
  let report: string;
  let partnerId: string;
  let ready: { tenantId: string; transitionId: string }[];
  let broken: { tenantId: string; transitionId: string };

  beforeAll(async () => {
    const small = await seedScale(h.db, { customers: 10, seed: APPLY_SEED, config });
    partnerId = small.partnerId;
    report = join(dir, 'apply.jsonl');
    await planBulk(h, { partnerId, out: report, config, log, options: { provision: 'now' } });
    ready = [];
    for await (const e of readReport(report))
      if (!('partnerId' in e) && e.verdict === 'ready')
        ready.push({ tenantId: e.tenantId, transitionId: e.transitionId! });
    expect(ready.length).toBeGreaterThan(2);
    // The world changes under one plan: the relationship ends, so its order is refused.
    broken = ready[0]!;
    await h.executeSql(
      `update relationships set status = 'removed', removed_at = now() where tenant_id = $1`,
      [broken.tenantId],
    );
  }, 120_000);

  const state = async () => {
    const ids = ready.map((r) => r.tenantId);
    const rows = (
      await h.executeSql(
        `select
           (select count(*) from orders where tenant_id = any($1))::int as orders,
           (select count(*) from subscriptions where tenant_id = any($1) and channel = 'partner' and partner_id = $2)::int as partner_subs,
           (select count(*) from transition_steps s join transitions t on t.id = s.transition_id where t.tenant_id = any($1))::int as steps,
           (select count(*) from audit_events where tenant_id = any($1) and action = 'transition.step-done')::int as steps_done,
           (select count(*) from license_assignments where tenant_id = any($1))::int as licenses`,
        [ids, partnerId],
      )
    ).rows[0];
    return rows as Record<string, number>;
  };

  /** What PostgreSQL believes the step rows number (-1: never analysed). */
  const stepsBelieved = async () =>
    Number(
      (
        (await h.executeSql(`select reltuples from pg_class where relname = 'transition_steps'`)).rows[0] as {
          reltuples: number;
        }
      ).reltuples,
    );

  it('applies every ready plan exactly once, reports the failure and the skipped plans', async () => {
    // No statistics for the step rows yet: no step row was ever written in this database (and
    // neither this test server's autovacuum, off, nor PGlite's, none, would add them later).
    expect(await stepsBelieved()).toBeLessThanOrEqual(0);
    const done: number[] = [];
    const s = await applyBulk(h, { report, concurrency: 3, config, log, onProgress: (d) => done.push(d) });
    // The apply keeps them as the table grows: a batch's steps are then read by key, not by
    // reading the whole table (docs/performance.md).
    expect(await stepsBelieved()).toBeGreaterThan(0);
    const skipped = 10 - ready.length;
    expect(s).toMatchObject({ customers: 10, skipped, underway: 0, notStarted: 0, interrupted: false });
    expect(s.failed).toEqual([
      {
        tenantId: broken.tenantId,
        transitionId: broken.transitionId,
        reason: expect.stringMatching(/relationship_not_found/),
      },
    ]);
    expect(s.applied + s.waiting).toBe(ready.length - 1);
    expect(done[done.length - 1]).toBe(10);

    for (const r of ready) {
      const t = await h.db
        .selectFrom('transitions')
        .select(['status', 'plan'])
        .where('id', '=', r.transitionId)
        .executeTakeFirstOrThrow();
      const steps = await h.db
        .selectFrom('transition_steps')
        .select(['step_key', 'status'])
        .where('transition_id', '=', r.transitionId)
        .execute();
      // One step row per timeline step, never more.
      expect(steps).toHaveLength((t.plan as Plan).timeline.length);
      const orders = await count('select count(*) as n from orders where tenant_id = $1', [r.tenantId]);
      if (r === broken) {
        expect(t.status).toBe('failed');
        expect(orders).toBe(0);
        continue;
      }
      expect(['applied', 'waiting']).toContain(t.status);
      expect(steps.some((x) => x.status === 'failed')).toBe(false);
      // Exactly one order per transition (its provision steps), one partner subscription per ordered offer.
      const plan = t.plan as Plan;
      const provisions = plan.timeline.filter((x) => x.step === 'provision').length;
      expect(orders).toBe(provisions);
      const bought = plan.lines.reduce((n, l) => n + 1 + l.addOnOfferIds.length, 0);
      expect(
        await count(
          `select count(*) as n from subscriptions where tenant_id = $1 and channel = 'partner' and partner_id = $2`,
          [r.tenantId, partnerId],
        ),
      ).toBe(bought);
    }
  }, 180_000);

  it('running it again does nothing twice', async () => {
    const before = await state();
    const s = await applyBulk(h, { report, concurrency: 3, config, log });
    expect(s.failed).toHaveLength(1);
    expect(s.applied + s.waiting).toBe(ready.length - 1);
    expect(await state()).toEqual(before);
  }, 180_000);

  it('planning the moved customers again reports every one as under way; applying that report writes nothing', async () => {
    const moved = ready.filter((r) => r !== broken);
    expect(moved.length).toBeGreaterThan(1);
    const digest = await databaseDigest(h.db);
    const again = join(dir, 'again.jsonl');
    const planned = await planBulk(h, {
      partnerId,
      tenantIds: moved.map((m) => m.tenantId),
      out: again,
      config,
      log,
    });
    expect(planned.counts).toMatchObject({ 'under-way': moved.length, ready: 0 });
    // Planning saves no transition: only the run's record (what the console shows) is new.
    const afterPlan = await databaseDigest(h.db);
    const { bulk_plan_runs: runsBefore, bulk_plan_run_customers: _c, ...restBefore } = digest;
    const { bulk_plan_runs: runsAfter, bulk_plan_run_customers: _d, ...restAfter } = afterPlan;
    expect(restAfter).toEqual(restBefore);
    expect(runsAfter).not.toEqual(runsBefore);
    const entries: ReportCustomer[] = readFileSync(again, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'customer');
    expect(entries).toHaveLength(moved.length);
    for (const e of entries) {
      const first = moved.find((m) => m.tenantId === e.tenantId)!;
      expect(e).toMatchObject({ verdict: 'under-way', transitionId: null });
      expect(e.underWayTransitionIds).toEqual([first.transitionId]);
    }
    const s = await applyBulk(h, { report: again, concurrency: 2, config, log });
    expect(s).toMatchObject({ applied: 0, waiting: 0, failed: [], skipped: 0, underway: 0, notStarted: 0 });
    expect(s.inProgress.map((x) => x.tenantId).sort()).toEqual(moved.map((m) => m.tenantId).sort());
    expect(await databaseDigest(h.db)).toEqual(afterPlan);
  }, 180_000);

  it('reads the older single-JSON plan file too', async () => {
    const old = join(dir, 'old-plan.json');
    writeFileSync(
      old,
      JSON.stringify({
        partnerId,
        plannedAt: new Date().toISOString(),
        transitions: [
          ...ready.map((r) => ({ ...r, verdict: 'ready', lines: 1 })),
          { tenantId: 'x', error: 'tenant_not_found' },
        ],
      }),
    );
    const before = await state();
    const s = await applyBulk(h, { report: old, config, log });
    expect(s).toMatchObject({ customers: ready.length + 1, skipped: 1 });
    expect(s.applied + s.waiting).toBe(ready.length - 1);
    expect(await state()).toEqual(before);
  }, 180_000);
});

describe('applyBulk interrupted', () => {
  it('stops sending work when aborted, answers the summary so far, and a second run finishes the rest once', async () => {
    const small = await seedScale(h.db, { customers: 8, seed: 23, config });
    const report = join(dir, 'abort.jsonl');
    const planned = await planBulk(h, {
      partnerId: small.partnerId,
      out: report,
      config,
      log,
      options: { provision: 'now' },
    });
    const abort = new AbortController();
    // Ctrl-C as soon as the first customer is dealt with.
    const first = await applyBulk(h, {
      report,
      concurrency: 2,
      config,
      log,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    expect(first.interrupted).toBe(true);
    expect(first.notStarted).toBeGreaterThan(0);
    expect(
      first.applied + first.waiting + first.failed.length + first.skipped + first.underway + first.notStarted,
    ).toBe(8);
    const stillPlanned = await count(
      `select count(*) as n from transitions where partner_id = $1 and status = 'planned' and verdict = 'ready'`,
      [small.partnerId],
    );
    expect(stillPlanned).toBeGreaterThan(0);

    const second = await applyBulk(h, { report, concurrency: 2, config, log });
    expect(second).toMatchObject({ interrupted: false, underway: 0, notStarted: 0, failed: [] });
    expect(second.applied + second.waiting).toBe(planned.counts.ready);
    const wrong = await count(
      `select count(*) as n from transitions t where t.partner_id = $1 and t.verdict = 'ready' and (
         t.status not in ('applied', 'waiting')
         or (select count(*) from orders o where o.tenant_id = t.tenant_id)
            <> (select count(*) from transition_steps s where s.transition_id = t.id and s.kind = 'provision'))`,
      [small.partnerId],
    );
    expect(wrong).toBe(0);
  }, 180_000);
});
