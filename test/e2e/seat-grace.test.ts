import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertGrant } from '../../src/modules/delegated-admin/delegated-admin.repo.ts';
import { sweepSeatGraceNow } from '../../src/modules/licenses/licenses.jobs.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { newOffer as newOfferOf } from '../fixtures/offers.ts';

/**
 * Issue 16: seat reductions as new commerce does them, through the API on the movable clock.
 * One 7-day window per batch of added seats; a reduction below the seats assigned keeps every user's
 * access for 90 days, with the customer's task and the partner's notices on the way, then the newest
 * assignments lose the license (the sweep runs on the queue after each clock move).
 */
const DAY = 86_400_000;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { queue: true });
});
afterAll(async () => t?.close());

async function serverNow(): Promise<Date> {
  return new Date((await t.expectOk({ url: '/api/clock', token: t.operatorToken })).now);
}

async function advance(days: number) {
  await t.expectOk({
    method: 'POST',
    url: '/api/admin/clock',
    token: t.operatorToken,
    body: { advanceDays: days },
  });
}

/** 36,500 a seat and year: 100 a seat and day over a 365-day term. */
const newOffer = () => newOfferOf(t);

/** A partner's customer with delegated admin, and a partner subscription bought 100 days ago. */
async function customerWithSubscription(quantity: number, users: number) {
  const offer = await newOffer();
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], users });
  const tenantId = c.tenant.id as string;
  const now = await serverNow();
  await t.handle.db
    .transaction()
    .execute((trx) =>
      insertGrant(trx, { partnerId: p.partner.id, tenantId, kind: 'dap', status: 'active', now }),
    );
  const start = new Date(now.getTime() - 100 * DAY);
  const sub = await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${tenantId}/subscriptions`,
      token: t.operatorToken,
      body: {
        offerId: offer.id,
        quantity,
        channel: 'partner',
        partnerId: p.partner.id,
        billingCycle: 'annual',
        autoRenew: true,
        termStart: start.toISOString(),
        termEnd: new Date(start.getTime() + 365 * DAY).toISOString(),
      },
    },
    201,
  );
  const directory = await t.handle.db
    .selectFrom('directory_users')
    .select(['id', 'user_principal_name'])
    .where('tenant_id', '=', tenantId)
    .orderBy('user_principal_name')
    .execute();
  const patch = (body: Record<string, unknown>) =>
    t.call({
      method: 'PATCH',
      url: `/api/customers/${tenantId}/subscriptions/${sub.id}`,
      token: p.tokens['sales-agent'],
      body,
    });
  return { p, c, tenantId, sub, skuId: offer.skuId as string, users: directory.map((u) => u.id), patch };
}

async function outbox(type: string, tenantId: string) {
  const rows = await t.handle.db
    .selectFrom('outbox_events')
    .select(['payload', 'created_at'])
    .where('type', '=', type)
    .orderBy('created_at')
    .execute();
  return rows
    .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload))
    .filter((p) => p.tenantId === tenantId);
}

async function auditRows(action: string, tenantId: string) {
  return t.handle.db
    .selectFrom('audit_events')
    .select(['action', 'data'])
    .where('action', '=', action)
    .where('tenant_id', '=', tenantId)
    .execute();
}

/** The clock move queues a sweep; wait until the queue has caught up with what is due. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<T> {
  const until = Date.now() + 20_000;
  let seen = await read();
  while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await read();
  }
  return seen;
}

describe('seat reductions: one window per batch of added seats', () => {
  it('lets only the seats of batches whose window is open go, refunding them prorated', async () => {
    const s = await customerWithSubscription(10, 1);
    expect((await s.patch({ quantity: 12 })).status).toBe(200); // batch 1: +2
    await advance(4);
    expect((await s.patch({ quantity: 15 })).status).toBe(200); // batch 2: +3
    await advance(4); // batch 1's window closed (8 days), batch 2's open (4 days)

    const tooFar = await s.patch({ quantity: 11 });
    expect(tooFar.status).toBe(422);
    expect(tooFar.body).toMatchObject({ code: 'seat_reduction_outside_window' });
    const row = await t.handle.db
      .selectFrom('subscriptions')
      .select('quantity')
      .where('id', '=', s.sub.id)
      .executeTakeFirstOrThrow();
    expect(row.quantity).toBe(15);

    // Day 109 of the term has started: 256 days left × 100 × 3 seats.
    const ok = await s.patch({ quantity: 12 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ quantity: 12, amountRefunded: 3 * 256 * 100, amountLost: 0 });
    // Batch 2 is spent; batch 1's window is closed: nothing more may go.
    expect((await s.patch({ quantity: 11 })).body.code).toBe('seat_reduction_outside_window');
  });
});

describe('seats reduced below those assigned (acceptance 5)', () => {
  it('keeps every user licensed for 90 days with warnings on the way, then the newest assignments lose it', async () => {
    const s = await customerWithSubscription(3, 6);
    expect((await s.patch({ quantity: 5 })).status).toBe(200);
    const assign = (userId: string) =>
      t.call({
        method: 'POST',
        url: `/api/customers/${s.tenantId}/users/${userId}/license-updates`,
        token: s.p.tokens['admin-agent'],
        body: { assign: [{ skuId: s.skuId }], remove: [] },
      });
    // Five users assigned one after the other (an hour apart): users[4] is the newest.
    for (const u of s.users.slice(0, 5)) {
      expect((await assign(u)).status).toBe(201);
      await advance(1 / 24);
    }
    await advance(2); // the seats were added about 2 days ago: their window is open

    const reduced = await s.patch({ quantity: 3 });
    expect(reduced.status).toBe(200);
    expect(reduced.body.quantity).toBe(3);
    expect(reduced.body.amountRefunded).toBeGreaterThan(0);
    const reducedAt = await serverNow();

    const usersView = async () => {
      const page = await t.expectOk({
        url: `/api/customers/${s.tenantId}/users`,
        token: s.p.tokens['admin-agent'],
      });
      type U = { id: string; hasAccess: boolean; licenses: { skuId: string; hasAccess: boolean }[] };
      return new Map<string, U>(page.items.map((u: U) => [u.id, u]));
    };
    const licensed = async () =>
      (
        await t.handle.db
          .selectFrom('license_assignments')
          .select('directory_user_id')
          .where('tenant_id', '=', s.tenantId)
          .where('sku_id', '=', s.skuId)
          .orderBy('directory_user_id')
          .execute()
      ).map((r) => r.directory_user_id);
    const everyoneHasAccess = async () => {
      const view = await usersView();
      const holders = s.users.slice(0, 5).map((id) => view.get(id)!);
      expect(holders).toHaveLength(5);
      for (const u of holders) {
        expect(u.licenses.map((l) => [l.skuId, l.hasAccess])).toEqual([[s.skuId, true]]);
        expect(u.hasAccess).toBe(true);
      }
    };

    // At once: everyone keeps access, the pool shows the seats in grace, no new seat can be taken.
    await everyoneHasAccess();
    const pools = await t.expectOk({
      url: `/api/customers/${s.tenantId}/seat-pools`,
      token: s.p.tokens['admin-agent'],
    });
    const pool = pools.items.find((x: { skuId: string }) => x.skuId === s.skuId);
    expect(pool).toMatchObject({
      seats: 3,
      assigned: 5,
      available: 0,
      graceSeats: 2,
      usersWithoutAccess: [],
    });
    const sixth = await assign(s.users[5]!);
    expect(sixth.status).toBe(409);
    expect(sixth.body.code).toBe('license_quota_exceeded');

    // The warnings: the partner's notice (outbox and audit) and the customer's task naming the newest two.
    const notices = async () =>
      (await outbox('seats.over-assigned', s.tenantId)).map((p) => p.daysBefore ?? p.notice);
    expect(await notices()).toEqual(['reduced']);
    const [first] = await outbox('seats.over-assigned', s.tenantId);
    expect(first).toMatchObject({
      subscriptionId: s.sub.id,
      partnerId: s.p.partner.id,
      skuId: s.skuId,
      seats: 3,
      assigned: 5,
      overAssigned: 2,
    });
    const graceEndsAt = new Date(first.graceEndsAt);
    const graceDays = (graceEndsAt.getTime() - reducedAt.getTime()) / DAY;
    expect(graceDays).toBeGreaterThan(89.99);
    expect(graceDays).toBeLessThanOrEqual(90);
    expect(pool.graceEndsAt).toBe(first.graceEndsAt);
    expect(await auditRows('seats.over-assigned', s.tenantId)).toHaveLength(1);
    const tasks = await t.expectOk({ url: '/api/tenant/tasks', token: s.c.adminToken });
    const task = tasks.items.find((x: { step: string }) => x.step === 'unassign-licenses-over-seats');
    expect(task).toMatchObject({
      transitionId: null,
      partner: { id: s.p.partner.id },
      subscriptionId: s.sub.id,
      dueAt: graceEndsAt.toISOString(),
      detail: { skuId: s.skuId, seats: 3, assigned: 5, toUnassign: 2 },
    });
    expect([...task.detail.usersLosingAccess].sort()).toEqual([s.users[3], s.users[4]].sort());

    // 30, 7 and 1 days before the end, once each, however often the sweep runs.
    await advance(61); // 29 days left
    expect(await eventually(notices, ['reduced', 30])).toEqual(['reduced', 30]);
    await Promise.all([sweepSeatGraceNow(t.deps), sweepSeatGraceNow(t.deps)]);
    expect(await notices()).toEqual(['reduced', 30]);
    await advance(23); // 6 days left
    expect(await eventually(notices, ['reduced', 30, 7])).toEqual(['reduced', 30, 7]);
    await advance(5); // day 89: 1 day left
    expect(await eventually(notices, ['reduced', 30, 7, 1])).toEqual(['reduced', 30, 7, 1]);
    expect(await auditRows('seats.over-assigned', s.tenantId)).toHaveLength(4);

    // Day 89: still everyone licensed, with access.
    await sweepSeatGraceNow(t.deps);
    await everyoneHasAccess();
    expect(await licensed()).toHaveLength(5);

    // Day 90 passed: the two most recently assigned lose the license; assigned == pool.
    await advance(1.5);
    const kept = [...s.users.slice(0, 3)].sort();
    expect(await eventually(licensed, kept)).toEqual(kept);
    const view = await usersView();
    for (const id of s.users.slice(0, 3)) expect(view.get(id)).toMatchObject({ hasAccess: true });
    for (const id of [s.users[3]!, s.users[4]!]) expect(view.get(id)?.licenses).toEqual([]);
    const removed = await auditRows('licenses.removed-after-grace', s.tenantId);
    expect(removed).toHaveLength(1);
    const removedData =
      typeof removed[0]!.data === 'string' ? JSON.parse(removed[0]!.data) : removed[0]!.data;
    expect([...removedData.users].sort()).toEqual([s.users[3], s.users[4]].sort());
    const events = await outbox('seats.licenses-removed', s.tenantId);
    expect(events).toHaveLength(1);
    // Done: no task left, nothing more removed or sent by later sweeps.
    const after = await t.expectOk({ url: '/api/tenant/tasks', token: s.c.adminToken });
    expect(after.items.filter((x: { step: string }) => x.step === 'unassign-licenses-over-seats')).toEqual(
      [],
    );
    await sweepSeatGraceNow(t.deps);
    expect(await licensed()).toEqual(kept);
    expect(await notices()).toEqual(['reduced', 30, 7, 1]);
  });

  it('removes nothing when the customer unassigns in time, and gives no grace to seats that were free', async () => {
    const s = await customerWithSubscription(2, 4);
    expect((await s.patch({ quantity: 4 })).status).toBe(200);
    for (const u of s.users.slice(0, 3)) {
      const r = await t.call({
        method: 'POST',
        url: `/api/customers/${s.tenantId}/users/${u}/license-updates`,
        token: s.p.tokens['admin-agent'],
        body: { assign: [{ skuId: s.skuId }], remove: [] },
      });
      expect(r.status).toBe(201);
    }
    // 4 → 3 seats with 3 assigned: a free seat goes, no grace, no notice.
    expect((await s.patch({ quantity: 3 })).status).toBe(200);
    expect(await outbox('seats.over-assigned', s.tenantId)).toEqual([]);
    // 3 → 2 with 3 assigned: one seat in grace; the customer then unassigns one user.
    expect((await s.patch({ quantity: 2 })).status).toBe(200);
    expect(await outbox('seats.over-assigned', s.tenantId)).toHaveLength(1);
    const r = await t.call({
      method: 'POST',
      url: `/api/customers/${s.tenantId}/users/${s.users[0]}/license-updates`,
      token: s.p.tokens['admin-agent'],
      body: { assign: [], remove: [s.skuId] },
    });
    expect(r.status).toBe(201);
    const tasks = await t.expectOk({ url: '/api/tenant/tasks', token: s.c.adminToken });
    expect(tasks.items.filter((x: { step: string }) => x.step === 'unassign-licenses-over-seats')).toEqual(
      [],
    );
    await advance(91);
    await sweepSeatGraceNow(t.deps);
    const left = await t.handle.db
      .selectFrom('license_assignments')
      .select('directory_user_id')
      .where('tenant_id', '=', s.tenantId)
      .execute();
    expect(left.map((x) => x.directory_user_id).sort()).toEqual([s.users[1], s.users[2]].sort());
    expect(await auditRows('licenses.removed-after-grace', s.tenantId)).toEqual([]);
    expect(await outbox('seats.over-assigned', s.tenantId)).toHaveLength(1);
  });
});
