import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * Closing an app while queue jobs are under way (SPEC: graceful shutdown): the close waits for
 * them, and no queue work touches the database after it is closed. That used to surface as an
 * unhandled rejection ("Cannot use a pool after calling end on the pool") from pg-boss's failure
 * path, failing CI now and then in test/e2e/gdap-reminders.test.ts.
 */
const QUEUE = 'shutdown-probe';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let unhandled: unknown[];
const record = (err: unknown) => unhandled.push(err);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
});
afterEach(() => {
  process.off('unhandledRejection', record);
  process.off('uncaughtException', record);
});

/** A job handler that waits, then reads the database, and says when it finished and how. */
function probe(t: TestApp, waitMs: number) {
  const seen = { started: 0, finishedAt: 0, error: null as unknown, users: -1 };
  const handler = async () => {
    seen.started++;
    try {
      await sleep(waitMs);
      const row = await t.handle.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      seen.users = Number(row.n);
      seen.finishedAt = Date.now();
    } catch (err) {
      seen.error = err;
      throw err;
    }
  };
  return { seen, handler };
}

async function until(check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}

describe('closing an app while jobs run', () => {
  it('waits for a running job, then closes with no unhandled error', async () => {
    const t = await startTestApp({}, { queue: true });
    const queue = t.deps.queue!;
    const { seen, handler } = probe(t, 1500);
    await queue.createQueue(QUEUE);
    await queue.send(QUEUE, {});
    await queue.work(QUEUE, { pollingIntervalSeconds: 0.5 }, handler);
    await until(() => seen.started > 0);

    await t.close();
    const closedAt = Date.now();
    await sleep(1000); // a late rejection would land here
    expect(seen.error).toBeNull();
    expect(seen.users).toBeGreaterThan(0);
    expect(seen.finishedAt).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThanOrEqual(seen.finishedAt);
    expect(unhandled).toEqual([]);
  });

  it('waits for a job its worker was still fetching when the close began', async () => {
    const t = await startTestApp({}, { queue: true });
    const queue = t.deps.queue!;
    const { seen, handler } = probe(t, 200);
    await queue.createQueue(QUEUE);
    await queue.send(QUEUE, {});
    // Hold the job table (and, on PGlite, the one connection) so the worker's first fetch waits:
    // the close begins with that fetch under way and no job yet in the worker's hands.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holding = t.handle.db.transaction().execute(async (trx) => {
      await sql`lock table pgboss.job in exclusive mode`.execute(trx);
      locked();
      await gate;
    });
    await isLocked;
    await queue.work(QUEUE, { pollingIntervalSeconds: 0.5 }, handler);
    await sleep(200);
    expect(seen.started).toBe(0);

    const closing = t.close().then(() => Date.now());
    await sleep(500);
    release();
    await holding;
    const closedAt = await closing;
    await sleep(1000); // a late rejection would land here
    expect(seen.started).toBe(1);
    expect(seen.error).toBeNull();
    expect(seen.users).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThanOrEqual(seen.finishedAt);
    expect(unhandled).toEqual([]);
  });
});
