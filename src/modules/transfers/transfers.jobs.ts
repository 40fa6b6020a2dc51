import type { ServerDeps } from '../../platform/http/server.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { inSystemTransaction } from '../../platform/runtime.ts';
import { expireTransfers } from './transfers.service.ts';

export const TRANSFER_EXPIRY_QUEUE = 'transfer-expiry';
const SWEEP_EVERY_SECONDS = 3600;

/** Expires every overdue request, in batches, each in its own transaction. */
export async function expireTransfersNow(deps: ServerDeps): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await inSystemTransaction(deps.handle, deps.config, deps.log, (ctx) =>
      expireTransfers(ctx, deps.transferDecided),
    );
    total += n;
    if (n === 0) return total;
  }
}

/** At start, after every clock move (clock.routes sends the job), then hourly. */
export async function registerTransferJobs(queue: Queue, deps: ServerDeps) {
  await queue.createQueue(TRANSFER_EXPIRY_QUEUE);
  await queue.work(TRANSFER_EXPIRY_QUEUE, { pollingIntervalSeconds: 1, batchSize: 1 }, async () => {
    try {
      await expireTransfersNow(deps);
    } finally {
      await queue.send(
        TRANSFER_EXPIRY_QUEUE,
        {},
        { startAfter: SWEEP_EVERY_SECONDS, singletonKey: 'hourly', singletonSeconds: SWEEP_EVERY_SECONDS },
      );
    }
  });
  await queue.send(TRANSFER_EXPIRY_QUEUE, {});
}
