import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { plannerCaches } from '../../domain/planner/plan.ts';
import type { PlanOptions } from '../../domain/planner/types.ts';
import { can } from '../../platform/auth/permissions.ts';
import { PlatformClock } from '../../platform/clock.ts';
import { type Config, loadConfig } from '../../platform/config.ts';
import type { DatabaseHandle } from '../../platform/db/connect.ts';
import type { TenantRow } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import { type Actor, partnerSystemActor } from '../../platform/http/context.ts';
import { delegatedRightsOf } from '../delegated-admin/index.ts';
import { findPartner } from '../partners/index.ts';
import { countCustomers, customerPage, tenantsByIds, visibleTenantIds } from '../tenants/index.ts';
import { loadPlanBatch, loadPlanCatalog, planRights } from './transitions.loader.ts';
import {
  type BulkPlanOutcome,
  type BulkVerdict,
  type PlanBatchInput,
  type PlannedBatch,
  type PlanRunContext,
  planBatch,
} from './transitions.plan-batch.ts';
import { defaultPlanWorkers, PlanPool, pipeInOrder, started } from './transitions.plan-pool.ts';
import { insertPlannedTransitions } from './transitions.repo.ts';
import { runLineOf, startBulkRun } from './transitions.runs.ts';

export type { BulkPlanOutcome, BulkVerdict, ReportCustomer } from './transitions.plan-batch.ts';
export { SUMMARY_HEADER } from './transitions.plan-batch.ts';

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

export function verdictOf(o: BulkPlanOutcome): BulkVerdict {
  return o.verdict;
}

/**
 * Each planning worker's old generation (MiB): its heap is collected before it grows past this,
 * instead of growing with the machine's memory, so the process's peak stays bounded (a batch of
 * 200 customers needs a few tens of MiB). A worker that needs more fails the run: no hang.
 */
const WORKER_HEAP_MB = 256;

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
  /**
   * Planning worker threads: 0 plans in this thread. Default (`defaultPlanWorkers`): one per core
   * but one, at least one, from WORKERS_FROM_CUSTOMERS customers on; else 0.
   */
  workers?: number;
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
  /** Planning worker threads used (0: planned in the calling thread). */
  workers: number;
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

/** The newest modification time of the files under `dir` (ms). */
function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestFile(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Where the planning worker is: beside the bundle (dist/plan-worker.mjs) when this runs from
 * dist/traslado.mjs. Under the sources (tsx), the same bundle when it is newer than every source
 * file (as bin/traslado.js decides for the CLI: loading it costs a fraction of transpiling the
 * sources in each worker), else a bootstrap that registers tsx, which a worker thread lacks.
 */
function planWorkerUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./plan-worker.mjs', import.meta.url);
  const bundle = new URL('../../../dist/plan-worker.mjs', import.meta.url);
  const src = fileURLToPath(new URL('../../', import.meta.url));
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestFile(src)) return bundle;
  return new URL('./transitions.plan-worker.boot.mjs', import.meta.url);
}

/**
 * Plans a partner's customers in bulk: tenants are read in batches (keyset pagination), each
 * batch's subscriptions, licenses and delegated-admin state in three queries, each customer planned
 * by `planTransition` and saved as a `planned` transition (so `applyBulk` and the API find it), with
 * one audit row each, in one statement per batch. Batches are planned in worker threads
 * (`workers`, one batch each at a time) or in this thread, and saved and handed to `onBatch` in
 * order: it never holds more than a batch per worker, one waiting for a worker, the one being
 * saved and the next one being read. Customers that fail a precondition come out as `refused`.
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
  const options: PlanOptions = opts.options ?? {};
  const rights = planRights(actor, []);
  // What every batch shares, sent once to each worker.
  const runContext: PlanRunContext = {
    now,
    config: { lifecycle: config.lifecycle, provisionDaysBeforeEnd: config.provisionDaysBeforeEnd },
    partner: { id: partner.id, region: partner.region },
    options,
    catalog: await loadPlanCatalog(handle.db, now),
    canPlan: can(actor.roles, 'transitions.plan'),
    rights: { actions: rights.actions, partnerRoleOf: rights.partnerRoleOf },
  };
  const workers = Math.max(0, Math.floor(opts.workers ?? defaultPlanWorkers(total)));
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
  const load = async (b: TenantBatch): Promise<PlanBatchInput> => {
    const ids = b.tenants.map((t) => t.id);
    const [rows, dap] = await Promise.all([
      loadPlanBatch(handle.db, partner.id, ids, now, config),
      // Who plans, and with which roles in each tenant (SPEC §3.8).
      delegatedRightsOf(handle.db, actor, ids, now),
    ]);
    return {
      tenants: b.tenants.map((t) => ({
        id: t.id,
        country: t.country,
        region: t.region,
        company_name: t.company_name,
      })),
      missing: b.missing,
      related: b.related,
      ...rows,
      roles: dap.roles,
    };
  };
  // One set of planner caches for this catalog, shared by every customer planned in this thread.
  const caches = plannerCaches();
  const pool =
    workers > 0
      ? new PlanPool<{ batch: PlanBatchInput }, PlannedBatch>(planWorkerUrl(), workers, runContext, {
          heapMb: WORKER_HEAP_MB,
        })
      : null;
  const plan = (batch: PlanBatchInput) =>
    pool ? pool.run({ batch }) : planBatch(runContext, batch, caches, { slice: PLAN_SLICE, run: yieldToIo });

  let done = 0;
  const requestId = (n: number) => `bulk-plan-${process.pid}-${n}`;
  const userId = actor.userId === 'system' ? null : actor.userId;
  /** Saves a planned batch in one statement, then hands its outcomes on. */
  const save = async (out: PlannedBatch, n: number) => {
    await insertPlannedTransitions(
      handle.db,
      out.planned.map((p) => ({
        id: p.id,
        tenantId: p.tenantId,
        partnerId: partner.id,
        userId,
        verdict: p.verdict,
        options,
        planJson: p.planJson,
        // What `recordAudit` writes for a planned transition, for the whole batch at once.
        audit: {
          at: now,
          actor_user_id: userId,
          actor_email: actor.email,
          actor_roles: actor.roles,
          actor_partner_id: actor.partnerId,
          actor_tenant_id: actor.tenantId,
          action: 'transition.planned',
          target_type: 'transition',
          tenant_id: p.tenantId,
          partner_id: partner.id,
          request_id: requestId(n),
          data: JSON.stringify({ verdict: p.verdict, lines: p.lines, acknowledgments: [], bulk: true }),
        },
      })),
      now,
    );
    for (const o of out.outcomes) counts[o.verdict]++;
    await run.add(out.outcomes.map(runLineOf));
    await opts.onBatch?.(out.outcomes);
    done += out.outcomes.length;
    opts.onProgress?.(done, total);
  };
  /** The batches as read, each one's next already being read while it is planned. */
  async function* loaded() {
    let next = await source.next();
    let loading = next.done ? null : started(load(next.value));
    while (loading) {
      const batch = await loading;
      next = await source.next();
      loading = next.done ? null : started(load(next.value));
      yield batch;
    }
  }
  let batches = 0;
  try {
    // Planned one per worker and one more waiting for a worker while the oldest is saved (in this
    // thread: the one planned while the previous one is saved); saved and reported in order,
    // whichever finishes first.
    batches = await pipeInOrder(loaded(), workers > 0 ? workers + 2 : 2, plan, save);
    await run.finish(counts);
  } finally {
    await pool?.close();
  }
  return {
    partnerId: partner.id,
    generatedAt,
    customers: done,
    counts,
    batches,
    peakRssBytes: peakRss(),
    workers,
  };
}

/** Customers planned between two turns of the event loop, so reads and saves progress meanwhile. */
const PLAN_SLICE = 20;
const yieldToIo = () => new Promise<void>((r) => setImmediate(r));
