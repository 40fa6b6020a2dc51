import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** From this many customers on, a bulk plan plans in worker threads by default. */
export const WORKERS_FROM_CUSTOMERS = 500;

/**
 * Planning workers by default: one per core but one, left to the main thread (it reads, saves and
 * writes the report) and to PostgreSQL when it runs on the same machine; at least one. On 2 cores,
 * 2 workers used ~20 % more CPU than 1 for the same book and were no faster (docs/performance.md).
 */
export function defaultPlanWorkers(customers: number, cores = availableParallelism()): number {
  return customers >= WORKERS_FROM_CUSTOMERS ? Math.max(1, cores - 1) : 0;
}

/**
 * A small pool of worker threads for bulk planning: `run(input)` sends a job to the least busy
 * worker and resolves with its answer. The caller awaits the answers in the order it sent the
 * jobs, so batches are saved and reported in order whichever worker finishes first. A worker that
 * fails (an answer `{ ok: false }`, an uncaught error, an unexpected exit) rejects every job it
 * held: a run never hangs on a dead worker. Workers answer `{ id, ok, result | error }`.
 */
export class PlanPool<I, O> {
  readonly #workers: { worker: Worker; waiting: Map<number, Waiter<O>>; dead: Error | null }[] = [];
  #next = 0;
  #closed = false;

  constructor(url: URL, size: number, workerData: unknown, opts: { heapMb?: number } = {}) {
    for (let i = 0; i < size; i++) {
      const slot = {
        worker: new Worker(url, {
          workerData,
          ...(opts.heapMb ? { resourceLimits: { maxOldGenerationSizeMb: opts.heapMb } } : {}),
        }),
        waiting: new Map<number, Waiter<O>>(),
        dead: null as Error | null,
      };
      /** Rejects every job the worker holds, then forgets them. */
      const failAll = (err: Error) => {
        slot.dead ??= err;
        for (const w of slot.waiting.values()) w.reject(err);
        slot.waiting.clear();
      };
      slot.worker.on('message', (msg: { id: number; ok: boolean; result?: O; error?: string }) => {
        const w = slot.waiting.get(msg.id);
        if (!w) return;
        // Settle first, then forget: a job removed before it settles would wait forever.
        if (msg.ok) w.resolve(msg.result as O);
        else w.reject(new Error(`planning worker: ${msg.error ?? 'failed'}`));
        slot.waiting.delete(msg.id);
      });
      slot.worker.on('error', (err) => failAll(err));
      slot.worker.on('exit', (code) => {
        if (!this.#closed || slot.waiting.size > 0)
          failAll(new Error(`planning worker exited (code ${code}) with ${slot.waiting.size} batches`));
      });
      this.#workers.push(slot);
    }
  }

  get size() {
    return this.#workers.length;
  }

  /** Runs a job on the worker with the fewest jobs waiting. */
  run(input: I, transfer?: ArrayBuffer[]): Promise<O> {
    if (this.#closed) return Promise.reject(new Error('planning pool closed'));
    const live = this.#workers.filter((w) => !w.dead);
    if (live.length === 0) return Promise.reject(this.#workers[0]?.dead ?? new Error('no planning worker'));
    const slot = live.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    const id = this.#next++;
    return new Promise<O>((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ id, ...(input as object) }, transfer);
    });
  }

  /** Stops every worker; jobs still waiting are rejected. */
  async close() {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }
}

interface Waiter<O> {
  resolve: (value: O) => void;
  reject: (err: Error) => void;
}

/** A promise whose failure is handled later (awaited in order): until then it is not unhandled. */
export function started<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/**
 * Runs `work` on each item as soon as it is read, and hands each result to `done` in the items'
 * order (`n` counts from 1), one at a time, whichever `work` finishes first. Reading goes on while
 * earlier results are handed on, with at most `ahead` items read and not yet done (memory stays
 * bounded). The first failure (of `work` or of `done`) stops it and is thrown; work still running
 * is left to its owner to stop. Answers the number of items.
 */
export async function pipeInOrder<I, O>(
  items: AsyncIterable<I>,
  ahead: number,
  work: (item: I) => Promise<O>,
  done: (out: O, n: number) => Promise<void>,
): Promise<number> {
  // One promise per item not yet awaited here: settled once that item is done, in order.
  const pending: Promise<void>[] = [];
  let last: Promise<void> = Promise.resolve();
  let n = 0;
  for await (const item of items) {
    const out = started(work(item));
    const k = ++n;
    last = started(last.then(async () => done(await out, k)));
    pending.push(last);
    while (pending.length >= Math.max(1, ahead)) await pending.shift();
  }
  for (const p of pending) await p;
  return n;
}
