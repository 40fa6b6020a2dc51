import type { ServerDeps } from '../../platform/http/server.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { inSystemTransaction } from '../../platform/runtime.ts';
import { deleteExpiredDisabled } from './azure.service.ts';

export const AZURE_LIFECYCLE_QUEUE = 'azure-lifecycle';
const SWEEP_EVERY_SECONDS = 3600;

/** Deletes every Azure subscription disabled 90 days ago, in batches, each in its own transaction. */
export async function sweepAzureLifecycleNow(
  deps: Pick<ServerDeps, 'handle' | 'config' | 'log'>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await inSystemTransaction(deps.handle, deps.config, deps.log, (ctx) =>
      deleteExpiredDisabled(ctx),
    );
    total += n;
    if (n === 0) return total;
  }
}

/** At start, after every clock move (clock.routes sends the job), then hourly. */
export async function registerAzureJobs(queue: Queue, deps: ServerDeps) {
  await queue.createQueue(AZURE_LIFECYCLE_QUEUE);
  await queue.work(AZURE_LIFECYCLE_QUEUE, { pollingIntervalSeconds: 1, batchSize: 1 }, async () => {
    try {
      await sweepAzureLifecycleNow(deps);
    } finally {
      await queue.send(
        AZURE_LIFECYCLE_QUEUE,
        {},
        { startAfter: SWEEP_EVERY_SECONDS, singletonKey: 'hourly', singletonSeconds: SWEEP_EVERY_SECONDS },
      );
    }
  });
  await queue.send(AZURE_LIFECYCLE_QUEUE, {});
}
