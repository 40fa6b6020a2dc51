import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { seatReduction } from '../../domain/seat-reduction.ts';
import { loadConfig } from '../../platform/config.ts';
import { isDomainError } from '../../platform/errors.ts';
import { partnerSystemActor, systemActor } from '../../platform/http/context.ts';
import { type AssignedSeatsBySku, findSubscriptionsOfTenants } from './subscriptions.repo.ts';
import {
  actOnDirectSubscriptions,
  changeCustomerSubscription,
  lifecycleSettings,
  stateOf,
} from './subscriptions.service.ts';

/** The subscriptions module's use cases against a real database (the demo), without HTTP. */
let m: ModuleDb;
// What app.ts wires in from the licenses module (this module does not import it: licenses imports it).
const assignedSeatsBySku: AssignedSeatsBySku = (db, tenantId) =>
  db
    .selectFrom('license_assignments')
    .select(['license_assignments.sku_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('license_assignments.tenant_id', '=', tenantId)
    .groupBy('license_assignments.sku_id');
beforeAll(async () => {
  m = await openModuleDb();
});
afterAll(() => m?.close());

it("reduces a partner's seats exactly as the domain's seat-reduction rule says, refund included", async () => {
  const subs = await m.db
    .selectFrom('subscriptions')
    .selectAll()
    .where('channel', '=', 'partner')
    .where('quantity', '>', 1)
    .where('cancelled_at', 'is', null)
    .where('transfer_id', 'is', null)
    .execute();
  const settings = lifecycleSettings({ config: loadConfig({}) });
  const live = subs.filter((s) => stateOf(s, m.now, settings).state === 'active');
  // The demo has partner subscriptions with seats to spare: without one nothing is checked.
  expect(subs.length).toBeGreaterThan(0);
  const row = (live[0] ?? subs[0])!;
  const actor = partnerSystemActor(row.partner_id, 'module-test');
  const target = row.quantity - 1;
  const run = () =>
    m.as(actor, (ctx) =>
      changeCustomerSubscription(
        { ...ctx, assignedSeatsBySku },
        { tenantId: row.tenant_id, id: row.id, quantity: target },
      ),
    );
  const st = stateOf(row, m.now, settings);
  const expected = seatReduction({
    quantity: row.quantity,
    target,
    batches: (row.seat_batches ?? []).map((b) => ({
      seats: b.seats,
      addedAt: new Date(b.addedAt),
    })),
    unitPrice: row.unit_price,
    termStart: st.termStart,
    termEnd: st.termEnd,
    purchasedAt: row.purchased_at,
    renewals: st.renewals,
    refundWindowHours: row.refund_window_hours,
    now: m.now,
  });
  if (expected.ok) {
    const out = await run();
    expect(out.amountRefunded).toBe(expected.refunded);
    expect(out.quantity).toBe(target);
  } else {
    await expect(run()).rejects.toMatchObject({
      code: 'seat_reduction_outside_window',
      params: { minimumSeats: expected.minimumSeats },
    });
    const after = await m.db
      .selectFrom('subscriptions')
      .select('quantity')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(after.quantity).toBe(row.quantity);
  }
});

it('changes a batch of direct subscriptions together, and none of them when one is refused', async () => {
  const direct = await m.db
    .selectFrom('subscriptions')
    .select(['id', 'tenant_id', 'auto_renew'])
    .where('channel', '=', 'direct')
    .where('auto_renew', '=', true)
    .where('cancelled_at', 'is', null)
    .orderBy('id')
    .execute();
  const partnerSub = await m.db
    .selectFrom('subscriptions')
    .select(['id', 'tenant_id'])
    .where('channel', '=', 'partner')
    .executeTakeFirstOrThrow();
  // The demo has direct subscriptions that renew (the ones a transition turns off).
  expect(direct.length).toBeGreaterThanOrEqual(2);
  const ctx = (c: Parameters<Parameters<ModuleDb['as']>[1]>[0]) => ({ ...c, assignedSeatsBySku });
  const autoRenew = async (ids: string[]) =>
    (
      await m.db.selectFrom('subscriptions').select(['id', 'auto_renew']).where('id', 'in', ids).execute()
    ).map((r) => r.auto_renew);

  // One not direct among them: refused, and the first is left as it was.
  const refused = await m
    .as(systemActor(), (c) =>
      actOnDirectSubscriptions(ctx(c), [
        { tenantId: direct[0]!.tenant_id, id: direct[0]!.id, autoRenew: false },
        { tenantId: partnerSub.tenant_id, id: partnerSub.id, autoRenew: false },
      ]),
    )
    .catch((e: unknown) => e);
  expect(isDomainError(refused) && refused.code).toBe('subscription_not_changeable');
  expect(await autoRenew([direct[0]!.id])).toEqual([true]);

  const done = await m.as(systemActor(), (c) =>
    actOnDirectSubscriptions(
      ctx(c),
      direct.slice(0, 2).map((d) => ({ tenantId: d.tenant_id, id: d.id, autoRenew: false })),
    ),
  );
  expect(done).toHaveLength(2);
  expect(await autoRenew(direct.slice(0, 2).map((d) => d.id))).toEqual([false, false]);
  // Written in one statement, typed as the table's (dates as dates), as one change would write them.
  const after = await m.db
    .selectFrom('subscriptions')
    .select(['id', 'updated_at', 'term_start', 'term_end'])
    .where(
      'id',
      'in',
      direct.slice(0, 2).map((d) => d.id),
    )
    .execute();
  for (const r of after) {
    expect(r.updated_at).toEqual(m.now);
    expect(r.term_start).toBeInstanceOf(Date);
    expect(r.term_end.getTime()).toBeGreaterThan(r.term_start.getTime());
  }
});

it("reads subscriptions of many customers by id, each only as its own customer's", async () => {
  const subs = await m.db.selectFrom('subscriptions').select(['id', 'tenant_id']).orderBy('id').execute();
  const tenants = [...new Set(subs.map((s) => s.tenant_id))];
  // The demo has subscriptions in more than one customer.
  expect(tenants.length).toBeGreaterThan(1);
  const a = subs.find((s) => s.tenant_id === tenants[0])!;
  const b = subs.find((s) => s.tenant_id === tenants[1])!;
  const rows = await findSubscriptionsOfTenants(m.db, [
    { tenantId: a.tenant_id, id: a.id },
    { tenantId: b.tenant_id, id: b.id },
    // Another customer's subscription asked for under the wrong customer: not found.
    {
      tenantId: a.tenant_id,
      id: subs.find((s) => s.tenant_id === tenants[1] && s.id !== b.id)?.id ?? 'none',
    },
    { tenantId: a.tenant_id, id: 'no-such-subscription' },
  ]);
  expect(rows.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
});
