/**
 * Licenses are pooled by SKU: a user is assigned a SKU, not a subscription, and the seats of every
 * subscription of that SKU in the tenant, from every channel, form one pool. This is why moving to
 * the same offer needs no reassignment: the new seats join the pool before the old ones leave it.
 */
export interface PoolSubscription {
  skuId: string;
  quantity: number;
  /** From the lifecycle at `now`: expired subscriptions still count, disabled ones no longer do. */
  usersHaveAccess: boolean;
}

export interface Assignment {
  userId: string;
  skuId: string;
  assignedAt: Date;
}

export type SeatPools = ReadonlyMap<string, number>;

/**
 * Seats per SKU, summed over the subscriptions that give users access, whatever their channel. A
 * SKU whose subscriptions all stopped giving access is kept with 0 seats, so that callers can tell
 * "no seats left" from "never had this SKU".
 */
export function seatPools(subscriptions: readonly PoolSubscription[]): Map<string, number> {
  const pools = new Map<string, number>();
  for (const s of subscriptions) {
    const seats = s.usersHaveAccess ? Math.max(0, s.quantity) : 0;
    pools.set(s.skuId, (pools.get(s.skuId) ?? 0) + seats);
  }
  return pools;
}

/** Assigned users per SKU (a user counts once per SKU). */
export function assignedCounts(
  assignments: readonly { userId: string; skuId: string }[],
): Map<string, number> {
  const users = new Map<string, Set<string>>();
  for (const a of assignments) users.set(a.skuId, (users.get(a.skuId) ?? new Set()).add(a.userId));
  return new Map([...users].map(([sku, set]) => [sku, set.size]));
}

/**
 * Who is left without access, per SKU, when a pool holds fewer seats than assignments. The most
 * recently assigned lose first, so the longest-standing users keep working; among users assigned at
 * the same instant the greater user id (code-unit order) loses first. Deterministic, so the console,
 * the CLI and the planner always name the same people.
 */
export function usersWithoutAccess(
  pools: SeatPools,
  assignments: readonly Assignment[],
): Map<string, Set<string>> {
  const bySku = new Map<string, Map<string, Assignment>>();
  for (const a of assignments) {
    const users = bySku.get(a.skuId) ?? new Map<string, Assignment>();
    const seen = users.get(a.userId);
    // A duplicate assignment row keeps the earlier date: the user has held the seat since then.
    if (!seen || a.assignedAt.getTime() < seen.assignedAt.getTime()) users.set(a.userId, a);
    bySku.set(a.skuId, users);
  }
  const out = new Map<string, Set<string>>();
  for (const [sku, users] of bySku) {
    const seats = Math.max(0, pools.get(sku) ?? 0);
    if (users.size <= seats) continue;
    const ordered = [...users.values()].sort(
      (a, b) => a.assignedAt.getTime() - b.assignedAt.getTime() || cmp(a.userId, b.userId),
    );
    out.set(sku, new Set(ordered.slice(seats).map((a) => a.userId)));
  }
  return out;
}

export interface LicenseUpdate {
  userId: string;
  assign: readonly string[];
  remove: readonly string[];
}

export type LicenseUpdateCheck =
  | { ok: true }
  | { ok: false; error: 'license_quota_exceeded'; skuId: string; available: number; requested: number };

/**
 * One license update adds and removes SKUs for a user in a single call, as the real API does:
 * removals free seats before additions take them. Re-assigning a SKU the user already holds takes no
 * new seat, even in a pool that is over-assigned after a seat reduction.
 */
export function checkLicenseUpdate(
  pools: SeatPools,
  current: readonly { userId: string; skuId: string }[],
  update: LicenseUpdate,
): LicenseUpdateCheck {
  const removed = new Set(update.remove);
  const remaining = current.filter((a) => !(a.userId === update.userId && removed.has(a.skuId)));
  const held = new Set(remaining.filter((a) => a.userId === update.userId).map((a) => a.skuId));
  const used = assignedCounts(remaining);
  for (const sku of [...new Set(update.assign)].sort(cmp)) {
    if (held.has(sku)) continue;
    const seats = Math.max(0, pools.get(sku) ?? 0);
    const inUse = used.get(sku) ?? 0;
    if (inUse + 1 > seats) {
      return {
        ok: false,
        error: 'license_quota_exceeded',
        skuId: sku,
        available: Math.max(0, seats - inUse),
        requested: 1,
      };
    }
  }
  return { ok: true };
}

/** The assignments after an update (check it first); new assignments are dated `now`. */
export function applyLicenseUpdate(
  current: readonly Assignment[],
  update: LicenseUpdate,
  now: Date,
): Assignment[] {
  const removed = new Set(update.remove);
  const next = current.filter((a) => !(a.userId === update.userId && removed.has(a.skuId)));
  const held = new Set(next.filter((a) => a.userId === update.userId).map((a) => a.skuId));
  for (const sku of new Set(update.assign)) {
    if (!held.has(sku)) next.push({ userId: update.userId, skuId: sku, assignedAt: now });
  }
  return next;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
