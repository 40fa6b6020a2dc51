import { checkLicenseUpdate, usersWithoutAccess } from '../../domain/seat-pool.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodePairCursor, toPage } from '../../platform/http/schemas.ts';
import { type AuditInput, recordAudit } from '../audit/index.ts';
import { productsBySku } from '../catalog/index.ts';
import {
  assertDelegatedAdmin,
  holdDelegatedAdmin,
  holdDelegatedAdminMany,
} from '../delegated-admin/index.ts';
import { lockSeatPool, lockSeatPools, seatPoolsOf, seatPoolsOfTenants } from '../subscriptions/index.ts';
import {
  directoryUsersByIds,
  directoryUsersOfTenants,
  findDirectoryUser,
  listDirectoryUserRows,
} from '../tenants/index.ts';
import { accessPoolsOf } from './licenses.grace.ts';
import {
  deleteAssignmentRows,
  deleteAssignments,
  holdersOfTenantSkus,
  insertAssignment,
  insertAssignmentRows,
  tenantAssignments,
  updateExcludedPlans,
} from './licenses.repo.ts';

/** The tenant's pools and who is without access now (the most recently assigned lose first). */
async function accessOf(ctx: Ctx<Db | Trx>, tenantId: string) {
  const assignments = await tenantAssignments(ctx.db, tenantId);
  // Seats in grace after a reduction still give access (never new assignments).
  const { pools, grace, access } = await accessPoolsOf(ctx, tenantId);
  const lost = usersWithoutAccess(
    access,
    assignments.map((a) => ({ userId: a.directory_user_id, skuId: a.sku_id, assignedAt: a.assigned_at })),
  );
  const hasAccess = (userId: string, skuId: string) => !(lost.get(skuId)?.has(userId) ?? false);
  return { assignments, pools, grace, lost, hasAccess };
}

type UserRow = { id: string; user_principal_name: string; display_name: string };

async function userViews(ctx: Ctx<Db | Trx>, tenantId: string, users: UserRow[]) {
  const { assignments, hasAccess } = await accessOf(ctx, tenantId);
  const products = await productsBySku(
    ctx.db,
    assignments.map((a) => a.sku_id),
  );
  return users.map((u) => {
    const licenses = assignments
      .filter((a) => a.directory_user_id === u.id)
      .map((a) => {
        const product = products.get(a.sku_id);
        const excluded = new Set(a.excluded_plans);
        return {
          skuId: a.sku_id,
          skuPartNumber: product?.skuPartNumber ?? null,
          name: product?.name ?? null,
          excludedPlans: a.excluded_plans,
          assignedAt: a.assigned_at.toISOString(),
          hasAccess: hasAccess(u.id, a.sku_id),
          servicePlans: (product?.servicePlans ?? []).filter((p) => !excluded.has(p.id)),
        };
      });
    return {
      id: u.id,
      userPrincipalName: u.user_principal_name,
      displayName: u.display_name,
      licenses,
      // Every license the user holds is usable (a user with none has nothing to use).
      hasAccess: licenses.length > 0 && licenses.every((l) => l.hasAccess),
    };
  });
}

/** The tenant's users with their SKUs, effective service plans and access (needs delegated admin). */
export async function listTenantUsers(
  ctx: Ctx<Db>,
  input: { tenantId: string; cursor?: string; limit?: number },
) {
  await assertDelegatedAdmin(ctx, input.tenantId, "see the tenant's users and licenses", 'licenses.read');
  const limit = input.limit ?? 50;
  const after = decodePairCursor(input.cursor);
  const rows = await listDirectoryUserRows(ctx.db, {
    tenantId: input.tenantId,
    ...(after ? { after } : {}),
    limit,
  });
  const page = toPage(
    rows,
    limit,
    (r) => r,
    (r) => [r.user_principal_name, r.id],
  );
  return { items: await userViews(ctx, input.tenantId, page.items), nextCursor: page.nextCursor };
}

/** Per SKU: seats in the pool, assignments, and exactly which users are without access. */
export async function listSeatPools(ctx: Ctx<Db>, input: { tenantId: string }) {
  await assertDelegatedAdmin(ctx, input.tenantId, "see the tenant's users and licenses", 'licenses.read');
  const { assignments, pools, grace, lost } = await accessOf(ctx, input.tenantId);
  const skus = [...new Set([...pools.keys(), ...assignments.map((a) => a.sku_id)])].sort();
  const products = await productsBySku(ctx.db, skus);
  const lostIds = [...lost.values()].flatMap((s) => [...s]);
  const users = new Map((await directoryUsersByIds(ctx.db, input.tenantId, lostIds)).map((u) => [u.id, u]));
  return {
    items: skus.map((skuId) => {
      const seats = pools.get(skuId) ?? 0;
      const assigned = assignments.filter((a) => a.sku_id === skuId).length;
      return {
        skuId,
        skuPartNumber: products.get(skuId)?.skuPartNumber ?? null,
        name: products.get(skuId)?.name ?? null,
        seats,
        assigned,
        available: Math.max(0, seats - assigned),
        graceSeats: grace.get(skuId)?.seats ?? 0,
        graceEndsAt: grace.get(skuId)?.endsAt.toISOString() ?? null,
        usersWithoutAccess: [...(lost.get(skuId) ?? [])].sort().map((id) => ({
          id,
          userPrincipalName: users.get(id)?.user_principal_name ?? '',
        })),
      };
    }),
    nextCursor: null,
  };
}

export interface LicenseUpdateInput {
  tenantId: string;
  userId: string;
  assign: { skuId: string; excludedPlans?: string[] }[];
  remove: string[];
}

/**
 * Adds and removes a user's SKUs in one step, all or nothing. Removals free seats before additions
 * take them; assigning beyond the pool (all channels' seats that give users access) is refused.
 */
export async function updateUserLicenses(ctx: Ctx, input: LicenseUpdateInput) {
  await holdDelegatedAdmin(ctx, input.tenantId, "assign the tenant's licenses", 'licenses.manage');
  const user = await findDirectoryUser(ctx.db, input.tenantId, input.userId);
  if (!user) throw new DomainError('user_not_found');
  const assign = input.assign.map((a) => ({
    skuId: a.skuId.toLowerCase(),
    excludedPlans: [...new Set((a.excludedPlans ?? []).map((p) => p.toLowerCase()))],
  }));
  const remove = [...new Set(input.remove.map((s) => s.toLowerCase()))];
  const assignSkus = assign.map((a) => a.skuId);
  for (const sku of assignSkus) {
    if (remove.includes(sku)) throw new DomainError('license_update_invalid', { skuId: sku });
  }
  if (new Set(assignSkus).size !== assignSkus.length) {
    throw new DomainError('license_update_invalid', {
      skuId: assignSkus.find((s, i) => assignSkus.indexOf(s) !== i),
    });
  }
  const products = await productsBySku(ctx.db, assignSkus);
  for (const a of assign) {
    const product = products.get(a.skuId);
    if (!product) throw new DomainError('sku_not_found', { skuId: a.skuId });
    const planIds = new Set(product.servicePlans.map((p) => p.id));
    const unknown = a.excludedPlans.find((p) => !planIds.has(p));
    if (unknown) throw new DomainError('license_plan_unknown', { skuId: a.skuId, planId: unknown });
  }

  await lockSeatPool(ctx.db, input.tenantId);
  const current = await tenantAssignments(ctx.db, input.tenantId);
  const pools = await seatPoolsOf(ctx, input.tenantId);
  const check = checkLicenseUpdate(
    pools,
    current.map((a) => ({ userId: a.directory_user_id, skuId: a.sku_id })),
    { userId: user.id, assign: assignSkus, remove },
  );
  if (!check.ok) {
    throw new DomainError('license_quota_exceeded', {
      skuId: check.skuId,
      available: check.available,
      requested: check.requested,
    });
  }
  const now = ctx.clock.now();
  await deleteAssignments(ctx.db, user.id, remove);
  const held = new Set(current.filter((a) => a.directory_user_id === user.id).map((a) => a.sku_id));
  for (const a of assign) {
    if (held.has(a.skuId)) await updateExcludedPlans(ctx.db, user.id, a.skuId, a.excludedPlans);
    else
      await insertAssignment(ctx.db, {
        tenantId: input.tenantId,
        userId: user.id,
        skuId: a.skuId,
        excludedPlans: a.excludedPlans,
        now,
      });
  }
  await recordAudit(ctx, {
    action: 'licenses.updated',
    targetType: 'directory-user',
    targetId: user.id,
    tenantId: input.tenantId,
    data: { assign, remove },
  });
  return (await userViews(ctx, input.tenantId, [user]))[0]!;
}

/**
 * Assigns one SKU to many users of a tenant in one step (a transition's moves, the demo seed):
 * the same rules as a license update (delegated admin for partners, the pool never exceeded), one
 * statement and one audit row for the whole set.
 */
export async function assignSkuToUsers(
  ctx: Ctx,
  input: { tenantId: string; skuId: string; users: { userId: string; excludedPlans?: string[] }[] },
) {
  const [r] = await assignSkusInBatch(ctx, [
    { tenantId: input.tenantId, skus: [{ skuId: input.skuId, users: input.users }] },
  ]);
  if (r instanceof DomainError) throw r;
  return { assigned: r!.assigned[0]! };
}

/** One request of a batch assignment: a tenant's SKUs, each to some of its users, all or nothing. */
export interface AssignRequest {
  tenantId: string;
  skus: { skuId: string; users: { userId: string; excludedPlans?: string[] }[] }[];
}

/**
 * Many tenants' assignments at once (a batch of transitions' license moves): per request the rules
 * of `assignSkuToUsers` (delegated admin for partners, known SKUs and users, the pool never
 * exceeded), checked in order against the pools as the requests before it left them; then every
 * accepted assignment in one statement and an audit row per SKU. Answers per request how many
 * users each SKU gained, or its refusal; a refused request writes nothing.
 */
export async function assignSkusInBatch(
  ctx: Ctx,
  requests: AssignRequest[],
): Promise<({ assigned: number[] } | DomainError)[]> {
  const out: ({ assigned: number[] } | DomainError)[] = requests.map(() => ({ assigned: [] }));
  const refused = await holdDelegatedAdminMany(
    ctx,
    requests.map((r) => r.tenantId),
    "assign the tenant's licenses",
    'licenses.manage',
  );
  const skusOf = (r: AssignRequest) => r.skus.map((s) => s.skuId.toLowerCase());
  const products = await productsBySku(ctx.db, [...new Set(requests.flatMap(skusOf))]);
  for (const [i, r] of requests.entries()) {
    const unknown = skusOf(r).find((sku) => !products.get(sku));
    out[i] =
      refused.get(r.tenantId) ?? (unknown ? new DomainError('sku_not_found', { skuId: unknown }) : out[i]!);
  }
  const live = requests.filter((_, i) => !(out[i] instanceof DomainError));
  const tenants = [...new Set(live.map((r) => r.tenantId))];
  const skus = [...new Set(live.flatMap(skusOf))];
  await lockSeatPools(ctx.db, tenants);
  const key = (tenantId: string, id: string) => `${tenantId}|${id}`;
  const holders = new Map<string, Set<string>>();
  for (const h of await holdersOfTenantSkus(ctx.db, tenants, skus)) {
    const k = key(h.tenant_id, h.sku_id);
    holders.set(k, (holders.get(k) ?? new Set()).add(h.directory_user_id));
  }
  const known = new Set(
    (
      await directoryUsersOfTenants(
        ctx.db,
        tenants,
        live.flatMap((r) => r.skus.flatMap((s) => s.users.map((u) => u.userId))),
      )
    ).map((u) => key(u.tenant_id, u.id)),
  );
  const pools = await seatPoolsOfTenants(ctx, tenants, skus);
  const rows: { tenantId: string; userId: string; skuId: string; excludedPlans: string[] }[] = [];
  const audits: AuditInput[] = [];
  for (const [i, r] of requests.entries()) {
    if (out[i] instanceof DomainError) continue;
    out[i] = checkAssignRequest(r);
  }
  await insertAssignmentRows(ctx.db, rows, ctx.clock.now());
  for (const a of audits) await recordAudit(ctx, a);
  return out;

  /** One request against the holders so far: its refusal, or its rows (and the holders it adds). */
  function checkAssignRequest(r: AssignRequest): { assigned: number[] } | DomainError {
    const adds: { skuId: string; fresh: { userId: string; excludedPlans: string[] }[] }[] = [];
    for (const s of r.skus) {
      const skuId = s.skuId.toLowerCase();
      const missing = s.users.find((u) => !known.has(key(r.tenantId, u.userId)));
      if (missing) return new DomainError('user_not_found', { userId: missing.userId });
      const held = holders.get(key(r.tenantId, skuId)) ?? new Set<string>();
      const seen = new Set<string>();
      const fresh = s.users
        .filter((u) => !held.has(u.userId) && !seen.has(u.userId) && seen.add(u.userId))
        .map((u) => ({
          userId: u.userId,
          excludedPlans: (u.excludedPlans ?? []).map((p) => p.toLowerCase()),
        }));
      const seats = pools.get(r.tenantId)?.get(skuId) ?? 0;
      if (held.size + fresh.length > seats)
        return new DomainError('license_quota_exceeded', {
          skuId,
          available: Math.max(0, seats - held.size),
          requested: fresh.length,
        });
      adds.push({ skuId, fresh });
    }
    for (const { skuId, fresh } of adds) {
      const k = key(r.tenantId, skuId);
      const held = holders.get(k) ?? new Set<string>();
      holders.set(k, held);
      for (const u of fresh) {
        held.add(u.userId);
        rows.push({ tenantId: r.tenantId, userId: u.userId, skuId, excludedPlans: u.excludedPlans });
      }
      audits.push({
        action: 'licenses.assigned',
        targetType: 'sku',
        targetId: skuId,
        tenantId: r.tenantId,
        data: { users: fresh.map((u) => u.userId) },
      });
    }
    return { assigned: adds.map((a) => a.fresh.length) };
  }
}

/** Removes one SKU from many users in one step (after they hold the SKUs that replace it). */
export async function removeSkuFromUsers(
  ctx: Ctx,
  input: { tenantId: string; skuId: string; userIds: string[] },
) {
  const [r] = await removeSkusInBatch(ctx, [input]);
  if (r instanceof DomainError) throw r;
  return r!;
}

/**
 * Many tenants' removals at once (a batch of transitions' license moves): per request the rules of
 * `removeSkuFromUsers`; every accepted removal in one statement. A refused request removes nothing.
 */
export async function removeSkusInBatch(
  ctx: Ctx,
  requests: { tenantId: string; skuId: string; userIds: string[] }[],
): Promise<({ removed: number } | DomainError)[]> {
  const refused = await holdDelegatedAdminMany(
    ctx,
    requests.map((r) => r.tenantId),
    "remove the tenant's licenses",
    'licenses.manage',
  );
  const live = requests.filter((r) => !refused.has(r.tenantId));
  await lockSeatPools(
    ctx.db,
    live.map((r) => r.tenantId),
  );
  await deleteAssignmentRows(
    ctx.db,
    live.flatMap((r) =>
      r.userIds.map((userId) => ({ tenantId: r.tenantId, skuId: r.skuId.toLowerCase(), userId })),
    ),
  );
  for (const r of live)
    await recordAudit(ctx, {
      action: 'licenses.removed',
      targetType: 'sku',
      targetId: r.skuId,
      tenantId: r.tenantId,
      data: { users: r.userIds },
    });
  return requests.map((r) => refused.get(r.tenantId) ?? { removed: r.userIds.length });
}

/**
 * Many users' license updates in one transaction, all or nothing (the console's bulk assign and
 * remove). The whole set is checked against each SKU's pool first, so a refusal names the SKU and
 * how many seats are missing; then every removal is applied before any assignment (seats freed by
 * one user serve another), each through the same single-user update and its rules and audit.
 */
export async function updateLicensesInBulk(
  ctx: Ctx,
  input: { tenantId: string; updates: Omit<LicenseUpdateInput, 'tenantId'>[] },
) {
  await holdDelegatedAdmin(ctx, input.tenantId, "assign the tenant's licenses", 'licenses.manage');
  const seen = new Set<string>();
  for (const u of input.updates) {
    if (seen.has(u.userId)) throw new DomainError('license_bulk_duplicate_user', { userId: u.userId });
    seen.add(u.userId);
  }
  const lower = (s: string) => s.toLowerCase();
  await lockSeatPool(ctx.db, input.tenantId);
  const current = await tenantAssignments(ctx.db, input.tenantId);
  const holds = new Set(current.map((a) => `${a.directory_user_id}|${a.sku_id}`));
  const count = new Map<string, number>();
  for (const a of current) count.set(a.sku_id, (count.get(a.sku_id) ?? 0) + 1);
  const added = new Map<string, number>();
  const after = new Map(count);
  for (const u of input.updates) {
    for (const sku of new Set(u.remove.map(lower)))
      if (holds.has(`${u.userId}|${sku}`)) after.set(sku, (after.get(sku) ?? 0) - 1);
    for (const sku of new Set(u.assign.map((a) => lower(a.skuId))))
      if (!holds.has(`${u.userId}|${sku}`)) {
        after.set(sku, (after.get(sku) ?? 0) + 1);
        added.set(sku, (added.get(sku) ?? 0) + 1);
      }
  }
  if (added.size > 0) {
    const skus = [...added.keys()].sort();
    const pools = await seatPoolsOf(ctx, input.tenantId, skus);
    const products = await productsBySku(ctx.db, skus);
    for (const sku of skus) {
      const seats = pools.get(sku) ?? 0;
      const total = after.get(sku) ?? 0;
      if (total > seats) {
        const requested = added.get(sku)!;
        throw new DomainError('license_quota_exceeded', {
          skuId: sku,
          ...(products.get(sku) ? { skuName: products.get(sku)!.name } : {}),
          available: Math.max(0, requested - (total - seats)),
          requested,
          shortfall: total - seats,
        });
      }
    }
  }
  const views = new Map<string, Awaited<ReturnType<typeof updateUserLicenses>>>();
  for (const u of input.updates)
    if (u.remove.length > 0)
      views.set(
        u.userId,
        await updateUserLicenses(ctx, {
          tenantId: input.tenantId,
          userId: u.userId,
          assign: [],
          remove: u.remove,
        }),
      );
  for (const u of input.updates)
    if (u.assign.length > 0 || !views.has(u.userId))
      views.set(
        u.userId,
        await updateUserLicenses(ctx, {
          tenantId: input.tenantId,
          userId: u.userId,
          assign: u.assign,
          remove: [],
        }),
      );
  return { items: input.updates.map((u) => views.get(u.userId)!), nextCursor: null };
}
