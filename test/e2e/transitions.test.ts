import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc, addYearsUtc } from '../../src/domain/calendar.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { newOffer } from '../fixtures/offers.ts';
import {
  platformNow as platformNowOf,
  STANDARD,
  STANDARD_SKU,
  seedCase as seedCaseOf,
  waitForTransition,
} from '../fixtures/transition-case.ts';

/**
 * The transition end to end through the API, with the job queue running and the clock moved to
 * show the outcome. Demo catalog offers are real SKUs from data/licensing-service-plans.csv.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

const platformNow = () => platformNowOf(t);
const seedCase = (opts: Parameters<typeof seedCaseOf>[1] = {}) => seedCaseOf(t, opts);
const waitFor = (transitionId: string, token: string, statuses: string[]) =>
  waitForTransition(t, transitionId, token, statuses);

async function skuAccess(tenantId: string, token: string, skuId: string) {
  const subs = await t.expectOk({ url: `/api/customers/${tenantId}/subscriptions?limit=200`, token });
  const pool = subs.items
    .filter((s: { skuId: string; usersHaveAccess: boolean }) => s.skuId === skuId && s.usersHaveAccess)
    .reduce((n: number, s: { quantity: number }) => n + s.quantity, 0);
  return { pool, items: subs.items };
}

describe('the seed case: direct annual Business Standard, 50 seats, 45 assigned', () => {
  it('plans same offer, 50 seats, no reassignment, let-expire, credit by the customer; applied, nobody loses access', async () => {
    const c = await seedCase();
    const token = c.tokens['sales-agent'];
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'now' } },
      },
      201,
    );
    expect(plan.verdict).toBe('ready');
    expect(plan.lines).toHaveLength(1);
    expect(plan.lines[0]).toMatchObject({
      sourceSubscriptionId: c.source.id,
      targetOfferId: STANDARD,
      addOnOfferIds: [],
      quantity: 50,
      assignedSeats: 45,
      reassignLicenses: false,
      disposition: 'let-expire',
      creditEligible: true,
      creditFiledBy: 'customer',
      verdict: 'ready',
    });
    // A dry run: nothing was bought.
    expect((await skuAccess(c.tenant.id, token, STANDARD_SKU)).items).toHaveLength(1);

    const applied = await t.call({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token });
    expect(applied.status).toBe(202);
    const waiting = await waitFor(plan.id, token, ['waiting', 'failed']);
    expect(waiting.status).toBe('waiting');
    expect(waiting.steps.find((s: { kind: string }) => s.kind === 'provision').status).toBe('done');
    expect(waiting.steps.find((s: { kind: string }) => s.kind === 'turn-off-auto-renew').status).toBe(
      'waiting',
    );
    expect((await skuAccess(c.tenant.id, token, STANDARD_SKU)).pool).toBe(100);

    // The customer sees its task, with who asks: turn auto-renew off on its direct subscription.
    const tasks = await t.expectOk({ url: '/api/tenant/tasks', token: c.adminToken });
    expect(tasks.items).toEqual([
      expect.objectContaining({
        transitionId: plan.id,
        step: 'turn-off-auto-renew',
        subscriptionId: c.source.id,
        partner: expect.objectContaining({ id: c.partner.id }),
      }),
    ]);
    await t.expectOk({
      method: 'PATCH',
      url: `/api/tenant/subscriptions/${c.source.id}`,
      token: c.adminToken,
      body: { autoRenew: false },
    });
    // Through the source's end and its expired grace: the pool never drops below the 45 assigned.
    // While the source is in its expired grace, the seats in use show on the subscription that keeps them.
    let sawGrace = false;
    for (const days of [30, 16, 20, 15, 100]) {
      await t.expectOk({
        method: 'POST',
        url: '/api/admin/clock',
        token: t.operatorToken,
        body: { advanceDays: days },
      });
      const { pool, items } = await skuAccess(c.tenant.id, token, STANDARD_SKU);
      expect(pool).toBeGreaterThanOrEqual(45);
      const source = items.find((s: { id: string }) => s.id === c.source.id);
      if (source.status === 'expired') {
        sawGrace = true;
        const kept = items.find((s: { channel: string }) => s.channel === 'partner');
        expect([source.assignedSeats, kept.assignedSeats]).toEqual([0, 45]);
      }
    }
    expect(sawGrace).toBe(true);
    const done = await waitFor(plan.id, token, ['applied', 'failed']);
    expect((await t.expectOk({ url: '/api/tenant/tasks', token: c.adminToken })).items).toEqual([]);
    expect(done.status).toBe('applied');
    const { items } = await skuAccess(c.tenant.id, token, STANDARD_SKU);
    const old = items.find((s: { id: string }) => s.id === c.source.id);
    const fresh = items.find((s: { channel: string }) => s.channel === 'partner');
    expect(old.status).toBe('deleted');
    expect(fresh).toMatchObject({
      status: 'active',
      quantity: 50,
      partnerId: c.partner.id,
      usersHaveAccess: true,
    });
  });

  it("with delegated admin the credit is the partner's to file, and applying files it", async () => {
    const c = await seedCase({ dap: true, assigned: 5 });
    const token = c.tokens['admin-agent'];
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'now' } },
      },
      201,
    );
    expect(plan.lines[0]).toMatchObject({ creditFiledBy: 'partner', sourceActor: 'partner' });
    await t.expectOk({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token }, 202);
    const tr = await waitFor(plan.id, token, ['waiting', 'failed']);
    expect(tr.status).toBe('waiting');
    const credits = await t.expectOk({ url: `/api/customers/${c.tenant.id}/credit-requests`, token });
    expect(credits.items).toHaveLength(1);
    // Filed with the amount the platform computes for the days paid twice: 50 seats × 44 days (the
    // source's day 321 began before the purchase) × USD 150.00 / 365 = 904.11, as the plan showed.
    const bought = (await skuAccess(c.tenant.id, token, STANDARD_SKU)).items.find(
      (s: { channel: string }) => s.channel === 'partner',
    );
    expect(plan.lines[0]).toMatchObject({ creditAmount: 90_411, creditCurrency: 'USD' });
    expect(credits.items[0]).toMatchObject({
      subscriptionId: c.source.id,
      filedBy: 'partner',
      newSubscriptionId: bought.id,
      amount: 90_411,
      currency: 'USD',
    });
    // With delegated admin the partner also turned auto-renew off on the customer's behalf.
    const src = (await skuAccess(c.tenant.id, token, STANDARD_SKU)).items.find(
      (s: { id: string }) => s.id === c.source.id,
    );
    expect(src.autoRenew).toBe(false);
  });
});

describe('applying', () => {
  it('executes a plan exactly once, however often and however concurrently it is applied', async () => {
    const c = await seedCase({ assigned: 3, quantity: 5 });
    const token = c.tokens['account-admin'];
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'now' } },
      },
      201,
    );
    const calls = await Promise.all(
      [1, 2, 3].map(() => t.call({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token })),
    );
    expect(calls.map((r) => r.status)).toEqual([202, 202, 202]);
    await t.call({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token });
    await waitFor(plan.id, token, ['waiting', 'failed']);
    const partnerSubs = (await skuAccess(c.tenant.id, token, STANDARD_SKU)).items.filter(
      (s: { channel: string }) => s.channel === 'partner',
    );
    expect(partnerSubs).toHaveLength(1);
    const orders = await t.expectOk({ url: `/api/customers/${c.tenant.id}/orders`, token });
    expect(orders.items).toHaveLength(1);
  });

  it('refuses to apply a plan that is not ready', async () => {
    const c = await seedCase({ offerId: 'demo-project-online-premium', quantity: 3, assigned: 2 });
    const token = c.tokens['account-admin'];
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'now' } },
      },
      201,
    );
    expect(plan.verdict).toBe('blocked');
    const r = await t.call({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token });
    expect(r).toMatchObject({ status: 422, body: { code: 'transition_not_ready' } });
  });
});

describe('end-of-sale sources', () => {
  it('moves Office 365 E1 to its successor with the Teams add-on, reassigning every user, excluded plans carried', async () => {
    const e1Plans = (await t.expectOk({ url: '/api/offers/demo-o365-e1', token: t.operatorToken }))
      .servicePlans as { id: string; name: string }[];
    const sway = e1Plans.find((p) => p.name === 'SWAY')!;
    const c = await seedCase({
      offerId: 'demo-o365-e1',
      quantity: 6,
      assigned: 4,
      dap: true,
      excluded: [sway.id],
    });
    const token = c.tokens['admin-agent'];
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'now' } },
      },
      201,
    );
    const line = plan.lines[0];
    expect(line).toMatchObject({
      choice: 'successor',
      targetOfferId: 'demo-o365-e1-eea-no-teams',
      addOnOfferIds: ['demo-teams-eea'],
      reassignLicenses: true,
      verdict: 'ready',
    });
    expect(line.reassignments).toHaveLength(4);
    await t.expectOk({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token }, 202);
    const tr = await waitFor(plan.id, token, ['waiting', 'failed']);
    expect(
      tr.steps
        .filter((s: { kind: string }) =>
          ['assign-target-licenses', 'remove-source-licenses'].includes(s.kind),
        )
        .map((s: { status: string }) => s.status),
    ).toEqual(['done', 'done']);
    const users = await t.expectOk({ url: `/api/customers/${c.tenant.id}/users?limit=200`, token });
    for (const u of users.items) {
      const skus = u.licenses.map((l: { skuId: string }) => l.skuId).sort();
      expect(skus).toEqual([line.targetSkuIds[0], line.targetSkuIds[1]].sort());
      const target = u.licenses.find((l: { skuId: string }) => l.skuId === line.targetSkuIds[0]);
      expect(target.excludedPlans).toEqual(line.reassignments[0].excludedPlanIds);
      expect(u.hasAccess).toBe(true);
    }
    // Every intermediate state was safe: the audit shows assign before remove for the whole line.
    const audit = await t.expectOk({ url: `/api/audit?tenantId=${c.tenant.id}&limit=200`, token });
    const actions = audit.items
      .map((e: { action: string; data: { step?: string } }) => e.data.step ?? e.action)
      .reverse();
    const assignAt = actions.findIndex((a: string) => a.includes('assign-target-licenses'));
    const removeAt = actions.findIndex((a: string) => a.includes('remove-source-licenses'));
    expect(assignAt).toBeGreaterThan(-1);
    expect(assignAt).toBeLessThan(removeAt);
  });

  it('blocks a Project Online source, naming the data and users at risk; an acknowledged substitute proceeds and is audited', async () => {
    const c = await seedCase({ offerId: 'demo-project-online-premium', quantity: 3, assigned: 2 });
    const token = c.tokens['account-admin'];
    const blocked = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'now' } },
      },
      201,
    );
    expect(blocked.verdict).toBe('blocked');
    expect(blocked.lines[0].workloadsAtRisk).toContain('project');
    expect(blocked.lines[0].usersAtRisk).toBe(2);
    const ack = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: {
          options: {
            acknowledgments: [
              { sourceSubscriptionId: c.source.id, substituteOfferId: 'demo-m365-business-premium' },
            ],
          },
        },
      },
      201,
    );
    expect(ack.verdict).toBe('ready');
    expect(ack.lines[0]).toMatchObject({
      choice: 'acknowledged-substitute',
      targetOfferId: 'demo-m365-business-premium',
    });
    const audit = await t.expectOk({ url: `/api/audit?tenantId=${c.tenant.id}&limit=200`, token });
    const planned = audit.items.find(
      (e: { action: string; targetId: string }) => e.action === 'transition.planned' && e.targetId === ack.id,
    );
    expect(planned.data.acknowledgments).toEqual([
      expect.objectContaining({
        sourceSubscriptionId: c.source.id,
        substituteOfferId: 'demo-m365-business-premium',
        usersAtRisk: 2,
      }),
    ]);
  });
});

describe('money', () => {
  it('shows both dates with their overlap cost, and never offers a cancellation the window forbids', async () => {
    const c = await seedCase({ quantity: 10, assigned: 2, endsInDays: 73 });
    const token = c.tokens['sales-agent'];
    const plan = await t.expectOk(
      { method: 'POST', url: `/api/customers/${c.tenant.id}/transitions`, token, body: {} },
      201,
    );
    const cancelNow = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { disposition: 'cancel-now' } },
      },
      201,
    );
    // Bought 292 days ago: its 7-day cancellation window closed long ago. Only auto-renew off.
    expect(plan.lines[0]).toMatchObject({ cancellable: false, lossIfCancelledNow: 0 });
    expect(cancelNow.lines[0]).toMatchObject({ disposition: 'let-expire', cancellable: false });
    expect(cancelNow.lines[0].reasons.map((r: { code: string }) => r.code)).toContain(
      'line.cancellation-window-closed',
    );
    expect(cancelNow.timeline.map((s: { step: string }) => s.step)).not.toContain('cancel-source');
    // Business Standard: 150.00 per seat-year, 10 seats. Now: the 73 days until the source's end, of a
    // new one-year term (365 or 366 days); before the end: its last 7 days.
    const now = await platformNow();
    const newTermDays = Math.round((addYearsUtc(now, 1).getTime() - now.getTime()) / 86_400_000);
    const laterTermDays = Math.round(
      (addYearsUtc(addDaysUtc(now, 66), 1).getTime() - addDaysUtc(now, 66).getTime()) / 86_400_000,
    );
    const day = (d: Date) => d.toISOString().slice(0, 10);
    expect(
      plan.lines[0].provisionOptions.map((o: { when: string; on: string; overlapCost: number }) => ({
        ...o,
        on: o.on.slice(0, 10),
      })),
    ).toEqual([
      { when: 'now', on: day(now), overlapCost: Math.round((15_000 * 10 * 73) / newTermDays) },
      {
        when: 'before-end',
        on: day(addDaysUtc(now, 66)),
        overlapCost: Math.round((15_000 * 10 * 7) / laterTermDays),
      },
    ]);
    expect(plan.lines[0]).toMatchObject({ provision: 'before-end', recommendedProvision: 'before-end' });
    expect(plan.lines[0].overlapCost).toBe(plan.lines[0].provisionOptions[1].overlapCost);
    expect(plan.totals.overlapCost).toBe(plan.lines[0].overlapCost);
  });

  it('a monthly-term target with 180 days of overlap costs about six months, not one', async () => {
    const monthly = await newOffer(t, 'O365_BUSINESS_PREMIUM', {
      id: `monthly-${Date.now()}`,
      unitPrice: 1_250,
      term: 'P1M',
      billingCycle: 'monthly',
      maxQuantity: 300,
    });
    const c = await seedCase({ offerId: monthly.id, quantity: 40, assigned: 3, endsInDays: 180 });
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token: c.tokens['sales-agent'],
        body: { options: { provision: 'now' } },
      },
      201,
    );
    const line = plan.lines[0];
    expect(line).toMatchObject({ targetOfferId: monthly.id, provision: 'now' });
    // By hand: 40 seats × 12.50 = 500.00 a month. Five whole calendar months from now, then the
    // started days left of the sixth, prorated over that month's days.
    const now = new Date(line.provisionAt);
    const month = 1_250 * 40;
    const addMonths = (d: Date, n: number) => {
      const x = new Date(d.getTime());
      x.setUTCMonth(d.getUTCMonth() + n);
      return x;
    };
    const five = addMonths(now, 5);
    const six = addMonths(now, 6);
    const end = new Date(line.sourceEndsAt);
    const day = 86_400_000;
    const rest = Math.ceil((end.getTime() - five.getTime()) / day);
    const sixthDays = Math.round((six.getTime() - five.getTime()) / day);
    expect(line.overlapCost).toBe(5 * month + Math.round((month * rest) / sixthDays));
    // About six months: more than five, not more than six (it was one month, 500.00, before).
    expect(line.overlapCost).toBeGreaterThan(5 * month);
    expect(line.overlapCost).toBeLessThanOrEqual(6 * month);
  });

  it('a direct annual source with 200 days left: bought on day 193, nothing changes before, users licensed throughout', async () => {
    const c = await seedCase({ quantity: 20, assigned: 12, endsInDays: 200, dap: true });
    const token = c.tokens['admin-agent'];
    const plan = await t.expectOk(
      { method: 'POST', url: `/api/customers/${c.tenant.id}/transitions`, token, body: {} },
      201,
    );
    const now = await platformNow();
    const line = plan.lines[0];
    expect(line.provision).toBe('before-end');
    expect(line.provisionOn).toBe(addDaysUtc(now, 193).toISOString().slice(0, 10));
    // About 7/365 of a year's seats, not 200/365.
    const year = 15_000 * 20;
    expect(line.overlapCost).toBeLessThanOrEqual(Math.ceil((year * 7) / 365));
    expect(line.overlapCost).toBeGreaterThanOrEqual(Math.floor((year * 7) / 366));
    expect(line.provisionOptions[0].overlapCost).toBeGreaterThanOrEqual(Math.floor((year * 200) / 366));

    await t.expectOk({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token, body: {} }, 202);
    await waitFor(plan.id, token, ['waiting']);
    const partnerSubs = async () =>
      (await skuAccess(c.tenant.id, token, c.skuId)).items.filter(
        (s: { channel: string }) => s.channel === 'partner',
      );
    // Before day 193: nothing bought (auto-renew of the source is turned off at once, on the partner's side).
    expect(await partnerSubs()).toEqual([]);
    for (const days of [100, 92]) {
      await t.expectOk({
        method: 'POST',
        url: '/api/admin/clock',
        token: t.operatorToken,
        body: { advanceDays: days },
      });
      await waitFor(plan.id, token, ['waiting', 'applied']);
      const access = await skuAccess(c.tenant.id, token, c.skuId);
      expect(access.pool).toBeGreaterThanOrEqual(12);
      expect(await partnerSubs()).toEqual([]);
    }
    // Day 193: the target is bought and every user keeps the SKU (the same offer: no license move).
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { advanceDays: 1 },
    });
    for (let i = 0; i < 100 && (await partnerSubs()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const bought = await partnerSubs();
    expect(bought).toHaveLength(1);
    expect(bought[0]).toMatchObject({ quantity: 20, usersHaveAccess: true });
    const access = await skuAccess(c.tenant.id, token, c.skuId);
    expect(access.pool).toBe(40);
  });
});

describe('refused before anything is planned', () => {
  it('a region mismatch, no relationship, and a billing agent', async () => {
    const p = await t.newPartner({ country: 'ES' });
    const brPartner = await t.newPartner({ country: 'BR' });
    const br = await t.newTenant({ partnerToken: brPartner.tokens['account-admin'], country: 'BR' });
    // Make the Spanish partner a reseller of the Brazilian tenant behind the region rule's back,
    // to prove the planner checks the region itself.
    await t.handle.db
      .insertInto('relationships')
      .values({
        id: `rel-${br.tenant.id}`,
        partner_id: p.partner.id,
        tenant_id: br.tenant.id,
        status: 'accepted',
        accepted_at: new Date(),
        created_at: new Date(),
      })
      .execute();
    const count = async () => (await t.handle.db.selectFrom('transitions').select('id').execute()).length;
    const before = await count();
    const region = await t.call({
      method: 'POST',
      url: `/api/customers/${br.tenant.id}/transitions`,
      token: p.tokens['account-admin'],
      body: {},
    });
    expect(region).toMatchObject({
      status: 422,
      body: { code: 'region_mismatch', data: { partnerRegion: 'Europe', tenantRegion: 'Brazil' } },
    });
    const lone = await t.newTenant();
    const none = await t.call({
      method: 'POST',
      url: `/api/customers/${lone.tenant.id}/transitions`,
      token: p.tokens['account-admin'],
      body: {},
    });
    expect(none).toMatchObject({ status: 404, body: { code: 'tenant_not_found' } });
    const own = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    const billing = await t.call({
      method: 'POST',
      url: `/api/customers/${own.tenant.id}/transitions`,
      token: p.tokens['billing-agent'],
      body: {},
    });
    expect(billing).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await count()).toBe(before);
  });
});
