import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Trx } from '../db/database.ts';

/**
 * The durable job queue: pg-boss on the same PostgreSQL as the data (PGlite included, through
 * pg-boss's bring-your-own-database `executeSql`). Jobs sent with `inTransaction(trx)` commit
 * or roll back with the change that asked for them.
 */
export type Queue = PgBoss;

/**
 * What a queue has under way: its own SQL and the handlers it runs. pg-boss's graceful stop only
 * waits for jobs its workers hold, yet a fetch it sent before the stop can still bring a job back
 * and run it, and it records a job's completion or failure without awaiting it: so the database
 * closed under its feet, and that unawaited failure became an unhandled rejection
 * ("Cannot use a pool after calling end on the pool"). A stop waits for all of this instead.
 */
class UnderWay {
  running = 0;
  /** Set once the queue has stopped: its SQL no longer reaches the database (closed next). */
  closed = false;

  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
    }
  }

  /** Until nothing runs, or the deadline. Checked between event-loop turns: a handler that just
   * finished has by then handed over to pg-boss's completion query, which counts again. */
  async settled(deadline: number): Promise<boolean> {
    while (this.running > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }
}

const underWay = new WeakMap<PgBoss, UnderWay>();

function bossOptions(handle: DatabaseHandle, work?: UnderWay, log?: Logger): PgBoss.ConstructorOptions {
  return {
    db: {
      executeSql: (text: string, values: unknown[]) => {
        const run = () => handle.executeSql(text, values) as Promise<{ rows: unknown[] }>;
        if (!work) return run();
        // A job that outlived the shutdown bound settles here: not on a closed database, and not
        // as a rejection nobody awaits. Its row stays active; pg-boss retries it once it expires.
        if (work.closed) {
          log?.warn({ sql: text.slice(0, 80) }, 'job queue stopped: statement not sent');
          return Promise.resolve({ rows: [] });
        }
        return work.track(run);
      },
    },
  };
}

/** Creates or upgrades pg-boss's own schema (run by migrations' callers and the template). */
export async function installQueueSchema(handle: DatabaseHandle): Promise<void> {
  const boss = new PgBoss({ ...bossOptions(handle), supervise: false, schedule: false, migrate: true });
  boss.on('error', () => {});
  await boss.start();
  await boss.stop({ graceful: false, close: false, wait: true, timeout: 1000 });
}

export async function startQueue(handle: DatabaseHandle, log: Logger): Promise<Queue> {
  const work = new UnderWay();
  const boss = new PgBoss({ ...bossOptions(handle, work, log), migrate: false, schedule: false });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  underWay.set(boss, work);
  trackHandlers(boss, work);
  await boss.start();
  retryCreateQueueOnDeadlock(boss);
  return boss;
}

/** Every handler given to `work` counts as under way while it runs (see UnderWay). */
function trackHandlers(boss: PgBoss, work: UnderWay) {
  const register = boss.work.bind(boss) as (name: string, ...args: unknown[]) => Promise<string>;
  boss.work = ((name: string, ...args: unknown[]) => {
    const handler = args.pop() as (jobs: PgBoss.Job[]) => Promise<unknown>;
    return register(name, ...args, (jobs: PgBoss.Job[]) => work.track(() => handler(jobs)));
  }) as PgBoss['work'];
}

/**
 * Creating a queue locks pg-boss's queue table and creates a partition: two processes starting at
 * once on a fresh database can deadlock there (40P01), and PostgreSQL cancels one of them, which
 * then failed to start. Creating a queue is idempotent, so the cancelled one simply tries again.
 */
function retryCreateQueueOnDeadlock(boss: PgBoss) {
  const create = boss.createQueue.bind(boss);
  boss.createQueue = async (name, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await create(name, options);
      } catch (err) {
        if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 25 * attempt + Math.random() * 50));
      }
    }
  };
}

/**
 * Stops the workers and waits, at most `timeoutMs`, for the jobs and queue statements under way;
 * after it the queue sends nothing more to the database, which the caller closes next. False
 * when the bound cut something off (logged).
 */
export async function stopQueue(boss: Queue, timeoutMs = 10_000, log?: Logger): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  await boss.stop({ graceful: true, close: false, wait: true, timeout: timeoutMs });
  const work = underWay.get(boss);
  if (!work) return true;
  const settled = await work.settled(deadline);
  work.closed = true;
  if (!settled) log?.warn({ running: work.running, timeoutMs }, 'job queue stopped with work still running');
  return settled;
}

/** pg-boss's `db` option bound to a Kysely transaction: the job joins that transaction. */
export function inTransaction(trx: Trx): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const res = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: res.rows as unknown[] };
    },
  };
}

/** Jobs per queue and state (pg-boss's own table, read at /metrics scrape time). */
export async function jobCounts(
  handle: DatabaseHandle,
): Promise<{ queue: string; state: string; count: number }[]> {
  const res = (await handle.executeSql(
    'select name, state::text as state, count(*)::int as n from pgboss.job group by name, state',
    [],
  )) as { rows: { name: string; state: string; n: number }[] };
  return res.rows.map((r) => ({ queue: r.name, state: r.state, count: Number(r.n) }));
}
