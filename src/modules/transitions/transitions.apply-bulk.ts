import type { Logger } from 'pino';
import { PlatformClock } from '../../platform/clock.ts';
import { type Config, loadConfig } from '../../platform/config.ts';
import { openContext } from '../../platform/context.ts';
import type { DatabaseHandle } from '../../platform/db/connect.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Actor, Ctx } from '../../platform/http/context.ts';
import type { ServerDeps } from '../../platform/http/server.ts';
import { createLogger } from '../../platform/log.ts';
import { type Queue, startQueue, stopQueue } from '../../platform/queue/queue.ts';
import { canSeeTenant } from '../tenants/index.ts';
import { enqueueRuns, RUN_BATCH, RUN_QUEUE, runTransitions } from './transitions.jobs.ts';
import { bulkActor, peakRss } from './transitions.plan-bulk.ts';
import { analyzeSteps } from './transitions.repo.ts';
import { requestApplies } from './transitions.service.ts';

/**
 * The bulk apply use case: every `ready` plan of a bulk plan, applied through the job queue and
 * resumable (each transition's steps are rows). It takes the plans as entries; reading them from
 * a report file is the command line's business (src/cli/plan-report.ts).
 */

/** One customer of a bulk plan, as the apply needs it. */
export interface BulkApplyEntry {
  tenantId: string;
  transitionId: string | null;
  verdict: string | null;
}

export interface ApplyBulkOptions {
  /** Whose plans. */
  partnerId: string;
  /** How many customers `entries` yields (for progress and the summary). */
  customers: number;
  /** The plan's customers, in order; read once. */
  entries: AsyncIterable<BulkApplyEntry>;
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

/** How long a lane waits for a whole batch of runs to be queued before it takes what there is. */
const GATHER_MS = 250;

/**
 * Applies every `ready` plan of a bulk plan through the job queue: each transition gets its step rows
 * and a run job in one transaction, a batch of them at a time (`requestApplies`), and this process's workers (`concurrency`
 * of them) take run jobs from the queue. At most a window of transitions is under way at once; the
 * next is applied as earlier ones settle. Exactly once and resumable by construction: steps are
 * rows unique per transition, each run holds the transition's row lock, and a transition found
 * `applying` (a run that was killed) gets a fresh run job. Running it again does nothing twice.
 */
export async function applyBulk(handle: DatabaseHandle, opts: ApplyBulkOptions): Promise<ApplyBulkResult> {
  const config = opts.config ?? loadConfig(process.env);
  const log = opts.log ?? createLogger('warn');
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const window = concurrency * RUN_BATCH;
  const settleTimeoutMs = opts.settleTimeoutMs ?? 600_000;
  const ownQueue = !opts.queue;
  const queue = opts.queue ?? (await startQueue(handle, log));
  await queue.createQueue(RUN_QUEUE);
  const clock = new PlatformClock(handle.db);
  await clock.refresh(true);
  const deps: ServerDeps = { handle, clock, config, log, canSeeTenant, queue };

  const { partnerId, customers } = opts;
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

  // The workers: take run jobs from the queue, up to RUN_BATCH at a time each (run together,
  // set-based), `concurrency` workers, until told to stop.
  let stopWorkers = false;
  // Runs sent and taken by this process's lanes: a lane waits (a little) for a whole batch to be
  // queued, not for the one or two the sender has just applied (bigger batches, fewer statements).
  let sending = true;
  let sent = 0;
  let taken = 0;
  const lane = async () => {
    while (!stopWorkers) {
      const gatherUntil = Date.now() + GATHER_MS;
      while (!stopWorkers && sending && sent - taken < RUN_BATCH && Date.now() < gatherUntil) await sleep(10);
      // Reserved before the fetch (the lanes share one thread): the others wait for the next batch
      // instead of splitting this one.
      taken += RUN_BATCH;
      let jobs: { id: string; data: { transitionId: string } }[];
      try {
        jobs = await queue.fetch<{ transitionId: string }>(RUN_QUEUE, { batchSize: RUN_BATCH });
      } catch (err) {
        taken -= RUN_BATCH;
        log.warn({ err }, 'could not fetch a job; trying again');
        await sleep(500);
        continue;
      }
      taken += jobs.length - RUN_BATCH;
      if (jobs.length === 0) {
        await sleep(50);
        continue;
      }
      const ids = jobs.map((j) => j.id);
      try {
        await runTransitions(
          deps,
          jobs.map((j) => j.data.transitionId),
          `bulk-job-${jobs[0]!.id}`,
        );
        await queue.complete(RUN_QUEUE, ids);
      } catch (err) {
        log.warn({ err, jobs: ids }, 'transition run failed; the queue retries it');
        await queue.fail(RUN_QUEUE, ids);
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
    openContext(
      {
        db: handle.db,
        clock,
        actor,
        requestId: `bulk-apply-${process.pid}`,
        log: log as unknown as Ctx['log'],
        config,
      },
      fn,
    );

  /** A refusal of one customer's plan: reported, and the customer counted as dealt with. */
  const refusedEntry = (e: BulkApplyEntry, err: DomainError) => {
    if (err.code === 'transition_in_progress')
      result.inProgress.push({ tenantId: e.tenantId, transitionId: e.transitionId });
    else result.failed.push({ tenantId: e.tenantId, transitionId: e.transitionId, reason: err.code });
    done++;
    progress();
  };
  const sentEntry = (e: BulkApplyEntry) => {
    inflight.set(e.transitionId!, { tenantId: e.tenantId, since: Date.now() });
    sent++;
  };
  // The step rows' statistics kept up with the table as it grows (`analyzeSteps`): after the first
  // batch, then each time the transitions sent have grown fourfold (a few times in all).
  let analyzeAt = 1;
  const keepStatistics = async () => {
    if (sent < analyzeAt) return;
    await analyzeSteps(handle.db);
    analyzeAt = sent * 4;
  };
  /**
   * Applies a batch of ready plans: their states read in one statement, the planned ones applied
   * in one transaction (`requestApplies`: step rows, claims and run jobs set-based, each refused on
   * its own), those left applying by an earlier run sent a fresh run job.
   */
  const pending: BulkApplyEntry[] = [];
  const flush = async () => {
    const batch = pending.splice(0);
    if (batch.length === 0) return;
    await clock.refresh();
    const before = new Map(
      (
        await handle.db
          .selectFrom('transitions')
          .select(['id', 'status', 'partner_id'])
          .where(
            'id',
            'in',
            batch.map((e) => e.transitionId!),
          )
          .execute()
      ).map((r) => [r.id, r]),
    );
    const planned: BulkApplyEntry[] = [];
    const resumed: BulkApplyEntry[] = [];
    for (const e of batch) {
      const b = before.get(e.transitionId!);
      if (!b || b.partner_id !== partnerId) refusedEntry(e, new DomainError('transition_not_found'));
      else if (b.status === 'planned') planned.push(e);
      // Left under way by an earlier run that stopped: ask for a fresh run (a second run is harmless).
      else if (b.status === 'applying') resumed.push(e);
      else await settle(e.tenantId, e.transitionId!, b.status);
    }
    if (resumed.length > 0)
      await handle.db.transaction().execute((trx) =>
        enqueueRuns(
          queue,
          trx,
          resumed.map((e) => ({ transitionId: e.transitionId! })),
        ),
      );
    for (const e of resumed) sentEntry(e);
    if (planned.length === 0) return;
    const refusals = await openCtx((ctx) =>
      requestApplies(
        ctx,
        queue,
        planned.map((e) => e.transitionId!),
      ),
    );
    for (const [i, e] of planned.entries()) {
      const refusal = refusals[i];
      if (refusal) refusedEntry(e, refusal);
      else sentEntry(e);
    }
    await keepStatistics();
  };

  try {
    for await (const e of opts.entries) {
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
      while (inflight.size + pending.length >= window && !opts.signal?.aborted) await poll();
      if (opts.signal?.aborted) break;
      pending.push(e);
      if (pending.length >= RUN_BATCH) await flush();
    }
    if (!opts.signal?.aborted) await flush();
    sending = false;
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
