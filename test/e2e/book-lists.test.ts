import { randomUUID } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBulk } from '../../src/cli/plan-report.ts';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { platformNow, STANDARD } from '../fixtures/transition-case.ts';

/**
 * Issue 21, "lists that work": the partner's book of transitions (each naming its customer and its
 * group), and sort, filters, counts and CSV on customers, subscriptions and audit; home computed on
 * the server for the whole book; bulk plan runs readable. Another partner's rows never appear.
 */
let t: TestApp;
let a: Awaited<ReturnType<TestApp['newPartner']>>;
let b: Awaited<ReturnType<TestApp['newPartner']>>;
let tok: string;
const HOSTILE = '=HYPERLINK("http://evil.test","x")';
/** Customer key → tenant id, transition id, source subscription id. */
const c: Record<string, { tenantId: string; transitionId: string; sourceId: string; name: string }> = {};
let other: { tenantId: string; transitionId: string };

// key, company name, days to the source's end (negative: ended), the transition's status and group.
const BOOK = [
  { key: 'planned', name: 'Alpha Planned', ends: 10, status: 'planned', group: 'planned', claim: false },
  { key: 'failed', name: HOSTILE, ends: -5, status: 'failed', group: 'failed', claim: false },
  {
    key: 'customer',
    name: 'Charlie Waits',
    ends: 30,
    status: 'waiting',
    group: 'waiting-customer',
    claim: true,
  },
  { key: 'done', name: 'Delta Moved', ends: 20, status: 'applied', group: 'done', claim: true },
  {
    key: 'partner',
    name: 'Echo Transfer',
    ends: 40,
    status: 'waiting',
    group: 'waiting-partner',
    claim: true,
  },
  { key: 'applying', name: 'Foxtrot Running', ends: 50, status: 'applying', group: 'applying', claim: true },
] as const;

async function customerWithPlan(partner: typeof a, name: string, endsInDays: number) {
  const x = await t.newTenant({ partnerToken: partner.tokens['account-admin'], users: 0 });
  await t.handle.db
    .updateTable('tenants')
    .set({ company_name: name })
    .where('id', '=', x.tenant.id)
    .execute();
  const now = await platformNow(t);
  const source = await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${x.tenant.id}/subscriptions`,
      token: t.operatorToken,
      body: {
        offerId: STANDARD,
        quantity: 10,
        channel: 'direct',
        purchasedVia: 'admin-center',
        billingCycle: 'annual',
        termStart: addDaysUtc(now, -(365 - endsInDays)).toISOString(),
        termEnd: addDaysUtc(now, endsInDays).toISOString(),
        autoRenew: endsInDays > 0,
      },
    },
    201,
  );
  const plan = await t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${x.tenant.id}/transitions`,
      token: partner.tokens['account-admin'],
      body: {},
    },
    201,
  );
  return { tenantId: x.tenant.id as string, transitionId: plan.id as string, sourceId: source.id as string };
}

beforeAll(async () => {
  t = await startTestApp({}, { catalog: true });
  a = await t.newPartner();
  b = await t.newPartner();
  tok = a.tokens['account-admin'];
  const now = await platformNow(t);
  for (const row of BOOK) {
    c[row.key] = { ...(await customerWithPlan(a, row.name, row.ends)), name: row.name };
    const { transitionId, tenantId, sourceId } = c[row.key]!;
    // The transition's state as the executor would leave it (its steps and claims).
    await t.handle.db
      .updateTable('transitions')
      .set({ status: row.status })
      .where('id', '=', transitionId)
      .execute();
    if (row.status === 'waiting')
      await t.handle.db
        .insertInto('transition_steps')
        .values({
          transition_id: transitionId,
          step_key: `${transitionId}:wait`,
          seq: 0,
          line_index: 0,
          kind: row.group === 'waiting-partner' ? 'request-transfer' : 'turn-off-auto-renew',
          actor: row.group === 'waiting-partner' ? 'partner-of-record' : 'customer',
          due_at: now,
          status: 'waiting',
          detail: JSON.stringify({ by: row.group === 'waiting-partner' ? 'partner-of-record' : 'customer' }),
          updated_at: now,
        })
        .execute();
    if (row.claim)
      await t.handle.db
        .insertInto('transition_claims')
        .values({
          source_subscription_id: sourceId,
          transition_id: transitionId,
          tenant_id: tenantId,
          line_index: 0,
          claimed_at: now,
        })
        .execute();
  }
  // Another partner's customer, ending soonest of all, with a transition: never in A's lists.
  other = await customerWithPlan(b, 'Aaa Other Partner', 1);
}, 240_000);
afterAll(async () => {
  await t?.close();
}, 60_000);

type BookItem = {
  id: string;
  customer: { tenantId: string; companyName: string; defaultDomain: string };
  group: string;
  status: string;
  verdict: string;
  lines: number;
};

const list = async (url: string, token = tok) => {
  const r = await t.call({ url, token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return {
    ...(r.body as { items: BookItem[]; total: number; nextCursor: string | null }),
    headers: r.headers,
  };
};
const csv = async (url: string, token = tok) => {
  const r = await t.call({ url, token, headers: { accept: 'text/csv' } });
  expect(r.status).toBe(200);
  expect(String(r.headers['content-type'])).toMatch(/^text\/csv/);
  return {
    rows: parseCsv(String(r.body), { columns: true }) as Record<string, string>[],
    headers: r.headers,
  };
};

describe('GET /api/transitions (the partner book)', () => {
  it('lists every transition of the book, each naming its customer and its group, with the total', async () => {
    const page = await list('/api/transitions?limit=200');
    expect(page.total).toBe(BOOK.length);
    expect(page.headers['x-total-count']).toBe(String(BOOK.length));
    expect(page.items).toHaveLength(BOOK.length);
    for (const row of BOOK) {
      const item = page.items.find((i) => i.id === c[row.key]!.transitionId);
      expect(item, row.key).toBeDefined();
      expect(item!.customer).toMatchObject({ tenantId: c[row.key]!.tenantId, companyName: row.name });
      expect(item!.group).toBe(row.group);
      expect(item!.status).toBe(row.status);
      expect(item!.lines).toBe(1);
    }
    // Isolation: the other partner's transition and customer are not there.
    expect(
      page.items.some((i) => i.id === other.transitionId || i.customer.tenantId === other.tenantId),
    ).toBe(false);
    // And the other partner sees only its own.
    const theirs = await list('/api/transitions', b.tokens['account-admin']);
    expect(theirs.items.map((i) => i.id)).toEqual([other.transitionId]);
  });

  it('filters by each group, by status, by customer and by search', async () => {
    for (const row of BOOK) {
      const page = await list(`/api/transitions?group=${row.group}`);
      expect(
        page.items.map((i) => i.id),
        row.group,
      ).toEqual([c[row.key]!.transitionId]);
      expect(page.total).toBe(1);
    }
    const waiting = await list('/api/transitions?status=waiting&sort=companyName');
    expect(waiting.items.map((i) => i.id)).toEqual([c.customer!.transitionId, c.partner!.transitionId]);
    const one = await list(`/api/transitions?tenantId=${c.done!.tenantId}`);
    expect(one.items.map((i) => i.id)).toEqual([c.done!.transitionId]);
    const search = await list('/api/transitions?q=ECHO');
    expect(search.items.map((i) => i.id)).toEqual([c.partner!.transitionId]);
    expect(search.total).toBe(1);
    // Another partner's customer, asked by id, is simply not in the book.
    expect((await list(`/api/transitions?tenantId=${other.tenantId}`)).total).toBe(0);
  });

  it('sorts on the server both ways, and pages through the same order', async () => {
    const asc = await list('/api/transitions?sort=companyName&limit=200');
    const names = asc.items.map((i) => i.customer.companyName);
    expect(names.length).toBe(BOOK.length);
    expect(names).toEqual([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    const desc = await list('/api/transitions?sort=-companyName&limit=200');
    expect(desc.items.map((i) => i.id)).toEqual(asc.items.map((i) => i.id).reverse());
    const byGroup = await list('/api/transitions?sort=group&limit=200');
    const groups = byGroup.items.map((i) => i.group);
    expect(groups).toEqual([...groups].sort());
    // Pages of two follow the same order to the end.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(
        `/api/transitions?sort=companyName&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(asc.items.map((i) => i.id));
    const offset = await list('/api/transitions?sort=companyName&limit=2&offset=2');
    expect(offset.items.map((i) => i.id)).toEqual(seen.slice(2, 4));
  });

  it('answers CSV with every row the filter shows (not one page), formula-safe', async () => {
    const json = await list('/api/transitions?sort=-createdAt&limit=200');
    const file = await csv('/api/transitions?sort=-createdAt&limit=2');
    expect(file.rows.map((r) => r.transitionId)).toEqual(json.items.map((i) => i.id));
    const hostile = file.rows.find((r) => r.tenantId === c.failed!.tenantId);
    expect(hostile!.companyName).toBe(`'${HOSTILE}`);
    for (const r of file.rows)
      for (const cell of Object.values(r)) expect(/^[=+@\t\r]/.test(cell)).toBe(false);
    const filtered = await csv('/api/transitions?group=waiting-customer');
    expect(filtered.rows.map((r) => r.transitionId)).toEqual([c.customer!.transitionId]);
    expect(file.rows.some((r) => r.tenantId === other.tenantId)).toBe(false);
  });

  it('refuses a sort it does not know with 400 invalid_sort, in English and Spanish', async () => {
    const en = await t.call({ url: '/api/transitions?sort=password', token: tok });
    expect(en.status).toBe(400);
    expect(en.body.code).toBe('invalid_sort');
    expect(en.body.description).toContain('companyName');
    const es = await t.call({
      url: '/api/transitions?sort=-nope',
      token: tok,
      headers: { 'accept-language': 'es', accept: 'text/csv' },
    });
    expect(es.status).toBe(400);
    expect(es.body.code).toBe('invalid_sort');
    expect(es.body.description).toMatch(/ordenar/);
  });
});

describe('GET /api/transitions/{id}', () => {
  it('names its customer and what its done provision steps bought', async () => {
    const { transitionId, tenantId } = c.done!;
    const now = await platformNow(t);
    await t.handle.db
      .insertInto('transition_steps')
      .values({
        transition_id: transitionId,
        step_key: `${transitionId}:provision:0`,
        seq: 1,
        line_index: 0,
        kind: 'provision',
        actor: 'partner',
        due_at: now,
        status: 'done',
        detail: JSON.stringify({ orderId: 'order-1', subscriptionIds: ['sub-1', 'sub-2'] }),
        updated_at: now,
      })
      .execute();
    const view = await t.expectOk({ url: `/api/transitions/${transitionId}`, token: tok });
    expect(view.customer).toEqual({
      tenantId,
      companyName: 'Delta Moved',
      defaultDomain: expect.any(String),
    });
    expect(view.bought).toEqual({ orders: ['order-1'], subscriptions: ['sub-1', 'sub-2'] });
    const planned = await t.expectOk({ url: `/api/transitions/${c.planned!.transitionId}`, token: tok });
    expect(planned.bought).toEqual({ orders: [], subscriptions: [] });
    expect(planned.customer.companyName).toBe('Alpha Planned');
  });
});

describe('GET /api/customers, subscriptions and audit: sort, filters, count, CSV', () => {
  it('customers: search, sort both ways, count, CSV of every row, isolation', async () => {
    const all = await list('/api/customers?sort=companyName&limit=200');
    expect(all.total).toBe(BOOK.length);
    const names = all.items.map((i) => (i as unknown as { companyName: string }).companyName);
    expect(names).toEqual([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    const desc = await list('/api/customers?sort=-companyName&limit=200');
    expect(desc.items.map((i) => i.id)).toEqual(all.items.map((i) => i.id).reverse());
    const q = await list('/api/customers?q=delta');
    expect(q.items.map((i) => i.id)).toEqual([c.done!.tenantId]);
    expect(q.total).toBe(1);
    // The pinned keyset paging answers the total too.
    const pinned = await list('/api/customers?limit=2');
    expect(pinned.items).toHaveLength(2);
    expect(pinned.total).toBe(BOOK.length);
    expect(pinned.nextCursor).not.toBeNull();
    const file = await csv('/api/customers?sort=companyName&limit=1');
    expect(file.rows.map((r) => r.tenantId)).toEqual(all.items.map((i) => i.id));
    expect(file.rows.find((r) => r.tenantId === c.failed!.tenantId)!.companyName).toBe(`'${HOSTILE}`);
    expect(file.rows.some((r) => r.tenantId === other.tenantId)).toBe(false);
    const bad = await t.call({ url: '/api/customers?sort=secret', token: tok });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_sort');
  });

  it("a customer's subscriptions: status filter, sort both ways, count, CSV", async () => {
    const tenant = c.planned!.tenantId;
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${tenant}/orders`,
        token: tok,
        body: { lineItems: [{ offerId: STANDARD, quantity: 3 }] },
      },
      201,
    );
    const base = `/api/customers/${tenant}/subscriptions`;
    const asc = await list(`${base}?sort=quantity`);
    const qty = asc.items.map((i) => (i as unknown as { quantity: number }).quantity);
    expect(qty).toEqual([3, 10]);
    expect(asc.total).toBe(2);
    const desc = await list(`${base}?sort=-quantity`);
    expect(desc.items.map((i) => i.id)).toEqual(asc.items.map((i) => i.id).reverse());
    const active = await list(`${base}?status=active`);
    expect(active.total).toBe(2);
    const expired = await list(`/api/customers/${c.failed!.tenantId}/subscriptions?status=expired`);
    expect(expired.items.map((i) => i.id)).toEqual([c.failed!.sourceId]);
    const file = await csv(`${base}?sort=-quantity`);
    expect(file.rows.map((r) => r.subscriptionId)).toEqual(desc.items.map((i) => i.id));
    const bad = await t.call({ url: `${base}?sort=unitCost`, token: tok });
    expect(bad.body.code).toBe('invalid_sort');
  });

  it('audit: filter by action family, sort both ways, count, CSV, isolation', async () => {
    const planned = await list('/api/audit?action=transition.planned&limit=200');
    expect(planned.total).toBe(BOOK.length);
    expect(
      planned.items.every((i) => (i as unknown as { action: string }).action === 'transition.planned'),
    ).toBe(true);
    const family = await list('/api/audit?action=transition.&sort=at');
    expect(family.total).toBeGreaterThanOrEqual(BOOK.length);
    const ids = family.items.map((i) => Number(i.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    const byAction = await list('/api/audit?sort=-action&limit=200');
    const actions = byAction.items.map((i) => (i as unknown as { action: string }).action);
    expect(actions.length).toBeGreaterThan(1);
    expect(actions).toEqual([...actions].sort().reverse());
    const file = await csv('/api/audit?action=transition.planned&limit=1');
    expect(file.rows).toHaveLength(BOOK.length);
    expect(file.rows.map((r) => r.id)).toEqual(planned.items.map((i) => i.id));
    expect(file.rows.some((r) => r.tenantId === other.tenantId)).toBe(false);
    expect((await t.call({ url: '/api/audit?sort=data', token: tok })).body.code).toBe('invalid_sort');
  });
});

describe('GET /api/home', () => {
  it('ranks what needs attention over the whole book: expired first, nothing under way or moved', async () => {
    const home = await t.expectOk({ url: '/api/home', token: tok });
    const tenants = home.attention.items.map((i: { customer: { tenantId: string } }) => i.customer.tenantId);
    // The expired source first, then the one ending in 10 days; every claimed source left out.
    expect(tenants).toEqual([c.failed!.tenantId, c.planned!.tenantId]);
    expect(home.attention.items[0]).toMatchObject({ expired: true, status: 'expired' });
    expect(home.attention.items[1].customer.companyName).toBe('Alpha Planned');
    expect(home.attention.total).toBe(2);
    expect(tenants).not.toContain(other.tenantId);
    expect(home.transitions).toEqual({
      planned: 1,
      applying: 1,
      'waiting-customer': 1,
      'waiting-partner': 1,
      failed: 1,
      done: 1,
    });
  });

  it('names the customer of a pending relationship request', async () => {
    const x = await t.newTenant({});
    const req = await t.expectOk(
      { method: 'POST', url: '/api/relationship-requests', token: tok, body: { tenantId: x.tenant.id } },
      201,
    );
    const home = await t.expectOk({ url: '/api/home', token: tok });
    const mine = home.pendingRequests.find((r: { id: string }) => r.id === req.id);
    expect(mine.customer).toMatchObject({ tenantId: x.tenant.id, companyName: x.tenant.companyName });
  });
});

describe('GET /api/home: delegated admin about to end', () => {
  it('lists the partner GDAP grants ending within 30 days, soonest first, not those that auto-extend or end later', async () => {
    const p = await t.newPartner();
    const q = await t.newPartner();
    const served = async (partner: typeof p, delegatedAdmin: Record<string, unknown>) => {
      const x = await t.newTenant({});
      const req = await t.expectOk(
        {
          method: 'POST',
          url: '/api/relationship-requests',
          token: partner.tokens['account-admin'],
          body: { tenantId: x.tenant.id, delegatedAdmin },
        },
        201,
      );
      await t.expectOk({ method: 'POST', url: `/api/invitations/${req.token}/accept`, token: x.adminToken });
      return x.tenant;
    };
    const roles = ['User Administrator'];
    const in20 = await served(p, { roles, durationDays: 20 });
    const in10 = await served(p, { roles, durationDays: 10 });
    await served(p, { roles, durationDays: 40 });
    await served(p, { roles, durationDays: 10, autoExtend: true });
    const others = await served(q, { roles, durationDays: 5 });
    const home = await t.expectOk({ url: '/api/home', token: p.tokens['account-admin'] });
    expect(home.delegatedAdminEnding.length).toBeGreaterThan(0);
    expect(
      home.delegatedAdminEnding.map((g: { customer: { tenantId: string } }) => g.customer.tenantId),
    ).toEqual([in10.id, in20.id]);
    expect(home.delegatedAdminEnding[0].customer.companyName).toBe(in10.companyName);
    const theirs = await t.expectOk({ url: '/api/home', token: q.tokens['account-admin'] });
    expect(
      theirs.delegatedAdminEnding.map((g: { customer: { tenantId: string } }) => g.customer.tenantId),
    ).toEqual([others.id]);
  });
});

describe('bulk plan runs', () => {
  it('records each run: counts, customers with verdict and reasons, and filters the book by run', async () => {
    const fresh = await t.newPartner();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const x = await customerWithPlan(fresh, `Bulk ${i}`, 40);
      ids.push(x.tenantId);
    }
    const missing = `missing-${randomUUID()}`;
    const result = await planBulk(t.handle, {
      partnerId: fresh.partner.id,
      tenantIds: [...ids, missing],
      config: t.config,
    });
    const token = fresh.tokens['account-admin'];
    const runs = await t.expectOk({ url: '/api/bulk-plan-runs', token });
    expect(runs.items).toHaveLength(1);
    const run = runs.items[0];
    expect(run.customers).toBe(4);
    expect(run.counts).toMatchObject({ refused: 1 });
    expect(
      run.counts.ready + run.counts['needs-acknowledgment'] + run.counts.blocked + run.counts['under-way'],
    ).toBe(3);
    expect(run.counts).toMatchObject(result.counts);
    const report = await t.expectOk({ url: `/api/bulk-plan-runs/${run.id}`, token });
    expect(report.items).toHaveLength(4);
    const refused = report.items.find((i: { tenantId: string }) => i.tenantId === missing);
    expect(refused.verdict).toBe('refused');
    expect(refused.reasons[0].code).toBe('tenant_not_found');
    expect(refused.reasons[0].textEs.length).toBeGreaterThan(0);
    const saved = report.items.filter((i: { transitionId: string | null }) => i.transitionId);
    expect(saved.length).toBeGreaterThan(0);
    const book = await list(`/api/transitions?runId=${run.id}&limit=200`, token);
    expect(book.items.map((i) => i.id).sort()).toEqual(
      saved.map((i: { transitionId: string }) => i.transitionId).sort(),
    );
    // The run's transitions are a subset of the partner's book, which also holds the earlier plans.
    expect((await list('/api/transitions', token)).total).toBe(3 + saved.length);
    // Another partner's run does not exist for A.
    expect((await t.call({ url: `/api/bulk-plan-runs/${run.id}`, token: tok })).status).toBe(404);
    expect((await t.call({ url: `/api/transitions?runId=${run.id}`, token: tok })).status).toBe(404);
  });
});
