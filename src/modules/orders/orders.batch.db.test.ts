import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import type { Actor } from '../../platform/context.ts';
import { isDomainError } from '../../platform/errors.ts';
import { placeTransitionOrders } from './orders.service.ts';

/**
 * A batch of transitions' orders (a set-based apply's provision steps) against a real database
 * (the demo): each order checked on its own, the accepted ones written together, a refused one
 * leaving nothing behind.
 */
let m: ModuleDb;
let partner: Actor;
beforeAll(async () => {
  m = await openModuleDb();
  const u = await m.db
    .selectFrom('users')
    .select(['id', 'partner_id'])
    .where('email', '=', 'account.admin@partner.demo')
    .executeTakeFirstOrThrow();
  partner = {
    userId: u.id,
    email: 'account.admin@partner.demo',
    kind: 'partner',
    roles: ['account-admin'],
    partnerId: u.partner_id,
    tenantId: null,
    sessionId: 'module-test',
  };
});
afterAll(() => m?.close());

const countOf = async (table: 'orders' | 'subscriptions' | 'billing_lines', tenantId: string) =>
  Number(
    (
      await m.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow()
    ).n,
  );

it('writes the accepted orders with their subscriptions and billing lines, and nothing of a refused one', async () => {
  const northwind = await m.tenant('northwind.demo');
  // Fabrikam has no relationship with the demo partner yet.
  const fabrikam = await m.tenant('fabrikam.demo');
  const before = {
    orders: await countOf('orders', northwind),
    subscriptions: await countOf('subscriptions', northwind),
    lines: await countOf('billing_lines', northwind),
    fabrikam: await countOf('subscriptions', fabrikam),
  };
  const line = { offerId: 'demo-m365-business-standard', quantity: 3 };
  const placed = await m.as(partner, (ctx) =>
    placeTransitionOrders(ctx, [
      { tenantId: northwind, lineItems: [line] },
      { tenantId: fabrikam, lineItems: [line] },
      { tenantId: northwind, lineItems: [{ offerId: 'no-such-offer', quantity: 1 }] },
      { tenantId: northwind, lineItems: [line, { ...line, quantity: 4 }] },
    ]),
  );
  expect(isDomainError(placed[0])).toBe(false);
  expect(isDomainError(placed[1]) && placed[1].code).toBe('relationship_not_found');
  expect(isDomainError(placed[2]) && placed[2].code).toBe('offer_not_found');
  expect(isDomainError(placed[3]) && placed[3].code).toBe('duplicate_line_item');

  const ok = placed[0] as { id: string; subscriptionIds: string[] };
  expect(ok.subscriptionIds).toHaveLength(1);
  const sub = await m.db
    .selectFrom('subscriptions')
    .select(['order_id', 'quantity', 'channel', 'partner_id'])
    .where('id', '=', ok.subscriptionIds[0]!)
    .executeTakeFirstOrThrow();
  expect(sub).toEqual({ order_id: ok.id, quantity: 3, channel: 'partner', partner_id: partner.partnerId });
  expect(await countOf('orders', northwind)).toBe(before.orders + 1);
  expect(await countOf('subscriptions', northwind)).toBe(before.subscriptions + 1);
  expect(await countOf('billing_lines', northwind)).toBe(before.lines + 1);
  expect(await countOf('subscriptions', fabrikam)).toBe(before.fabrikam);
});
