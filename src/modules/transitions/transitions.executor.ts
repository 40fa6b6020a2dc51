import { type Selectable, sql } from 'kysely';
import type { Plan, PlanLine, TimelineStep } from '../../domain/planner/types.ts';
import type { TransitionStepsTable, Trx } from '../../platform/db/database.ts';
import { forgetTransactionReads } from '../../platform/db/transaction-memo.ts';
import { DomainError, isDomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { auditMark, auditRewind, recordAudit } from '../audit/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { markSteps, releaseUnboughtClaims, type StepMark, type TransitionRow } from './transitions.repo.ts';

/**
 * Executes a saved plan, one step at a time. Each step is a row unique on (transition, step key);
 * a step's effect and its `done` mark commit in the same transaction, so a crash leaves it either done
 * or still to do, and running it again is harmless. Before each step the world is checked again:
 * if it changed (seats, offers, relationship, delegated admin), the step fails with the reason
 * instead of doing the wrong thing.
 */
export type StepOutcome =
  | { status: 'done'; detail?: Record<string, unknown> }
  /** Not the partner's to do now: the customer's task, another party's, or not yet due. */
  | { status: 'waiting'; detail?: Record<string, unknown> };

export interface StepContext {
  ctx: Ctx;
  transition: TransitionRow;
  plan: Plan;
  step: TimelineStep & { key: string };
  line: PlanLine;
  /** Results of earlier steps (e.g. the subscriptions a provision step created). */
  earlier: Map<string, Record<string, unknown>>;
}

export type StepHandler = (s: StepContext) => Promise<StepOutcome>;

export function stepKey(step: TimelineStep, seq: number): string {
  return `${String(seq).padStart(4, '0')}:${step.step}:${step.lineIndex}`;
}

/** The rows to create when a plan is applied: one per timeline step, in order. */
export function stepRows(transitionId: string, plan: Plan, now: Date) {
  return plan.timeline.map((s, seq) => ({
    transition_id: transitionId,
    step_key: stepKey(s, seq),
    seq,
    line_index: s.lineIndex,
    kind: s.step,
    actor: s.actor,
    due_at: new Date(s.at),
    status: 'pending' as const,
    detail: '{}',
    error: null,
    updated_at: now,
  }));
}

/**
 * Runs every due step of one transition, in order, in transactions of up to 48 steps holding a
 * lock on the transition row: two workers (or two processes) never run the same transition at
 * once. A failed step ends its transaction (its failure commits on its own).
 * Returns the transition's resulting status.
 */
export async function runDueSteps(
  openCtx: <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>,
  transitionId: string,
  handlers: Partial<Record<TimelineStep['step'], StepHandler>>,
  maxSteps = 10_000,
): Promise<TransitionRow['status']> {
  // A waiting step (the customer's task) is looked at once per run, not again and again.
  const seenWaiting = new Set<string>();
  // A saved plan never changes: read it (it can be large) once per run, not once per step.
  let savedPlan: unknown;
  // An unexpected error after some steps of a transaction: those steps commit, then it is raised.
  let deferredError: unknown;
  let i = 0;
  while (i < maxSteps) {
    const progressed = await openCtx(async (ctx): Promise<{ done: boolean; status?: string }> => {
      const trx = ctx.db as Trx;
      const row = await trx
        .selectFrom('transitions')
        .select([
          'id',
          'tenant_id',
          'partner_id',
          'created_by_user_id',
          'status',
          'verdict',
          'options',
          'planned_at',
          'apply_requested_at',
          'apply_requested_by',
          'finished_at',
          'created_at',
          'updated_at',
        ])
        .where('id', '=', transitionId)
        .forUpdate()
        .executeTakeFirst();
      if (!row || row.status === 'planned') return { done: true, status: row?.status ?? 'failed' };
      savedPlan ??= (
        await trx
          .selectFrom('transitions')
          .select('plan')
          .where('id', '=', transitionId)
          .executeTakeFirstOrThrow()
      ).plan;
      const transition: TransitionRow = { ...row, plan: savedPlan };
      // Several steps per transaction (the row lock is held throughout): each step's effect and its
      // mark still commit together, and a crash undoes whole steps only, to be run again.
      // The steps are read once per transaction: only this run writes them, under the row lock.
      const steps = await trx
        .selectFrom('transition_steps')
        .selectAll()
        .where('transition_id', '=', transitionId)
        .orderBy('seq')
        .execute();
      // The steps done in this transaction are marked together at its end (same transaction).
      // (An error thrown out of here rolls the whole transaction back, marks and all.)
      const marks: StepMark[] = [];
      let progressed: { done: boolean; status?: string; endTransaction?: boolean } = { done: false };
      for (let k = 0; k < STEPS_PER_TRANSACTION && i < maxSteps; k++, i++) {
        progressed = await runOneStep(ctx, transition, steps, marks, k > 0);
        if (progressed.done || progressed.endTransaction) break;
      }
      await markSteps(trx, transitionId, marks, ctx.clock.now());
      return progressed;
    });
    if (deferredError !== undefined) throw deferredError;
    if (progressed.done) return progressed.status as TransitionRow['status'];
  }
  throw new Error(`transition ${transitionId}: step limit reached`);

  /** The next due step of the transition, in the caller's transaction (it holds the row lock). */
  async function runOneStep(
    ctx: Ctx,
    transition: TransitionRow,
    steps: Selectable<TransitionStepsTable>[],
    marks: StepMark[],
    earlierStepsInTransaction: boolean,
  ): Promise<{ done: boolean; status?: string; endTransaction?: boolean }> {
    const trx = ctx.db as Trx;
    const now = ctx.clock.now();
    // Steps run in order: the first not finished decides. A waiting step does not hold back
    // later steps of other kinds (a customer's task never blocks the partner's own work).
    const next = steps.find(
      (s) =>
        (s.status === 'pending' || s.status === 'running' || s.status === 'waiting') &&
        s.due_at <= now &&
        !seenWaiting.has(s.step_key),
    );
    if (!next || steps.some((s) => s.status === 'failed')) {
      // The claims' release reads the step rows: they must hold this transaction's marks first.
      await markSteps(trx, transitionId, marks.splice(0), now);
      const status = statusOf(steps, now);
      if (status !== transition.status) {
        if (status === 'failed') await releaseUnboughtClaims(trx, transitionId, now);
        await trx
          .updateTable('transitions')
          .set({
            status,
            updated_at: now,
            ...(status === 'applied' || status === 'failed' ? { finished_at: now } : {}),
          })
          .where('id', '=', transitionId)
          .execute();
        await recordAudit(ctx, {
          action: `transition.${status}`,
          targetType: 'transition',
          targetId: transitionId,
          tenantId: transition.tenant_id,
          partnerId: transition.partner_id,
        });
        await recordEvent(ctx, 'transition.status-changed', {
          transitionId,
          tenantId: transition.tenant_id,
          partnerId: transition.partner_id,
          status,
        });
      }
      return { done: true, status };
    }
    const plan = transition.plan as Plan;
    const timelineStep = plan.timeline[next.seq]!;
    const earlier = new Map(steps.filter((s) => s.status === 'done').map((s) => [s.step_key, s.detail]));
    const handler = handlers[next.kind as TimelineStep['step']];
    let outcome: StepOutcome;
    // A savepoint per step: a step that fails part-way leaves none of its own writes behind, and
    // the steps done before it in this transaction keep theirs.
    await sql`savepoint traslado_step`.execute(trx);
    const auditAtSavepoint = auditMark(ctx);
    try {
      if (!handler) throw new DomainError('transition_step_unsupported', { step: next.kind });
      outcome = await handler({
        ctx,
        transition,
        plan,
        step: { ...timelineStep, key: next.step_key },
        line: plan.lines[next.line_index ?? 0]!,
        earlier,
      });
    } catch (err) {
      await sql`rollback to savepoint traslado_step`.execute(trx);
      auditRewind(ctx, auditAtSavepoint);
      forgetTransactionReads(trx);
      if (!isDomainError(err)) {
        if (!earlierStepsInTransaction) throw err;
        deferredError = err;
        return { done: false, endTransaction: true };
      }
      // The world changed under the plan: record why, change nothing else.
      await trx
        .updateTable('transition_steps')
        .set({
          status: 'failed',
          attempts: next.attempts + 1,
          error: err.code,
          detail: JSON.stringify({ code: err.code, params: err.params }),
          updated_at: now,
        })
        .where('transition_id', '=', transitionId)
        .where('step_key', '=', next.step_key)
        .execute();
      await recordAudit(ctx, {
        action: 'transition.step-failed',
        targetType: 'transition',
        targetId: transitionId,
        tenantId: transition.tenant_id,
        partnerId: transition.partner_id,
        data: { step: next.step_key, code: err.code, params: err.params },
      });
      await recordEvent(ctx, 'transition.step-failed', {
        transitionId,
        tenantId: transition.tenant_id,
        partnerId: transition.partner_id,
        step: next.step_key,
        stepKind: next.kind,
        code: err.code,
      });
      // Commit the failure on its own: the next transaction settles the transition as failed.
      return { done: false, endTransaction: true };
    }
    // The savepoint is left in place, not released (one statement less a step): the next step's
    // savepoint of the same name is the one a rollback goes back to.
    const detail = JSON.stringify(outcome.detail ?? {});
    marks.push({ stepKey: next.step_key, status: outcome.status, attempts: next.attempts + 1, detail });
    // The row as the database will hold it at this transaction's end (its detail as read back).
    Object.assign(next, {
      status: outcome.status,
      attempts: next.attempts + 1,
      error: null,
      detail: JSON.parse(detail),
      updated_at: now,
    });
    if (outcome.status === 'waiting') seenWaiting.add(next.step_key);
    if (outcome.status === 'done') {
      await recordAudit(ctx, {
        action: 'transition.step-done',
        targetType: 'transition',
        targetId: transitionId,
        tenantId: transition.tenant_id,
        partnerId: transition.partner_id,
        data: { step: next.step_key, ...(outcome.detail ?? {}) },
      });
    }
    return { done: false };
  }
}

/**
 * Steps run in one transaction at most: most transitions' due steps in one (fewer round trips, and
 * the steps share what the transaction read); a crash redoes at most this many. Under 64, the
 * subtransactions PostgreSQL tracks per transaction without spilling (one savepoint a step).
 */
const STEPS_PER_TRANSACTION = 48;

/**
 * applied: every step done. failed: a step failed. waiting: every step the partner can take now
 * is done; what remains is dated, or is the customer's or another party's to do. applying: else.
 */
export function statusOf(steps: { status: string; due_at: Date }[], now: Date): TransitionRow['status'] {
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if (steps.every((s) => s.status === 'done' || s.status === 'skipped')) return 'applied';
  const runnable = steps.some((s) => (s.status === 'pending' || s.status === 'running') && s.due_at <= now);
  return runnable ? 'applying' : 'waiting';
}

/** When the next dated step falls due (to schedule the next run), or null. */
export function nextDueAt(steps: { status: string; due_at: Date }[], now: Date): Date | null {
  const future = steps
    .filter((s) => (s.status === 'pending' || s.status === 'waiting') && s.due_at > now)
    .map((s) => s.due_at.getTime());
  return future.length > 0 ? new Date(Math.min(...future)) : null;
}
