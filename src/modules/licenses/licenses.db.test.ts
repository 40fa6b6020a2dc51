import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { holdersOfTenantSkus, licensesOfTenants } from './licenses.repo.ts';

/** The licenses module's batch readers against a real database (the demo). */
let m: ModuleDb;
beforeAll(async () => {
  m = await openModuleDb();
});
afterAll(() => m?.close());

it("reads many tenants' licenses at once, one JSON text per tenant, each equal to the rows", async () => {
  const tenants = [await m.tenant('northwind.demo'), await m.tenant('fabrikam.demo')];
  const rows = await m.db
    .selectFrom('license_assignments')
    .select(['tenant_id', 'directory_user_id', 'sku_id'])
    .where('tenant_id', 'in', tenants)
    .execute();
  // The demo assigns licenses in these tenants: without any the comparison below checks nothing.
  expect(rows.length).toBeGreaterThan(0);
  const batch = await licensesOfTenants(m.db, tenants);
  const decoded = batch.flatMap((b) =>
    (JSON.parse(b.licenses) as [string, string, string[] | null][]).map(([user, sku]) => ({
      tenant_id: b.tenant_id,
      directory_user_id: user,
      sku_id: sku,
    })),
  );
  const key = (r: { tenant_id: string; directory_user_id: string; sku_id: string }) =>
    `${r.tenant_id}/${r.directory_user_id}/${r.sku_id}`;
  expect(decoded.map(key).sort()).toEqual(rows.map(key).sort());
  // In user id order within each tenant.
  for (const b of batch) {
    const users = (JSON.parse(b.licenses) as [string][]).map(([u]) => u);
    expect(users).toEqual([...users].sort());
  }
  expect(await licensesOfTenants(m.db, [])).toEqual([]);
});

it('names the holders of some SKUs in some tenants, and nobody for no SKU', async () => {
  const northwind = await m.tenant('northwind.demo');
  const one = await m.db
    .selectFrom('license_assignments')
    .select(['sku_id'])
    .where('tenant_id', '=', northwind)
    .executeTakeFirstOrThrow();
  const holders = await holdersOfTenantSkus(m.db, [northwind], [one.sku_id]);
  expect(holders.length).toBeGreaterThan(0);
  expect(holders.every((h) => h.sku_id === one.sku_id && h.tenant_id === northwind)).toBe(true);
  expect(await holdersOfTenantSkus(m.db, [northwind], [])).toEqual([]);
});
