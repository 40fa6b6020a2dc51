/**
 * Licenses are pooled by SKU: a user is assigned a SKU, not a subscription, and the seats of every
 * subscription of that SKU in the tenant, from every channel, form one pool. This is why moving to
 * the same offer needs no reassignment: the new seats join the pool before the old ones leave it.
 */
export interface PoolSubscription {
  skuId: string;
  quantity: number;
  usersHaveAccess: boolean;
}

export interface Assignment {
  userId: string;
  skuId: string;
  assignedAt: Date;
}

export function seatPools(subscriptions: PoolSubscription[]): Map<string, number> {
  const pools = new Map<string, number>();
  for (const s of subscriptions) {
    if (!s.usersHaveAccess) continue;
    pools.set(s.skuId, (pools.get(s.skuId) ?? 0) + s.quantity);
  }
  return pools;
}

/**
 * Who is without access when a pool holds fewer seats than assignments. Deterministic: the most
 * recently assigned lose first (ties by user id), so the longest-standing users keep working.
 */
export function usersWithoutAccess(
  pools: Map<string, number>,
  assignments: Assignment[],
): Map<string, Set<string>> {
  const bySku = new Map<string, Assignment[]>();
  for (const a of assignments) bySku.set(a.skuId, [...(bySku.get(a.skuId) ?? []), a]);
  const out = new Map<string, Set<string>>();
  for (const [sku, list] of bySku) {
    const seats = pools.get(sku) ?? 0;
    if (list.length <= seats) continue;
    const ordered = [...list].sort(
      (a, b) => a.assignedAt.getTime() - b.assignedAt.getTime() || a.userId.localeCompare(b.userId),
    );
    out.set(sku, new Set(ordered.slice(seats).map((a) => a.userId)));
  }
  return out;
}

export type LicenseUpdateCheck =
  | { ok: true }
  | { ok: false; error: 'license_quota_exceeded'; skuId: string; available: number; requested: number };

/** Adds and removes in one step: removals free seats before additions take them. */
export function checkLicenseUpdate(
  pools: Map<string, number>,
  current: { userId: string; skuId: string }[],
  update: { userId: string; assign: string[]; remove: string[] },
): LicenseUpdateCheck {
  const after = current.filter((a) => !(a.userId === update.userId && update.remove.includes(a.skuId)));
  for (const sku of update.assign) {
    if (after.some((a) => a.userId === update.userId && a.skuId === sku)) continue;
    const used = after.filter((a) => a.skuId === sku).length;
    const seats = pools.get(sku) ?? 0;
    if (used + 1 > seats)
      return {
        ok: false,
        error: 'license_quota_exceeded',
        skuId: sku,
        available: Math.max(0, seats - used),
        requested: 1,
      };
    after.push({ userId: update.userId, skuId: sku });
  }
  return { ok: true };
}
