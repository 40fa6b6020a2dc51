import { isPartnerStep, stepMissing } from '../../domain/planner/rights.ts';
import type { TimelineStep } from '../../domain/planner/types.ts';
import type { Trx } from '../../platform/db/database.ts';
import { memoizedMany, transactionMemo } from '../../platform/db/transaction-memo.ts';
import { DomainError } from '../../platform/errors.ts';
import { fileCreditRequest } from '../credits/index.ts';
import { delegatedRightsOf } from '../delegated-admin/index.ts';
import {
  assignedSeatsBySku,
  assignSkuToUsers,
  holdersOfSkus,
  removeSkuFromUsers,
} from '../licenses/index.ts';
import { placeTransitionOrder } from '../orders/index.ts';
import {
  actOnDirectSubscription,
  findSubscriptions,
  lifecycleSettings,
  stateOf,
} from '../subscriptions/index.ts';
import { requestTransfer, transferForTransitionLine } from '../transfers/index.ts';
import type { StepContext, StepHandler, StepOutcome } from './transitions.executor.ts';
import { planRights } from './transitions.loader.ts';
import { releaseLineClaim } from './transitions.repo.ts';

/**
 * What each kind of step does. Each re-reads the world first and refuses with a reason when it no
 * longer matches the plan; each runs inside the transaction that marks it done.
 */
/**
 * Source subscriptions as this transaction read them: a transition's steps look at the same few
 * again and again. A step that acts on one (auto-renew, cancel, a transfer, a credit) forgets it.
 */
const sourcesRead = transactionMemo<Awaited<ReturnType<typeof findSubscriptions>>[number] | null>();
function sourceChanged(s: StepContext) {
  sourcesRead.of(s.ctx.db)?.delete(s.line.sourceSubscriptionId);
}

async function source(s: StepContext) {
  // Every source of the plan in one statement (the steps that follow look at them too), each
  // read once per transaction.
  const rows = await memoizedMany(
    sourcesRead,
    s.ctx.db,
    [s.line.sourceSubscriptionId, ...s.plan.lines.map((l) => l.sourceSubscriptionId)],
    (ids) => findSubscriptions(s.ctx.db, s.transition.tenant_id, ids),
    (r) => r.id,
  );
  const row = rows[0]?.id === s.line.sourceSubscriptionId ? rows[0] : undefined;
  if (!row)
    throw new DomainError('transition_world_changed', {
      reason: 'source-gone',
      subscriptionId: s.line.sourceSubscriptionId,
    });
  return { row, state: stateOf(row, s.ctx.clock.now(), lifecycleSettings(s.ctx)) };
}

async function assignedOnSource(s: StepContext): Promise<Set<string>> {
  const rows = await holdersOfSkus(s.ctx.db, s.transition.tenant_id, [s.line.sourceSkuId]);
  return new Set(rows.map((r) => r.directory_user_id));
}

const provision: StepHandler = async (s) => {
  await source(s);
  const assigned = (await assignedOnSource(s)).size;
  // More users now hold the SKU than the plan bought seats for: do not buy too few.
  if (!s.line.reassignLicenses && assigned > s.line.quantity) {
    throw new DomainError('transition_world_changed', {
      reason: 'assigned-seats-grew',
      assigned,
      planned: s.line.quantity,
    });
  }
  const order = await placeTransitionOrder(s.ctx, {
    tenantId: s.transition.tenant_id,
    lineItems: [s.line.targetOfferId!, ...s.line.addOnOfferIds].map((offerId) => ({
      offerId,
      quantity: s.line.quantity,
    })),
  });
  return {
    status: 'done',
    detail: {
      orderId: order.id,
      subscriptionIds: order.subscriptionIds,
    },
  };
};

/**
 * May the user who applied take this step now (SPEC §3.8)? Every step runs with the applier's
 * rights: its partner role and the roles of its security groups in the tenant, read again at the
 * step (a dated step may run months later). `missing` names what it lacks; none: it may.
 */
async function applierMissing(s: StepContext): Promise<{ granted: boolean; missing: string[] }> {
  const rights = await delegatedRightsOf(s.ctx.db, s.ctx.actor, [s.transition.tenant_id], s.ctx.clock.now());
  return {
    granted: rights.granted.has(s.transition.tenant_id),
    missing: stepMissing(
      s.step.step,
      planRights(s.ctx.actor, rights.roles.get(s.transition.tenant_id) ?? []),
    ),
  };
}

/**
 * A step inside the customer's tenant the partner takes only when the plan gave it to the partner
 * and the applier may take it now; otherwise it waits on the customer, saying what was missing.
 */
async function partnerMayAct(s: StepContext): Promise<StepOutcome | null> {
  if (!isPartnerStep(s.plan, s.step)) return { status: 'waiting', detail: { by: 'customer' } };
  const { granted, missing } = await applierMissing(s);
  if (!granted) return { status: 'waiting', detail: { needs: 'delegated-admin', by: 'customer' } };
  if (missing.length > 0) return { status: 'waiting', detail: { needs: missing, by: 'customer' } };
  return null;
}

const assignTargets: StepHandler = async (s) => {
  const handedOff = await partnerMayAct(s);
  if (handedOff) return handedOff;
  const holders = await assignedOnSource(s);
  // A user who left the source meanwhile has nothing to carry over.
  const moving = s.line.reassignments.filter((r) => holders.has(r.userId));
  for (const [i, skuId] of s.line.targetSkuIds.entries()) {
    await assignSkuToUsers(s.ctx, {
      tenantId: s.transition.tenant_id,
      skuId,
      users: moving.map((r) => ({ userId: r.userId, excludedPlans: i === 0 ? r.excludedPlanIds : [] })),
    });
  }
  return { status: 'done', detail: { users: moving.length } };
};

const removeSource: StepHandler = async (s) => {
  const handedOff = await partnerMayAct(s);
  if (handedOff) return handedOff;
  const rows = await holdersOfSkus(s.ctx.db, s.transition.tenant_id, [
    s.line.sourceSkuId,
    ...s.line.targetSkuIds,
  ]);
  const leaving: string[] = [];
  for (const r of s.line.reassignments) {
    const held = new Set(rows.filter((x) => x.directory_user_id === r.userId).map((x) => x.sku_id));
    if (!held.has(s.line.sourceSkuId)) continue;
    // Never remove the source from a user who does not hold every target yet: no user without data plans.
    if (!r.toSkuIds.every((sku) => held.has(sku))) {
      throw new DomainError('transition_world_changed', { reason: 'target-not-assigned', userId: r.userId });
    }
    leaving.push(r.userId);
  }
  await removeSkuFromUsers(s.ctx, {
    tenantId: s.transition.tenant_id,
    skuId: s.line.sourceSkuId,
    userIds: leaving,
  });
  return { status: 'done', detail: { users: leaving.length } };
};

const turnOffAutoRenew: StepHandler = async (s) => {
  const { row } = await source(s);
  if (!row.auto_renew) return { status: 'done', detail: { autoRenew: false } };
  if (row.channel === 'direct' && !(await partnerMayAct(s))) {
    await actOnDirectSubscription(
      { ...s.ctx, assignedSeatsBySku },
      { tenantId: s.transition.tenant_id, id: row.id, autoRenew: false },
    );
    sourceChanged(s);
    return { status: 'done', detail: { autoRenew: false, by: 'partner' } };
  }
  return { status: 'waiting', detail: { task: 'turn-off-auto-renew', by: 'customer' } };
};

/** The subscription this line's provision step bought for its base offer (the first it ordered). */
function boughtBase(s: StepContext): string | undefined {
  for (const [key, detail] of s.earlier)
    if (key.endsWith(`:provision:${s.step.lineIndex}`))
      return (detail.subscriptionIds as string[] | undefined)?.[0];
  return undefined;
}

const fileCredit: StepHandler = async (s) => {
  const handedOff = await partnerMayAct(s);
  if (handedOff) return { status: 'waiting', detail: { ...handedOff.detail, task: 'file-credit-request' } };
  // Naming the new purchase makes the platform compute the amount and hold the 120-day limit.
  const newSubscriptionId = boughtBase(s);
  const credit = await fileCreditRequest(s.ctx, {
    tenantId: s.transition.tenant_id,
    subscriptionId: s.line.sourceSubscriptionId,
    reason: `Duplicate licenses after moving to a CSP partner (transition ${s.transition.id}).`,
    ...(newSubscriptionId ? { newSubscriptionId } : {}),
  });
  sourceChanged(s);
  return { status: 'done', detail: { creditRequestId: credit.id } };
};

const cancelSource: StepHandler = async (s) => {
  const { row, state } = await source(s);
  if (row.cancelled_at || state.state === 'deleted') return { status: 'done', detail: { cancelled: true } };
  if (row.channel === 'direct' && !(await partnerMayAct(s))) {
    await actOnDirectSubscription(
      { ...s.ctx, assignedSeatsBySku },
      {
        tenantId: s.transition.tenant_id,
        id: row.id,
        status: 'cancelled',
      },
    );
    sourceChanged(s);
    return { status: 'done', detail: { cancelled: true, by: 'partner' } };
  }
  return { status: 'waiting', detail: { task: 'cancel-source', by: 'customer' } };
};

/** Dated observations: due when the clock reaches them; they record the source's state then. */
const observe: StepHandler = async (s) => {
  const { state } = await source(s);
  return { status: 'done', detail: { state: state.state, usersHaveAccess: state.usersHaveAccess } };
};

const otherParty: StepHandler = async (s): Promise<StepOutcome> => {
  const { row, state } = await source(s);
  const ending = !row.auto_renew || !!row.cancelled_at || state.state !== 'active';
  return ending
    ? { status: 'done', detail: { state: state.state } }
    : { status: 'waiting', detail: { by: s.line.sourceActor } };
};

/**
 * SPEC §7: ask the partner of record for the source, once; then wait on its answer. Approved: the
 * subscription is this partner's. Rejected or expired: the line's claim ends, so the next plan
 * falls back to let-expire.
 */
const requestTransferStep: StepHandler = async (s): Promise<StepOutcome> => {
  const { row } = await source(s);
  const asked = await transferForTransitionLine(s.ctx, s.transition.id, row.id);
  if (!asked) {
    if (row.channel !== 'partner' || !row.partner_id || row.partner_id === s.transition.partner_id)
      throw new DomainError('transition_world_changed', {
        reason: 'source-partner-changed',
        subscriptionId: row.id,
      });
    const t = await requestTransfer(s.ctx, {
      tenantId: s.transition.tenant_id,
      sourcePartnerId: row.partner_id,
      subscriptionIds: [row.id],
      transitionId: s.transition.id,
    });
    sourceChanged(s);
    return { status: 'waiting', detail: { transferId: t.id, by: 'partner-of-record' } };
  }
  if (asked.outcome === 'pending')
    return { status: 'waiting', detail: { transferId: asked.id, by: 'partner-of-record' } };
  if (asked.outcome === 'refused')
    await releaseLineClaim(s.ctx.db as Trx, s.transition.id, s.step.lineIndex, s.ctx.clock.now());
  return { status: 'done', detail: { transferId: asked.id, outcome: asked.outcome } };
};

export const STEP_HANDLERS: Record<TimelineStep['step'], StepHandler> = {
  provision,
  'assign-target-licenses': assignTargets,
  'remove-source-licenses': removeSource,
  'turn-off-auto-renew': turnOffAutoRenew,
  'file-credit-request': fileCredit,
  'cancel-source': cancelSource,
  'source-expires': observe,
  'source-disabled': observe,
  'source-deleted': observe,
  'other-party-action': otherParty,
  'request-transfer': requestTransferStep,
};
