import { type Selectable, sql } from 'kysely';
import type { Plan, PlanLine, TimelineStep } from '../../domain/planner/types.ts';
import type { TransitionStepsTable, Trx } from '../../platform/db/database.ts';
import { forgetTransactionReads } from '../../platform/db/transaction-memo.ts';
import { DomainError, isDomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { auditMark, auditRewind, recordAudit } from '../audit/index.ts';
import { recordEvent, recordEvents } from '../outbox/index.ts';
import {
  markSteps,
  releaseUnboughtClaims,
  type StepMark,
  setTransitionsStatus,
  type TransitionRow,
} from './transitions.repo.ts';

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
 * A step kind run for many transitions at once (SPEC: set-based apply): one call, one savepoint
 * and a few statements for every transition's step of that kind in a round. It answers an outcome
 * per step, in order, or the `DomainError` that step is refused with; a refused step must have
 * written nothing (the handler checks every step before it writes for any). Thrown errors undo
 * the whole call.
 */
export type StepBatchHandler = (steps: StepContext[]) => Promise<(StepOutcome | DomainError)[]>;

export type StepHandlers = Partial<Record<TimelineStep['step'], StepHandler>>;
export type StepBatchHandlers = Partial<Record<TimelineStep['step'], StepBatchHandler>>;

/**
 * Runs every due step of one transition, in order, in transactions holding a lock on the
 * transition row: two workers (or two processes) never run the same transition at once. A failed
 * step ends its transaction (its failure commits on its own). Returns the transition's status.
 */
export async function runDueSteps(
  openCtx: <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>,
  transitionId: string,
  handlers: StepHandlers,
  maxSteps = 10_000,
  batchHandlers: StepBatchHandlers = {},
): Promise<TransitionRow['status']> {
  const statuses = await runDueStepsMany(openCtx, [transitionId], handlers, batchHandlers, maxSteps);
  return statuses.get(transitionId) ?? 'failed';
}

/** Thrown out of a run of many transitions: an unexpected error undid the transaction; run them one by one. */
export class ManyRunAborted extends Error {
  constructor(override readonly cause: unknown) {
    super('a run of many transitions met an unexpected error; run them one by one');
  }
}

interface Running {
  row: TransitionRow;
  steps: Selectable<TransitionStepsTable>[];
  /** A waiting step (the customer's task) is looked at once per run, not again and again. */
  seenWaiting: Set<string>;
  /** Steps done in the current transaction (an unexpected error after them commits them first). */
  doneInTransaction: number;
}

/**
 * Runs every due step of many transitions (a batch of a bulk apply) in shared transactions: each
 * round takes every transition's next due step, and the steps of one kind run together, through
 * the kind's batch handler when it has one (one savepoint and a few statements for all of them),
 * else each through its own handler in turn under one savepoint (a refusal thrown among them runs
 * the group again step by step, a savepoint each). Per transition, the rules are those of a run of one: its
 * steps in order, its row locked, a refused step fails that transition only (the others go on),
 * each step's effect and its mark in the same transaction. Up to `STEPS_PER_TRANSACTION`
 * savepoints a transaction. An unexpected error with more than one transition undoes the
 * transaction and throws `ManyRunAborted`: the caller runs them one by one, so it stays with its
 * own transition. Answers each transition's resulting status.
 */
export async function runDueStepsMany(
  openCtx: <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>,
  transitionIds: string[],
  handlers: StepHandlers,
  batchHandlers: StepBatchHandlers = {},
  maxSteps = 10_000,
): Promise<Map<string, TransitionRow['status']>> {
  const single = transitionIds.length === 1;
  const result = new Map<string, TransitionRow['status']>();
  const running = new Map<string, Running>();
  // A saved plan never changes: read it (it can be large) once per run, not once per transaction.
  const plans = new Map<string, unknown>();
  // An unexpected error after some steps of a transaction (one transition): those steps commit, then it is raised.
  let deferredError: unknown;
  let stepsRun = 0;
  // Savepoints taken in the current transaction (a lone step, or a group of one kind, each).
  let savepoints = 0;
  let open = [...new Set(transitionIds)];
  while (open.length > 0) {
    if (stepsRun >= maxSteps) throw new Error(`transitions ${open.join(', ')}: step limit reached`);
    await openCtx(async (ctx) => {
      const trx = ctx.db as Trx;
      // Locked in one order (by id): two runs of overlapping batches never deadlock.
      const rows = await trx
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
        .where('id', 'in', open)
        .orderBy('id')
        .forUpdate()
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const id of open) {
        const row = byId.get(id);
        if (!row || row.status === 'planned') {
          result.set(id, row?.status ?? 'failed');
          byId.delete(id);
        }
      }
      const ids = [...byId.keys()];
      const unread = ids.filter((id) => !plans.has(id));
      if (unread.length > 0)
        for (const p of await trx
          .selectFrom('transitions')
          .select(['id', 'plan'])
          .where('id', 'in', unread)
          .execute())
          plans.set(p.id, p.plan);
      // The steps are read once per transaction: only this run writes them, under the row locks.
      const stepRows =
        ids.length === 0
          ? []
          : await trx
              .selectFrom('transition_steps')
              .selectAll()
              .where('transition_id', 'in', ids)
              .orderBy('transition_id')
              .orderBy('seq')
              .execute();
      for (const id of ids) {
        const r = running.get(id);
        running.set(id, {
          row: { ...byId.get(id)!, plan: plans.get(id) },
          steps: [],
          seenWaiting: r?.seenWaiting ?? new Set(),
          doneInTransaction: 0,
        });
      }
      for (const s of stepRows) running.get(s.transition_id)?.steps.push(s);

      // The steps done in this transaction are marked together at its end (same transaction).
      // (An error thrown out of here rolls the whole transaction back, marks and all.)
      const marks: StepMark[] = [];
      const active = ids.map((id) => running.get(id)!);
      savepoints = 0;
      let endTransaction = false;
      while (!endTransaction && savepoints < STEPS_PER_TRANSACTION && stepsRun < maxSteps) {
        // This round: each transition's next due step, with the due steps of the same kind that
        // follow it (its other lines'); one transition per tenant (its seats and licenses).
        const picks: { t: Running; next: Selectable<TransitionStepsTable> }[] = [];
        const tenants = new Set<string>();
        const settling: Running[] = [];
        for (const t of [...active]) {
          const next = nextDue(t, ctx.clock.now());
          if (!next) {
            settling.push(t);
            active.splice(active.indexOf(t), 1);
            continue;
          }
          if (tenants.has(t.row.tenant_id)) continue;
          tenants.add(t.row.tenant_id);
          for (const step of sameKindAfter(t, next, ctx.clock.now())) picks.push({ t, next: step });
        }
        await settle(ctx, settling, marks);
        if (picks.length === 0) break;
        const kinds = [...new Set(picks.map((p) => p.next.kind))];
        for (const kind of kinds) {
          if (endTransaction || savepoints >= STEPS_PER_TRANSACTION) break;
          const group = picks.filter((p) => p.next.kind === kind);
          const batch = batchHandlers[kind as TimelineStep['step']] ?? inTurn(kind, group.length);
          if (batch) {
            savepoints++;
            stepsRun += group.length;
            endTransaction = await runBatch(ctx, batch, group, marks);
          } else
            for (const p of group) {
              if (endTransaction || savepoints >= STEPS_PER_TRANSACTION) break;
              if (hasFailed(p.t)) continue;
              savepoints++;
              stepsRun++;
              endTransaction = await runOne(ctx, p.t, p.next, marks);
            }
        }
      }
      await markSteps(trx, marks.splice(0), ctx.clock.now());
      open = active.map((t) => t.row.id);
    });
    if (deferredError !== undefined) throw deferredError;
  }
  return result;

  /** Steps run in order: the first not finished decides; none when the transition is settled. */
  function nextDue(t: Running, now: Date) {
    if (t.steps.some((s) => s.status === 'failed')) return undefined;
    // A waiting step does not hold back later steps of other kinds (a customer's task never
    // blocks the partner's own work).
    return t.steps.find(
      (s) =>
        (s.status === 'pending' || s.status === 'running' || s.status === 'waiting') &&
        s.due_at <= now &&
        !t.seenWaiting.has(s.step_key),
    );
  }

  /**
   * `next` and the steps right after it of the same kind that may run now too (a transition's
   * lines' steps of one kind follow each other in its timeline), in order.
   */
  function sameKindAfter(t: Running, next: Selectable<TransitionStepsTable>, now: Date) {
    const run = [next];
    for (const s of t.steps.slice(t.steps.indexOf(next) + 1)) {
      const runnable =
        s.status === 'pending' ||
        s.status === 'running' ||
        (s.status === 'waiting' && !t.seenWaiting.has(s.step_key));
      if (s.kind !== next.kind || s.due_at > now || !runnable) break;
      run.push(s);
    }
    return run;
  }

  function hasFailed(t: Running) {
    return t.steps.some((s) => s.status === 'failed');
  }

  /**
   * A group's steps again, one by one (after a refusal among them undid the group): a savepoint
   * each, none of a transition after its failed step. True: end the transaction now (an
   * unexpected error, or the transaction's savepoints spent: the steps left run in the next one).
   */
  async function oneByOne(
    ctx: Ctx,
    group: { t: Running; next: Selectable<TransitionStepsTable> }[],
    marks: StepMark[],
  ): Promise<boolean> {
    for (const p of group) {
      if (hasFailed(p.t)) continue;
      if (savepoints >= STEPS_PER_TRANSACTION) return true;
      savepoints++;
      if (await runOne(ctx, p.t, p.next, marks)) return true;
    }
    return false;
  }

  /**
   * Nothing more to run now: each transition takes the status its steps give it, those that change
   * in one statement per status, with their audit rows and one insert of their events.
   */
  async function settle(ctx: Ctx, ts: Running[], marks: StepMark[]) {
    const trx = ctx.db as Trx;
    const now = ctx.clock.now();
    const changed: { t: Running; status: TransitionRow['status'] }[] = [];
    for (const t of ts) {
      const status = statusOf(t.steps, now);
      result.set(t.row.id, status);
      if (status !== t.row.status) changed.push({ t, status });
    }
    if (changed.length === 0) return;
    // The claims' release reads the step rows: they must hold this transaction's marks first.
    const failed = changed.filter((c) => c.status === 'failed');
    if (failed.length > 0) {
      await markSteps(trx, marks.splice(0), now);
      for (const c of failed) await releaseUnboughtClaims(trx, c.t.row.id, now);
    }
    for (const status of new Set(changed.map((c) => c.status)))
      await setTransitionsStatus(
        trx,
        changed.filter((c) => c.status === status).map((c) => c.t.row.id),
        status,
        now,
      );
    for (const { t, status } of changed) {
      t.row.status = status;
      await recordAudit(ctx, {
        action: `transition.${status}`,
        targetType: 'transition',
        targetId: t.row.id,
        tenantId: t.row.tenant_id,
        partnerId: t.row.partner_id,
      });
    }
    await recordEvents(
      ctx,
      'transition.status-changed',
      changed.map(({ t, status }) => ({
        transitionId: t.row.id,
        tenantId: t.row.tenant_id,
        partnerId: t.row.partner_id,
        status,
      })),
    );
  }

  function stepContext(ctx: Ctx, t: Running, next: Selectable<TransitionStepsTable>): StepContext {
    const plan = t.row.plan as Plan;
    return {
      ctx,
      transition: t.row,
      plan,
      step: { ...plan.timeline[next.seq]!, key: next.step_key },
      line: plan.lines[next.line_index ?? 0]!,
      earlier: new Map(t.steps.filter((s) => s.status === 'done').map((s) => [s.step_key, s.detail])),
    };
  }

  /**
   * A kind without a batch handler, for a group of steps: each through its own handler in turn,
   * under the group's one savepoint (a savepoint is a statement; refusals are rare, and one makes
   * `runBatch` go over the group again step by step). None for a lone step or no handler.
   */
  function inTurn(kind: string, size: number): StepBatchHandler | undefined {
    const handler = handlers[kind as TimelineStep['step']];
    if (!handler || size < 2) return undefined;
    return async (steps) => {
      const out: StepOutcome[] = [];
      for (const s of steps) out.push(await handler(s));
      return out;
    };
  }

  /** One step through its own handler, under a savepoint. True: end the transaction now. */
  async function runOne(
    ctx: Ctx,
    t: Running,
    next: Selectable<TransitionStepsTable>,
    marks: StepMark[],
  ): Promise<boolean> {
    const trx = ctx.db as Trx;
    const handler = handlers[next.kind as TimelineStep['step']];
    // A savepoint per step: a step that fails part-way leaves none of its own writes behind, and
    // the steps done before it in this transaction keep theirs.
    await sql`savepoint traslado_step`.execute(trx);
    const auditAtSavepoint = auditMark(ctx);
    let outcome: StepOutcome;
    try {
      if (!handler) throw new DomainError('transition_step_unsupported', { step: next.kind });
      outcome = await handler(stepContext(ctx, t, next));
    } catch (err) {
      await sql`rollback to savepoint traslado_step`.execute(trx);
      auditRewind(ctx, auditAtSavepoint);
      forgetTransactionReads(trx);
      if (!isDomainError(err)) return unexpected(err);
      await failStep(ctx, t, next, err);
      return false;
    }
    // The savepoint is left in place, not released (one statement less a step): the next step's
    // savepoint of the same name is the one a rollback goes back to.
    await doneStep(ctx, t, next, outcome, marks);
    return false;
  }

  /** One kind's steps of many transitions through its batch handler, under one savepoint. */
  async function runBatch(
    ctx: Ctx,
    batch: StepBatchHandler,
    group: { t: Running; next: Selectable<TransitionStepsTable> }[],
    marks: StepMark[],
  ): Promise<boolean> {
    const trx = ctx.db as Trx;
    await sql`savepoint traslado_step`.execute(trx);
    const auditAtSavepoint = auditMark(ctx);
    let outcomes: (StepOutcome | DomainError)[];
    try {
      outcomes = await batch(group.map((p) => stepContext(ctx, p.t, p.next)));
    } catch (err) {
      await sql`rollback to savepoint traslado_step`.execute(trx);
      auditRewind(ctx, auditAtSavepoint);
      forgetTransactionReads(trx);
      if (!isDomainError(err)) return unexpected(err);
      // A refusal thrown for a lone step is that step's failure, as through its own handler.
      if (group.length === 1) {
        await failStep(ctx, group[0]!.t, group[0]!.next, err);
        return false;
      }
      // Thrown part-way through a group: its steps again one by one, each under its own
      // savepoint, so the refusal stays with its step and the others' effects stand.
      return oneByOne(ctx, group, marks);
    }
    // A step refused before a later step of its own transition in the group: that later step
    // must not stand (a transition stops at its failed step): the group again, one by one.
    const refusedBeforeOwn = group.some(
      (p, i) => isDomainError(outcomes[i]) && group.slice(i + 1).some((q) => q.t === p.t),
    );
    if (refusedBeforeOwn) {
      await sql`rollback to savepoint traslado_step`.execute(trx);
      auditRewind(ctx, auditAtSavepoint);
      forgetTransactionReads(trx);
      return oneByOne(ctx, group, marks);
    }
    for (const [i, p] of group.entries()) {
      const outcome = outcomes[i]!;
      if (isDomainError(outcome)) await failStep(ctx, p.t, p.next, outcome);
      else await doneStep(ctx, p.t, p.next, outcome, marks);
    }
    return false;
  }

  /**
   * An unexpected error (not a refusal). One transition: if steps were done before it in this
   * transaction they commit, and it is raised after; else it is raised at once (nothing commits).
   * Many: the transaction is undone and the caller runs them one by one.
   */
  function unexpected(err: unknown): boolean {
    if (!single) throw new ManyRunAborted(err);
    const t = [...running.values()][0]!;
    if (t.doneInTransaction === 0) throw err;
    deferredError = err;
    return true;
  }

  /** The world changed under the plan: record why, change nothing else. */
  async function failStep(ctx: Ctx, t: Running, next: Selectable<TransitionStepsTable>, err: DomainError) {
    const trx = ctx.db as Trx;
    const now = ctx.clock.now();
    await trx
      .updateTable('transition_steps')
      .set({
        status: 'failed',
        attempts: next.attempts + 1,
        error: err.code,
        detail: JSON.stringify({ code: err.code, params: err.params }),
        updated_at: now,
      })
      .where('transition_id', '=', t.row.id)
      .where('step_key', '=', next.step_key)
      .execute();
    Object.assign(next, { status: 'failed', attempts: next.attempts + 1, error: err.code, updated_at: now });
    await recordAudit(ctx, {
      action: 'transition.step-failed',
      targetType: 'transition',
      targetId: t.row.id,
      tenantId: t.row.tenant_id,
      partnerId: t.row.partner_id,
      data: { step: next.step_key, code: err.code, params: err.params },
    });
    await recordEvent(ctx, 'transition.step-failed', {
      transitionId: t.row.id,
      tenantId: t.row.tenant_id,
      partnerId: t.row.partner_id,
      step: next.step_key,
      stepKind: next.kind,
      code: err.code,
    });
  }

  async function doneStep(
    ctx: Ctx,
    t: Running,
    next: Selectable<TransitionStepsTable>,
    outcome: StepOutcome,
    marks: StepMark[],
  ) {
    const detail = JSON.stringify(outcome.detail ?? {});
    marks.push({
      transitionId: t.row.id,
      stepKey: next.step_key,
      status: outcome.status,
      attempts: next.attempts + 1,
      detail,
    });
    // The row as the database will hold it at this transaction's end (its detail as read back).
    Object.assign(next, {
      status: outcome.status,
      attempts: next.attempts + 1,
      error: null,
      detail: JSON.parse(detail),
      updated_at: ctx.clock.now(),
    });
    t.doneInTransaction++;
    if (outcome.status === 'waiting') t.seenWaiting.add(next.step_key);
    if (outcome.status === 'done') {
      await recordAudit(ctx, {
        action: 'transition.step-done',
        targetType: 'transition',
        targetId: t.row.id,
        tenantId: t.row.tenant_id,
        partnerId: t.row.partner_id,
        data: { step: next.step_key, ...(outcome.detail ?? {}) },
      });
    }
  }
}

/**
 * Savepoints (a lone step, a group of one kind, or a step of a group gone over one by one after a
 * refusal, each) in one transaction at most: most transitions' due steps in one (fewer round
 * trips, and the steps share what the transaction read); a crash redoes at most this much. Under
 * the 64 subtransactions PostgreSQL tracks per transaction without spilling.
 */
const STEPS_PER_TRANSACTION = 40;

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
