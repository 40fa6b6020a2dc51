import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { checkPreconditions } from '../../domain/planner/checks.ts';
import { type PlannerCaches, plannerCaches, planTransition } from '../../domain/planner/plan.ts';
import type { Plan, PlanOffer, PlanOptions } from '../../domain/planner/types.ts';
import { can } from '../../platform/auth/permissions.ts';
import { PlatformClock } from '../../platform/clock.ts';
import { type Config, loadConfig } from '../../platform/config.ts';
import type { DatabaseHandle } from '../../platform/db/connect.ts';
import type { PartnerRow, TenantRow } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import { type Actor, partnerSystemActor } from '../../platform/http/context.ts';
import { type DelegatedRights, delegatedRightsOf } from '../delegated-admin/index.ts';
import { findPartner } from '../partners/index.ts';
import { countCustomers, customerPage, tenantsByIds, visibleTenantIds } from '../tenants/index.ts';
import { buildPlanInput, loadPlanBatch, loadPlanCatalog, planRights } from './transitions.loader.ts';
import { insertPlannedTransitions } from './transitions.repo.ts';
import { runLineOf, startBulkRun } from './transitions.runs.ts';

/**
 * The bulk plan use case: every customer of a partner's book (or a list of them), streamed from
 * the database in batches, planned by the same pure planner and saved as transitions like
 * one-customer plans. Memory stays bounded by the batch size, never by the size of the book. What
 * becomes of each customer is handed to `onBatch` in order, batch by batch: the command line
 * writes its report files from it (src/cli/plan-report.ts); this module knows no file format.
 */

/** The CLI's actor for bulk work: the partner's system identity (see partnerSystemActor). */
export function bulkActor(partnerId: string, sessionId = `cli-${process.pid}`): Actor {
  return partnerSystemActor(partnerId, sessionId);
}

/**
 * What became of one customer: its plan saved as a transition; `under-way` when every source is
 * already moved by another transition (SPEC §3.7); `refused` when a precondition failed. Neither
 * of the last two saves a transition.
 */
export type BulkPlanOutcome =
  | { kind: 'planned'; tenant: TenantRow; transitionId: string; plan: Plan }
  | { kind: 'under-way'; tenant: TenantRow; plan: Plan }
  | { kind: 'refused'; tenantId: string; tenant: TenantRow | undefined; error: DomainError };

/** The planner's verdict, or `refused` / `under-way`. */
export type BulkVerdict = Plan['verdict'] | 'refused' | 'under-way';

export function verdictOf(o: BulkPlanOutcome): BulkVerdict {
  return o.kind === 'planned' ? o.plan.verdict : o.kind;
}

export interface PlanBulkOptions {
  partnerId: string;
  /** Plan these tenants (duplicates ignored); default: every customer the partner has a relationship with. */
  tenantIds?: string[];
  /** Tenants loaded, planned and saved together (default 200). */
  batchSize?: number;
  /** Plan options for every customer (e.g. `provision`); default: the planner's recommendations. */
  options?: PlanOptions;
  onProgress?: (done: number, total: number) => void;
  /** Before the first batch: whose book, and the instant every plan is made at. */
  onStart?: (start: { partnerId: string; generatedAt: string }) => Promise<void>;
  /** Each batch's outcomes, once saved, in order (awaited: a slow reader slows the plan down). */
  onBatch?: (outcomes: BulkPlanOutcome[]) => Promise<void>;
  /** Default: from the environment. */
  config?: Config;
  log?: Logger;
  /** Who plans (default: the partner's account admin as the CLI). */
  actor?: Actor;
}

export interface BulkPlanResult {
  partnerId: string;
  generatedAt: string;
  customers: number;
  counts: Record<BulkVerdict, number>;
  batches: number;
  /** The process's peak resident set size so far (bytes). */
  peakRssBytes: number;
}

interface TenantBatch {
  tenants: TenantRow[];
  /** Requested ids that do not exist. */
  missing: string[];
  related: Set<string>;
}

/** Customers of the partner in id order, one page at a time (keyset: never an offset). */
async function* allCustomers(handle: DatabaseHandle, partnerId: string, size: number) {
  let after = '';
  for (;;) {
    const tenants = await customerPage(handle.db, partnerId, after, size);
    if (tenants.length === 0) return;
    after = tenants[tenants.length - 1]!.id;
    yield { tenants, missing: [], related: new Set(tenants.map((t) => t.id)) } satisfies TenantBatch;
  }
}

async function* listedCustomers(handle: DatabaseHandle, partnerId: string, ids: string[], size: number) {
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += size) {
    const chunk = unique.slice(i, i + size);
    const [rows, related] = await Promise.all([
      tenantsByIds(handle.db, chunk),
      visibleTenantIds(handle.db, partnerId).where('relationships.tenant_id', 'in', chunk).execute(),
    ]);
    const byId = new Map(rows.map((t) => [t.id, t]));
    yield {
      tenants: chunk.filter((id) => byId.has(id)).map((id) => byId.get(id)!),
      missing: chunk.filter((id) => !byId.has(id)),
      related: new Set(related.map((r) => r.tenant_id)),
    } satisfies TenantBatch;
  }
}

export function peakRss() {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Plans a partner's customers in bulk: tenants are read in batches (keyset pagination), each
 * batch's subscriptions, licenses and delegated-admin state in three queries, each customer planned
 * by `planTransition` and saved as a `planned` transition (so `applyBulk` and the API find it), with
 * one audit row each, in one statement per batch. Hands each saved batch's outcomes to `onBatch`
 * in order: it never holds more than the batch being saved, the one being planned and the next one
 * being read. Customers that fail a precondition come out as `refused`.
 */
export async function planBulk(handle: DatabaseHandle, opts: PlanBulkOptions): Promise<BulkPlanResult> {
  const config = opts.config ?? loadConfig(process.env);
  const size = opts.batchSize ?? 200;
  const actor = opts.actor ?? bulkActor(opts.partnerId);
  const clock = new PlatformClock(handle.db);
  await clock.refresh(true);
  const now = clock.now();
  const partner = await findPartner(handle.db, opts.partnerId);
  if (!partner) throw new DomainError('partner_not_found', { partnerId: opts.partnerId });
  const total = opts.tenantIds ? new Set(opts.tenantIds).size : await countCustomers(handle.db, partner.id);
  const catalog = await loadPlanCatalog(handle.db, now);
  // One set of planner caches for this catalog, shared by every customer of the run.
  const caches = plannerCaches();
  const canPlan = can(actor.roles, 'transitions.plan');
  const options: PlanOptions = opts.options ?? {};
  const generatedAt = now.toISOString();
  const counts: BulkPlanResult['counts'] = {
    ready: 0,
    'needs-acknowledgment': 0,
    blocked: 0,
    refused: 0,
    'under-way': 0,
  };

  await opts.onStart?.({ partnerId: partner.id, generatedAt });
  // The run as the console shows it (transitions.runs.ts): its customers as batches are saved.
  const run = await startBulkRun(handle.db, partner.id, now);

  const source = opts.tenantIds
    ? listedCustomers(handle, partner.id, opts.tenantIds, size)
    : allCustomers(handle, partner.id, size);
  const load = async (b: TenantBatch) => ({
    batch: b,
    rows: await loadPlanBatch(
      handle.db,
      partner.id,
      b.tenants.map((t) => t.id),
      now,
    ),
    // Who plans, and with which roles in each tenant (SPEC §3.8).
    rights: await delegatedRightsOf(
      handle.db,
      actor,
      b.tenants.map((t) => t.id),
      now,
    ),
  });
  let done = 0;
  let batches = 0;
  const requestId = (n: number) => `bulk-plan-${process.pid}-${n}`;
  /** Saves a planned batch in one statement, then hands its outcomes on. */
  const save = async (out: Awaited<ReturnType<typeof planBatch>>, n: number) => {
    await insertPlannedTransitions(
      handle.db,
      out.planned.map((p) => ({
        id: p.id,
        tenantId: p.tenant.id,
        partnerId: partner.id,
        userId: actor.userId === 'system' ? null : actor.userId,
        verdict: p.plan.verdict,
        options,
        planJson: p.planJson,
        // What `recordAudit` writes for a planned transition, for the whole batch at once.
        audit: {
          at: now,
          actor_user_id: actor.userId === 'system' ? null : actor.userId,
          actor_email: actor.email,
          actor_roles: actor.roles,
          actor_partner_id: actor.partnerId,
          actor_tenant_id: actor.tenantId,
          action: 'transition.planned',
          target_type: 'transition',
          tenant_id: p.tenant.id,
          partner_id: partner.id,
          request_id: requestId(n),
          data: JSON.stringify({
            verdict: p.plan.verdict,
            lines: p.plan.lines.length,
            acknowledgments: [],
            bulk: true,
          }),
        },
      })),
      now,
    );
    for (const o of out.outcomes) counts[verdictOf(o)]++;
    await run.add(out.outcomes.map(runLineOf));
    await opts.onBatch?.(out.outcomes);
    done += out.outcomes.length;
    opts.onProgress?.(done, total);
  };
  let saving: Promise<void> | null = null;
  try {
    let next = await source.next();
    let loading = next.done ? null : load(next.value);
    while (loading) {
      const { batch, rows, rights } = await loading;
      // Read the next batch while this one is planned and the previous one saved.
      next = await source.next();
      loading = next.done ? null : load(next.value);
      batches++;
      const out = await planBatch({
        batch,
        rows,
        rights,
        actor,
        partner,
        catalog,
        caches,
        now,
        config,
        canPlan,
        options,
      });
      // Batches are saved (and reported) in order, one at a time: at most one waits to be saved
      // while the next is planned, so memory stays bounded by two batches.
      if (saving) await saving;
      saving = save(out, batches);
      // Its failure is awaited (and thrown) below; until then it must not count as unhandled.
      saving.catch(() => {});
    }
    if (saving) await saving;
    await run.finish(counts);
  } finally {
    if (saving) await saving.catch(() => {});
  }
  return {
    partnerId: partner.id,
    generatedAt,
    customers: done,
    counts,
    batches,
    peakRssBytes: peakRss(),
  };
}

/** Customers planned between two turns of the event loop, so reads and saves progress meanwhile. */
const PLAN_SLICE = 20;
const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

async function planBatch(p: {
  batch: TenantBatch;
  rows: Awaited<ReturnType<typeof loadPlanBatch>>;
  rights: DelegatedRights;
  actor: Actor;
  partner: PartnerRow;
  catalog: PlanOffer[];
  caches: PlannerCaches;
  now: Date;
  config: Config;
  canPlan: boolean;
  options: PlanOptions;
}) {
  const planned: { id: string; tenant: TenantRow; plan: Plan; planJson: string }[] = [];
  const outcomes: BulkPlanOutcome[] = [];
  for (const id of p.batch.missing)
    outcomes.push({
      kind: 'refused',
      tenantId: id,
      tenant: undefined,
      error: new DomainError('tenant_not_found'),
    });
  let sinceYield = 0;
  for (const tenant of p.batch.tenants) {
    if (++sinceYield === PLAN_SLICE) {
      sinceYield = 0;
      await yieldToIo();
    }
    const refused = checkPreconditions({
      partnerRegion: p.partner.region,
      tenantRegion: tenant.region,
      relationshipAccepted: p.batch.related.has(tenant.id),
      canPlan: p.canPlan,
    });
    if (refused) {
      outcomes.push({
        kind: 'refused',
        tenantId: tenant.id,
        tenant,
        error: new DomainError(refused.code, refused.params),
      });
      continue;
    }
    const plan = planTransition(
      buildPlanInput({
        now: p.now,
        config: p.config,
        tenant,
        partner: p.partner,
        options: p.options,
        hasDelegatedAdmin: p.rows.delegatedAdmin.has(tenant.id),
        rights: planRights(p.actor, p.rights.roles.get(tenant.id) ?? []),
        subscriptions: p.rows.subscriptions.get(tenant.id) ?? [],
        users: p.rows.users.get(tenant.id) ?? [],
        catalog: p.catalog,
        underWay: p.rows.underWay.get(tenant.id) ?? [],
        transfers: p.rows.transfers.get(tenant.id),
      }),
      p.caches,
    );
    // A customer whose every source is already being moved: nothing to save, nothing to apply.
    if (plan.reasons.some((r) => r.code === 'plan.all-under-way')) {
      outcomes.push({ kind: 'under-way', tenant, plan });
      continue;
    }
    const id = randomUUID();
    planned.push({ id, tenant, plan, planJson: JSON.stringify(plan) });
    outcomes.push({ kind: 'planned', tenant, transitionId: id, plan });
  }
  return { planned, outcomes };
}
