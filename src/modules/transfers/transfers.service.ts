import { randomUUID } from 'node:crypto';
import { addDaysUtc } from '../../domain/calendar.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { findPartner, partnerNames } from '../partners/index.ts';
import {
  changePartnerOfRecord,
  holdForTransfer,
  releaseTransferHold,
  subscriptionSummaries,
  transferableSubscriptionIds,
} from '../subscriptions/index.ts';
import { findTenant, lockAcceptedRelationship, tenantNames } from '../tenants/index.ts';
import {
  findTransfer,
  insertTransfer,
  latestTransferOutcomes,
  lineItemsOf,
  listTransferRows,
  lockOverdueTransfers,
  lockTransfer,
  settleTransfer,
  type TransferLineRow,
  type TransferRow,
  transferOfTransitionLine,
} from './transfers.repo.ts';

/** SPEC §7: a request the source does not answer in 30 days expires. */
export const TRANSFER_EXPIRY_DAYS = 30;

/** After a decision, a transition waiting on this transfer may go on (wired in app.ts). */
export type TransferDecided = (trx: Trx, transitionId: string) => Promise<void>;

type Names = {
  partners: Map<string, string>;
  tenants: Map<string, string>;
  subscriptions: Awaited<ReturnType<typeof subscriptionSummaries>>;
};

export function toTransferView(
  t: TransferRow,
  lines: TransferLineRow[],
  names: Names,
  viewerPartnerId?: string | null,
) {
  return {
    id: t.id,
    tenantId: t.tenant_id,
    tenantName: names.tenants.get(t.tenant_id) ?? t.tenant_id,
    sourcePartnerId: t.source_partner_id,
    sourcePartnerName: names.partners.get(t.source_partner_id) ?? t.source_partner_id,
    targetPartnerId: t.target_partner_id,
    targetPartnerName: names.partners.get(t.target_partner_id) ?? t.target_partner_id,
    status: t.status,
    ...(viewerPartnerId
      ? { direction: t.source_partner_id === viewerPartnerId ? ('incoming' as const) : ('outgoing' as const) }
      : {}),
    lineItems: lines
      .filter((l) => l.transfer_id === t.id)
      .map((l) => {
        const s = names.subscriptions.get(l.subscription_id);
        return {
          subscriptionId: l.subscription_id,
          status: l.status,
          ...(s
            ? { offerId: s.offerId, offerName: s.offerName, quantity: s.quantity, termEnd: s.termEnd }
            : {}),
        };
      }),
    transitionId: t.transition_id,
    expiresAt: t.expires_at.toISOString(),
    decidedAt: t.decided_at?.toISOString() ?? null,
    createdAt: t.created_at.toISOString(),
  };
}

/** The views of these transfers, with the names their readers need (three batch reads). */
async function viewsOf(ctx: Ctx<Db | Trx>, rows: TransferRow[]) {
  const lines = await lineItemsOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  const [partners, tenants, subscriptions] = await Promise.all([
    partnerNames(
      ctx,
      rows.flatMap((r) => [r.source_partner_id, r.target_partner_id]),
    ),
    tenantNames(
      ctx,
      rows.map((r) => r.tenant_id),
    ),
    subscriptionSummaries(
      ctx,
      lines.map((l) => l.subscription_id),
    ),
  ]);
  return rows.map((r) => toTransferView(r, lines, { partners, tenants, subscriptions }, ctx.actor.partnerId));
}

async function viewOf(ctx: Ctx<Db | Trx>, id: string) {
  return (await viewsOf(ctx, [(await findTransfer(ctx.db, id))!]))[0]!;
}

/**
 * Both partners see a transfer in their audit trail (SPEC §7), and the tenant too. A partner's
 * trail holds what its users did and what was done to it: when one side acts, one row naming the
 * other side serves both; the system (expiry) writes one row per side.
 */
async function auditBothSides(ctx: Ctx, t: TransferRow, action: string, data: Record<string, unknown>) {
  const sides = [t.target_partner_id, t.source_partner_id];
  const actorSide = sides.find((p) => p === ctx.actor.partnerId);
  const named = actorSide ? sides.filter((p) => p !== actorSide) : sides;
  for (const partnerId of named)
    await recordAudit(ctx, {
      action,
      targetType: 'transfer',
      targetId: t.id,
      tenantId: t.tenant_id,
      partnerId,
      data,
    });
}

export interface RequestTransferInput {
  tenantId: string;
  sourcePartnerId: string;
  /** Whole subscriptions; all of the source's active ones in the tenant when left out. */
  subscriptionIds?: string[] | undefined;
  /** Set by a transition's step: the step waits on the answer. */
  transitionId?: string | null;
}

/**
 * The target partner (the caller) asks the partner of record for whole subscriptions. It needs an
 * accepted relationship with the tenant and the tenant's region; the subscriptions are held until
 * the request ends, so neither partner changes them meanwhile.
 */
export async function requestTransfer(ctx: Ctx, input: RequestTransferInput) {
  const targetPartnerId = ctx.actor.partnerId!;
  if (input.sourcePartnerId === targetPartnerId) throw new DomainError('transfer_same_partner');
  if (!(await lockAcceptedRelationship(ctx.db, targetPartnerId, input.tenantId)))
    throw new DomainError('relationship_not_found');
  const [tenant, target, source] = await Promise.all([
    findTenant(ctx.db, input.tenantId),
    findPartner(ctx.db, targetPartnerId),
    findPartner(ctx.db, input.sourcePartnerId),
  ]);
  if (!tenant || !target) throw new DomainError('tenant_not_found');
  if (!source) throw new DomainError('partner_not_found');
  if (target.region !== tenant.region)
    throw new DomainError('transfer_region_mismatch', {
      partnerRegion: target.region,
      tenantRegion: tenant.region,
    });
  const ids = input.subscriptionIds?.length
    ? [...new Set(input.subscriptionIds)]
    : await transferableSubscriptionIds(ctx, input.tenantId, input.sourcePartnerId);
  if (ids.length === 0) throw new DomainError('transfer_nothing_to_transfer');
  const id = randomUUID();
  const now = ctx.clock.now();
  // The hold first: it locks and checks each subscription (the source's, active, not held);
  // any refusal rolls the whole request back.
  await holdForTransfer(ctx, {
    tenantId: input.tenantId,
    sourcePartnerId: input.sourcePartnerId,
    subscriptionIds: ids,
    transferId: id,
  });
  await insertTransfer(ctx.db, {
    id,
    tenantId: input.tenantId,
    sourcePartnerId: input.sourcePartnerId,
    targetPartnerId,
    userId: ctx.actor.userId === 'system' ? null : ctx.actor.userId,
    transitionId: input.transitionId ?? null,
    subscriptionIds: ids,
    expiresAt: addDaysUtc(now, TRANSFER_EXPIRY_DAYS),
    now,
  });
  const row = (await findTransfer(ctx.db, id))!;
  await auditBothSides(ctx, row, 'transfer.requested', { subscriptionIds: ids });
  // The customer's global admin is told (webhooks, the tenant's console) and sees every transfer.
  await recordEvent(ctx, 'transfer.requested', {
    transferId: id,
    tenantId: input.tenantId,
    sourcePartnerId: input.sourcePartnerId,
    targetPartnerId,
    subscriptionIds: ids,
  });
  return viewOf(ctx, id);
}

/** The source answers: approve with whole subscriptions (some or all of the line items), or reject. */
export async function decideTransfer(
  ctx: Ctx,
  input: {
    id: string;
    decision: 'approved' | 'rejected';
    subscriptionIds?: string[] | undefined;
    onDecided?: TransferDecided | undefined;
  },
) {
  const t = await lockTransfer(ctx.db, input.id);
  // Only the partner of record answers; the target sees it but may not decide (404 to others).
  if (!t || (t.source_partner_id !== ctx.actor.partnerId && t.target_partner_id !== ctx.actor.partnerId))
    throw new DomainError('transfer_not_found');
  if (t.source_partner_id !== ctx.actor.partnerId) throw new DomainError('transfer_not_source');
  if (t.status !== 'pending') throw new DomainError('transfer_not_pending', { status: t.status });
  const now = ctx.clock.now();
  if (t.expires_at <= now)
    throw new DomainError('transfer_not_pending', {
      status: 'expired',
      expiresAt: t.expires_at.toISOString(),
    });
  const lines = await lineItemsOf(ctx.db, [t.id]);
  const all = lines.map((l) => l.subscription_id);
  let moving: string[] = [];
  if (input.decision === 'approved') {
    moving = [...new Set(input.subscriptionIds ?? all)];
    const unknown = moving.filter((s) => !all.includes(s));
    if (moving.length === 0 || unknown.length > 0)
      throw new DomainError('transfer_line_items_invalid', { subscriptionIds: unknown });
    // The target must still be the tenant's reseller at the instant of the transfer.
    if (!(await lockAcceptedRelationship(ctx.db, t.target_partner_id, t.tenant_id)))
      throw new DomainError('transfer_target_relationship_gone');
    await changePartnerOfRecord(ctx, {
      tenantId: t.tenant_id,
      subscriptionIds: moving,
      transferId: t.id,
      toPartnerId: t.target_partner_id,
    });
  }
  const left = all.filter((s) => !moving.includes(s));
  await releaseTransferHold(ctx, { tenantId: t.tenant_id, subscriptionIds: left });
  const status = input.decision === 'approved' ? 'completed' : 'rejected';
  const userId = ctx.actor.userId === 'system' ? null : ctx.actor.userId;
  await settleTransfer(ctx.db, { id: t.id, status, transferred: moving, userId, now });
  await auditBothSides(ctx, t, `transfer.${status}`, { transferred: moving, declined: left });
  await recordEvent(ctx, 'transfer.decided', {
    transferId: t.id,
    tenantId: t.tenant_id,
    sourcePartnerId: t.source_partner_id,
    targetPartnerId: t.target_partner_id,
    status,
    transferred: moving,
  });
  if (t.transition_id && input.onDecided) await input.onDecided(ctx.db as Trx, t.transition_id);
  return viewOf(ctx, t.id);
}

/**
 * Ends requests left unanswered for 30 days (platform clock): the holds go, both sides are
 * audited as the system. Batches skip rows another process is deciding or expiring.
 */
export async function expireTransfers(ctx: Ctx, onDecided?: TransferDecided) {
  const now = ctx.clock.now();
  const overdue = await lockOverdueTransfers(ctx.db, now, 500);
  if (overdue.length === 0) return 0;
  const lines = await lineItemsOf(
    ctx.db,
    overdue.map((t) => t.id),
  );
  for (const t of overdue) {
    const ids = lines.filter((l) => l.transfer_id === t.id).map((l) => l.subscription_id);
    await releaseTransferHold(ctx, { tenantId: t.tenant_id, subscriptionIds: ids });
    await settleTransfer(ctx.db, { id: t.id, status: 'expired', transferred: [], userId: null, now });
    await auditBothSides(ctx, t, 'transfer.expired', { declined: ids });
    await recordEvent(ctx, 'transfer.decided', {
      transferId: t.id,
      tenantId: t.tenant_id,
      sourcePartnerId: t.source_partner_id,
      targetPartnerId: t.target_partner_id,
      status: 'expired',
      transferred: [],
    });
    if (t.transition_id && onDecided) await onDecided(ctx.db as Trx, t.transition_id);
  }
  return overdue.length;
}

type ListInput = {
  cursor?: string | undefined;
  limit?: number | undefined;
  status?: TransferRow['status'] | undefined;
  direction?: 'incoming' | 'outgoing' | undefined;
};

async function listScoped(ctx: Ctx<Db>, input: ListInput, scope: { partnerId?: string; tenantId?: string }) {
  const limit = input.limit ?? 50;
  const before = decodeTimeCursor(input.cursor);
  const rows = await listTransferRows(ctx.db, {
    ...scope,
    ...(input.direction && scope.partnerId ? { direction: input.direction } : {}),
    ...(input.status ? { status: input.status } : {}),
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

/** A partner's transfers, both directions (incoming: asked of it as partner of record). */
export function listPartnerTransfers(ctx: Ctx<Db>, input: ListInput) {
  return listScoped(ctx, input, { partnerId: ctx.actor.partnerId! });
}

/** The customer's admin sees every transfer of its tenant (SPEC §7). */
export function listTenantTransfers(ctx: Ctx<Db>, input: ListInput) {
  return listScoped(ctx, input, { tenantId: ctx.actor.tenantId! });
}

export async function getTransfer(ctx: Ctx<Db>, input: { id: string }) {
  const t = await findTransfer(ctx.db, input.id);
  const a = ctx.actor;
  const visible =
    t &&
    (a.kind === 'operator' ||
      (a.kind === 'partner' &&
        (t.source_partner_id === a.partnerId || t.target_partner_id === a.partnerId)) ||
      (a.kind === 'customer' && t.tenant_id === a.tenantId));
  if (!visible) throw new DomainError('transfer_not_found');
  return (await viewsOf(ctx, [t]))[0]!;
}

/**
 * For the planner (SPEC §7): per tenant, the subscriptions whose latest transfer to this target
 * ended without moving them (rejected, expired, left out) fall back to let-expire; those with a
 * pending one are under way.
 */
export async function transferOutcomesFor(
  ctx: Pick<Ctx<Db | Trx>, 'db'>,
  targetPartnerId: string,
  tenantIds: string[],
) {
  const rows = await latestTransferOutcomes(ctx.db, targetPartnerId, tenantIds);
  const refused = new Set<string>();
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.subscription_id)) continue;
    seen.add(r.subscription_id);
    if (r.status === 'rejected' || r.status === 'expired' || r.lineStatus === 'declined')
      refused.add(r.subscription_id);
  }
  return { refused };
}

/** Where a transition's transfer for this source stands: not asked yet, pending, or how it ended. */
export async function transferForTransitionLine(
  ctx: Pick<Ctx<Db | Trx>, 'db'>,
  transitionId: string,
  subscriptionId: string,
): Promise<{ id: string; outcome: 'pending' | 'transferred' | 'refused' } | null> {
  const r = await transferOfTransitionLine(ctx.db, transitionId, subscriptionId);
  if (!r) return null;
  const outcome =
    r.lineStatus === 'transferred' ? 'transferred' : r.status === 'pending' ? 'pending' : 'refused';
  return { id: r.id, outcome };
}
