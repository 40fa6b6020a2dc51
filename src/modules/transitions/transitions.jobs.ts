import { isRole, type Role } from '../../platform/auth/permissions.ts';
import { openContext } from '../../platform/context.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { type Actor, type Ctx, partnerSystemActor } from '../../platform/http/context.ts';
import type { ServerDeps } from '../../platform/http/server.ts';
import { inTransaction, type Queue } from '../../platform/queue/queue.ts';
import { findUser, rolesOf } from '../users/index.ts';
import { ManyRunAborted, nextDueAt, runDueStepsMany } from './transitions.executor.ts';
import type { TransitionRow } from './transitions.repo.ts';
import { STEP_BATCH_HANDLERS, STEP_HANDLERS } from './transitions.steps.ts';

export const RUN_QUEUE = 'transition-run';
export const TICK_QUEUE = 'transition-tick';
/** Run jobs taken (and transitions run together) at once by one worker. */
export const RUN_BATCH = 16;

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

/** Runs of many transitions in one statement (now, or dated), each job as `enqueueRun` sends it. */
export async function enqueueRuns(
  queue: Queue,
  trx: Trx,
  runs: { transitionId: string; startAfter?: Date }[],
) {
  if (runs.length === 0) return;
  await queue.insert(
    runs.map((r) => ({
      name: RUN_QUEUE,
      data: { transitionId: r.transitionId },
      ...(r.startAfter ? { startAfter: r.startAfter } : {}),
      retryLimit: 5,
      retryDelay: 2,
      expireInSeconds: 300,
    })),
    { db: inTransaction(trx) },
  );
}

/**
 * The actor a transition's steps run as: the partner user who asked to apply it. Many transitions
 * at once, grouped by that user (the order of `transitionIds` kept within each group).
 */
async function requesterActors(db: Db, transitionIds: string[]): Promise<Map<Actor, string[]>> {
  const rows = await db
    .selectFrom('transitions')
    .select(['id', 'apply_requested_by', 'partner_id'])
    .where('id', 'in', transitionIds)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const groups = new Map<string, { actor: Actor; ids: string[] }>();
  for (const id of transitionIds) {
    const t = byId.get(id);
    const key = `${t?.apply_requested_by ?? ''}|${t?.partner_id ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { actor: await requesterActor(db, t, id), ids: [] };
      groups.set(key, g);
    }
    g.ids.push(id);
  }
  return new Map([...groups.values()].map((g) => [g.actor, g.ids]));
}

async function requesterActor(
  db: Db,
  t: { apply_requested_by: string | null; partner_id: string } | undefined,
  transitionId: string,
): Promise<Actor> {
  // A transition applied from the CLI (`traslado apply`) has no requesting user: it runs as the
  // partner's account admin would, and is audited as the system.
  // The user through the users face (this module names no users table).
  const user = t?.apply_requested_by ? await findUser(db, t.apply_requested_by) : undefined;
  if (!user) return partnerSystemActor(t?.partner_id ?? null, `job:${transitionId}`);
  const roles = await rolesOf(db, user.id);
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
  return (await runTransitions(deps, [transitionId], requestId)).get(transitionId)!;
}

/**
 * Runs many transitions' due steps together (a batch of run jobs): those asked by the same user
 * share transactions and run each kind of step set-based (`runDueStepsMany`). If an unexpected
 * error undoes such a shared run, each is run alone, so the error stays with its own transition;
 * the first error is raised after every other transition ran and the dated runs were asked for.
 */
export async function runTransitions(deps: ServerDeps, transitionIds: string[], requestId: string) {
  await deps.clock.refresh(true);
  const statuses = new Map<string, TransitionRow['status']>();
  let firstError: unknown;
  // Who the steps run as does not change during a run: read it once, not once per step.
  for (const [actor, ids] of await requesterActors(deps.handle.db, transitionIds)) {
    const openCtx = <T>(fn: (ctx: Ctx) => Promise<T>) =>
      openContext(
        { db: deps.handle.db, clock: deps.clock, actor, requestId, log: deps.log, config: deps.config },
        fn,
      );
    try {
      for (const [id, s] of await runDueStepsMany(openCtx, ids, STEP_HANDLERS, STEP_BATCH_HANDLERS))
        statuses.set(id, s);
    } catch (err) {
      // The other requesters' transitions still run, and the dated runs are still asked for.
      if (!(err instanceof ManyRunAborted)) {
        firstError ??= err;
        continue;
      }
      deps.log.warn(
        { err: err.cause, transitionIds: ids },
        'a shared run failed; running its transitions one by one',
      );
      for (const id of ids)
        try {
          statuses.set(
            id,
            (await runDueStepsMany(openCtx, [id], STEP_HANDLERS, STEP_BATCH_HANDLERS)).get(id)!,
          );
        } catch (e) {
          firstError ??= e;
        }
    }
  }
  await scheduleDatedRuns(
    deps,
    [...statuses].filter(([, s]) => s === 'waiting').map(([id]) => id),
  );
  if (firstError !== undefined) throw firstError;
  return statuses;
}

/** Dated steps wait for their day: ask for a run then (a moved clock asks sooner, through the tick). */
async function scheduleDatedRuns(deps: ServerDeps, transitionIds: string[]) {
  if (!deps.queue || transitionIds.length === 0) return;
  const steps = await deps.handle.db
    .selectFrom('transition_steps')
    .select(['transition_id', 'status', 'due_at'])
    .where('transition_id', 'in', transitionIds)
    .execute();
  const now = deps.clock.now();
  const runs: { transitionId: string; startAfter: Date }[] = [];
  for (const id of transitionIds) {
    const due = nextDueAt(
      steps.filter((s) => s.transition_id === id),
      now,
    );
    // The platform clock may run ahead of the real one (demo): the job waits the same span in real time.
    if (due)
      runs.push({ transitionId: id, startAfter: new Date(Date.now() + (due.getTime() - now.getTime())) });
  }
  await deps.handle.db.transaction().execute((trx) => enqueueRuns(deps.queue!, trx, runs));
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
  // Run jobs in batches: the transitions of a batch share transactions and set-based steps.
  await queue.work<{ transitionId: string }>(
    RUN_QUEUE,
    { pollingIntervalSeconds: 0.5, batchSize: RUN_BATCH },
    async (jobs) => {
      if (jobs.length > 0)
        await runTransitions(
          deps,
          jobs.map((j) => j.data.transitionId),
          `job-${jobs[0]!.id}`,
        );
    },
  );
  await queue.work(TICK_QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async () => {
    await tickTransitions(deps);
  });
  // A process that died mid-run left its job active until it expires: resume everything under way
  // at start instead (running a transition twice is harmless: steps are rows, runs take a row lock).
  await queue.send(TICK_QUEUE, {});
}
