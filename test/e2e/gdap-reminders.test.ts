import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepReminders } from '../../src/modules/delegated-admin/delegated-admin.jobs.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * GDAP reminders at 30, 7 and 1 days before the end (SPEC §6), driven by the job queue on the
 * platform clock: each exactly once per grant and threshold, none for a grant that auto-extends.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { queue: true });
});
afterAll(async () => t?.close());

async function advance(days: number) {
  await t.expectOk({
    method: 'POST',
    url: '/api/admin/clock',
    token: t.operatorToken,
    body: { advanceDays: days },
  });
}

async function served(delegatedAdmin: Record<string, unknown>) {
  const p = await t.newPartner();
  const c = await t.newTenant();
  const req = await t.expectOk(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: p.tokens['account-admin'],
      body: { tenantId: c.tenant.id, delegatedAdmin },
    },
    201,
  );
  await t.expectOk({ method: 'POST', url: `/api/invitations/${req.token}/accept`, token: c.adminToken });
  return { p, c };
}

async function reminderEvents(tenantId: string) {
  const rows = await t.handle.db
    .selectFrom('outbox_events')
    .select('payload')
    .where('type', '=', 'delegated-admin.expiry-reminder')
    .execute();
  return rows
    .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload))
    .filter((p) => p.tenantId === tenantId)
    .map((p) => p.daysBefore as number);
}

/** The clock move queues a sweep; wait until the queue has caught up with what is due. */
async function eventually(tenantId: string, expected: number[]) {
  const until = Date.now() + 20_000;
  let seen = await reminderEvents(tenantId);
  while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await reminderEvents(tenantId);
  }
  return seen;
}

describe('GDAP expiry reminders', () => {
  it('go out at 30, 7 and 1 days before the end, once each, with an audit row', async () => {
    const { c } = await served({ roles: ['User Administrator'], durationDays: 40 });
    const other = await served({ roles: ['User Administrator'], durationDays: 40, autoExtend: true });
    expect(await reminderEvents(c.tenant.id)).toEqual([]);

    await advance(9); // 31 days left
    await sweepReminders(t.deps);
    expect(await reminderEvents(c.tenant.id)).toEqual([]);

    await advance(2); // 29 days left
    expect(await eventually(c.tenant.id, [30])).toEqual([30]);
    // Sweeping again, here or in another process, sends nothing twice.
    await Promise.all([sweepReminders(t.deps), sweepReminders(t.deps)]);
    expect(await reminderEvents(c.tenant.id)).toEqual([30]);

    await advance(23); // 6 days left
    expect(await eventually(c.tenant.id, [30, 7])).toEqual([30, 7]);
    await advance(5.5); // half a day left
    expect(await eventually(c.tenant.id, [30, 7, 1])).toEqual([30, 7, 1]);
    await advance(10); // ended
    await sweepReminders(t.deps);
    expect(await reminderEvents(c.tenant.id)).toEqual([30, 7, 1]);

    // A grant that auto-extends never ends, so it is never reminded about.
    expect(await reminderEvents(other.c.tenant.id)).toEqual([]);

    const audit = await t.handle.db
      .selectFrom('audit_events')
      .select(['action', 'tenant_id'])
      .where('action', '=', 'delegated-admin.expiry-reminder')
      .where('tenant_id', '=', c.tenant.id)
      .execute();
    expect(audit).toHaveLength(3);
  });

  it('after a jump in time sends only the nearest reminder', async () => {
    const { c } = await served({ roles: ['User Administrator'], durationDays: 60 });
    await advance(57); // 3 days left: the 30-day reminder is moot
    expect(await eventually(c.tenant.id, [7])).toEqual([7]);
  });
});
