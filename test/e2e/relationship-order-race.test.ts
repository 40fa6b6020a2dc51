import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { product } from '../fixtures/reference.ts';

/**
 * SPEC §3 / issue 13 item 4: ending a relationship and placing an order for the same tenant
 * cannot both succeed. On PostgreSQL the two requests run on two pool connections at once (real
 * concurrency); on PGlite they are serialised by its one connection, and the rule still holds.
 * 100 tenants with accepted relationships are made up front with SQL, so the races stay fast.
 */
const RACES = Number(process.env.TRASLADO_RACES ?? 100);
const AT_ONCE = 5;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(async () => t?.close(), 60_000);

describe('relationship removal against an order', () => {
  it(`never lets both succeed (${RACES} races)`, async () => {
    const p = await t.newPartner();
    const token = p.tokens['account-admin'];
    const sku = product('O365_BUSINESS_PREMIUM');
    const offer = await t.expectOk(
      {
        method: 'POST',
        url: '/api/admin/offers',
        token: t.operatorToken,
        body: {
          id: unique('offer-'),
          skuId: sku.skuId,
          skuPartNumber: sku.skuPartNumber,
          productName: sku.name,
          servicePlans: sku.servicePlans.map((s) => ({ id: s.id, name: s.name })),
          markets: ['ES'],
          unitPrice: 1_000,
          currency: 'EUR',
          refundWindowHours: 168,
          term: 'P1Y',
          billingCycle: 'annual',
          minQuantity: 1,
          maxQuantity: 100,
        },
      },
      201,
    );
    const now = new Date();
    const tenantIds = Array.from({ length: RACES }, () => randomUUID());
    await t.handle.db
      .insertInto('tenants')
      .values(
        tenantIds.map((id, i) => ({
          id,
          company_name: `Race ${i} ${p.tag}`,
          default_domain: `race${i}-${p.tag}.test`,
          country: 'ES',
          region: p.partner.region,
          created_at: now,
        })),
      )
      .execute();
    await t.handle.db
      .insertInto('relationships')
      .values(
        tenantIds.map((tenantId) => ({
          id: randomUUID(),
          partner_id: p.partner.id,
          tenant_id: tenantId,
          status: 'accepted' as const,
          accepted_at: now,
          created_at: now,
        })),
      )
      .execute();

    const outcomes: { removed: number; ordered: number }[] = [];
    const race = async (tenantId: string) => {
      const [removal, order] = await Promise.all([
        t.call({
          method: 'DELETE',
          url: `/api/customers/${tenantId}/relationship`,
          token,
          body: { reason: 'race' },
        }),
        t.call({
          method: 'POST',
          url: `/api/customers/${tenantId}/orders`,
          token,
          body: { lineItems: [{ offerId: offer.id, quantity: 1 }] },
        }),
      ]);
      // The loser is refused with its own code: the order finds no relationship (in the guard or
      // under the lock), the removal finds the order's subscription.
      if (removal.status === 200) {
        expect([404]).toContain(order.status);
        expect(['tenant_not_found', 'relationship_not_found']).toContain(order.body.code);
      } else {
        expect([removal.status, removal.body.code]).toEqual([409, 'relationship_has_active_subscriptions']);
        expect(order.status).toBe(201);
      }
      outcomes.push({ removed: removal.status === 200 ? 1 : 0, ordered: order.status === 201 ? 1 : 0 });
    };
    for (let i = 0; i < tenantIds.length; i += AT_ONCE) {
      await Promise.all(tenantIds.slice(i, i + AT_ONCE).map(race));
    }

    expect(outcomes).toHaveLength(RACES);
    expect(outcomes.filter((o) => o.removed + o.ordered !== 1)).toEqual([]);
    // And in the database: no live subscription of the partner in a tenant it no longer serves.
    const orphans = await t.handle.db
      .selectFrom('subscriptions')
      .innerJoin('relationships', (j) =>
        j
          .onRef('relationships.tenant_id', '=', 'subscriptions.tenant_id')
          .onRef('relationships.partner_id', '=', 'subscriptions.partner_id'),
      )
      .select('subscriptions.tenant_id')
      .where('subscriptions.tenant_id', 'in', tenantIds)
      .where('relationships.status', '=', 'removed')
      .execute();
    expect(orphans).toEqual([]);
    const removed = outcomes.filter((o) => o.removed).length;
    console.log(`[race] ${t.kind}: ${RACES} races, ${removed} removals won, ${RACES - removed} orders won`);
  }, 180_000);
});
