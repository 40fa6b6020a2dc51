import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultPlanWorkers,
  PlanPool,
  pipeInOrder,
  WORKERS_FROM_CUSTOMERS,
} from './transitions.plan-pool.ts';

/**
 * The planning pool with a stand-in worker (a data: URL): answers `{ value }` after `delay` ms,
 * answers a failure for `fail`, throws (an uncaught error in the worker) for `crash` and exits
 * for `exit`. Results come back in the order sent whatever order the workers finish in; a worker
 * that fails rejects its jobs instead of leaving the run waiting.
 */
const WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => {
  if (m.crash) throw new Error('worker crashed on ' + m.value);
  if (m.exit) process.exit(3);
  setTimeout(() => {
    if (m.fail) parentPort.postMessage({ id: m.id, ok: false, error: 'no plan for ' + m.value });
    else parentPort.postMessage({ id: m.id, ok: true, result: { value: m.value, at: Date.now() } });
  }, m.delay ?? 0);
});`)}`,
);

type Job = { value: number; delay?: number; fail?: boolean; crash?: boolean; exit?: boolean };
type Answer = { value: number; at: number };

let pool: PlanPool<Job, Answer> | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

/** Rejects when `p` takes longer than `ms`: a hang fails the test instead of timing it out. */
const within = <T>(p: Promise<T>, ms = 5_000) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms),
    ),
  ]);

async function* jobs(list: Job[]) {
  for (const j of list) yield j;
}

describe('PlanPool and pipeInOrder', () => {
  it('hands results on in the order sent, though the workers finish them in another order', async () => {
    pool = new PlanPool<Job, Answer>(WORKER, 2, null);
    const list: Job[] = [
      { value: 1, delay: 300 },
      { value: 2, delay: 10 },
      { value: 3, delay: 150 },
      { value: 4, delay: 5 },
      { value: 5, delay: 60 },
      { value: 6, delay: 0 },
    ];
    const seen: { value: number; n: number; at: number }[] = [];
    const p = pool;
    const n = await within(
      pipeInOrder(
        jobs(list),
        3,
        (j) => p.run(j),
        async (a, i) => {
          seen.push({ value: a.value, n: i, at: a.at });
        },
      ),
    );
    expect(n).toBe(6);
    expect(seen.map((s) => s.value)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6]);
    // The second job was answered before the first: the order is the pipe's, not the workers'.
    expect(seen[1]!.at).toBeLessThan(seen[0]!.at);
  });

  it('rejects a job whose worker answers a failure, and the pipe throws it', async () => {
    pool = new PlanPool<Job, Answer>(WORKER, 2, null);
    const p = pool;
    await expect(within(p.run({ value: 7, fail: true }))).rejects.toThrow('no plan for 7');
    const done: number[] = [];
    await expect(
      within(
        pipeInOrder(
          jobs([{ value: 1 }, { value: 2, fail: true }, { value: 3 }]),
          2,
          (j) => p.run(j),
          async (a) => {
            done.push(a.value);
          },
        ),
      ),
    ).rejects.toThrow('no plan for 2');
    expect(done).toEqual([1]);
  });

  it('rejects every job of a worker that crashes or exits, without hanging', async () => {
    pool = new PlanPool<Job, Answer>(WORKER, 1, null);
    const p = pool;
    const waiting = p.run({ value: 2, delay: 200 });
    const crash = p.run({ value: 1, crash: true });
    await expect(within(crash)).rejects.toThrow('worker crashed on 1');
    await expect(within(waiting)).rejects.toThrow('worker crashed on 1');
    // No worker left: later jobs are refused at once.
    await expect(within(p.run({ value: 3 }))).rejects.toThrow('worker crashed on 1');

    const other = new PlanPool<Job, Answer>(WORKER, 1, null);
    try {
      await expect(
        within(
          pipeInOrder(
            jobs([{ value: 1, delay: 50 }, { value: 2, exit: true }, { value: 3 }]),
            3,
            (j) => other.run(j),
            async () => {},
          ),
        ),
      ).rejects.toThrow(/exited \(code 3\)/);
    } finally {
      await other.close();
    }
  });
});

describe('defaultPlanWorkers', () => {
  it('plans a small book in the main thread, a large one on every core but one, and never on none', () => {
    expect(defaultPlanWorkers(WORKERS_FROM_CUSTOMERS - 1, 8)).toBe(0);
    expect(defaultPlanWorkers(WORKERS_FROM_CUSTOMERS, 8)).toBe(7);
    expect(defaultPlanWorkers(10_000, 2)).toBe(1);
    expect(defaultPlanWorkers(10_000, 1)).toBe(1);
  });
});
