import { randomUUID } from 'node:crypto';
import {
  azureCurrencyOf,
  type Blocker,
  checkAzureTransfer,
  describeBlocker,
  type OwnKind,
  type TransferCheck,
} from '../../domain/azure.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import { type Ctx, partnerSystemActor } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { delegatedRightsOf } from '../delegated-admin/index.ts';
import { findPartner } from '../partners/index.ts';
import { hasAcceptedRelationship, lockAcceptedRelationship } from '../tenants/index.ts';
import {
  type AzureSubscriptionRow,
  type AzureTransferLineRow,
  type AzureTransferRow,
  completeLine,
  findPlan,
  findSubscriptions,
  findTransfer,
  insertSubscription,
  insertTransfer,
  latestLinesOf,
  listSubscriptionRows,
  listTransferRows,
  lockSubscriptions,
  lockTransfer,
  moveResources,
  openLinesOf,
  resourcesOf,
  takeOverSubscription,
  transferLines,
} from './azure.repo.ts';

/** A blocker as the API shows it: the code, what it concerns, and a sentence. */
export function blockerView(b: Blocker) {
  return {
    code: b.code,
    ...(b.resourceType ? { resourceType: b.resourceType } : {}),
    ...(b.resourceId ? { resourceId: b.resourceId } : {}),
    blocksSubscription: b.blocksSubscription,
    description: describeBlocker(b),
  };
}

/**
 * What the rules need about the partner's side and each subscription, read in batches: the
 * partner, its plan for the tenant, whether it holds delegated admin there (the owner rights a
 * move needs on the source), and each subscription's resources.
 */
async function checksFor(
  ctx: Pick<Ctx<Db | Trx>, 'db' | 'clock'>,
  partnerId: string,
  tenantId: string,
  subs: AzureSubscriptionRow[],
) {
  const [partner, plan, rights, resources] = await Promise.all([
    findPartner(ctx.db, partnerId),
    findPlan(ctx.db, partnerId, tenantId),
    delegatedRightsOf(ctx.db, partnerSystemActor(partnerId, 'azure'), [tenantId], ctx.clock.now()),
    resourcesOf(
      ctx.db,
      subs.map((s) => s.id),
    ),
  ]);
  if (!partner) throw new DomainError('partner_not_found');
  const to = {
    partnerKind: partner.kind,
    azureExpertMsp: partner.azure_expert_msp,
    partnerRegion: partner.region,
    plan: plan ? { currency: plan.currency } : null,
    partnerCurrency: azureCurrencyOf(partner.country),
    hasOwnerAccess: rights.granted.has(tenantId),
  };
  const checks = new Map<string, TransferCheck>();
  for (const s of subs)
    checks.set(
      s.id,
      checkAzureTransfer(
        {
          kind: s.kind as OwnKind,
          status: s.status,
          currency: s.currency,
          billingCountry: s.billing_country,
          resources: resources
            .filter((r) => r.subscription_id === s.id)
            .map((r) => ({
              resourceId: r.resource_id,
              resourceType: r.resource_type,
              isClassic: r.is_classic,
              hasReservation: r.has_reservation,
              isMarketplace: r.is_marketplace,
            })),
        },
        to,
      ),
    );
  return { partner, plan, checks };
}

async function viewsOf(ctx: Pick<Ctx<Db | Trx>, 'db'>, rows: AzureTransferRow[]) {
  const lines = await transferLines(
    ctx.db,
    rows.map((r) => r.id),
  );
  const subs = new Map(
    (
      await findSubscriptions(ctx.db, [
        ...new Set(
          lines.flatMap((l) => [
            l.subscription_id,
            ...(l.new_subscription_id ? [l.new_subscription_id] : []),
          ]),
        ),
      ])
    ).map((s) => [s.id, s]),
  );
  return rows.map((t) => ({
    id: t.id,
    tenantId: t.tenant_id,
    partnerId: t.partner_id,
    createdAt: t.created_at.toISOString(),
    lines: lines.filter((l) => l.transfer_id === t.id).map((l) => lineView(l, subs)),
  }));
}

function lineView(l: AzureTransferLineRow, subs: Map<string, AzureSubscriptionRow>) {
  const s = subs.get(l.subscription_id);
  return {
    subscriptionId: l.subscription_id,
    friendlyName: s?.friendly_name ?? l.subscription_id,
    kind: (s?.origin_kind ?? s?.kind ?? 'other') as string,
    path: l.path,
    eligible: l.eligible,
    status: l.status,
    blockers: l.blockers.map((b) => blockerView(b as Blocker)),
    newSubscriptionId: l.new_subscription_id,
    completedAt: l.completed_at?.toISOString() ?? null,
  };
}

async function viewOf(ctx: Pick<Ctx<Db | Trx>, 'db'>, id: string) {
  return (await viewsOf(ctx, [(await findTransfer(ctx.db, id))!]))[0]!;
}

/**
 * The partner asks to bring some of the customer's own Azure subscriptions into its Azure plan
 * (SPEC §9). The answer comes first, per subscription: the path and what blocks it. Nothing moves
 * yet: a billing transfer waits for the customer's billing admin, a resource move for the partner
 * to run it. The customer agreement is accepted with the reseller relationship (there is no
 * separate agreement in Traslado), so an accepted relationship is required.
 */
export async function requestAzureTransfer(ctx: Ctx, input: { tenantId: string; subscriptionIds: string[] }) {
  const partnerId = ctx.actor.partnerId!;
  if (!(await lockAcceptedRelationship(ctx.db, partnerId, input.tenantId)))
    throw new DomainError('relationship_required');
  const ids = [...new Set(input.subscriptionIds)];
  const subs = await lockSubscriptions(ctx.db, input.tenantId, ids);
  const byId = new Map(subs.map((s) => [s.id, s]));
  for (const id of ids) {
    const s = byId.get(id);
    // Another partner's subscription is as unknown as one of another tenant.
    if (!s || (s.partner_id && s.partner_id !== partnerId))
      throw new DomainError('azure_subscription_not_found', { subscriptionId: id });
    if (s.kind === 'azure-plan') throw new DomainError('azure_subscription_not_own', { subscriptionId: id });
  }
  const open = await openLinesOf(ctx.db, ids);
  if (open.length > 0)
    throw new DomainError('azure_transfer_open', {
      transferId: open[0]!.transfer_id,
      subscriptionId: open[0]!.subscription_id,
    });
  const { checks } = await checksFor(ctx, partnerId, input.tenantId, subs);
  const id = randomUUID();
  const now = ctx.clock.now();
  await insertTransfer(ctx.db, {
    id,
    tenantId: input.tenantId,
    partnerId,
    userId: ctx.actor.userId === 'system' ? null : ctx.actor.userId,
    now,
    lines: ids.map((sid) => {
      const c = checks.get(sid)!;
      return {
        subscription_id: sid,
        path: c.path,
        eligible: c.eligible,
        blockers: c.blockers,
        status: !c.eligible ? 'blocked' : c.path === 'billing-transfer' ? 'awaiting-approval' : 'ready',
      };
    }),
  });
  await recordAudit(ctx, {
    action: 'azure-transfer.requested',
    targetType: 'azure-transfer',
    targetId: id,
    tenantId: input.tenantId,
    partnerId,
    data: {
      lines: ids.map((sid) => ({
        subscriptionId: sid,
        path: checks.get(sid)!.path,
        eligible: checks.get(sid)!.eligible,
        blockers: checks.get(sid)!.blockers.map((b) => b.code),
      })),
    },
  });
  return viewOf(ctx, id);
}

/** Checks again, just before acting, that every line still may go; one that may not stops everything. */
async function recheck(ctx: Ctx, t: AzureTransferRow, lines: AzureTransferLineRow[]) {
  const subs = await lockSubscriptions(
    ctx.db,
    t.tenant_id,
    lines.map((l) => l.subscription_id),
  );
  const { plan, checks } = await checksFor(ctx, t.partner_id, t.tenant_id, subs);
  for (const l of lines) {
    const c = checks.get(l.subscription_id);
    if (!c?.eligible || !plan)
      throw new DomainError('azure_transfer_blocked', {
        subscriptionId: l.subscription_id,
        codes: (c?.blockers ?? []).filter((b) => b.blocksSubscription).map((b) => b.code),
      });
  }
  return { plan: plan!, subs: new Map(subs.map((s) => [s.id, s])), checks };
}

/**
 * The customer's billing admin (here: its global admin) approves the billing transfers of a
 * request: each subscription becomes the partner's, under its Azure plan, at this instant; its
 * resources keep running where they are; usage dated from today on is the partner's.
 */
export async function approveAzureTransfer(ctx: Ctx, input: { id: string }) {
  const t = await lockTransfer(ctx.db, input.id);
  if (!t || t.tenant_id !== ctx.actor.tenantId) throw new DomainError('azure_transfer_not_found');
  const lines = (await transferLines(ctx.db, [t.id])).filter((l) => l.status === 'awaiting-approval');
  if (lines.length === 0) throw new DomainError('azure_transfer_nothing_to_approve');
  if (!(await hasAcceptedRelationship(ctx.db, t.partner_id, t.tenant_id)))
    throw new DomainError('relationship_required');
  const { plan } = await recheck(ctx, t, lines);
  const now = ctx.clock.now();
  for (const l of lines) {
    await takeOverSubscription(ctx.db, l.subscription_id, { partnerId: t.partner_id, planId: plan.id, now });
    await completeLine(ctx.db, {
      transferId: t.id,
      subscriptionId: l.subscription_id,
      newSubscriptionId: null,
      userId: ctx.actor.userId,
      now,
    });
  }
  // One row, naming the tenant and the partner, shows in both trails.
  await recordAudit(ctx, {
    action: 'azure-transfer.approved',
    targetType: 'azure-transfer',
    targetId: t.id,
    tenantId: t.tenant_id,
    partnerId: t.partner_id,
    data: { subscriptionIds: lines.map((l) => l.subscription_id), planId: plan.id },
  });
  return viewOf(ctx, t.id);
}

/**
 * The partner runs the resource moves of a request: every line and resource is validated again
 * first, and nothing moves unless all may go; then, per subscription, a new Azure subscription
 * under the partner's plan in the same tenant receives every resource that can move. What cannot
 * move, and all usage and billing history, stays with the old subscription (the customer cancels
 * it later).
 */
export async function moveAzureTransfer(ctx: Ctx, input: { id: string }) {
  const t = await lockTransfer(ctx.db, input.id);
  if (!t || t.partner_id !== ctx.actor.partnerId) throw new DomainError('azure_transfer_not_found');
  const lines = (await transferLines(ctx.db, [t.id])).filter((l) => l.status === 'ready');
  if (lines.length === 0) throw new DomainError('azure_transfer_nothing_to_move');
  if (!(await lockAcceptedRelationship(ctx.db, t.partner_id, t.tenant_id)))
    throw new DomainError('relationship_required');
  const { plan, subs, checks } = await recheck(ctx, t, lines);
  const now = ctx.clock.now();
  const moved: { from: string; to: string; resources: string[]; stayed: string[] }[] = [];
  for (const l of lines) {
    const old = subs.get(l.subscription_id)!;
    const c = checks.get(l.subscription_id)!;
    const id = randomUUID();
    await insertSubscription(ctx.db, {
      id,
      tenantId: t.tenant_id,
      kind: 'azure-plan',
      partnerId: t.partner_id,
      planId: plan.id,
      friendlyName: old.friendly_name,
      status: 'active',
      currency: plan.currency,
      billingCountry: old.billing_country,
      billingAccountId: null,
      movedFrom: old.id,
      now,
    });
    const movable = c.resources.filter((r) => r.canMove).map((r) => r.resourceId);
    await moveResources(ctx.db, old.id, id, movable, now);
    await completeLine(ctx.db, {
      transferId: t.id,
      subscriptionId: old.id,
      newSubscriptionId: id,
      userId: ctx.actor.userId === 'system' ? null : ctx.actor.userId,
      now,
    });
    moved.push({
      from: old.id,
      to: id,
      resources: movable,
      stayed: c.resources.filter((r) => !r.canMove).map((r) => r.resourceId),
    });
  }
  await recordAudit(ctx, {
    action: 'azure-transfer.moved',
    targetType: 'azure-transfer',
    targetId: t.id,
    tenantId: t.tenant_id,
    partnerId: t.partner_id,
    data: { moved },
  });
  return viewOf(ctx, t.id);
}

export async function getAzureTransfer(ctx: Ctx<Db>, input: { id: string }) {
  const t = await findTransfer(ctx.db, input.id);
  const a = ctx.actor;
  const visible =
    t &&
    (a.kind === 'operator' ||
      (a.kind === 'partner' && t.partner_id === a.partnerId) ||
      (a.kind === 'customer' && t.tenant_id === a.tenantId));
  if (!visible) throw new DomainError('azure_transfer_not_found');
  return (await viewsOf(ctx, [t]))[0]!;
}

export async function listAzureTransfers(
  ctx: Ctx<Db>,
  input: { tenantId?: string; cursor?: string | undefined; limit?: number | undefined },
) {
  const limit = input.limit ?? 50;
  const before = decodeTimeCursor(input.cursor);
  const rows = await listTransferRows(ctx.db, {
    ...(ctx.actor.kind === 'customer'
      ? { tenantId: ctx.actor.tenantId! }
      : { partnerId: ctx.actor.partnerId!, ...(input.tenantId ? { tenantId: input.tenantId } : {}) }),
    ...(before ? { before } : {}),
    limit,
  });
  const page = toPage(
    rows,
    limit,
    (r) => r,
    (r) => [r.created_at.toISOString(), r.id],
  );
  return { items: await viewsOf(ctx, page.items), nextCursor: page.nextCursor };
}

/**
 * For the customer's transition plan (SPEC §9): one line per own Azure subscription still the
 * customer's (not deleted), with the path and what blocks it, checked now (nothing is saved), and
 * the open request, if any, that already moves it.
 */
export async function azurePlanLines(
  ctx: Pick<Ctx<Db | Trx>, 'db' | 'clock'>,
  input: { partnerId: string; tenantId: string },
) {
  const subs = (
    await listSubscriptionRows(ctx.db, { tenantId: input.tenantId, partnerId: input.partnerId, limit: 500 })
  ).filter((s) => s.kind !== 'azure-plan' && s.status !== 'deleted');
  if (subs.length === 0) return [];
  const [{ checks }, latest] = await Promise.all([
    checksFor(ctx, input.partnerId, input.tenantId, subs),
    latestLinesOf(
      ctx.db,
      subs.map((s) => s.id),
    ),
  ]);
  return subs.map((s) => {
    const c = checks.get(s.id)!;
    // The request that moves it now, or moved it already (then what is left is what could not move).
    const o = latest.find((l) => l.subscription_id === s.id);
    return {
      subscriptionId: s.id,
      friendlyName: s.friendly_name,
      kind: s.kind,
      disposition:
        c.path === 'billing-transfer'
          ? ('azure-billing-transfer' as const)
          : ('azure-resource-move' as const),
      path: c.path,
      eligible: c.eligible,
      blockers: c.blockers,
      resources: c.resources.map((r) => ({
        resourceId: r.resourceId,
        resourceType: r.resourceType,
        canMove: r.canMove,
        downtimeRisk: r.downtimeRisk,
      })),
      ...(o ? { azureTransferId: o.transfer_id, azureTransferStatus: o.status } : {}),
    };
  });
}

export type AzurePlanLine = Awaited<ReturnType<typeof azurePlanLines>>[number];
