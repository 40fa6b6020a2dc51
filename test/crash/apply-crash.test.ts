import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import type { TestDatabase } from '../fixtures/databases.ts';
import { LicenseWatch, type TenantSnapshot } from '../fixtures/license-watch.ts';
import {
  type Api,
  apiOn,
  type CustomerShape,
  freePort,
  type Json,
  login,
  newE1Customer,
  newPartner,
  OPERATOR_EMAIL,
  prng,
  processDatabase,
  ServerProcess,
  sleep,
} from '../fixtures/server-process.ts';

/**
 * Crash safety of a bulk apply. One partner's ready plans for several customers (every user's
 * licenses reassigned: Office 365 E1 → its no-Teams successor + the Teams add-on) are applied
 * through the API while the real server process on PostgreSQL is SIGKILLed at N random instants
 * (TRASLADO_CRASH_POINTS, default 20; TRASLADO_CRASH_SEED replays a run) and restarted each time;
 * a new customer's apply is asked every round, so that most kills land on work under way (an
 * apply request in flight, or a transition between two steps; the run prints how many). The end
 * state must equal an uninterrupted run of the same customers: same subscriptions, no duplicate,
 * every step done once with its audit row, and no user without access at any recorded instant.
 */
const KILLS = Number(process.env.TRASLADO_CRASH_POINTS ?? 20);
const SEED = Number(process.env.TRASLADO_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
// Kill delays after the server is up: the queue picks a run up within 0.5 s and a transition's
// steps then take a few hundred ms; a restart costs 2–3 s.
const MAX_KILL_DELAY_MS = 1_000;
const SHAPES: CustomerShape[] = [
  { users: 6, spare: 2, excludeEvery: 3 },
  { users: 10, spare: 5, excludeEvery: 4 },
  { users: 14, spare: 0, excludeEvery: 0 },
];
const CUSTOMERS = Math.max(6, KILLS);
// A restart costs 2–3 s (more on a busy machine): room for each round, and for the setup.
const TEST_TIMEOUT_MS = 180_000 + KILLS * 15_000;

let db: TestDatabase;
let server: ServerProcess;
let api: Api;

beforeAll(async () => {
  const made = await processDatabase();
  db = made.db;
  server = new ServerProcess(made.url, await freePort());
  await server.start();
  api = apiOn(server.port).api;
}, 120_000);

afterAll(async () => {
  await server?.kill();
  await db?.drop();
}, 60_000);

type Customer = Awaited<ReturnType<typeof newE1Customer>>;

/** What an uninterrupted run leaves, in words that do not depend on ids: per offer, per user. */
async function endState(c: Customer, token: string) {
  const subs = (await api('GET', `/api/customers/${c.tenantId}/subscriptions?limit=200`, token)).items;
  const users = (await api('GET', `/api/customers/${c.tenantId}/users?limit=200`, token)).items;
  return {
    subscriptions: subs
      .map((s: Json) => `${s.channel}:${s.offerId}×${s.quantity}:${s.status}:autoRenew=${s.autoRenew}`)
      .sort(),
    users: users
      .map((u: Json) => ({
        user: String(u.userPrincipalName).split('@')[0],
        licenses: u.licenses
          .map((l: Json) => `${l.skuId}[${[...l.excludedPlans].sort().join(',')}]`)
          .sort()
          .join(' '),
        hasAccess: u.hasAccess,
      }))
      .sort((a: Json, b: Json) => a.user.localeCompare(b.user)),
  };
}

async function transitionRows(ids: string[]) {
  return db.handle.db.selectFrom('transitions').select(['id', 'status']).where('id', 'in', ids).execute();
}

async function settle(ids: string[], timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const rows = await transitionRows(ids);
    if (rows.every((r) => ['waiting', 'applied', 'failed'].includes(r.status))) return rows;
    await sleep(100);
  }
  throw new Error('transitions did not settle');
}

async function stepsOf(transitionId: string) {
  return db.handle.db
    .selectFrom('transition_steps')
    .select(['step_key', 'kind', 'status'])
    .where('transition_id', '=', transitionId)
    .orderBy('seq')
    .execute();
}

it(
  `bulk apply survives ${KILLS} SIGKILLs and ends exactly as an uninterrupted run`,
  async () => {
    const started = performance.now();
    console.log(`[crash] seed ${SEED} (TRASLADO_CRASH_SEED=${SEED} replays it), ${KILLS} kill points`);
    const rand = prng(SEED);
    const operator = await login(api, OPERATOR_EMAIL);
    const partner = await newPartner(api, operator, 'bulk');

    // The reference: one customer of each shape, applied with no interruption.
    const calm = await Promise.all(
      SHAPES.map((shape, s) => newE1Customer(api, operator, partner, `calm${s}`, shape)),
    );
    const calmPlans = await Promise.all(
      calm.map((c) =>
        api('POST', `/api/customers/${c.tenantId}/transitions`, partner.token, {
          options: { provision: 'now' },
        }),
      ),
    );
    for (const p of calmPlans) expect(p.verdict).toBe('ready');
    await Promise.all(calmPlans.map((p) => api('POST', `/api/transitions/${p.id}/apply`, partner.token)));
    const calmRows = await settle(calmPlans.map((p) => p.id));
    expect(calmRows.map((r) => r.status)).toEqual(calmRows.map(() => 'waiting'));
    const expected = await Promise.all(calm.map((c) => endState(c, partner.token)));
    const expectedSteps = await Promise.all(
      calmPlans.map(async (p) => (await stepsOf(p.id)).map((s) => `${s.kind}:${s.status}`)),
    );

    // The bulk: CUSTOMERS customers cycling through the shapes, planned while the server is calm.
    const rough: Customer[] = [];
    for (let i = 0; i < CUSTOMERS; i++)
      rough.push(await newE1Customer(api, operator, partner, `rough${i}`, SHAPES[i % SHAPES.length]!));
    const plans = await Promise.all(
      rough.map((c) =>
        api('POST', `/api/customers/${c.tenantId}/transitions`, partner.token, {
          options: { provision: 'now' },
        }),
      ),
    );
    for (const p of plans) expect(p.verdict).toBe('ready');
    const planIds = plans.map((p) => p.id as string);

    // The watch: a snapshot of every user's reachable data workloads every ~40 ms, between kills,
    // while servers restart and after. Each user's baseline is what they reach before the apply; a
    // user who at any committed instant reaches less (a source removed before its target was
    // assigned, a target assigned beyond its pool, a source seat gone before the new one was bought)
    // is recorded. A kill between two steps freezes such an instant for seconds, so an ordering bug
    // cannot slip between two snapshots; the audit order is checked separately below.
    const watch = new LicenseWatch(
      db.handle.db,
      rough.map((c) => c.tenantId),
    );
    const baseline = await watch.snapshot();
    const violations: string[] = [];
    const check = (snap: Map<string, TenantSnapshot>, label: string) => {
      for (const [tenantId, before] of baseline) {
        for (const [userId, reach] of before.access) {
          const missing = LicenseWatch.missing(reach, snap.get(tenantId)?.access.get(userId));
          if (missing.length > 0)
            violations.push(`${label}: ${tenantId}/${userId} lacks ${missing.join(',')}`);
        }
      }
    };
    for (const [, t] of baseline) for (const [, reach] of t.access) expect(reach.size).toBeGreaterThan(0);
    let watching = true;
    const t0 = performance.now();
    const watcher = (async () => {
      while (watching) {
        check(await watch.snapshot(), `+${Math.round(performance.now() - t0)}ms`);
        await sleep(40);
      }
    })();
    // Stopped also when an assertion fails first, before the database is dropped.
    onTestFinished(async () => {
      watching = false;
      await watcher.catch(() => undefined);
    });

    // The rounds: each asks for the applies due by then (again for any whose request a kill cut
    // off), waits a random delay, and kills the server mid-work; then restarts it.
    const confirmed = new Set<string>();
    const killLog: string[] = [];
    const restartMs: number[] = [];
    let midWork = 0;
    for (let round = 0; round < KILLS; round++) {
      const due = planIds.filter(
        (id, i) => Math.floor((i * KILLS) / CUSTOMERS) <= round && !confirmed.has(id),
      );
      const before = confirmed.size;
      const asked = due.map((id) =>
        api('POST', `/api/transitions/${id}/apply`, partner.token).then(
          () => confirmed.add(id),
          () => undefined, // cut off by the kill: asked again next round
        ),
      );
      const delay = Math.floor(rand() * MAX_KILL_DELAY_MS);
      await sleep(delay);
      await server.kill();
      await Promise.all(asked);
      const steps = await db.handle.db
        .selectFrom('transition_steps')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('transition_id', 'in', planIds)
        .groupBy('status')
        .execute();
      const counts = Object.fromEntries(steps.map((s) => [s.status, Number(s.n)]));
      const applying = (await transitionRows(planIds)).filter((r) => r.status === 'applying').length;
      if (applying > 0 || asked.length > confirmed.size - before) midWork++;
      killLog.push(
        `kill ${round + 1} at +${Math.round(performance.now() - t0)}ms (${delay}ms after start; applies asked ${due.length}, ` +
          `transitions applying ${applying}): steps ${JSON.stringify(counts)}`,
      );
      restartMs.push(await server.start());
    }
    console.log(`[crash] ${killLog.join('\n[crash] ')}`);

    // After the last restart: ask for whatever is still unconfirmed, and let everything finish.
    for (const id of planIds.filter((x) => !confirmed.has(x)))
      await api('POST', `/api/transitions/${id}/apply`, partner.token);
    const rows = await settle(planIds, 120_000);
    watching = false;
    await watcher;
    check(await watch.snapshot(), 'final');

    // Same end as the uninterrupted run, customer by customer.
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'waiting'));
    for (const [i, c] of rough.entries()) {
      const s = i % SHAPES.length;
      expect(await endState(c, partner.token), `customer rough${i}`).toEqual(expected[s]);
      expect((await stepsOf(planIds[i]!)).map((x) => `${x.kind}:${x.status}`)).toEqual(expectedSteps[s]);
    }

    // No duplicates: one order and one set of partner subscriptions per customer.
    const tenantIds = rough.map((c) => c.tenantId);
    const orders = await db.handle.db
      .selectFrom('orders')
      .select('tenant_id')
      .where('tenant_id', 'in', tenantIds)
      .execute();
    expect(orders.length).toBe(CUSTOMERS);
    expect(new Set(orders.map((o) => o.tenant_id)).size).toBe(CUSTOMERS);

    // Audit complete: every done step has exactly one step-done row, every apply one apply-requested
    // row, every order one order.created row; and targets were assigned before sources were removed.
    const audit = await db.handle.db
      .selectFrom('audit_events')
      .select(['id', 'action', 'target_id', 'tenant_id', 'data'])
      .where('tenant_id', 'in', tenantIds)
      .orderBy('id')
      .execute();
    const auditProblems: string[] = [];
    let stepsDone = 0;
    for (const id of planIds) {
      const steps = await stepsOf(id);
      const rowsFor = audit.filter((a) => a.target_id === id);
      for (const s of steps) {
        const n = rowsFor.filter(
          (a) => a.action === 'transition.step-done' && (a.data as Json).step === s.step_key,
        ).length;
        if (s.status === 'done') stepsDone++;
        if (n !== (s.status === 'done' ? 1 : 0))
          auditProblems.push(`${id} ${s.step_key} ${s.status}: ${n} audit rows`);
      }
      const applied = rowsFor.filter((a) => a.action === 'transition.apply-requested').length;
      if (applied !== 1) auditProblems.push(`${id}: ${applied} apply-requested rows`);
      const at = (kind: string) =>
        rowsFor.find(
          (a) => a.action === 'transition.step-done' && String((a.data as Json).step).includes(`:${kind}:`),
        )?.id;
      const assignedAt = at('assign-target-licenses');
      const removedAt = at('remove-source-licenses');
      if (!assignedAt || !removedAt || Number(assignedAt) > Number(removedAt))
        auditProblems.push(`${id}: targets assigned at audit ${assignedAt}, sources removed at ${removedAt}`);
    }
    for (const t of tenantIds) {
      const n = audit.filter((a) => a.tenant_id === t && a.action === 'order.created').length;
      if (n !== 1) auditProblems.push(`${t}: ${n} order.created rows`);
    }

    const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
    console.log(
      `[crash] ${CUSTOMERS} customers, ${rough.reduce((n, c) => n + c.shape.users, 0)} users, ${stepsDone} steps done; ` +
        `${KILLS} kills (${midWork} with an apply in flight or a transition applying), restart ${mean(restartMs)} ms on average; ${watch.snapshots} access snapshots, ` +
        `${violations.length} users without access; ${auditProblems.length} audit problems; ` +
        `${Math.round((performance.now() - started) / 1000)} s`,
    );
    expect(violations.slice(0, 20)).toEqual([]);
    expect(auditProblems).toEqual([]);
    expect(watch.snapshots).toBeGreaterThan(KILLS);
  },
  TEST_TIMEOUT_MS,
);
