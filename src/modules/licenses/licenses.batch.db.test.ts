import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import type { Actor } from '../../platform/context.ts';
import { isDomainError } from '../../platform/errors.ts';
import { systemActor } from '../../platform/http/context.ts';
import { seatPoolsOfTenants } from '../subscriptions/index.ts';
import { assignSkusInBatch, removeSkusInBatch } from './licenses.service.ts';

/**
 * The batch license moves a set-based apply runs (many tenants' requests in a few statements),
 * against a real database (the demo): each request all or nothing, checked in order against the
 * pools as the requests before it left them, a refused one writing nothing.
 */
let m: ModuleDb;
beforeAll(async () => {
  m = await openModuleDb();
});
afterAll(() => m?.close());

async function holders(tenantId: string, skuId: string) {
  const rows = await m.db
    .selectFrom('license_assignments')
    .select('directory_user_id')
    .where('tenant_id', '=', tenantId)
    .where('sku_id', '=', skuId)
    .execute();
  return new Set(rows.map((r) => r.directory_user_id));
}

/** A SKU of the tenant's pool with a free seat, and every user of the tenant without it. */
async function freeSeats(tenantId: string) {
  const skus = await m.db
    .selectFrom('subscriptions')
    .select('sku_id')
    .distinct()
    .where('tenant_id', '=', tenantId)
    .execute();
  const pools = (
    await m.as(systemActor(), (ctx) =>
      seatPoolsOfTenants(
        ctx,
        [tenantId],
        skus.map((s) => s.sku_id),
      ),
    )
  ).get(tenantId)!;
  const users = await m.db
    .selectFrom('directory_users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .execute();
  for (const [skuId, seats] of [...pools].sort()) {
    const held = await holders(tenantId, skuId);
    const without = users.map((u) => u.id).filter((u) => !held.has(u));
    if (seats > held.size && without.length > seats - held.size)
      return { skuId, free: seats - held.size, without: without.sort() };
  }
  return undefined;
}

it('assigns the accepted requests in one go and writes nothing of a refused one', async () => {
  // Two demo tenants with free seats in their pools: without them nothing below is checked.
  const withFree: { tenantId: string; seats: NonNullable<Awaited<ReturnType<typeof freeSeats>>> }[] = [];
  for (const t of await m.db.selectFrom('tenants').select('id').orderBy('id').execute()) {
    const seats = await freeSeats(t.id);
    if (seats) withFree.push({ tenantId: t.id, seats });
  }
  expect(withFree.length).toBeGreaterThanOrEqual(2);
  const [{ tenantId: northwind, seats: n }, { tenantId: fabrikam, seats: f }] = withFree as [
    (typeof withFree)[number],
    (typeof withFree)[number],
  ];
  const auditsBefore = await m.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', 'licenses.assigned')
    .executeTakeFirstOrThrow();

  const results = await m.as(systemActor(), (ctx) =>
    assignSkusInBatch(ctx, [
      // Northwind: one user onto a free seat.
      { tenantId: northwind, skus: [{ skuId: n!.skuId, users: [{ userId: n!.without[0]! }] }] },
      // Fabrikam: a first SKU that fits, then one more user than the pool has seats: all refused.
      {
        tenantId: fabrikam,
        skus: [
          { skuId: f!.skuId, users: [{ userId: f!.without[0]! }] },
          {
            skuId: f!.skuId.toUpperCase(),
            users: f!.without.slice(0, f!.free + 1).map((userId) => ({ userId })),
          },
        ],
      },
      // An unknown SKU and a user of another tenant: refused, each with its reason.
      { tenantId: northwind, skus: [{ skuId: 'no-such-sku', users: [{ userId: n!.without[1]! }] }] },
      { tenantId: northwind, skus: [{ skuId: n!.skuId, users: [{ userId: f!.without[0]! }] }] },
    ]),
  );
  expect(results[0]).toEqual({ assigned: [1] });
  expect(isDomainError(results[1]) && results[1].code).toBe('license_quota_exceeded');
  expect(isDomainError(results[2]) && results[2].code).toBe('sku_not_found');
  expect(isDomainError(results[3]) && results[3].code).toBe('user_not_found');

  expect((await holders(northwind, n!.skuId)).has(n!.without[0]!)).toBe(true);
  const fab = await holders(fabrikam, f!.skuId);
  for (const u of f!.without) expect(fab.has(u)).toBe(false);
  const auditsAfter = await m.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', 'licenses.assigned')
    .executeTakeFirstOrThrow();
  expect(Number(auditsAfter.n) - Number(auditsBefore.n)).toBe(1);
});

it("checks each request against the seats the requests before it took (the same tenant's pool)", async () => {
  const northwind = await m.tenant('northwind.demo');
  const n = await freeSeats(northwind);
  // Northwind's pools have free seats in the demo.
  expect(n).toBeDefined();
  const taking = n!.without.slice(0, n!.free);
  const results = await m.as(systemActor(), (ctx) =>
    assignSkusInBatch(ctx, [
      { tenantId: northwind, skus: [{ skuId: n!.skuId, users: taking.map((userId) => ({ userId })) }] },
      { tenantId: northwind, skus: [{ skuId: n!.skuId, users: [{ userId: n!.without[n!.free]! }] }] },
    ]),
  );
  expect(results[0]).toEqual({ assigned: [n!.free] });
  expect(isDomainError(results[1]) && results[1].params).toEqual({
    skuId: n!.skuId,
    available: 0,
    requested: 1,
  });
  const held = await holders(northwind, n!.skuId);
  for (const u of taking) expect(held.has(u)).toBe(true);
  expect(held.has(n!.without[n!.free]!)).toBe(false);
});

it("removes the accepted requests in one statement and leaves a refused partner's tenant as it was", async () => {
  const northwind = await m.tenant('northwind.demo');
  const fabrikam = await m.tenant('fabrikam.demo');
  const one = await m.db
    .selectFrom('license_assignments')
    .select(['sku_id', 'directory_user_id'])
    .where('tenant_id', '=', northwind)
    .orderBy('directory_user_id')
    .limit(1)
    .execute();
  const other = await m.db
    .selectFrom('license_assignments')
    .select(['sku_id', 'directory_user_id'])
    .where('tenant_id', '=', fabrikam)
    .limit(1)
    .execute();
  // Both tenants hold licenses in the demo.
  expect(one.length).toBe(1);
  expect(other.length).toBe(1);

  // A partner with no relationship to Fabrikam (the demo's starting point) may remove nothing there.
  const partner = await m.db
    .selectFrom('users')
    .select(['id', 'partner_id'])
    .where('email', '=', 'account.admin@partner.demo')
    .executeTakeFirstOrThrow();
  const partnerActor: Actor = {
    userId: partner.id,
    email: 'account.admin@partner.demo',
    kind: 'partner',
    roles: ['account-admin'],
    partnerId: partner.partner_id,
    tenantId: null,
    sessionId: 'module-test',
  };
  const refused = await m.as(partnerActor, (ctx) =>
    removeSkusInBatch(ctx, [
      { tenantId: fabrikam, skuId: other[0]!.sku_id, userIds: [other[0]!.directory_user_id] },
    ]),
  );
  expect(isDomainError(refused[0]) && refused[0].code).toBe('relationship_not_found');
  expect((await holders(fabrikam, other[0]!.sku_id)).has(other[0]!.directory_user_id)).toBe(true);

  const count = async () =>
    Number(
      (
        await m.db
          .selectFrom('license_assignments')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', northwind)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const before = await count();
  const removed = await m.as(systemActor(), (ctx) =>
    removeSkusInBatch(ctx, [
      { tenantId: northwind, skuId: one[0]!.sku_id, userIds: [one[0]!.directory_user_id] },
      { tenantId: fabrikam, skuId: other[0]!.sku_id, userIds: [other[0]!.directory_user_id] },
    ]),
  );
  expect(removed).toEqual([{ removed: 1 }, { removed: 1 }]);
  expect((await holders(northwind, one[0]!.sku_id)).has(one[0]!.directory_user_id)).toBe(false);
  expect((await holders(fabrikam, other[0]!.sku_id)).has(other[0]!.directory_user_id)).toBe(false);
  // Only the named user lost the SKU.
  expect(await count()).toBe(before - 1);
});
