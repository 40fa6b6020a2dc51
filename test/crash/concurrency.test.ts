import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';
import { LicenseWatch } from '../fixtures/license-watch.ts';
import {
  type ApiResult,
  apiOn,
  freePort,
  type Json,
  login,
  newE1Customer,
  newPartner,
  OPERATOR_EMAIL,
  processDatabase,
  ServerProcess,
  sleep,
} from '../fixtures/server-process.ts';

/**
 * Two server processes on one PostgreSQL database, called at the same instant:
 *   (a) both apply the same plans → every step runs exactly once (one audit row each), one order;
 *   (b) the same order under one Idempotency-Key → one order, one set of subscriptions, equal
 *       answers; different keys at and beyond an offer's quantity limit → exactly what the rules allow;
 *   (c) many license updates on one seat pool → never more users assigned than seats, at the end
 *       and at every snapshot; the refused ones 409 `license_quota_exceeded` with the standard body;
 *   (d) two processes starting at the same instant on fresh databases both come up.
 */
let db: TestDatabase;
const servers: ServerProcess[] = [];
let a: ReturnType<typeof apiOn>;
let b: ReturnType<typeof apiOn>;
let operator: string;
let partner: { id: string; token: string };

beforeAll(async () => {
  const made = await processDatabase();
  db = made.db;
  servers.push(new ServerProcess(made.url, await freePort()), new ServerProcess(made.url, await freePort()));
  // Both start at the same instant on a fresh database, as behind a load balancer: that used to
  // deadlock in pg-boss's createQueue now and then, and one process died (src/platform/queue/queue.ts).
  await Promise.all(servers.map((s) => s.start()));
  a = apiOn(servers[0]!.port);
  b = apiOn(servers[1]!.port);
  operator = await login(a.api, OPERATOR_EMAIL);
  partner = await newPartner(a.api, operator, 'twin');
}, 120_000);

afterAll(async () => {
  for (const s of servers) await s.kill();
  await db?.drop();
}, 60_000);

const isStandardError = (r: ApiResult) =>
  typeof r.body?.code === 'string' && typeof r.body?.description === 'string';

describe('two server processes on one PostgreSQL', () => {
  it('(a) both apply the same plans at once: every step exactly once', async () => {
    const customers = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        newE1Customer(a.api, operator, partner, `twin${i}`, { users: 8 + i, spare: 3, excludeEvery: 3 }),
      ),
    );
    const plans = await Promise.all(
      customers.map((c) =>
        a.api('POST', `/api/customers/${c.tenantId}/transitions`, partner.token, {
          options: { provision: 'now' },
        }),
      ),
    );
    // Every plan applied three times at once: once through one process, twice through the other.
    const answers = await Promise.all(
      plans.flatMap((p) =>
        [a, b, b].map((s) => s.raw('POST', `/api/transitions/${p.id}/apply`, partner.token)),
      ),
    );
    expect(answers.map((r) => r.status).filter((s) => s >= 300)).toEqual([]);
    expect(answers.map((r) => r.body.id)).toEqual(plans.flatMap((p) => [p.id, p.id, p.id]));

    const ids = plans.map((p) => p.id as string);
    for (let i = 0; i < 900; i++) {
      const rows = await db.handle.db
        .selectFrom('transitions')
        .select('status')
        .where('id', 'in', ids)
        .execute();
      expect(rows).toHaveLength(ids.length);
      if (rows.every((r) => r.status === 'waiting' || r.status === 'failed' || r.status === 'applied')) break;
      await sleep(100);
    }
    const audit = await db.handle.db
      .selectFrom('audit_events')
      .select(['action', 'target_id', 'data'])
      .where('target_id', 'in', ids)
      .execute();
    let steps = 0;
    for (const [i, p] of plans.entries()) {
      const tr = await a.api('GET', `/api/transitions/${p.id}`, partner.token);
      expect(tr.status).toBe('waiting');
      const done = tr.steps.filter((s: Json) => s.status === 'done');
      steps += done.length;
      expect(done.length).toBeGreaterThan(0);
      // Exactly one step-done row per done step: a step run twice would leave two.
      for (const s of tr.steps) {
        const n = audit.filter(
          (x) =>
            x.target_id === p.id && x.action === 'transition.step-done' && (x.data as Json).step === s.key,
        ).length;
        expect(n, `${p.id} ${s.key}`).toBe(s.status === 'done' ? 1 : 0);
      }
      expect(
        audit.filter((x) => x.target_id === p.id && x.action === 'transition.apply-requested'),
      ).toHaveLength(1);
      const c = customers[i]!;
      const q = c.shape.users + c.shape.spare;
      const subs = (await a.api('GET', `/api/customers/${c.tenantId}/subscriptions`, partner.token)).items;
      expect(
        subs
          .filter((s: Json) => s.channel === 'partner')
          .map((s: Json) => `${s.offerId}×${s.quantity}`)
          .sort(),
      ).toEqual([`demo-o365-e1-eea-no-teams×${q}`, `demo-teams-eea×${q}`]);
      expect((await a.api('GET', `/api/customers/${c.tenantId}/orders`, partner.token)).items).toHaveLength(
        1,
      );
      const users = (await b.api('GET', `/api/customers/${c.tenantId}/users`, partner.token)).items;
      expect(users).toHaveLength(c.shape.users);
      expect(users.every((u: Json) => u.hasAccess && u.licenses.length === 2)).toBe(true);
    }
    console.log(
      `[concurrency] (a) ${plans.length} plans × 3 concurrent applies on 2 processes: ${steps} steps, each done once`,
    );
  });

  it('(b) the same order under one Idempotency-Key on both processes: one order, equal answers', async () => {
    const tenant = await a.api('POST', '/api/customers', partner.token, {
      companyName: 'C orders',
      defaultDomain: 'c-orders.test',
      country: 'ES',
    });
    const order = { lineItems: [{ offerId: 'demo-m365-business-basic', quantity: 7 }] };
    const url = `/api/customers/${tenant.id}/orders`;
    const same = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).raw('POST', url, partner.token, order, { key: 'order-once' }),
      ),
    );
    expect(same.map((r) => r.status)).toEqual(same.map(() => 201));
    for (const r of same) expect(r.body).toEqual(same[0]!.body);
    const orders = (await a.api('GET', url, partner.token)).items;
    expect(orders).toHaveLength(1);
    const subs = (await b.api('GET', `/api/customers/${tenant.id}/subscriptions`, partner.token)).items;
    expect(subs.map((s: Json) => `${s.offerId}×${s.quantity}`)).toEqual(['demo-m365-business-basic×7']);
    // The same key with another body is refused on either process.
    const reused = await b.raw(
      'POST',
      url,
      partner.token,
      { lineItems: [{ offerId: 'demo-m365-business-basic', quantity: 8 }] },
      { key: 'order-once' },
    );
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('idempotency_key_reused');

    // Different keys at once, at the offer's quantity limit (allowed) and one beyond it (refused):
    // the rules limit each order line to the offer's min..max (there is no per-tenant cap), so
    // exactly the orders within the limit are placed, whatever the interleaving.
    const offer = await a.api('GET', '/api/offers/demo-exchange-online-plan-1', partner.token);
    const max = offer.maxQuantity as number;
    const mixed = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? a : b).raw('POST', url, partner.token, {
          lineItems: [{ offerId: offer.id, quantity: i % 3 === 0 ? max + 1 : max }],
        }),
      ),
    );
    const placed = mixed.filter((r) => r.status === 201);
    const refused = mixed.filter((r) => r.status !== 201);
    expect(placed).toHaveLength(8);
    expect(refused).toHaveLength(4);
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(
      refused.map(() => [422, 'quantity_out_of_range']),
    );
    expect(refused.every(isStandardError)).toBe(true);
    const after = (await a.api('GET', `/api/customers/${tenant.id}/subscriptions?limit=200`, partner.token))
      .items;
    const ofOffer = after.filter((s: Json) => s.offerId === offer.id);
    expect(ofOffer).toHaveLength(8);
    expect(ofOffer.every((s: Json) => s.quantity === max)).toBe(true);
    expect((await a.api('GET', `${url}?limit=200`, partner.token)).items).toHaveLength(9);
    // One audit row per order placed: none for the replays, none for the refusals.
    const audited = await db.handle.db
      .selectFrom('audit_events')
      .select('target_id')
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'order.created')
      .execute();
    expect(audited).toHaveLength(9);
    console.log(
      `[concurrency] (b) 8 identical orders (one key) → 1 order; 12 orders with distinct keys → ${placed.length} placed, ${refused.length} refused (quantity ${max + 1} > max ${max})`,
    );
  });

  it('(c) concurrent license updates on one pool never assign more seats than it holds', async () => {
    const SEATS = 5;
    const USERS = 30;
    const tenant = await a.api('POST', '/api/customers', partner.token, {
      companyName: 'C pool',
      defaultDomain: 'c-pool.test',
      country: 'ES',
      users: Array.from({ length: USERS }, (_, i) => ({
        userPrincipalName: `u${i}@c-pool.test`,
        displayName: `U${i}`,
      })),
    });
    await a.api('POST', `/api/admin/tenants/${tenant.id}/delegated-admin`, operator, {
      partnerId: partner.id,
    });
    await a.api('POST', `/api/customers/${tenant.id}/orders`, partner.token, {
      lineItems: [{ offerId: 'demo-m365-business-basic', quantity: SEATS }],
    });
    const sku = (await a.api('GET', '/api/offers/demo-m365-business-basic', partner.token)).skuId as string;
    const users = (await a.api('GET', `/api/customers/${tenant.id}/users?limit=200`, partner.token))
      .items as Json[];
    expect(users).toHaveLength(USERS);

    const watch = new LicenseWatch(db.handle.db, [tenant.id]);
    const overs: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const snap = (await watch.snapshot()).get(tenant.id)!;
        const n = snap.assigned.get(sku) ?? 0;
        if (n > (snap.seats.get(sku) ?? 0)) overs.push(`${n} assigned > ${snap.seats.get(sku)} seats`);
        await sleep(5);
      }
    })();
    // Stopped also when an assertion fails first, before the database is dropped.
    onTestFinished(async () => {
      watching = false;
      await watcher.catch(() => undefined);
    });
    const update = (i: number, body: unknown) =>
      (i % 2 ? a : b).raw(
        'POST',
        `/api/customers/${tenant.id}/users/${users[i]!.id}/license-updates`,
        partner.token,
        body,
      );

    // Wave 1: every user asks for a seat at once, half through each process.
    const wave1 = await Promise.all(users.map((_, i) => update(i, { assign: [{ skuId: sku }], remove: [] })));
    const granted = wave1.flatMap((r, i) => (r.status === 201 ? [i] : []));
    const refused1 = wave1.filter((r) => r.status !== 201);
    expect(granted).toHaveLength(SEATS);
    expect(refused1).toHaveLength(USERS - SEATS);
    expect(refused1.map((r) => [r.status, r.body.code])).toEqual(
      refused1.map(() => [409, 'license_quota_exceeded']),
    );
    expect(refused1.every(isStandardError)).toBe(true);

    // Wave 2: the holders give their seats back while everyone else asks for one, all at once.
    const wave2 = await Promise.all(
      users.map((_, i) =>
        update(
          i,
          granted.includes(i) ? { assign: [], remove: [sku] } : { assign: [{ skuId: sku }], remove: [] },
        ),
      ),
    );
    const refused2 = wave2.filter((r) => r.status !== 201);
    // At most SEATS seats come free for USERS - SEATS askers: the rest must be refused.
    expect(refused2.length).toBeGreaterThanOrEqual(USERS - 2 * SEATS);
    expect(
      refused2.every(
        (r) => r.status === 409 && r.body.code === 'license_quota_exceeded' && isStandardError(r),
      ),
    ).toBe(true);
    const removed = wave2.filter((r, i) => granted.includes(i) && r.status === 201).length;
    const added = wave2.filter((r, i) => !granted.includes(i) && r.status === 201).length;
    expect(removed).toBe(SEATS);
    watching = false;
    await watcher;

    const final = (await watch.snapshot()).get(tenant.id)!;
    expect(final.assigned.get(sku) ?? 0).toBe(SEATS - removed + added);
    expect(final.assigned.get(sku) ?? 0).toBeLessThanOrEqual(SEATS);
    const pools = (await b.api('GET', `/api/customers/${tenant.id}/seat-pools`, partner.token)).items;
    const pool = pools.find((p: Json) => p.skuId === sku);
    expect(pool.assigned).toBeLessThanOrEqual(pool.seats);
    expect(pool.usersWithoutAccess).toEqual([]);
    expect(overs).toEqual([]);
    console.log(
      `[concurrency] (c) ${USERS} concurrent assigns on a ${SEATS}-seat pool → ${granted.length} granted, ${refused1.length} refused 409; ` +
        `then ${removed} released and ${added} granted at once; ${watch.snapshots} snapshots, max assigned ≤ ${SEATS} throughout`,
    );
  });

  it('(d) two processes starting at once on a fresh database both come up', async () => {
    // Each fresh database makes both processes create the job queues at the same instant, where
    // pg-boss could deadlock and PostgreSQL killed one start (now retried, src/platform/queue).
    const ROUNDS = 4;
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const fresh = await openTestDatabase('postgres');
      const url = (fresh.handle.pool as unknown as { options: { connectionString: string } }).options
        .connectionString;
      const pair = [new ServerProcess(url, await freePort()), new ServerProcess(url, await freePort())];
      try {
        const started = await Promise.allSettled(pair.map((p) => p.start()));
        for (const r of started) if (r.status === 'rejected') failures.push(String(r.reason).slice(0, 500));
      } finally {
        for (const p of pair) await p.kill();
        await fresh.drop();
      }
    }
    console.log(`[concurrency] (d) ${ROUNDS} pairs of processes started at once: ${failures.length} failed`);
    expect(failures).toEqual([]);
  });
});
