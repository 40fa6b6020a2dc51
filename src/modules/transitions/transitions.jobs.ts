import { isRole, type Role } from '../../platform/auth/permissions.ts';
import { openContext } from '../../platform/context.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { type Actor, type Ctx, partnerSystemActor } from '../../platform/http/context.ts';
import type { ServerDeps } from '../../platform/http/server.ts';
import { inTransaction, type Queue } from '../../platform/queue/queue.ts';
import { findUser, rolesOf } from '../users/index.ts';
import { nextDueAt, runDueSteps } from './transitions.executor.ts';
import { STEP_HANDLERS } from './transitions.steps.ts';

export const RUN_QUEUE = 'transition-run';
export const TICK_QUEUE = 'transition-tick';

/** Asks for a run of a transition, inside the caller's transaction: no commit, no job. */
export async function enqueueRun(queue: Queue, trx: Trx, transitionId: string, startAfter?: Date) {
  await queue.send(
    RUN_QUEUE,
    { transitionId },
    {
      db: inTransaction(trx),
      ...(startAfter ? { startAfter } : {}),
      retryLimit: 5,
      retryDelay: 2,
      expireInSeconds: 300,
    },
  );
}

/** The actor a transition's steps run as: the partner user who asked to apply it. */
async function requesterActor(trx: Db, transitionId: string): Promise<Actor> {
  // A transition applied from the CLI (`traslado apply`) has no requesting user: it runs as the
  // partner's account admin would, and is audited as the system.
  const t = await trx
    .selectFrom('transitions')
    .select(['apply_requested_by', 'partner_id'])
    .where('id', '=', transitionId)
    .executeTakeFirst();
  // The user through the users face (this module names no users table).
  const user = t?.apply_requested_by ? await findUser(trx, t.apply_requested_by) : undefined;
  if (!user) return partnerSystemActor(t?.partner_id ?? null, `job:${transitionId}`);
  const roles = await rolesOf(trx, user.id);
  return {
    userId: user.id,
    email: user.email,
    kind: 'partner',
    roles: roles.filter(isRole) as Role[],
    partnerId: t!.partner_id,
    tenantId: null,
    sessionId: `job:${transitionId}`,
  };
}

export async function runTransition(
  deps: ServerDeps,
  transitionId: string,
  requestId = `job-${transitionId}`,
) {
  await deps.clock.refresh(true);
  // Who the steps run as does not change during a run: read it once, not once per step.
  const actor = await requesterActor(deps.handle.db, transitionId);
  const openCtx = <T>(fn: (ctx: Ctx) => Promise<T>) =>
    openContext(
      { db: deps.handle.db, clock: deps.clock, actor, requestId, log: deps.log, config: deps.config },
      fn,
    );
  const status = await runDueSteps(openCtx, transitionId, STEP_HANDLERS);
  // Dated steps wait for their day: ask for a run then (a moved clock asks sooner, through the tick).
  if (status === 'waiting' && deps.queue) {
    const steps = await deps.handle.db
      .selectFrom('transition_steps')
      .select(['status', 'due_at'])
      .where('transition_id', '=', transitionId)
      .execute();
    const due = nextDueAt(steps, deps.clock.now());
    if (due) {
      const realDelayMs = due.getTime() - deps.clock.now().getTime();
      await deps.handle.db
        .transaction()
        .execute((trx) => enqueueRun(deps.queue!, trx, transitionId, new Date(Date.now() + realDelayMs)));
    }
  }
  return status;
}

/** Runs every transition that is still under way: after the clock moved, dated steps may be due. */
export async function tickTransitions(deps: ServerDeps) {
  const open = await deps.handle.db
    .selectFrom('transitions')
    .select('id')
    .where('status', 'in', ['applying', 'waiting'])
    .execute();
  for (const t of open) await runTransition(deps, t.id, `tick-${t.id}`);
  return open.length;
}

export async function registerTransitionJobs(queue: Queue, deps: ServerDeps) {
  await queue.createQueue(RUN_QUEUE);
  await queue.createQueue(TICK_QUEUE);
  await queue.work<{ transitionId: string }>(
    RUN_QUEUE,
    { pollingIntervalSeconds: 0.5, batchSize: 1 },
    async ([job]) => {
      if (job) await runTransition(deps, job.data.transitionId, `job-${job.id}`);
    },
  );
  await queue.work(TICK_QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async () => {
    await tickTransitions(deps);
  });
  // A process that died mid-run left its job active until it expires: resume everything under way
  // at start instead (running a transition twice is harmless: steps are rows, runs take a row lock).
  await queue.send(TICK_QUEUE, {});
}
