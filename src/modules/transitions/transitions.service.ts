import { randomUUID } from 'node:crypto';
import { checkPreconditions } from '../../domain/planner/checks.ts';
import { renderReason } from '../../domain/planner/messages.ts';
import { planTransition } from '../../domain/planner/plan.ts';
import { planMissing } from '../../domain/planner/rights.ts';
import type { Plan, PlanLine, PlanOptions, PlanTotal, Reason } from '../../domain/planner/types.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeKeyCursor, toPage } from '../../platform/http/schemas.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { recordAudit } from '../audit/index.ts';
import { type AzurePlanLine, azurePlanLines, blockerView } from '../azure/index.ts';
import { productsBySku } from '../catalog/index.ts';
import { delegatedRightsOf } from '../delegated-admin/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { findPartner, partnersByIds } from '../partners/index.ts';
import { findTenant, hasAcceptedRelationship } from '../tenants/index.ts';
import { stepRows } from './transitions.executor.ts';
import { enqueueRun, enqueueRuns } from './transitions.jobs.ts';
import { loadPlanInput, planRights } from './transitions.loader.ts';
import {
  claimHolders,
  claimSources,
  claimSourcesMany,
  customerTaskRows,
  dropClaims,
  findTransition,
  insertStepRows,
  insertTransition,
  listSteps,
  listTransitionRows,
  lockTransitions,
  markApplying,
  type TransitionRow,
  transitionsOfPartner,
} from './transitions.repo.ts';

export interface PlanRequest {
  tenantId: string;
  options?: {
    quantity?: 'same' | 'assigned';
    disposition?: 'let-expire' | 'cancel-now' | 'cancel-on-date';
    cancelOn?: string;
    acknowledgments?: {
      sourceSubscriptionId: string;
      substituteOfferId?: string;
      addOnOfferIds?: string[];
    }[];
    provision?: 'now' | 'before-end';
    lineProvision?: { sourceSubscriptionId: string; provision: 'now' | 'before-end' }[];
  };
}

/**
 * Plans a transition for one customer: a dry run that changes no subscription or license. The
 * plan is saved (so it can be reviewed, applied and audited later) with its verdict and reasons.
 */
export async function planCustomerTransition(ctx: Ctx, input: PlanRequest) {
  const partnerId = ctx.actor.partnerId;
  if (!partnerId) throw new DomainError('forbidden', { action: 'transitions.plan' });
  const [partner, tenant] = await Promise.all([
    findPartner(ctx.db, partnerId),
    findTenant(ctx.db, input.tenantId),
  ]);
  if (!partner || !tenant) throw new DomainError('tenant_not_found');
  const refused = checkPreconditions({
    partnerRegion: partner.region,
    tenantRegion: tenant.region,
    relationshipAccepted: await hasAcceptedRelationship(ctx.db, partnerId, tenant.id),
    canPlan: can(ctx.actor.roles, 'transitions.plan'),
  });
  if (refused) throw new DomainError(refused.code, refused.params);

  const options: PlanOptions = {
    ...(input.options?.quantity ? { quantity: input.options.quantity } : {}),
    ...(input.options?.disposition ? { disposition: input.options.disposition } : {}),
    ...(input.options?.cancelOn ? { cancelOn: new Date(input.options.cancelOn) } : {}),
    ...(input.options?.acknowledgments ? { acknowledgments: input.options.acknowledgments } : {}),
    ...(input.options?.provision ? { provision: input.options.provision } : {}),
    ...(input.options?.lineProvision ? { lineProvision: input.options.lineProvision } : {}),
  };
  const planInput = await loadPlanInput(ctx, { tenant, partner, options });
  // SPEC §9: the customer's own Azure subscriptions ride along as lines of their own (path and
  // blockers); they do not change the license plan's verdict or steps.
  const azure = await azurePlanLines(ctx, { partnerId, tenantId: tenant.id });
  const plan: Plan & { azure?: AzurePlanLine[] } = { ...planTransition(planInput), azure };
  const id = randomUUID();
  await insertTransition(ctx.db, {
    id,
    tenantId: tenant.id,
    partnerId,
    userId: ctx.actor.userId,
    verdict: plan.verdict,
    options: input.options ?? {},
    plan,
    now: ctx.clock.now(),
  });
  // Accepted losses are audited with what was accepted and by whom: data (a substitute) or a lower
  // tier or paid capability (the proposed target, acknowledged).
  const acknowledged = plan.lines.filter(
    (l) =>
      l.choice === 'acknowledged-substitute' || l.reasons.some((r) => r.code === 'line.loss-acknowledged'),
  );
  await recordAudit(ctx, {
    action: 'transition.planned',
    targetType: 'transition',
    targetId: id,
    tenantId: tenant.id,
    partnerId,
    data: {
      verdict: plan.verdict,
      lines: plan.lines.length,
      // An acknowledged loss of data is recorded with what was accepted and by whom (the actor).
      acknowledgments: acknowledged.map((l) => ({
        sourceSubscriptionId: l.sourceSubscriptionId,
        substituteOfferId: l.targetOfferId,
        workloadsAtRisk: l.workloadsAtRisk,
        usersAtRisk: l.usersAtRisk,
        featuresLost: l.featuresLost,
        lowerTier: l.lowerTier,
      })),
    },
  });
  // Webhooks and the partner's notifications (a plan that needs someone's acknowledgment).
  await recordEvent(ctx, 'transition.planned', {
    transitionId: id,
    tenantId: tenant.id,
    partnerId,
    verdict: plan.verdict,
  });
  return toTransitionView((await findTransition(ctx.db, id, { partnerId }))!, []);
}

/**
 * Applies a ready plan: creates its step rows and asks the queue for a run, in one transaction.
 * Idempotent: applying an applied (or applying) transition again changes nothing and answers the
 * same; two callers at once are serialised by the row lock and only the first creates steps.
 */
export async function applyTransition(ctx: Ctx, queue: Queue | undefined, input: { transitionId: string }) {
  const id = await requestApply(ctx, queue, input);
  return toTransitionView((await findTransition(ctx.db, id, {}))!, await listSteps(ctx.db, id));
}

/** `applyTransition` without its answer (a bulk apply needs none): the transition's id. */
export async function requestApply(ctx: Ctx, queue: Queue | undefined, input: { transitionId: string }) {
  const scope = scopeOf(ctx);
  const row = await ctx.db
    .selectFrom('transitions')
    .selectAll()
    .where('id', '=', input.transitionId)
    .forUpdate()
    .executeTakeFirst();
  if (!row || (scope.partnerId !== undefined && row.partner_id !== scope.partnerId))
    throw new DomainError('transition_not_found');
  if (row.status === 'planned') {
    if (row.verdict !== 'ready') {
      throw new DomainError('transition_not_ready', { verdict: row.verdict });
    }
    if (!queue) throw new DomainError('service_unavailable');
    const now = ctx.clock.now();
    const plan = row.plan as Plan;
    // Every step runs with the applier's rights (SPEC §3.8): refuse, before anything, a plan whose
    // partner steps the applier may not all take (a plan that hands them to the customer is fine).
    if (ctx.actor.kind === 'partner') {
      const rights = await delegatedRightsOf(ctx.db, ctx.actor, [row.tenant_id], now);
      const missing = planMissing(plan, planRights(ctx.actor, rights.roles.get(row.tenant_id) ?? []));
      if (missing.length > 0) throw new DomainError('transition_apply_forbidden', { missing });
    }
    // Claim every source this plan acts on before anything is queued: a source another open
    // transition moves is never moved twice, whoever planned first (SPEC §3.7).
    const acting = [...new Set(plan.timeline.map((s) => s.lineIndex))].map((i) => ({
      sourceSubscriptionId: plan.lines[i]!.sourceSubscriptionId,
      lineIndex: i,
    }));
    const { conflicts } = await claimSources(ctx.db, {
      transitionId: row.id,
      tenantId: row.tenant_id,
      lines: acting,
      now,
    });
    if (conflicts.length > 0) {
      const own = await ctx.db
        .selectFrom('transitions')
        .select('id')
        .where(
          'id',
          'in',
          conflicts.map((c) => c.transitionId),
        )
        .where('partner_id', '=', row.partner_id)
        .execute();
      const ownIds = new Set(own.map((o) => o.id));
      throw new DomainError('transition_in_progress', {
        subscriptionIds: conflicts.map((c) => c.sourceSubscriptionId),
        transitionIds: conflicts.map((c) => c.transitionId).filter((id) => ownIds.has(id)),
      });
    }
    const rows = stepRows(row.id, plan, now);
    await insertStepRows(ctx.db, rows);
    await ctx.db
      .updateTable('transitions')
      .set({
        status: 'applying',
        apply_requested_at: now,
        apply_requested_by: ctx.actor.userId,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
    await enqueueRun(queue, ctx.db, row.id);
    await recordAudit(ctx, {
      action: 'transition.apply-requested',
      targetType: 'transition',
      targetId: row.id,
      tenantId: row.tenant_id,
      partnerId: row.partner_id,
      data: { steps: rows.length },
    });
  } else {
    // Applying again changes nothing; the trail still shows who asked, and when.
    await recordAudit(ctx, {
      action: 'transition.apply-repeated',
      targetType: 'transition',
      targetId: row.id,
      tenantId: row.tenant_id,
      partnerId: row.partner_id,
      data: { status: row.status },
    });
  }
  return row.id;
}

/**
 * `requestApply` for many transitions at once (a bulk apply's batch of ready plans): per
 * transition the same checks (found in scope, ready, the applier's rights, no source claimed by
 * another open transition), each refused on its own with nothing kept of it; then the accepted
 * ones' step rows, status and run jobs in one statement each. A transition no longer planned
 * changes nothing. Answers per transition its refusal, or null.
 */
export async function requestApplies(
  ctx: Ctx,
  queue: Queue,
  transitionIds: string[],
): Promise<(DomainError | null)[]> {
  const trx = ctx.db as Trx;
  const scope = scopeOf(ctx);
  const now = ctx.clock.now();
  const rows = new Map((await lockTransitions(trx, transitionIds)).map((r) => [r.id, r]));
  const planned = [...rows.values()].filter((r) => r.status === 'planned' && r.verdict === 'ready');
  const rights =
    ctx.actor.kind === 'partner'
      ? await delegatedRightsOf(
          ctx.db,
          ctx.actor,
          planned.map((r) => r.tenant_id),
          now,
        )
      : undefined;
  const out = transitionIds.map((id): DomainError | null => {
    const row = rows.get(id);
    if (!row || (scope.partnerId !== undefined && row.partner_id !== scope.partnerId))
      return new DomainError('transition_not_found');
    if (row.status !== 'planned') return null;
    if (row.verdict !== 'ready') return new DomainError('transition_not_ready', { verdict: row.verdict });
    if (rights) {
      const plan = row.plan as Plan;
      const missing = planMissing(plan, planRights(ctx.actor, rights.roles.get(row.tenant_id) ?? []));
      if (missing.length > 0) return new DomainError('transition_apply_forbidden', { missing });
    }
    return null;
  });
  const applying = transitionIds
    .map((id, i) => (out[i] === null && rows.get(id)?.status === 'planned' ? rows.get(id)! : undefined))
    .filter((r) => r !== undefined);
  // Claim every source the plans act on before anything is queued (SPEC §3.7).
  const claims = applying.map((row) => {
    const plan = row.plan as Plan;
    return {
      transitionId: row.id,
      tenantId: row.tenant_id,
      lines: [...new Set(plan.timeline.map((s) => s.lineIndex))].map((i) => ({
        sourceSubscriptionId: plan.lines[i]!.sourceSubscriptionId,
        lineIndex: i,
      })),
    };
  });
  const won = await claimSourcesMany(trx, claims, now);
  const refused: string[] = [];
  for (const c of claims) {
    const lost = c.lines.filter((l) => !won.has(`${c.transitionId}|${l.sourceSubscriptionId}`));
    if (lost.length === 0) continue;
    refused.push(c.transitionId);
    const holders = (
      await claimHolders(
        trx,
        lost.map((l) => l.sourceSubscriptionId),
      )
    ).filter((h) => h.transition_id !== c.transitionId);
    const own = new Set(
      (
        await transitionsOfPartner(
          trx,
          holders.map((h) => h.transition_id),
          rows.get(c.transitionId)!.partner_id,
        )
      ).map((t) => t.id),
    );
    out[transitionIds.indexOf(c.transitionId)] = new DomainError('transition_in_progress', {
      subscriptionIds: lost.map((l) => l.sourceSubscriptionId),
      transitionIds: [...new Set(holders.map((h) => h.transition_id))].filter((id) => own.has(id)),
    });
  }
  await dropClaims(trx, refused);
  const accepted = applying.filter((r) => !refused.includes(r.id));
  await insertStepRows(
    trx,
    accepted.flatMap((r) => stepRows(r.id, r.plan as Plan, now)),
  );
  await markApplying(
    trx,
    accepted.map((r) => r.id),
    ctx.actor.userId,
    now,
  );
  await enqueueRuns(
    queue,
    trx,
    accepted.map((r) => ({ transitionId: r.id })),
  );
  for (const r of accepted)
    await recordAudit(ctx, {
      action: 'transition.apply-requested',
      targetType: 'transition',
      targetId: r.id,
      tenantId: r.tenant_id,
      partnerId: r.partner_id,
      data: { steps: (r.plan as Plan).timeline.length },
    });
  return out;
}

export async function getTransition(ctx: Ctx<Db | Trx>, input: { transitionId: string }) {
  const row = await findTransition(ctx.db, input.transitionId, scopeOf(ctx));
  if (!row) throw new DomainError('transition_not_found');
  const [steps, tenant] = await Promise.all([listSteps(ctx.db, row.id), findTenant(ctx.db, row.tenant_id)]);
  return {
    ...toTransitionView(row, steps),
    // The page names its customer and links what it bought (issue 21).
    ...(tenant
      ? {
          customer: {
            tenantId: tenant.id,
            companyName: tenant.company_name,
            defaultDomain: tenant.default_domain,
          },
        }
      : {}),
    bought: boughtBy(steps),
  };
}

/** The orders and subscriptions the transition's done provision steps bought. */
function boughtBy(steps: Awaited<ReturnType<typeof listSteps>>) {
  const orders: string[] = [];
  const subscriptions: string[] = [];
  for (const s of steps) {
    if (s.kind !== 'provision' || s.status !== 'done') continue;
    const d = s.detail as { orderId?: unknown; subscriptionIds?: unknown };
    if (typeof d.orderId === 'string') orders.push(d.orderId);
    if (Array.isArray(d.subscriptionIds))
      for (const id of d.subscriptionIds) if (typeof id === 'string') subscriptions.push(id);
  }
  return { orders, subscriptions };
}

export async function listTransitions(
  ctx: Ctx<Db | Trx>,
  input: { tenantId: string; cursor?: string; limit?: number },
) {
  const limit = input.limit ?? 50;
  const before = decodeKeyCursor(input.cursor);
  const rows = await listTransitionRows(ctx.db, {
    partnerId: ctx.actor.partnerId ?? '',
    tenantId: input.tenantId,
    ...(before ? { before } : {}),
    limit,
  });
  return toPage(
    rows,
    limit,
    (r) => ({
      id: r.id,
      status: r.status,
      verdict: r.verdict,
      plannedAt: r.planned_at.toISOString(),
      lines: (r.plan as Plan).lines.length,
    }),
    (r) => r.id,
  );
}

function scopeOf(ctx: Ctx<Db | Trx>) {
  if (ctx.actor.kind === 'partner') return { partnerId: ctx.actor.partnerId ?? '' };
  if (ctx.actor.kind === 'customer') return { tenantId: ctx.actor.tenantId ?? '' };
  return {};
}

const withText = (r: Reason) => ({ ...r, text: renderReason(r, 'en'), textEs: renderReason(r, 'es') });

const money = (amount: number, currency: string) => ({ amount, currency });

/** A plan line as the API shows it: every amount `{ amount, currency }` (API.md, second round). */
function lineView(l: PlanLine) {
  // Plans stored before source currencies were recorded paid the source in the line's currency.
  const sourceCurrency = l.sourceCurrency ?? l.currency;
  const { creditAmount, ...rest } = l;
  return {
    ...rest,
    sourceCurrency,
    provisionOptions: l.provisionOptions.map((o) => ({
      ...o,
      overlapCost: money(o.overlapCost, l.currency),
    })),
    lossIfCancelledNow: money(l.lossIfCancelledNow, sourceCurrency),
    overlapCost: money(l.overlapCost, l.currency),
    ...(creditAmount !== undefined
      ? { creditAmount: money(creditAmount, l.creditCurrency ?? sourceCurrency) }
      : {}),
    // Plans saved before issue 17 carry no rights: nothing was known to be missing then.
    requiredRoles: l.requiredRoles ?? [],
    appliedBy: l.appliedBy ?? { canApply: true, missing: [] },
    reasons: l.reasons.map(withText),
  };
}

/** One entry per currency (a plan stored before that had one object in one currency). */
function totalsView(plan: Plan) {
  const totals: PlanTotal[] = Array.isArray(plan.totals) ? plan.totals : [plan.totals as PlanTotal];
  return totals.map((t) => ({
    currency: t.currency,
    quantity: t.quantity,
    sourceSeats: t.sourceSeats,
    overlapCost: money(t.overlapCost, t.currency),
    lossIfCancelledNow: money(t.lossIfCancelledNow, t.currency),
  }));
}

export function toTransitionView(row: TransitionRow, steps: Awaited<ReturnType<typeof listSteps>>) {
  const plan = row.plan as Plan & { azure?: AzurePlanLine[] };
  return {
    id: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    status: row.status,
    verdict: row.verdict,
    path: plan.path,
    plannedAt: row.planned_at.toISOString(),
    reasons: plan.reasons.map(withText),
    lines: plan.lines.map(lineView),
    timeline: plan.timeline,
    seats: plan.seats,
    totals: totalsView(plan),
    // Plans saved before issue 22 carry no Azure lines.
    azure: (plan.azure ?? []).map((l) => ({ ...l, blockers: l.blockers.map(blockerView) })),
    steps: steps.map((s) => ({
      key: s.step_key,
      kind: s.kind,
      lineIndex: s.line_index,
      actor: s.actor,
      dueAt: s.due_at.toISOString(),
      status: s.status,
      attempts: s.attempts,
      error: s.error,
    })),
  };
}

const LICENSE_STEPS = new Set(['assign-target-licenses', 'remove-source-licenses']);

/** A step still to come is the customer's when the plan gives it to the customer (no delegated admin). */
function isCustomersStep(r: { status: string; kind: string; actor: string }, line: PlanLine | undefined) {
  if (r.status === 'waiting') return true;
  if (LICENSE_STEPS.has(r.kind)) return !!line?.reasons.some((x) => x.code === 'line.reassign-by-customer');
  return r.actor === 'customer';
}

/**
 * The customer's side of transitions under way: what waits on its admin, and what will (turning
 * auto-renew off, cancelling, moving each user's licenses when the partner has no delegated admin),
 * each with its date, who asks and why. A license move names every user, the SKUs to assign and the
 * SKU to remove.
 */
export async function listCustomerTasks(ctx: Ctx<Db | Trx>) {
  const rows = (await customerTaskRows(ctx.db, ctx.actor.tenantId ?? '')).flatMap((r) => {
    const line = (r.plan as Plan).lines[r.line_index ?? 0];
    return isCustomersStep(r, line) ? [{ r, line }] : [];
  });
  // The partners' names through the partners face (this module names no partners table).
  const partnerName = new Map(
    (
      await partnersByIds(
        ctx.db,
        rows.map(({ r }) => r.partner_id),
      )
    ).map((p) => [p.id, p.name]),
  );
  const skus = await productsBySku(
    ctx.db,
    rows.flatMap(({ r, line }) =>
      line && LICENSE_STEPS.has(r.kind) ? [line.sourceSkuId, ...line.targetSkuIds] : [],
    ),
  );
  const sku = (skuId: string) => {
    const p = skus.get(skuId);
    return { skuId, skuPartNumber: p?.skuPartNumber ?? null, name: p?.name ?? null };
  };
  return {
    items: rows.map(({ r, line }) => ({
      transitionId: r.transition_id,
      step: r.kind,
      status: r.status === 'waiting' ? ('waiting' as const) : ('upcoming' as const),
      partner: { id: r.partner_id, name: partnerName.get(r.partner_id) ?? '' },
      subscriptionId: line?.sourceSubscriptionId ?? null,
      dueAt: r.due_at.toISOString(),
      detail: r.detail,
      ...(line && LICENSE_STEPS.has(r.kind)
        ? {
            users: line.reassignments.map((m) => ({
              userId: m.userId,
              userPrincipalName: m.userPrincipalName,
              assign: m.toSkuIds.map(sku),
              remove: sku(m.fromSkuId),
            })),
          }
        : {}),
    })),
    nextCursor: null,
  };
}
