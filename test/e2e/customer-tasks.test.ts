import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { platformNow, seedCase, waitForTransition } from '../fixtures/transition-case.ts';

/**
 * The customer's task list (SPEC §3.4, §3.5, §3.8): without delegated admin, every license move the
 * customer's admin must make (each user, the SKUs to assign and the one to remove) and turning
 * auto-renew off on its direct subscription, each with its date, listed before they fall due.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
});
afterAll(async () => t?.close());

interface Sku {
  skuId: string;
  skuPartNumber: string | null;
  name: string | null;
}
interface Task {
  transitionId: string;
  step: string;
  status: string;
  subscriptionId: string | null;
  dueAt: string;
  users?: { userId: string; userPrincipalName: string; assign: Sku[]; remove: Sku }[];
}

async function skuOf(offerId: string): Promise<Sku> {
  const o = await t.expectOk({ url: `/api/offers/${offerId}`, token: t.operatorToken });
  return { skuId: o.skuId, skuPartNumber: o.skuPartNumber, name: o.productName ?? o.name };
}

describe("the customer's tasks without delegated admin", () => {
  it('lists every user license move and turning auto-renew off, each with its date, before and when due', async () => {
    const c = await seedCase(t, { offerId: 'demo-o365-e1', quantity: 6, assigned: 4 });
    const token = c.tokens['account-admin'];
    const now = await platformNow(t);
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'before-end' } },
      },
      201,
    );
    const line = plan.lines[0];
    expect(line).toMatchObject({ reassignLicenses: true, provision: 'before-end' });
    // Bought 7 days before the source's end (45 days from now): day 38.
    expect(line.provisionOn).toBe(addDaysUtc(now, 38).toISOString().slice(0, 10));
    await t.expectOk({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token }, 202);
    await waitForTransition(t, plan.id, token, ['waiting']);

    const tasks = async () =>
      (await t.expectOk({ url: '/api/tenant/tasks', token: c.adminToken })).items as Task[];
    const listed = await tasks();
    expect(listed.map((x) => [x.step, x.status, x.dueAt.slice(0, 10)])).toEqual([
      ['turn-off-auto-renew', 'waiting', now.toISOString().slice(0, 10)],
      ['assign-target-licenses', 'upcoming', line.provisionOn],
      ['remove-source-licenses', 'upcoming', line.provisionOn],
    ]);
    expect(listed.every((x) => x.transitionId === plan.id && x.subscriptionId === c.source.id)).toBe(true);
    expect(listed[0]!.users).toBeUndefined();

    // Each move names the user, the SKUs to assign (the successor and its Teams add-on) and the one to remove.
    const [e1, e1NoTeams, teams] = await Promise.all([
      skuOf('demo-o365-e1'),
      skuOf('demo-o365-e1-eea-no-teams'),
      skuOf('demo-teams-eea'),
    ]);
    const expected = c.users.map((userId, i) => ({
      userId,
      userPrincipalName: `user${i}@${c.domain}`,
      assign: [
        expect.objectContaining({ skuId: e1NoTeams.skuId, skuPartNumber: e1NoTeams.skuPartNumber }),
        expect.objectContaining({ skuId: teams.skuId, skuPartNumber: teams.skuPartNumber }),
      ],
      remove: expect.objectContaining({ skuId: e1.skuId, skuPartNumber: e1.skuPartNumber }),
    }));
    expect(expected).toHaveLength(4);
    for (const x of listed.slice(1))
      expect(
        [...(x.users ?? [])].sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName)),
      ).toEqual(expected.sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName)));

    // Day 38: the partner buys; the license moves are the customer's to do now.
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { advanceDays: 38 },
    });
    let due: Task[] = [];
    for (let i = 0; i < 100; i++) {
      due = await tasks();
      if (due.some((x) => x.step === 'assign-target-licenses' && x.status === 'waiting')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(due.map((x) => [x.step, x.status])).toEqual([
      ['turn-off-auto-renew', 'waiting'],
      ['assign-target-licenses', 'waiting'],
      ['remove-source-licenses', 'waiting'],
    ]);
    expect(due[1]!.users).toHaveLength(4);
  });

  it('with delegated admin the partner does them: none is listed for the customer', async () => {
    const c = await seedCase(t, { offerId: 'demo-o365-e1', quantity: 6, assigned: 4, dap: true });
    const token = c.tokens['admin-agent'];
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token,
        body: { options: { provision: 'before-end' } },
      },
      201,
    );
    expect(plan.lines[0]).toMatchObject({ reassignLicenses: true, sourceActor: 'partner' });
    await t.expectOk({ method: 'POST', url: `/api/transitions/${plan.id}/apply`, token }, 202);
    await waitForTransition(t, plan.id, token, ['waiting']);
    expect((await t.expectOk({ url: '/api/tenant/tasks', token: c.adminToken })).items).toEqual([]);
  });
});
