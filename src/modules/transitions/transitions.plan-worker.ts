import { parentPort, workerData } from 'node:worker_threads';
import { plannerCaches } from '../../domain/planner/plan.ts';
import { type PlanBatchInput, type PlanRunContext, planBatch } from './transitions.plan-batch.ts';

/**
 * A planning worker (node:worker_threads): gets the run's context once (`workerData`), then plans
 * the batches it is sent, one message each (`{ id, batch }`), and answers `{ id, ok, result }` or
 * `{ id, ok: false, error }`. Started by transitions.plan-pool.ts; the bundle builds it into
 * dist/plan-worker.mjs, the sources start it through transitions.plan-worker.boot.mjs (tsx).
 */
const run = workerData as PlanRunContext;
// One set of planner caches for the run's catalog, kept across the batches this worker plans.
const caches = plannerCaches();
const port = parentPort!;

port.on('message', (msg: { id: number; batch: PlanBatchInput }) => {
  planBatch(run, msg.batch, caches).then(
    (result) => port.postMessage({ id: msg.id, ok: true, result }),
    (err: unknown) =>
      port.postMessage({
        id: msg.id,
        ok: false,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      }),
  );
});
