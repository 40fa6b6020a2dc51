import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { seatReduction } from '../../domain/seat-reduction.ts';
import { loadConfig } from '../../platform/config.ts';
import { partnerSystemActor } from '../../platform/http/context.ts';
import type { AssignedSeatsBySku } from './subscriptions.repo.ts';
import { changeCustomerSubscription, lifecycleSettings, stateOf } from './subscriptions.service.ts';

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
