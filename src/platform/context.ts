import type { Clock } from './clock.ts';
import { fixedClock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { Actor, Ctx } from './http/context.ts';

export type { Actor, AfterCommit, BeforeCommit, Ctx } from './http/context.ts';

/**
 * What a context is made of: the database handle (not a transaction), the clock (read once, when
 * the context opens: one request sees one instant), who acts, the request id, the log and config.
 */
export interface ContextSource {
  db: Db;
  clock: Clock;
  actor: Actor;
  requestId: string;
  log: Ctx['log'];
  config: Config;
}

/** A side effect waiting for its transaction's commit. */
type Hook = () => unknown;

/**
 * Runs the hooks of a committed transaction, in the order they were registered, one after the
 * other. A hook that fails is logged and does not stop the others: the change has committed and
 * the caller's answer stands. A hook that must not delay the answer (an e-mail whose time would
 * reveal something) starts its work without awaiting it.
 */
async function runHooks(hooks: Hook[], log: Ctx['log']) {
  for (const hook of hooks) {
    try {
      await hook();
    } catch (err) {
      log.error({ err }, 'after-commit side effect failed');
    }
  }
}

/**
 * THE way a unit of work starts, wherever it runs (a route, a job, a command, the seed): one
 * transaction, one context `{ db: trx, clock, actor, requestId, log, config, afterCommit }`, the
 * use case called with it. Side effects that must not happen unless the change is kept (e-mail,
 * queue nudges, the process's copy of a moved clock) are registered with `ctx.afterCommit(fn)`
 * inside the transaction and run once it has committed; after a rollback (the use case threw, or
 * the commit failed) they are dropped, never run. Writes a use case gathers (its audit rows) are
 * registered with `ctx.beforeCommit(fn)` and sent inside the transaction just before COMMIT.
 */
export async function openContext<T>(src: ContextSource, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const clock = fixedClock(src.clock.now());
  let hooks: Hook[] = [];
  const result = await src.db.transaction().execute(async (trx) => {
    // A retried callback (none today) must not keep the hooks of an attempt that rolled back.
    hooks = [];
    const before: (() => Promise<unknown>)[] = [];
    const out = await fn({
      db: trx,
      clock,
      actor: src.actor,
      requestId: src.requestId,
      log: src.log,
      config: src.config,
      afterCommit: (hook) => {
        hooks.push(hook);
      },
      beforeCommit: (hook) => {
        before.push(hook);
      },
    });
    // Gathered writes go out last, in the same transaction: a failure here rolls the whole unit back.
    for (let i = 0; i < before.length; i++) await before[i]!();
    return out;
  });
  await runHooks(hooks, src.log);
  return result;
}

/**
 * A context without a transaction, for reads (and for work that commits statement by statement):
 * each statement commits on its own, so a hook registered here runs at once (not awaited).
 */
export function readContext(src: ContextSource): Ctx<Db> {
  return {
    db: src.db,
    clock: fixedClock(src.clock.now()),
    actor: src.actor,
    requestId: src.requestId,
    log: src.log,
    config: src.config,
    afterCommit: (hook) => {
      void runHooks([hook], src.log);
    },
    beforeCommit: null,
  };
}
