import { randomUUID } from 'node:crypto';
import { checkPreconditions } from '../../domain/planner/checks.ts';
import { renderReason } from '../../domain/planner/messages.ts';
import { type PlannerCaches, planTransition } from '../../domain/planner/plan.ts';
import type {
  Plan,
  PlanInput,
  PlanOffer,
  PlanOptions,
  PlanRights,
  PlanSubscription,
  PlanUser,
  Reason,
  UnderWay,
} from '../../domain/planner/types.ts';
import { DEFAULT_PLAN_SETTINGS } from '../../domain/planner/types.ts';
import type { Config } from '../../platform/config.ts';
import { csvRow } from '../../platform/csv.ts';
import type { PartnerRow, TenantRow } from '../../platform/db/database.ts';

/**
 * One batch of a bulk plan, from rows already read to what is saved and reported: pure but for
 * new transition ids, so it runs the same in the main thread (`workers: 0`) and in a planning
 * worker (transitions.plan-worker.ts). It takes and returns only plain data (maps, sets, dates,
 * strings) that cross a thread by structured clone, and imports only the domain and small platform
 * helpers (a worker starts faster with less to load), and hands back each customer's report line,
 * summary row and saved plan already as text: the main thread only saves and writes them.
 */

/**
 * The planner's input from parts already read and mapped: the subscriptions as the planner reads
 * them (`planSubscriptions` in transitions.loader.ts maps the rows), the users grouped per user.
 */
export interface PlanInputParts {
  now: Date;
  config: Pick<Config, 'lifecycle' | 'provisionDaysBeforeEnd'>;
  tenant: Pick<TenantRow, 'id' | 'country' | 'region'>;
  partner: Pick<PartnerRow, 'id' | 'region'>;
  options: PlanOptions;
  hasDelegatedAdmin: boolean;
  rights?: PlanRights;
  subscriptions: PlanSubscription[];
  users: PlanUser[];
  catalog: PlanOffer[];
  /** Sources other transitions already move (their open claims). */
  underWay?: UnderWay[];
  /** Sources another partner on the platform holds, and those whose transfer was refused. */
  transfers?: { transferable: string[]; refused: string[] } | undefined;
}

export function assemblePlanInput(input: PlanInputParts): PlanInput {
  return {
    now: input.now,
    tenant: { id: input.tenant.id, country: input.tenant.country, region: input.tenant.region },
    partner: { id: input.partner.id, region: input.partner.region },
    hasDelegatedAdmin: input.hasDelegatedAdmin,
    ...(input.rights ? { rights: input.rights } : {}),
    subscriptions: input.subscriptions,
    users: input.users,
    catalog: input.catalog,
    options: input.options,
    underWay: input.underWay ?? [],
    ...(input.transfers ? { transfers: input.transfers } : {}),
    settings: {
      expiredDays: input.config.lifecycle.expiredDays,
      disabledDays: input.config.lifecycle.disabledDays,
      maxActiveSubscriptions: DEFAULT_PLAN_SETTINGS.maxActiveSubscriptions,
      provisionDaysBeforeEnd: input.config.provisionDaysBeforeEnd,
    },
  };
}

/**
 * The users of a batch as the database hands them over: per tenant one JSON text of its licenses
 * (`[userId, skuId, excludedPlans]`, in user id order) and one of its users' names
 * (`[userId, upn]`). Decoding them is left to whoever plans (a worker, when there are some).
 */
export interface RawUsers {
  licenses: { tenant_id: string; licenses: string }[];
  names: { tenant_id: string; users: string }[];
}

/** Most licenses switch nothing off: they share this list (the planner only reads it). */
const NO_PLANS: string[] = [];

function sameLicenses(a: PlanUser['licenses'], b: PlanUser['licenses']): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.skuId !== y.skuId || x.excludedPlanIds.length !== y.excludedPlanIds.length) return false;
    for (let j = 0; j < x.excludedPlanIds.length; j++)
      if (x.excludedPlanIds[j] !== y.excludedPlanIds[j]) return false;
  }
  return true;
}

/** One tenant's users holding licenses, in user id order, each with its licenses. */
function decodeTenantUsers(licensesJson: string | undefined, namesJson: string | undefined): PlanUser[] {
  if (licensesJson === undefined) return [];
  const names = new Map<string, string>();
  if (namesJson !== undefined)
    for (const [id, upn] of JSON.parse(namesJson) as [string, string][]) names.set(id, upn);
  const list: PlanUser[] = [];
  // Users holding the same licenses share one list (the planner only reads it, and works out what
  // a list means once: \`exclusionsOf\`); most of a tenant's users hold one of a few.
  const lists = new Map<string, PlanUser['licenses']>();
  const share = (user: PlanUser, signature: string) => {
    const same = lists.get(signature);
    // Checked whole: the signature is a quick key, not a proof (an id could hold its separators).
    if (same && sameLicenses(same, user.licenses)) user.licenses = same;
    else if (!same) lists.set(signature, user.licenses);
  };
  let u: PlanUser | undefined;
  let signature = '';
  // In user id order: one user's licenses are next to each other.
  for (const [userId, skuId, excluded] of JSON.parse(licensesJson) as [string, string, string[] | null][]) {
    if (u?.id !== userId) {
      if (u) share(u, signature);
      u = { id: userId, userPrincipalName: names.get(userId) ?? '', licenses: [] };
      signature = '';
      list.push(u);
    }
    u.licenses.push({ skuId, excludedPlanIds: excluded ?? NO_PLANS });
    signature += excluded && excluded.length > 0 ? `${skuId}:${excluded.join(',')};` : `${skuId};`;
  }
  if (u) share(u, signature);
  return list;
}

/**
 * Each tenant's users, decoded from its JSON texts when its plan asks for them: a batch's million
 * license objects are never alive at once (decoded up front, they outlived the young generation's
 * collections while the batch was planned, and were copied and promoted).
 */
export function usersDecoder(raw: RawUsers): (tenantId: string) => PlanUser[] {
  const licenses = new Map(raw.licenses.map((r) => [r.tenant_id, r.licenses]));
  const names = new Map(raw.names.map((r) => [r.tenant_id, r.users]));
  return (tenantId) => decodeTenantUsers(licenses.get(tenantId), names.get(tenantId));
}

/** The users holding licenses in each tenant, in user id order, each with its licenses. */
export function decodeUsers(raw: RawUsers): Map<string, PlanUser[]> {
  const usersOf = usersDecoder(raw);
  return new Map(raw.licenses.map((r) => [r.tenant_id, usersOf(r.tenant_id)]));
}

/** What stays the same for every batch of a run: sent once to each worker. */
export interface PlanRunContext {
  now: Date;
  config: Pick<Config, 'lifecycle' | 'provisionDaysBeforeEnd'>;
  partner: Pick<PartnerRow, 'id' | 'region'>;
  options: PlanOptions;
  catalog: PlanOffer[];
  /** Whether the actor may plan at all. */
  canPlan: boolean;
  /** The actor's rights but for its directory roles, which are each tenant's. */
  rights: Omit<PlanRights, 'roles'>;
}

/** The tenant as a batch carries it (what the planner and the report read). */
export type BatchTenant = Pick<TenantRow, 'id' | 'country' | 'region' | 'company_name'>;

/** A batch's rows, as read by `loadPlanBatch` (the users still as JSON text). */
export interface PlanBatchInput {
  tenants: BatchTenant[];
  /** Requested ids that do not exist. */
  missing: string[];
  /** The tenants with an accepted relationship to the partner. */
  related: Set<string>;
  /** Each tenant's subscriptions as the planner reads them (mapped as they are read). */
  subscriptions: Map<string, PlanSubscription[]>;
  users: RawUsers;
  delegatedAdmin: Set<string>;
  underWay: Map<string, UnderWay[]>;
  transfers: Map<string, { transferable: string[]; refused: string[] }>;
  /** The actor's directory roles in each tenant (SPEC §3.8). */
  roles: Map<string, string[]>;
}

/** The verdicts of a bulk plan: the planner's, or `refused` / `under-way`. */
export type BulkVerdict = Plan['verdict'] | 'refused' | 'under-way';

/**
 * What became of one customer: its plan saved as a transition (`planned`); `under-way` when every
 * source is already moved by another transition (SPEC §3.7); `refused` when a precondition failed.
 * Neither of the last two saves a transition. The report's line and summary row come as text.
 */
export interface BulkPlanOutcome {
  kind: 'planned' | 'under-way' | 'refused';
  tenantId: string;
  customer: string | null;
  transitionId: string | null;
  verdict: BulkVerdict;
  /** The report's line for this customer (a `ReportCustomer`) as JSON text, without newline. */
  reportLine: string;
  /** Its row of the CSV summary (with its line end). */
  summaryRow: string;
  /** The reasons the run keeps (the plan's, then each line's, without text) as JSON text. */
  runReasons: string;
}

/** A plan to save as a `planned` transition. */
export interface PlannedTransition {
  id: string;
  tenantId: string;
  verdict: Plan['verdict'];
  planJson: string;
  lines: number;
}

export interface PlannedBatch {
  planned: PlannedTransition[];
  outcomes: BulkPlanOutcome[];
}

/** One customer line of the bulk report (JSON lines: a header, then one of these per customer). */
export interface ReportCustomer {
  type: 'customer';
  tenantId: string;
  customer: string | null;
  transitionId: string | null;
  /**
   * The planner's verdict; `refused` when a precondition failed; `under-way` when every source is
   * already moved by another transition (SPEC §3.7). Neither saves a transition.
   */
  verdict: BulkVerdict;
  /** For `under-way`: the partner's transitions that already move this customer. */
  underWayTransitionIds?: string[];
  lines: {
    sourceSubscriptionId: string;
    sourceOfferId: string;
    channel: string;
    targetOfferId: string | null;
    addOnOfferIds: string[];
    choice: string;
    quantity: number;
    verdict: string;
    overlapCost: Money;
    lossIfCancelledNow: Money;
    reasons: string[];
  }[];
  /** One entry per currency, as the plan's (never summed across currencies). */
  totals:
    | {
        currency: string;
        quantity: number;
        sourceSeats: number;
        overlapCost: Money;
        lossIfCancelledNow: Money;
      }[]
    | null;
  /** The plan's reasons and every line's, with English text (`line` names the line). */
  reasons: { code: string; params: Record<string, unknown>; text?: string; line?: number }[];
}

type Money = { amount: number; currency: string };

/** The CSV summary's header row. */
export const SUMMARY_HEADER = csvRow([
  'customer',
  'tenantId',
  'verdict',
  'seats',
  'overlapCost',
  'lossIfCancelledNow',
  'currency',
  'reasons',
]);

const major = (minor: number) => (minor / 100).toFixed(2);
const text = (r: Reason) => renderReason(r, 'en');

function reportLine(tenant: BatchTenant, transitionId: string | null, plan: Plan): ReportCustomer {
  const lines: ReportCustomer['lines'] = new Array(plan.lines.length);
  const reasons: ReportCustomer['reasons'] = [];
  for (const r of plan.reasons) reasons.push({ code: r.code, params: r.params, text: text(r) });
  for (let i = 0; i < plan.lines.length; i++) {
    const l = plan.lines[i]!;
    const codes: string[] = new Array(l.reasons.length);
    for (let j = 0; j < l.reasons.length; j++) {
      const r = l.reasons[j]!;
      codes[j] = r.code;
      reasons.push({ code: r.code, params: r.params, text: text(r), line: i });
    }
    lines[i] = {
      sourceSubscriptionId: l.sourceSubscriptionId,
      sourceOfferId: l.sourceOfferId,
      channel: l.channel,
      targetOfferId: l.targetOfferId,
      addOnOfferIds: l.addOnOfferIds,
      choice: l.choice,
      quantity: l.quantity,
      verdict: l.verdict,
      overlapCost: { amount: l.overlapCost, currency: l.currency },
      lossIfCancelledNow: { amount: l.lossIfCancelledNow, currency: l.sourceCurrency },
      reasons: codes,
    };
  }
  return {
    type: 'customer',
    tenantId: tenant.id,
    customer: tenant.company_name,
    transitionId,
    verdict: plan.verdict,
    lines,
    totals: plan.totals.map((t) => ({
      ...t,
      overlapCost: { amount: t.overlapCost, currency: t.currency },
      lossIfCancelledNow: { amount: t.lossIfCancelledNow, currency: t.currency },
    })),
    reasons,
  };
}

/** Amounts of several currencies side by side ("120.00; 35.50"), in the order of `currency`. */
function summaryRow(c: ReportCustomer) {
  const totals = c.totals ?? [];
  const each = (f: (t: (typeof totals)[number]) => string) => totals.map(f).join('; ');
  return csvRow([
    c.customer ?? '',
    c.tenantId,
    c.verdict,
    totals.reduce((n, t) => n + t.quantity, 0),
    totals.length === 0 ? major(0) : each((t) => String(major(t.overlapCost.amount))),
    totals.length === 0 ? major(0) : each((t) => String(major(t.lossIfCancelledNow.amount))),
    each((t) => t.currency),
    [...new Set(c.reasons.map((r) => r.code))].join('; '),
  ]);
}

/** The outcome of one customer from its report line: the line, its CSV row and the run's reasons. */
function summarize(kind: BulkPlanOutcome['kind'], line: ReportCustomer): BulkPlanOutcome {
  // The run keeps the reasons without their text (the console renders them in either language).
  const runReasons = line.reasons.map((r) =>
    r.line === undefined
      ? { code: r.code, params: r.params }
      : { code: r.code, params: r.params, line: r.line },
  );
  return {
    kind,
    tenantId: line.tenantId,
    customer: line.customer,
    transitionId: line.transitionId,
    verdict: line.verdict,
    reportLine: JSON.stringify(line),
    summaryRow: summaryRow(line),
    runReasons: JSON.stringify(runReasons),
  };
}

function refused(tenantId: string, tenant: BatchTenant | undefined, code: string, params: object) {
  return summarize('refused', {
    type: 'customer',
    tenantId,
    customer: tenant?.company_name ?? null,
    transitionId: null,
    verdict: 'refused',
    lines: [],
    totals: null,
    reasons: [{ code, params: { ...params } }],
  });
}

/**
 * Plans one customer of a batch: refused by a precondition, under way, or planned (with the
 * transition to save). Pure but for the new transition's id.
 */
export function planCustomer(
  run: PlanRunContext,
  batch: PlanBatchInput,
  usersOf: (tenantId: string) => PlanUser[],
  tenant: BatchTenant,
  caches: PlannerCaches,
): { outcome: BulkPlanOutcome; planned?: PlannedTransition } {
  const refusal = checkPreconditions({
    partnerRegion: run.partner.region,
    tenantRegion: tenant.region,
    relationshipAccepted: batch.related.has(tenant.id),
    canPlan: run.canPlan,
  });
  if (refusal) return { outcome: refused(tenant.id, tenant, refusal.code, refusal.params ?? {}) };
  const plan = planTransition(
    assemblePlanInput({
      now: run.now,
      config: run.config,
      tenant,
      partner: run.partner,
      options: run.options,
      hasDelegatedAdmin: batch.delegatedAdmin.has(tenant.id),
      rights: { ...run.rights, roles: batch.roles.get(tenant.id) ?? [] },
      subscriptions: batch.subscriptions.get(tenant.id) ?? [],
      users: usersOf(tenant.id),
      catalog: run.catalog,
      underWay: batch.underWay.get(tenant.id) ?? [],
      transfers: batch.transfers.get(tenant.id),
    }),
    caches,
  );
  // A customer whose every source is already being moved: nothing to save, nothing to apply.
  if (plan.reasons.some((r) => r.code === 'plan.all-under-way')) {
    const ids = [...new Set(plan.lines.map((l) => l.transitionId).filter((t): t is string => !!t))];
    const line = reportLine(tenant, null, plan);
    return { outcome: summarize('under-way', { ...line, verdict: 'under-way', underWayTransitionIds: ids }) };
  }
  const id = randomUUID();
  return {
    outcome: summarize('planned', reportLine(tenant, id, plan)),
    planned: {
      id,
      tenantId: tenant.id,
      verdict: plan.verdict,
      planJson: JSON.stringify(plan),
      lines: plan.lines.length,
    },
  };
}

/**
 * Plans a whole batch, customers in the batch's order (the missing ones first, as refused).
 * `between` runs every `slice` customers: the main thread yields to its reads and saves there.
 */
export async function planBatch(
  run: PlanRunContext,
  batch: PlanBatchInput,
  caches: PlannerCaches,
  between?: { slice: number; run: () => Promise<void> },
): Promise<PlannedBatch> {
  const planned: PlannedTransition[] = [];
  const outcomes: BulkPlanOutcome[] = [];
  for (const id of batch.missing) outcomes.push(refused(id, undefined, 'tenant_not_found', {}));
  const usersOf = usersDecoder(batch.users);
  let since = 0;
  for (const tenant of batch.tenants) {
    if (between && ++since === between.slice) {
      since = 0;
      await between.run();
    }
    const out = planCustomer(run, batch, usersOf, tenant, caches);
    outcomes.push(out.outcome);
    if (out.planned) planned.push(out.planned);
  }
  return { planned, outcomes };
}
