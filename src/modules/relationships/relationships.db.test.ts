import { afterAll, beforeAll, expect, it } from 'vitest';
import { customerActor, type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { listTenantPartners } from './relationships.service.ts';

/** The relationships module's use cases against a real database (the demo), without HTTP. */
let m: ModuleDb;
beforeAll(async () => {
  m = await openModuleDb();
});
afterAll(() => m?.close());

it("lists a customer's partners by name through the tenants' and partners' batch readers, page by page", async () => {
  const northwind = await m.tenant('northwind.demo');
  const accepted = await m.db
    .selectFrom('relationships')
    .select('partner_id')
    .where('tenant_id', '=', northwind)
    .where('status', '=', 'accepted')
    .execute();
  // The demo's Northwind is already a customer: the check below needs partners to list.
  expect(accepted.length).toBeGreaterThan(0);
  const all = await listTenantPartners(m.read(customerActor(northwind)), { limit: 50 });
  expect(all.items.map((i) => i.partner.id).sort()).toEqual(accepted.map((a) => a.partner_id).sort());
  const names = all.items.map((i) => i.partner.name);
  expect(names).toEqual([...names].sort());
  for (const i of all.items) expect(i.relationship.status).toBe('accepted');

  // One at a time, the cursor walks the same list in the same order.
  const walked: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listTenantPartners(m.read(customerActor(northwind)), {
      limit: 1,
      ...(cursor ? { cursor } : {}),
    });
    expect(page.items.length).toBeLessThanOrEqual(1);
    walked.push(...page.items.map((i) => i.partner.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(walked).toEqual(all.items.map((i) => i.partner.id));
});

it('lists nothing for a tenant no partner serves', async () => {
  const fabrikam = await m.tenant('fabrikam.demo');
  await m.db.deleteFrom('relationships').where('tenant_id', '=', fabrikam).execute();
  const page = await listTenantPartners(m.read(customerActor(fabrikam)), {});
  expect(page).toEqual({ items: [], nextCursor: null });
});
