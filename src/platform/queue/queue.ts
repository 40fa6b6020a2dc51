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

function bossOptions(handle: DatabaseHandle): PgBoss.ConstructorOptions {
  return {
    db: {
      executeSql: (text: string, values: unknown[]) =>
        handle.executeSql(text, values) as Promise<{ rows: unknown[] }>,
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
  const boss = new PgBoss({ ...bossOptions(handle), migrate: false, schedule: false });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  retryCreateQueueOnDeadlock(boss);
  return boss;
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

export async function stopQueue(boss: Queue): Promise<void> {
  await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
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
