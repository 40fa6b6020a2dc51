import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { seedCase, waitForTransition } from '../fixtures/transition-case.ts';

/**
 * SPEC §3.7: a source subscription belongs to at most one open transition. Planning again after an
 * apply shows the lines as under way and buys nothing; a second plan of the same sources cannot be
 * applied (409 transition_in_progress), also when two callers apply at the same instant.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

const plan = (tenantId: string, token: string) =>
  t.call({
    method: 'POST',
    url: `/api/customers/${tenantId}/transitions`,
    token,
    // Bought at once, so the test sees what the apply bought.
    body: { options: { provision: 'now' } },
  });
const apply = (id: string, token: string) =>
  t.call({ method: 'POST', url: `/api/transitions/${id}/apply`, token, body: {} });

async function bought(tenantId: string, partnerId: string) {
  const [subs, credits, claims] = await Promise.all([
    t.handle.db
      .selectFrom('subscriptions')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('channel', '=', 'partner')
      .where('partner_id', '=', partnerId)
      .execute(),
    t.handle.db.selectFrom('credit_requests').select('id').where('tenant_id', '=', tenantId).execute(),
    t.handle.db
      .selectFrom('transition_claims')
      .select(['transition_id', 'source_subscription_id'])
      .where('tenant_id', '=', tenantId)
      .where('released_at', 'is', null)
      .execute(),
  ]);
  return { subscriptions: subs.length, credits: credits.length, claims };
}

describe('a customer is never moved twice', () => {
  it('re-planning an applied customer shows the line under way, buys nothing, and is not ready', async () => {
    const c = await seedCase(t, { assigned: 10, dap: true });
    const token = c.tokens['admin-agent'];
    const first = await plan(c.tenant.id, token);
    expect(first.status).toBe(201);
    expect(first.body.verdict).toBe('ready');
    expect((await apply(first.body.id, token)).status).toBe(202);
    await waitForTransition(t, first.body.id, token, ['applied', 'waiting']);
    const after = await bought(c.tenant.id, c.partner.id);
    expect(after.subscriptions).toBe(1);
    expect(after.credits).toBe(1);
    expect(after.claims).toEqual([{ transition_id: first.body.id, source_subscription_id: c.source.id }]);

    const again = await plan(c.tenant.id, token);
    expect(again.status).toBe(201);
    expect(again.body.verdict).toBe('blocked');
    expect(again.body.reasons.map((r: { code: string }) => r.code)).toContain('plan.all-under-way');
    expect(again.body.lines).toHaveLength(1);
    expect(again.body.lines[0]).toMatchObject({
      sourceSubscriptionId: c.source.id,
      disposition: 'under-way',
      transitionId: first.body.id,
      targetOfferId: null,
      quantity: 0,
      overlapCost: { amount: 0, currency: 'EUR' },
    });
    expect(again.body.timeline).toEqual([]);
    const refused = await apply(again.body.id, token);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('transition_not_ready');
    expect(await bought(c.tenant.id, c.partner.id)).toEqual(after);
  });

  it('a second plan made before the first was applied is refused with 409 transition_in_progress, changing nothing', async () => {
    const c = await seedCase(t, { assigned: 5, dap: true });
    const token = c.tokens['account-admin'];
    const a = (await plan(c.tenant.id, token)).body;
    const b = (await plan(c.tenant.id, token)).body;
    expect([a.verdict, b.verdict]).toEqual(['ready', 'ready']);
    expect((await apply(a.id, token)).status).toBe(202);
    await waitForTransition(t, a.id, token, ['applied', 'waiting']);
    const digest = await databaseDigest(t.handle.db, ['sessions']);
    const refused = await apply(b.id, token);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'transition_in_progress' });
    expect(refused.body.description).toContain(a.id);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(digest);
    const tr = await t.expectOk({ url: `/api/transitions/${b.id}`, token });
    expect(tr.status).toBe('planned');
    expect(await bought(c.tenant.id, c.partner.id)).toMatchObject({ subscriptions: 1, credits: 1 });
  });

  it('two plans applied at the same instant: one wins, the other gets 409, one subscription and one credit', async () => {
    const c = await seedCase(t, { assigned: 5, dap: true });
    const token = c.tokens['account-admin'];
    const plans = [(await plan(c.tenant.id, token)).body, (await plan(c.tenant.id, token)).body];
    const answers = await Promise.all(plans.map((p) => apply(p.id, token)));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('transition_in_progress');
    const winner = plans[answers.findIndex((a) => a.status === 202)]!;
    await waitForTransition(t, winner.id, token, ['applied', 'waiting']);
    expect(await bought(c.tenant.id, c.partner.id)).toMatchObject({ subscriptions: 1, credits: 1 });
  });

  it('another partner applying a plan for the same source is refused too, and is not told whose transition it is', async () => {
    const c = await seedCase(t, { assigned: 3 });
    const token = c.tokens['account-admin'];
    const mine = (await plan(c.tenant.id, token)).body;
    // A second partner with an accepted relationship to the same customer (multi-partner).
    const other = await t.newPartner();
    const invite = await t.expectOk(
      {
        method: 'POST',
        url: '/api/relationship-requests',
        token: other.tokens['account-admin'],
        body: { tenantId: c.tenant.id },
      },
      201,
    );
    await t.expectOk({ method: 'POST', url: `/api/invitations/${invite.token}/accept`, token: c.adminToken });
    const theirs = (await plan(c.tenant.id, other.tokens['account-admin'])).body;
    expect(theirs.verdict).toBe('ready');
    expect((await apply(mine.id, token)).status).toBe(202);
    const refused = await apply(theirs.id, other.tokens['account-admin']);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('transition_in_progress');
    expect(refused.body.description).not.toContain(mine.id);
    const replanned = (await plan(c.tenant.id, other.tokens['account-admin'])).body;
    expect(replanned.lines[0]).toMatchObject({ disposition: 'under-way', transitionId: null });
  });

  it('a transition that fails before buying gives its sources back, so a new plan may move them', async () => {
    const c = await seedCase(t, { assigned: 3 });
    const token = c.tokens['account-admin'];
    const a = (await plan(c.tenant.id, token)).body;
    // The world changes under the plan: the relationship ends, so its order is refused.
    await t.handle.db
      .updateTable('relationships')
      .set({ status: 'removed', removed_at: new Date() })
      .where('tenant_id', '=', c.tenant.id)
      .where('partner_id', '=', c.partner.id)
      .execute();
    expect((await apply(a.id, token)).status).toBe(202);
    await waitForTransition(t, a.id, token, ['failed']);
    expect((await bought(c.tenant.id, c.partner.id)).claims).toEqual([]);
  });
});
