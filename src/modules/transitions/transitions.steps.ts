import { isPartnerStep, stepMissing } from '../../domain/planner/rights.ts';
import type { TimelineStep } from '../../domain/planner/types.ts';
import type { Trx } from '../../platform/db/database.ts';
import { memoizedMany, transactionMemo } from '../../platform/db/transaction-memo.ts';
import { DomainError, isDomainError } from '../../platform/errors.ts';
import { fileCreditRequests } from '../credits/index.ts';
import { delegatedRightsOf } from '../delegated-admin/index.ts';
import {
  type AssignRequest,
  assignedSeatsBySku,
  assignSkusInBatch,
  holdersOfTenantSkus,
  removeSkusInBatch,
} from '../licenses/index.ts';
import { placeTransitionOrders } from '../orders/index.ts';
import {
  actOnDirectSubscriptions,
  findSubscriptions,
  findSubscriptionsOfTenants,
  lifecycleSettings,
  stateOf,
} from '../subscriptions/index.ts';
import { requestTransfer, transferForTransitionLine } from '../transfers/index.ts';
import type {
  StepBatchHandler,
  StepBatchHandlers,
  StepContext,
  StepHandler,
  StepOutcome,
} from './transitions.executor.ts';
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

/** A line's source as a step reads it: the row, and its lifecycle state now. */
interface SourceRead {
  row: Awaited<ReturnType<typeof findSubscriptions>>[number];
  state: ReturnType<typeof stateOf>;
}

async function source(s: StepContext): Promise<SourceRead> {
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

/**
 * The sources of every plan of a batch not read yet in this transaction, in one statement for all
 * the batch's customers (`source` then finds them kept). Outside a transaction nothing is kept.
 */
async function readSources(steps: StepContext[]): Promise<void> {
  const first = steps[0];
  const kept = first && sourcesRead.of(first.ctx.db);
  if (!kept) return;
  const wanted = new Map<string, string>();
  for (const s of steps)
    for (const l of s.plan.lines)
      if (!kept.has(l.sourceSubscriptionId)) wanted.set(l.sourceSubscriptionId, s.transition.tenant_id);
  if (wanted.size === 0) return;
  const rows = await findSubscriptionsOfTenants(
    first.ctx.db,
    [...wanted].map(([id, tenantId]) => ({ id, tenantId })),
  );
  // A source found missing is kept as missing, as `source` keeps it.
  for (const id of wanted.keys()) kept.set(id, null);
  for (const r of rows) kept.set(r.id, r);
}

/**
 * Buys each line's target offer and add-ons, for every step of the batch in one order write
 * (`placeTransitionOrders`). Refused, and nothing bought, when the source is gone or more users
 * now hold the SKU than the plan bought seats for (never buy too few).
 */
const provisionMany: StepBatchHandler = async (steps) => {
  await readSources(steps);
  const refused: (DomainError | undefined)[] = [];
  for (const s of steps)
    try {
      await source(s);
      refused.push(undefined);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      refused.push(err);
    }
  const holders = await holdersOf(
    steps.filter((_, i) => !refused[i]),
    (s) => [s.line.sourceSkuId],
  );
  for (const [i, s] of steps.entries()) {
    const assigned = holders.get(`${s.transition.tenant_id}|${s.line.sourceSkuId}`)?.size ?? 0;
    if (!refused[i] && !s.line.reassignLicenses && assigned > s.line.quantity)
      refused[i] = new DomainError('transition_world_changed', {
        reason: 'assigned-seats-grew',
        assigned,
        planned: s.line.quantity,
      });
  }
  const buying = steps.filter((_, i) => !refused[i]);
  const placed =
    buying.length === 0
      ? []
      : await placeTransitionOrders(
          buying[0]!.ctx,
          buying.map((s) => ({
            tenantId: s.transition.tenant_id,
            lineItems: [s.line.targetOfferId!, ...s.line.addOnOfferIds].map((offerId) => ({
              offerId,
              quantity: s.line.quantity,
            })),
          })),
        );
  return steps.map((_, i): StepOutcome | DomainError => {
    if (refused[i]) return refused[i];
    const order = placed.shift()!;
    return isDomainError(order)
      ? order
      : { status: 'done', detail: { orderId: order.id, subscriptionIds: order.subscriptionIds } };
  });
};

type DelegatedRights = Awaited<ReturnType<typeof delegatedRightsOf>>;

/**
 * May the user who applied take this step now (SPEC §3.8)? Every step runs with the applier's
 * rights: its partner role and the roles of its security groups in the tenant, read again at the
 * step (a dated step may run months later). A step inside the customer's tenant the partner takes
 * only when the plan gave it to the partner and the applier may take it now; otherwise it waits
 * on the customer, saying what was missing. Answers per step the hand-off, or null: it may act.
 * One read of the rights for all the steps (they share the applier: a run groups by it).
 */
async function partnerMayActMany(steps: StepContext[]): Promise<(StepOutcome | null)[]> {
  const ours = steps.filter((s) => isPartnerStep(s.plan, s.step));
  const first = ours[0];
  const rights: DelegatedRights | undefined = first
    ? await delegatedRightsOf(
        first.ctx.db,
        first.ctx.actor,
        [...new Set(ours.map((s) => s.transition.tenant_id))],
        first.ctx.clock.now(),
      )
    : undefined;
  return steps.map((s) => {
    if (!isPartnerStep(s.plan, s.step) || !rights) return { status: 'waiting', detail: { by: 'customer' } };
    const tenantId = s.transition.tenant_id;
    if (!rights.granted.has(tenantId))
      return { status: 'waiting', detail: { needs: 'delegated-admin', by: 'customer' } };
    const missing = stepMissing(s.step.step, planRights(s.ctx.actor, rights.roles.get(tenantId) ?? []));
    return missing.length > 0 ? { status: 'waiting', detail: { needs: missing, by: 'customer' } } : null;
  });
}

/** Who holds which of these steps' SKUs in their tenants (one statement): user ids by tenant and SKU. */
async function holdersOf(steps: StepContext[], skusOf: (s: StepContext) => string[]) {
  const byKey = new Map<string, Set<string>>();
  if (steps.length === 0) return byKey;
  const rows = await holdersOfTenantSkus(
    steps[0]!.ctx.db,
    steps.map((s) => s.transition.tenant_id),
    [...new Set(steps.flatMap(skusOf))],
  );
  for (const r of rows) {
    const k = `${r.tenant_id}|${r.sku_id}`;
    byKey.set(k, (byKey.get(k) ?? new Set()).add(r.directory_user_id));
  }
  return byKey;
}

/**
 * A batch kind's steps in two parts: those the partner may not take now wait (the hand-off);
 * `act` runs the rest together and answers their outcomes in order.
 */
async function whereThePartnerActs(
  steps: StepContext[],
  act: (acting: StepContext[]) => Promise<(StepOutcome | DomainError)[]>,
): Promise<(StepOutcome | DomainError)[]> {
  const handedOff = await partnerMayActMany(steps);
  const acting = steps.filter((_, i) => !handedOff[i]);
  const outcomes = acting.length > 0 ? await act(acting) : [];
  return handedOff.map((h) => h ?? outcomes.shift()!);
}

/** A batch kind's handler for a lone step: its refusal thrown, as a step handler does. */
function oneOf(batch: StepBatchHandler): StepHandler {
  return async (s) => {
    const [outcome] = await batch([s]);
    if (outcome instanceof DomainError) throw outcome;
    return outcome!;
  };
}

/**
 * Each line's users get its target SKUs (the base's with the plans they had switched off), for
 * every step of the batch in one statement. A user who left the source meanwhile has nothing to
 * carry over.
 */
const assignTargetsMany: StepBatchHandler = (steps) =>
  whereThePartnerActs(steps, async (acting) => {
    const holders = await holdersOf(acting, (s) => [s.line.sourceSkuId]);
    const moving = acting.map((s) => {
      const held = holders.get(`${s.transition.tenant_id}|${s.line.sourceSkuId}`);
      return s.line.reassignments.filter((r) => held?.has(r.userId));
    });
    const requests: AssignRequest[] = acting.map((s, i) => {
      const users = moving[i]!;
      return {
        tenantId: s.transition.tenant_id,
        skus: s.line.targetSkuIds.map((skuId, n) => ({
          skuId,
          users: users.map((r) => ({ userId: r.userId, excludedPlans: n === 0 ? r.excludedPlanIds : [] })),
        })),
      };
    });
    const results = await assignSkusInBatch(acting[0]!.ctx, requests);
    return results.map((r, i) =>
      r instanceof DomainError ? r : { status: 'done', detail: { users: moving[i]!.length } },
    );
  });

/**
 * The source SKU leaves each line's users, for every step of the batch in one statement; never
 * from a user who does not hold every target yet (no user without data plans): that step is refused.
 */
const removeSourceMany: StepBatchHandler = (steps) =>
  whereThePartnerActs(steps, async (acting) => {
    const holders = await holdersOf(acting, (s) => [s.line.sourceSkuId, ...s.line.targetSkuIds]);
    const checked = acting.map((s): { userIds: string[] } | DomainError => {
      const holds = (sku: string, userId: string) =>
        holders.get(`${s.transition.tenant_id}|${sku}`)?.has(userId) ?? false;
      const leaving: string[] = [];
      for (const r of s.line.reassignments) {
        if (!holds(s.line.sourceSkuId, r.userId)) continue;
        if (!r.toSkuIds.every((sku) => holds(sku, r.userId)))
          return new DomainError('transition_world_changed', {
            reason: 'target-not-assigned',
            userId: r.userId,
          });
        leaving.push(r.userId);
      }
      return { userIds: leaving };
    });
    const requests = acting.flatMap((s, i) => {
      const c = checked[i]!;
      return c instanceof DomainError
        ? []
        : [{ tenantId: s.transition.tenant_id, skuId: s.line.sourceSkuId, userIds: c.userIds }];
    });
    const removed = await removeSkusInBatch(acting[0]!.ctx, requests);
    return checked.map((c) => {
      if (c instanceof DomainError) return c;
      const r = removed.shift()!;
      return r instanceof DomainError ? r : { status: 'done', detail: { users: c.userIds.length } };
    });
  });

/**
 * A batch's changes of direct sources on the customer's behalf: each step's source as read, and
 * `wants` says per step whether it is already done (`done`), the partner's to change now (`act`)
 * or the customer's (`wait`). The sources to change change together (`actOnDirectSubscriptions`,
 * all or nothing: a refusal is thrown and the executor goes over the steps one by one); a changed
 * source is read again by the next step that looks at it.
 */
async function changeDirectSources(
  steps: StepContext[],
  change: { autoRenew: false } | { status: 'cancelled' },
  wants: (source: SourceRead) => 'done' | 'act' | 'wait',
): Promise<('done' | 'acted' | 'wait')[]> {
  const mayAct = await partnerMayActMany(steps);
  await readSources(steps);
  const verdicts: ('done' | 'acted' | 'wait')[] = [];
  const acting: StepContext[] = [];
  for (const [i, s] of steps.entries()) {
    const src = await source(s);
    const want = wants(src);
    if (want === 'act' && src.row.channel === 'direct' && !mayAct[i]) {
      acting.push(s);
      verdicts.push('acted');
    } else verdicts.push(want === 'done' ? 'done' : 'wait');
  }
  if (acting.length === 0) return verdicts;
  await actOnDirectSubscriptions(
    { ...acting[0]!.ctx, assignedSeatsBySku },
    acting.map((s) => ({ tenantId: s.transition.tenant_id, id: s.line.sourceSubscriptionId, ...change })),
  );
  for (const s of acting) sourceChanged(s);
  return verdicts;
}

const turnOffAutoRenewMany: StepBatchHandler = async (steps) =>
  (
    await changeDirectSources(steps, { autoRenew: false }, ({ row }) =>
      !row.auto_renew ? 'done' : row.channel === 'direct' ? 'act' : 'wait',
    )
  ).map((v) =>
    v === 'done'
      ? { status: 'done', detail: { autoRenew: false } }
      : v === 'acted'
        ? { status: 'done', detail: { autoRenew: false, by: 'partner' } }
        : { status: 'waiting', detail: { task: 'turn-off-auto-renew', by: 'customer' } },
  );

/** The subscription this line's provision step bought for its base offer (the first it ordered). */
function boughtBase(s: StepContext): string | undefined {
  for (const [key, detail] of s.earlier)
    if (key.endsWith(`:provision:${s.step.lineIndex}`))
      return (detail.subscriptionIds as string[] | undefined)?.[0];
  return undefined;
}

/**
 * Files each line's credit request with billing support, for every step of the batch in one
 * insert; naming the new purchase makes the platform compute the amount and hold the 120-day
 * limit. A request changes no subscription: the sources read stay as read.
 */
const fileCreditMany: StepBatchHandler = async (steps) => {
  const handedOff = await partnerMayActMany(steps);
  const acting = steps.filter((_, i) => !handedOff[i]);
  const filed =
    acting.length === 0
      ? []
      : await fileCreditRequests(
          acting[0]!.ctx,
          acting.map((s) => {
            const newSubscriptionId = boughtBase(s);
            return {
              tenantId: s.transition.tenant_id,
              subscriptionId: s.line.sourceSubscriptionId,
              reason: `Duplicate licenses after moving to a CSP partner (transition ${s.transition.id}).`,
              ...(newSubscriptionId ? { newSubscriptionId } : {}),
            };
          }),
        );
  return handedOff.map((h): StepOutcome | DomainError => {
    if (h) return { status: 'waiting', detail: { ...h.detail, task: 'file-credit-request' } };
    const credit = filed.shift()!;
    return isDomainError(credit) ? credit : { status: 'done', detail: { creditRequestId: credit.id } };
  });
};

const cancelSourceMany: StepBatchHandler = async (steps) =>
  (
    await changeDirectSources(steps, { status: 'cancelled' }, ({ row, state }) =>
      row.cancelled_at || state.state === 'deleted' ? 'done' : row.channel === 'direct' ? 'act' : 'wait',
    )
  ).map((v) =>
    v === 'done'
      ? { status: 'done', detail: { cancelled: true } }
      : v === 'acted'
        ? { status: 'done', detail: { cancelled: true, by: 'partner' } }
        : { status: 'waiting', detail: { task: 'cancel-source', by: 'customer' } },
  );

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

/**
 * A kind whose steps only read their sources (and write nothing): the batch's sources in one
 * statement, then each step's handler; a refusal is that step's alone.
 */
function readingSources(handler: StepHandler): StepBatchHandler {
  return async (steps) => {
    await readSources(steps);
    const out: (StepOutcome | DomainError)[] = [];
    for (const s of steps)
      try {
        out.push(await handler(s));
      } catch (err) {
        if (!isDomainError(err)) throw err;
        out.push(err);
      }
    return out;
  };
}

export const STEP_HANDLERS: Record<TimelineStep['step'], StepHandler> = {
  provision: oneOf(provisionMany),
  'assign-target-licenses': oneOf(assignTargetsMany),
  'remove-source-licenses': oneOf(removeSourceMany),
  'turn-off-auto-renew': oneOf(turnOffAutoRenewMany),
  'file-credit-request': oneOf(fileCreditMany),
  'cancel-source': oneOf(cancelSourceMany),
  'source-expires': observe,
  'source-disabled': observe,
  'source-deleted': observe,
  'other-party-action': otherParty,
  'request-transfer': requestTransferStep,
};
/** The kinds run for many transitions at once (`runDueStepsMany`). */
export const STEP_BATCH_HANDLERS: StepBatchHandlers = {
  'turn-off-auto-renew': turnOffAutoRenewMany,
  'cancel-source': cancelSourceMany,
  'file-credit-request': fileCreditMany,
  provision: provisionMany,
  'assign-target-licenses': assignTargetsMany,
  'remove-source-licenses': removeSourceMany,
  'source-expires': readingSources(observe),
  'source-disabled': readingSources(observe),
  'source-deleted': readingSources(observe),
  'other-party-action': readingSources(otherParty),
};
