import { dueSeatGraceNotice } from '../../domain/seat-grace.ts';
import { usersWithoutAccess } from '../../domain/seat-pool.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { recordAudit } from '../audit/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { findPartner } from '../partners/index.ts';
import {
  claimSeatReductionNotice,
  lockSeatPool,
  openSeatReductions,
  seatGraceOf,
  seatPoolsOf,
  settleSeatReduction,
} from '../subscriptions/index.ts';
import { deleteSkuAssignments, tenantAssignments } from './licenses.repo.ts';

/**
 * Seats reduced below those assigned (SPEC §2): the users keep access while the reduction's grace
 * runs (computed on read: the seats in grace count on top of the pool for access, never for new
 * assignments); when it ends, a sweep on the queue removes the newest assignments beyond the pool,
 * so that assigned == pool. Notices go to the partner (outbox + audit) at 30, 7 and 1 days before,
 * and the customer's task list shows what to unassign until it is done.
 */

/** Seats per SKU for access: the pool plus seats still in grace. */
export async function accessPoolsOf(ctx: Ctx<Db | Trx>, tenantId: string) {
  const pools = await seatPoolsOf(ctx, tenantId);
  const grace = await seatGraceOf(ctx, tenantId);
  const access = new Map(pools);
  for (const [sku, g] of grace) access.set(sku, (access.get(sku) ?? 0) + g.seats);
  return { pools, grace, access };
}

/** Who would lose the SKU if nothing changes: the newest assignments beyond the pool alone. */
async function overAssignment(ctx: Ctx<Db | Trx>, tenantId: string, skuId: string) {
  const seats = (await seatPoolsOf(ctx, tenantId, [skuId])).get(skuId) ?? 0;
  const assignments = (await tenantAssignments(ctx.db, tenantId)).filter((a) => a.sku_id === skuId);
  const losing = usersWithoutAccess(
    new Map([[skuId, seats]]),
    assignments.map((a) => ({ userId: a.directory_user_id, skuId, assignedAt: a.assigned_at })),
  ).get(skuId);
  return { seats, assigned: assignments.length, losing: [...(losing ?? [])] };
}

type Reduction = Awaited<ReturnType<typeof openSeatReductions>>[number];

/** The grace ended: the newest assignments beyond what still gives access lose the license. */
async function endSeatGrace(ctx: Ctx, r: Reduction) {
  if (!(await settleSeatReduction(ctx, r.id))) return 0;
  await lockSeatPool(ctx.db, r.tenant_id);
  // Another reduction's grace on the same SKU may still be running: its seats still give access.
  const seats = (await seatPoolsOf(ctx, r.tenant_id, [r.sku_id])).get(r.sku_id) ?? 0;
  const stillInGrace = (await seatGraceOf(ctx, r.tenant_id, [r.sku_id])).get(r.sku_id)?.seats ?? 0;
  const assignments = (await tenantAssignments(ctx.db, r.tenant_id)).filter((a) => a.sku_id === r.sku_id);
  const losing = [
    ...(usersWithoutAccess(
      new Map([[r.sku_id, seats + stillInGrace]]),
      assignments.map((a) => ({ userId: a.directory_user_id, skuId: r.sku_id, assignedAt: a.assigned_at })),
    ).get(r.sku_id) ?? []),
  ];
  if (losing.length === 0) return 0;
  await deleteSkuAssignments(ctx.db, r.tenant_id, r.sku_id, losing);
  const data = {
    reductionId: r.id,
    subscriptionId: r.subscription_id,
    tenantId: r.tenant_id,
    partnerId: r.partner_id,
    skuId: r.sku_id,
    seats,
    users: losing,
  };
  await recordEvent(ctx, 'seats.licenses-removed', data);
  await recordAudit(ctx, {
    action: 'licenses.removed-after-grace',
    targetType: 'sku',
    targetId: r.sku_id,
    tenantId: r.tenant_id,
    partnerId: r.partner_id,
    data,
  });
  return losing.length;
}

/**
 * One sweep over the reductions not yet settled: ends the graces that ran out, settles those the
 * customer already fixed, and sends each notice due exactly once (the notice rows decide).
 */
export async function sweepSeatGrace(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  let acted = 0;
  for (const r of await openSeatReductions(ctx)) {
    if (r.grace_ends_at.getTime() <= now.getTime()) {
      acted += await endSeatGrace(ctx, r);
      continue;
    }
    const over = await overAssignment(ctx, r.tenant_id, r.sku_id);
    if (over.losing.length === 0) {
      // Unassigned in time: nothing left to warn about or remove.
      if (await settleSeatReduction(ctx, r.id)) acted++;
      continue;
    }
    const days = dueSeatGraceNotice(r.grace_ends_at, now);
    if (days === null || !(await claimSeatReductionNotice(ctx, r.id, days))) continue;
    const data = {
      reductionId: r.id,
      subscriptionId: r.subscription_id,
      tenantId: r.tenant_id,
      partnerId: r.partner_id,
      skuId: r.sku_id,
      seats: over.seats,
      assigned: over.assigned,
      overAssigned: over.assigned - over.seats,
      graceEndsAt: r.grace_ends_at.toISOString(),
      notice: 'reminder',
      daysBefore: days,
      usersLosingAccess: over.losing,
    };
    await recordEvent(ctx, 'seats.over-assigned', data);
    await recordAudit(ctx, {
      action: 'seats.over-assigned',
      targetType: 'subscription',
      targetId: r.subscription_id,
      tenantId: r.tenant_id,
      partnerId: r.partner_id,
      data,
    });
    acted++;
  }
  return acted;
}

/**
 * For the customer's task list: per SKU over its seats after a reduction, what to unassign before
 * the grace ends (else the newest assignments lose the license then), and who they would be.
 */
export async function listSeatGraceTasks(ctx: Ctx<Db | Trx>) {
  const tenantId = ctx.actor.tenantId;
  if (!tenantId) return [];
  const first = new Map<string, Reduction>();
  for (const r of await openSeatReductions(ctx, tenantId)) if (!first.has(r.sku_id)) first.set(r.sku_id, r);
  const items = [];
  for (const r of first.values()) {
    const over = await overAssignment(ctx, tenantId, r.sku_id);
    const partner = r.partner_id ? await findPartner(ctx.db, r.partner_id) : undefined;
    if (over.losing.length === 0 || !partner) continue;
    items.push({
      transitionId: null,
      step: 'unassign-licenses-over-seats',
      // The customer can (and should) do it now: before the grace ends, nobody loses anything.
      status: 'waiting' as const,
      partner: { id: partner.id, name: partner.name },
      subscriptionId: r.subscription_id,
      dueAt: r.grace_ends_at.toISOString(),
      detail: {
        skuId: r.sku_id,
        seats: over.seats,
        assigned: over.assigned,
        toUnassign: over.assigned - over.seats,
        usersLosingAccess: over.losing,
      },
    });
  }
  return items;
}
