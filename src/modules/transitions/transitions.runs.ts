import { randomUUID } from 'node:crypto';
import { renderReason } from '../../domain/planner/messages.ts';
import type { Reason } from '../../domain/planner/types.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError, type ErrorCode } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { describeError } from '../../platform/http/error-table.ts';
import type { BulkPlanOutcome } from './transitions.plan-batch.ts';
import {
  bulkRunCustomerRows,
  bulkRunTransitionRows,
  findBulkRun,
  finishBulkRun,
  insertBulkRun,
  insertBulkRunCustomers,
  listBulkRunRows,
} from './transitions.runs.repo.ts';

/**
 * Bulk plan runs as the console reads them (issue 21): `traslado plan` records each run (when, the
 * counts by verdict, every customer with its verdict and reasons, the transitions it saved), so the
 * partner follows a bulk run in the console as well as in its report file.
 */

/** A customer line of the bulk report, as much of it as the run keeps. */
export interface RunCustomerLine {
  tenantId: string;
  customer: string | null;
  transitionId: string | null;
  verdict: string;
  /**
   * The reasons of the plan as a whole, then of each line (the report's order), without text, as
   * JSON text: `{ code, params, line? }[]` (written as they come from the planning worker).
   */
  reasonsJson: string;
}

/** Records a run as it goes: `add` each saved batch's report lines, `finish` with the counts. */
export interface BulkRunRecorder {
  id: string;
  add(lines: RunCustomerLine[]): Promise<void>;
  finish(counts: Record<string, number>): Promise<void>;
}

/** What the run keeps of one customer's outcome: its verdict and the plan's reasons, then each line's. */
export function runLineOf(o: BulkPlanOutcome): RunCustomerLine {
  return {
    tenantId: o.tenantId,
    customer: o.customer,
    transitionId: o.transitionId,
    verdict: o.verdict,
    reasonsJson: o.runReasons,
  };
}

/** Starts recording a bulk plan run for a partner (one row now; customers as batches are saved). */
export async function startBulkRun(db: Db, partnerId: string, now: Date): Promise<BulkRunRecorder> {
  const id = randomUUID();
  await insertBulkRun(db, { id, partnerId, now });
  let seq = 0;
  return {
    id,
    async add(lines) {
      await insertBulkRunCustomers(
        db,
        lines.map((l) => ({
          runId: id,
          seq: seq++,
          tenantId: l.tenantId,
          companyName: l.customer,
          transitionId: l.transitionId,
          verdict: l.verdict,
          reasonsJson: l.reasonsJson,
        })),
      );
    },
    async finish(counts) {
      await finishBulkRun(db, { id, customers: seq, counts, now });
    },
  };
}

function partnerOf(ctx: Ctx<Db | Trx>) {
  return ctx.actor.kind === 'partner' ? (ctx.actor.partnerId ?? '') : '';
}

const VERDICTS = ['ready', 'needs-acknowledgment', 'blocked', 'refused', 'under-way'] as const;

function countsView(counts: Record<string, number>) {
  return Object.fromEntries(VERDICTS.map((v) => [v, counts[v] ?? 0])) as Record<
    (typeof VERDICTS)[number],
    number
  >;
}

export async function listBulkRuns(ctx: Ctx<Db | Trx>, input: { limit?: number }) {
  const rows = await listBulkRunRows(ctx.db, partnerOf(ctx), input.limit ?? 50);
  return {
    items: rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      finishedAt: r.finished_at?.toISOString() ?? null,
      customers: r.customers,
      counts: countsView(r.counts),
    })),
    nextCursor: null,
  };
}

/** A reason's text in both languages: a planner reason, or (for a refused customer) an error code. */
function reasonText(r: { code: string; params: Record<string, unknown> }, lang: 'en' | 'es') {
  if (r.code.includes('.')) return renderReason(r as Reason, lang);
  return describeError(r.code as ErrorCode, r.params, lang).description;
}

export async function getBulkRun(ctx: Ctx<Db | Trx>, input: { runId: string }) {
  const run = await findBulkRun(ctx.db, partnerOf(ctx), input.runId);
  if (!run) throw new DomainError('bulk_run_not_found');
  const customers = await bulkRunCustomerRows(ctx.db, run.id);
  return {
    id: run.id,
    createdAt: run.created_at.toISOString(),
    finishedAt: run.finished_at?.toISOString() ?? null,
    customers: run.customers,
    counts: countsView(run.counts),
    items: customers.map((c) => ({
      tenantId: c.tenant_id,
      companyName: c.company_name,
      transitionId: c.transition_id,
      verdict: c.verdict,
      reasons: c.reasons.map((r) => ({
        code: r.code,
        params: r.params,
        ...(r.line !== undefined ? { line: r.line } : {}),
        text: reasonText(r, 'en'),
        textEs: reasonText(r, 'es'),
      })),
    })),
  };
}

/** The transitions a run saved (the book's `runId` filter); another partner's run is a 404. */
export async function bulkRunTransitionIds(ctx: Ctx<Db | Trx>, runId: string) {
  const run = await findBulkRun(ctx.db, partnerOf(ctx), runId);
  if (!run) throw new DomainError('bulk_run_not_found');
  return (await bulkRunTransitionRows(ctx.db, run.id)).map((r) => r.transition_id!);
}
