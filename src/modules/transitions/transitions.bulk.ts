import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Logger } from 'pino';
import { checkPreconditions } from '../../domain/planner/checks.ts';
import { renderReason } from '../../domain/planner/messages.ts';
import { planTransition } from '../../domain/planner/plan.ts';
import type { Plan, PlanOffer, PlanOptions, Reason } from '../../domain/planner/types.ts';
import { can } from '../../platform/auth/permissions.ts';
import { fixedClock, PlatformClock } from '../../platform/clock.ts';
import { type Config, loadConfig } from '../../platform/config.ts';
import { csvRow } from '../../platform/csv.ts';
import type { DatabaseHandle } from '../../platform/db/connect.ts';
import type { PartnerRow, TenantRow } from '../../platform/db/database.ts';
import { DomainError, isDomainError } from '../../platform/errors.ts';
import { type Actor, type Ctx, partnerSystemActor } from '../../platform/http/context.ts';
import type { ServerDeps } from '../../platform/http/server.ts';
import { createLogger } from '../../platform/log.ts';
import { type Queue, startQueue, stopQueue } from '../../platform/queue/queue.ts';
import { type DelegatedRights, delegatedRightsOf } from '../delegated-admin/index.ts';
import { findPartner } from '../partners/index.ts';
import { canSeeTenant, visibleTenantIds } from '../tenants/index.ts';
import { enqueueRun, RUN_QUEUE, runTransition } from './transitions.jobs.ts';
import { buildPlanInput, loadPlanBatch, loadPlanCatalog, planRights } from './transitions.loader.ts';
import { insertPlannedTransitions } from './transitions.repo.ts';
import { startBulkRun } from './transitions.runs.ts';
import { applyTransition } from './transitions.service.ts';

/**
 * Bulk work over a partner's whole book: plan every customer (streamed from the database in
 * batches, planned by the same pure planner, saved as transitions like one-customer plans) and
 * apply every ready plan through the job queue. Memory stays bounded by the batch size, never by
 * the size of the book; applying is resumable because each transition's steps are rows.
 */

/** The partner's account admin as bulk work acts (audited as the CLI: no user id). */
/** The CLI's actor for bulk work: the partner's system identity (see partnerSystemActor). */
export function bulkActor(partnerId: string, sessionId = `cli-${process.pid}`): Actor {
  return partnerSystemActor(partnerId, sessionId);
}

export const REPORT_FORMAT = 'traslado-plan-report/1';

/** The report's first line. */
export interface ReportHeader {
  type: 'header';
  format: typeof REPORT_FORMAT;
  partnerId: string;
  generatedAt: string;
}

/** One line per customer: its saved transition (none when refused), verdict, lines and totals. */
export interface ReportCustomer {
  type: 'customer';
  tenantId: string;
  customer: string | null;
  transitionId: string | null;
  /**
   * The planner's verdict; `refused` when a precondition failed; `under-way` when every source is
   * already moved by another transition (SPEC §3.7). Neither saves a transition.
   */
  verdict: Plan['verdict'] | 'refused' | 'under-way';
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

export interface PlanBulkOptions {
  partnerId: string;
  /** Plan these tenants (duplicates ignored); default: every customer the partner has a relationship with. */
  tenantIds?: string[];
  /** Write the report here (JSON lines) and a CSV summary at `<out>.summary.csv`. */
  out?: string;
  /** Tenants loaded, planned and saved together (default 200). */
  batchSize?: number;
  /** Plan options for every customer (e.g. `provision`); default: the planner's recommendations. */
  options?: PlanOptions;
  onProgress?: (done: number, total: number) => void;
  /** Default: from the environment. */
  config?: Config;
  log?: Logger;
  /** Who plans (default: the partner's account admin as the CLI). */
  actor?: Actor;
}

export interface PlanBulkResult {
  partnerId: string;
  generatedAt: string;
  customers: number;
  counts: Record<ReportCustomer['verdict'], number>;
  batches: number;
  report: string | null;
  summaryCsv: string | null;
  /** The process's peak resident set size so far (bytes). */
  peakRssBytes: number;
}

interface TenantBatch {
  tenants: TenantRow[];
  /** Requested ids that do not exist. */
  missing: string[];
  related: Set<string>;
}

/** Reads a customer list: a JSON array (of ids or `{ tenantId }`) or a CSV with a `tenantId` column. */
export async function readCustomerIds(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const data = JSON.parse(text) as unknown;
    const list = Array.isArray(data) ? data : (data as { customers?: unknown[] }).customers;
    if (!Array.isArray(list))
      throw new DomainError('invalid_request', { detail: `${file}: expected a JSON array of tenant ids` });
    return list.map((x) => (typeof x === 'string' ? x : String((x as { tenantId?: string }).tenantId)));
  }
  const rows = parseCsv(text, { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  if (rows.length === 0) return [];
  const header = rows[0]!.map((h) => h.toLowerCase());
  const col = header.findIndex((h) => h === 'tenantid' || h === 'tenant_id');
  // A header naming tenantId decides the column; without one, the first column holds the ids.
  const body = col >= 0 ? rows.slice(1) : rows;
  return body.map((r) => (r[Math.max(col, 0)] ?? '').trim()).filter((x) => x.length > 0);
}

/** Customers of the partner in id order, one page at a time (keyset: never an offset). */
async function* allCustomers(handle: DatabaseHandle, partnerId: string, size: number) {
  let after = '';
  for (;;) {
    const tenants = await handle.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', 'in', visibleTenantIds(handle.db, partnerId))
      .where('id', '>', after)
      .orderBy('id')
      .limit(size)
      .execute();
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
      handle.db.selectFrom('tenants').selectAll().where('id', 'in', chunk).execute(),
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

async function write(stream: WriteStream, text: string) {
  if (!stream.write(text)) await once(stream, 'drain');
}

const major = (minor: number) => (minor / 100).toFixed(2);

function peakRss() {
  return process.resourceUsage().maxRSS * 1024;
}

function reportLine(tenant: TenantRow, transitionId: string, plan: Plan): ReportCustomer {
  const text = (r: Reason) => renderReason(r, 'en');
  return {
    type: 'customer',
    tenantId: tenant.id,
    customer: tenant.company_name,
    transitionId,
    verdict: plan.verdict,
    lines: plan.lines.map((l) => ({
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
      reasons: l.reasons.map((r) => r.code),
    })),
    totals: plan.totals.map((t) => ({
      ...t,
      overlapCost: { amount: t.overlapCost, currency: t.currency },
      lossIfCancelledNow: { amount: t.lossIfCancelledNow, currency: t.currency },
    })),
    reasons: [
      ...plan.reasons.map((r) => ({ code: r.code, params: r.params, text: text(r) })),
      ...plan.lines.flatMap((l, line) =>
        l.reasons.map((r) => ({ code: r.code, params: r.params, text: text(r), line })),
      ),
    ],
  };
}

function underWayLine(tenant: TenantRow, plan: Plan): ReportCustomer {
  const ids = [...new Set(plan.lines.map((l) => l.transitionId).filter((t): t is string => !!t))];
  return {
    ...reportLine(tenant, '', plan),
    transitionId: null,
    verdict: 'under-way',
    underWayTransitionIds: ids,
  };
}

function refusedLine(tenantId: string, tenant: TenantRow | undefined, err: DomainError): ReportCustomer {
  return {
    type: 'customer',
    tenantId,
    customer: tenant?.company_name ?? null,
    transitionId: null,
    verdict: 'refused',
    lines: [],
    totals: null,
    reasons: [{ code: err.code, params: err.params ?? {} }],
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

/**
 * Plans a partner's customers in bulk: tenants are read in batches (keyset pagination), each
 * batch's subscriptions, licenses and delegated-admin state in three queries, each customer planned
 * by `planTransition` and saved as a `planned` transition (so `applyBulk` and the API find it), with
 * one audit row each, in one statement per batch. Writes the report as it goes, batch by batch
 * in order: it never holds more than the batch being saved, the one being planned and the next one
 * being read. Customers that fail a precondition are reported as `refused`.
 */
export async function planBulk(handle: DatabaseHandle, opts: PlanBulkOptions): Promise<PlanBulkResult> {
  const config = opts.config ?? loadConfig(process.env);
  const size = opts.batchSize ?? 200;
  const actor = opts.actor ?? bulkActor(opts.partnerId);
  const clock = new PlatformClock(handle.db);
  await clock.refresh(true);
  const now = clock.now();
  const partner = await findPartner(handle.db, opts.partnerId);
  if (!partner) throw new DomainError('partner_not_found', { partnerId: opts.partnerId });
  const total = opts.tenantIds
    ? new Set(opts.tenantIds).size
    : Number(
        (
          await handle.db
            .selectFrom(visibleTenantIds(handle.db, partner.id).as('v'))
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
  const catalog = await loadPlanCatalog(handle.db, now);
  const canPlan = can(actor.roles, 'transitions.plan');
  const options: PlanOptions = opts.options ?? {};
  const generatedAt = now.toISOString();
  const counts: PlanBulkResult['counts'] = {
    ready: 0,
    'needs-acknowledgment': 0,
    blocked: 0,
    refused: 0,
    'under-way': 0,
  };

  // The run as the console shows it (transitions.runs.ts): its customers as batches are saved.
  const run = await startBulkRun(handle.db, partner.id, now);
  const report = opts.out ? createWriteStream(opts.out) : null;
  const csv = opts.out ? createWriteStream(`${opts.out}.summary.csv`) : null;
  if (report) {
    const header: ReportHeader = {
      type: 'header',
      format: REPORT_FORMAT,
      partnerId: partner.id,
      generatedAt,
    };
    await write(report, `${JSON.stringify(header)}\n`);
  }
  if (csv)
    await write(
      csv,
      csvRow([
        'customer',
        'tenantId',
        'verdict',
        'seats',
        'overlapCost',
        'lossIfCancelledNow',
        'currency',
        'reasons',
      ]),
    );

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
  /** Saves a planned batch in one statement, then writes its report lines (one write per file). */
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
    let reportText = '';
    let csvText = '';
    for (const line of out.lines) {
      counts[line.verdict]++;
      if (report) reportText += `${JSON.stringify(line)}\n`;
      if (csv) csvText += summaryRow(line);
    }
    await run.add(out.lines);
    if (report) await write(report, reportText);
    if (csv) await write(csv, csvText);
    done += out.lines.length;
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
    await Promise.all([report && closeStream(report), csv && closeStream(csv)]);
  }
  return {
    partnerId: partner.id,
    generatedAt,
    customers: done,
    counts,
    batches,
    report: opts.out ?? null,
    summaryCsv: opts.out ? `${opts.out}.summary.csv` : null,
    peakRssBytes: peakRss(),
  };
}

async function closeStream(s: WriteStream) {
  s.end();
  await once(s, 'finish');
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
  now: Date;
  config: Config;
  canPlan: boolean;
  options: PlanOptions;
}) {
  const planned: { id: string; tenant: TenantRow; plan: Plan; planJson: string }[] = [];
  const lines: ReportCustomer[] = [];
  for (const id of p.batch.missing)
    lines.push(refusedLine(id, undefined, new DomainError('tenant_not_found')));
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
      lines.push(refusedLine(tenant.id, tenant, new DomainError(refused.code, refused.params)));
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
    );
    // A customer whose every source is already being moved: nothing to save, nothing to apply.
    if (plan.reasons.some((r) => r.code === 'plan.all-under-way')) {
      lines.push(underWayLine(tenant, plan));
      continue;
    }
    const id = randomUUID();
    planned.push({ id, tenant, plan, planJson: JSON.stringify(plan) });
    lines.push(reportLine(tenant, id, plan));
  }
  return { planned, lines };
}

/** An entry of a plan report, old (one JSON document) or new (JSON lines). */
export interface ReportEntry {
  tenantId: string;
  transitionId: string | null;
  verdict: string | null;
}

/**
 * Reads a report written by `planBulk` line by line (never the whole file at once), or the older
 * single-JSON plan file (`{ partnerId, transitions: [...] }`). Yields the header's partner first.
 */
export async function* readReport(file: string): AsyncGenerator<{ partnerId: string } | ReportEntry> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let first = true;
  for await (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (first) {
      first = false;
      let header: Partial<ReportHeader> | null = null;
      try {
        header = JSON.parse(line) as Partial<ReportHeader>;
      } catch {
        header = null;
      }
      if (header?.type !== 'header' || typeof header.partnerId !== 'string') {
        lines.close();
        // The older format: one JSON document.
        const doc = JSON.parse(await readFile(file, 'utf8')) as {
          partnerId: string;
          transitions: { tenantId: string; transitionId?: string; verdict?: string }[];
        };
        yield { partnerId: doc.partnerId };
        for (const t of doc.transitions)
          yield { tenantId: t.tenantId, transitionId: t.transitionId ?? null, verdict: t.verdict ?? null };
        return;
      }
      yield { partnerId: header.partnerId };
      continue;
    }
    const c = JSON.parse(line) as Partial<ReportCustomer>;
    if (c.type !== 'customer' || typeof c.tenantId !== 'string') continue;
    yield { tenantId: c.tenantId, transitionId: c.transitionId ?? null, verdict: c.verdict ?? null };
  }
}

export interface ApplyBulkOptions {
  /** A report written by `planBulk` / `traslado plan` (or the older single-JSON plan file). */
  report: string;
  /** Transitions run at once by this process's queue workers (default 4). */
  concurrency?: number;
  /** Abort: send no more work, let what is under way finish (up to `drainMs`), answer the summary so far. */
  signal?: AbortSignal;
  /** Customers dealt with so far (skipped or settled) out of the report's customers. */
  onProgress?: (done: number, total: number) => void;
  /** How long to wait for work under way after an abort (default 15 s). */
  drainMs?: number;
  /** A transition still applying after this long without settling is reported as under way (default 10 min). */
  settleTimeoutMs?: number;
  /** Use this queue (default: start one on the handle and stop it at the end). */
  queue?: Queue;
  config?: Config;
  log?: Logger;
  actor?: Actor;
}

export interface ApplyBulkResult {
  partnerId: string;
  customers: number;
  /** Every step done. */
  applied: number;
  /** What the partner can do now is done; dated steps or the customer's (or another party's) tasks remain. */
  waiting: number;
  failed: { tenantId: string; transitionId: string | null; reason: string }[];
  /** Not ready (needs acknowledgment, blocked, refused): not applied. */
  skipped: number;
  /**
   * Customers already moved by another transition: planned as `under-way`, or refused at apply
   * with `transition_in_progress` (someone applied another plan for them since). Nothing written.
   */
  inProgress: { tenantId: string; transitionId: string | null }[];
  /** Still applying when the command stopped (interrupted or timed out): run it again to resume. */
  underway: number;
  /** Ready plans not sent at all because the run was interrupted first. */
  notStarted: number;
  interrupted: boolean;
  peakRssBytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Applies every `ready` plan of a report through the job queue: each transition gets its step rows
 * and a run job in one transaction (`applyTransition`), and this process's workers (`concurrency`
 * of them) take run jobs from the queue. At most a window of transitions is under way at once; the
 * next is applied as earlier ones settle. Exactly once and resumable by construction: steps are
 * rows unique per transition, each run holds the transition's row lock, and a transition found
 * `applying` (a run that was killed) gets a fresh run job. Running it again does nothing twice.
 */
export async function applyBulk(handle: DatabaseHandle, opts: ApplyBulkOptions): Promise<ApplyBulkResult> {
  const config = opts.config ?? loadConfig(process.env);
  const log = opts.log ?? createLogger('warn');
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const window = concurrency * 4;
  const settleTimeoutMs = opts.settleTimeoutMs ?? 600_000;
  const ownQueue = !opts.queue;
  const queue = opts.queue ?? (await startQueue(handle, log));
  await queue.createQueue(RUN_QUEUE);
  const clock = new PlatformClock(handle.db);
  await clock.refresh(true);
  const deps: ServerDeps = { handle, clock, config, log, canSeeTenant, queue };

  let partnerId = '';
  let customers = 0;
  for await (const e of readReport(opts.report)) {
    if ('partnerId' in e) partnerId = e.partnerId;
    else customers++;
  }
  const actor = opts.actor ?? bulkActor(partnerId);
  const result: ApplyBulkResult = {
    partnerId,
    customers,
    applied: 0,
    waiting: 0,
    failed: [],
    skipped: 0,
    inProgress: [],
    underway: 0,
    notStarted: 0,
    interrupted: false,
    peakRssBytes: 0,
  };
  let done = 0;
  const progress = () => opts.onProgress?.(done, customers);
  const inflight = new Map<string, { tenantId: string; since: number }>();

  // The workers: take run jobs from the queue, `concurrency` at a time, until told to stop.
  let stopWorkers = false;
  const lane = async () => {
    while (!stopWorkers) {
      let job: { id: string; data: { transitionId: string } } | undefined;
      try {
        [job] = await queue.fetch<{ transitionId: string }>(RUN_QUEUE, { batchSize: 1 });
      } catch (err) {
        log.warn({ err }, 'could not fetch a job; trying again');
        await sleep(500);
        continue;
      }
      if (!job) {
        await sleep(50);
        continue;
      }
      try {
        await runTransition(deps, job.data.transitionId, `bulk-job-${job.id}`);
        await queue.complete(RUN_QUEUE, job.id);
      } catch (err) {
        log.warn({ err, transitionId: job.data.transitionId }, 'transition run failed; the queue retries it');
        await queue.fail(RUN_QUEUE, job.id, { message: (err as Error).message });
      }
    }
  };
  const lanes = Array.from({ length: concurrency }, () => lane());

  const settle = async (tenantId: string, transitionId: string, status: string) => {
    if (status === 'applied') result.applied++;
    else if (status === 'waiting') result.waiting++;
    else if (status === 'failed') {
      const step = await handle.db
        .selectFrom('transition_steps')
        .select(['step_key', 'error'])
        .where('transition_id', '=', transitionId)
        .where('status', '=', 'failed')
        .orderBy('seq')
        .executeTakeFirst();
      result.failed.push({
        tenantId,
        transitionId,
        reason: step ? `step ${step.step_key} failed: ${step.error}` : 'a step failed',
      });
    } else result.underway++;
    done++;
    progress();
  };
  /** Looks at what is under way; settles the transitions that left `applying`. */
  const poll = async () => {
    if (inflight.size === 0) return;
    const rows = await handle.db
      .selectFrom('transitions')
      .select(['id', 'status'])
      .where('id', 'in', [...inflight.keys()])
      .execute();
    let settled = 0;
    for (const r of rows) {
      const t = inflight.get(r.id)!;
      if (r.status !== 'applying' || Date.now() - t.since > settleTimeoutMs) {
        inflight.delete(r.id);
        await settle(t.tenantId, r.id, r.status);
        settled++;
      }
    }
    if (settled === 0) await sleep(50);
  };

  const openCtx = <T>(fn: (ctx: Ctx) => Promise<T>) =>
    handle.db.transaction().execute((trx) =>
      fn({
        db: trx,
        clock: fixedClock(clock.now()),
        actor,
        requestId: `bulk-apply-${process.pid}`,
        log: log as unknown as Ctx['log'],
        config,
      }),
    );

  try {
    for await (const e of readReport(opts.report)) {
      if ('partnerId' in e) continue;
      if (opts.signal?.aborted) break;
      if (e.verdict === 'under-way') {
        result.inProgress.push({ tenantId: e.tenantId, transitionId: null });
        done++;
        progress();
        continue;
      }
      if (e.verdict !== 'ready' || !e.transitionId) {
        result.skipped++;
        done++;
        progress();
        continue;
      }
      while (inflight.size >= window && !opts.signal?.aborted) await poll();
      if (opts.signal?.aborted) break;
      const transitionId = e.transitionId;
      try {
        await clock.refresh();
        const before = await handle.db
          .selectFrom('transitions')
          .select(['status', 'partner_id'])
          .where('id', '=', transitionId)
          .executeTakeFirst();
        if (!before || before.partner_id !== partnerId) throw new DomainError('transition_not_found');
        if (before.status === 'planned') {
          await openCtx((ctx) => applyTransition(ctx, queue, { transitionId }));
        } else if (before.status === 'applying') {
          // Left under way by an earlier run that stopped: ask for a fresh run (a second run is harmless).
          await handle.db.transaction().execute((trx) => enqueueRun(queue, trx, transitionId));
        } else {
          await settle(e.tenantId, transitionId, before.status);
          continue;
        }
        inflight.set(transitionId, { tenantId: e.tenantId, since: Date.now() });
      } catch (err) {
        if (!isDomainError(err)) throw err;
        if (err.code === 'transition_in_progress')
          result.inProgress.push({ tenantId: e.tenantId, transitionId });
        else result.failed.push({ tenantId: e.tenantId, transitionId, reason: err.code });
        done++;
        progress();
      }
    }
    // Let what is under way settle; after an abort, only for a while (the rest stays resumable).
    const deadline = Date.now() + (opts.drainMs ?? 15_000);
    while (inflight.size > 0 && (!opts.signal?.aborted || Date.now() < deadline)) await poll();
  } finally {
    result.interrupted = !!opts.signal?.aborted;
    stopWorkers = true;
    await Promise.allSettled(lanes);
    result.underway += inflight.size;
    if (ownQueue) await stopQueue(queue);
  }
  result.notStarted =
    customers -
    result.applied -
    result.waiting -
    result.failed.length -
    result.skipped -
    result.inProgress.length -
    result.underway;
  result.peakRssBytes = peakRss();
  return result;
}
