import { readFile } from 'node:fs/promises';
import { buildApp } from '../../app.ts';
import { runTransition } from '../../modules/transitions/transitions.jobs.ts';
import { applyTransition } from '../../modules/transitions/transitions.service.ts';
import { fixedClock } from '../../platform/clock.ts';
import { loadConfig } from '../../platform/config.ts';
import { DomainError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/log.ts';
import { startQueue, stopQueue } from '../../platform/queue/queue.ts';
import { openConfiguredDatabase } from '../../platform/runtime.ts';
import { cliActor, type PlanFile } from './plan.ts';

/**
 * Applies every ready plan of a plan file. Resumable: a transition already applied or under way
 * is not started twice (its steps are rows), so running the command again after an interruption
 * picks up where it stopped.
 */
export async function applyCommand(file: string, opts: { data?: string }) {
  const plan = JSON.parse(await readFile(file, 'utf8')) as PlanFile;
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const log = createLogger('warn');
  const handle = await openConfiguredDatabase(config);
  const queue = await startQueue(handle, log);
  const { app, deps } = await buildApp({ handle, config, log, queue });
  const summary = { applied: 0, waiting: 0, failed: [] as string[], skipped: 0 };
  try {
    const ready = plan.transitions.filter((t) => t.transitionId && t.verdict === 'ready');
    summary.skipped = plan.transitions.length - ready.length;
    let i = 0;
    for (const t of ready) {
      i++;
      try {
        await handle.db.transaction().execute((trx) =>
          applyTransition(
            {
              db: trx,
              clock: fixedClock(deps.clock.now()),
              actor: cliActor(plan.partnerId),
              requestId: `cli-apply-${process.pid}`,
              log,
              config,
            },
            queue,
            { transitionId: t.transitionId! },
          ),
        );
        const status = await runTransition(deps, t.transitionId!);
        if (status === 'applied') summary.applied++;
        else if (status === 'waiting') summary.waiting++;
        else if (status === 'failed')
          summary.failed.push(`${t.tenantId}: a step failed (see GET /api/transitions/${t.transitionId})`);
      } catch (err) {
        summary.failed.push(
          `${t.tenantId}: ${err instanceof DomainError ? err.code : (err as Error).message}`,
        );
      }
      if (i % 50 === 0 || i === ready.length) console.log(`applied ${i}/${ready.length}`);
    }
    console.log(
      `done: ${summary.applied} applied, ${summary.waiting} waiting (dated steps or the customer's tasks remain), ${summary.failed.length} failed, ${summary.skipped} skipped (not ready)`,
    );
    for (const f of summary.failed) console.log(`  failed ${f}`);
    if (summary.failed.length > 0) process.exitCode = 1;
  } finally {
    await app.close();
    await stopQueue(queue);
    await handle.close();
  }
}
