import type { ServerDeps } from '../../platform/http/server.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { inSystemTransaction } from '../../platform/runtime.ts';
import { billDueSubscriptionCharges } from './subscriptions.billing.ts';

export const BILLING_SWEEP_QUEUE = 'billing-due-charges';
const SWEEP_EVERY_SECONDS = 3600;
const BATCH = 200;

/**
 * Writes the renewal and cycle-charge lines due on the platform clock, a batch of subscriptions per
 * transaction. Lines are keyed by their period, so two processes or a rerun write each once.
 */
export async function billDueChargesNow(deps: Pick<ServerDeps, 'handle' | 'config' | 'log'>): Promise<void> {
  let afterId: string | null = '';
  while (afterId !== null) {
    const from: string = afterId;
    afterId = await inSystemTransaction(deps.handle, deps.config, deps.log, (ctx) =>
      billDueSubscriptionCharges(ctx, { afterId: from, limit: BATCH }),
    );
  }
}

/** At start, after every clock move (clock.routes sends the job), then hourly. */
export async function registerSubscriptionJobs(queue: Queue, deps: ServerDeps) {
  await queue.createQueue(BILLING_SWEEP_QUEUE);
  await queue.work(BILLING_SWEEP_QUEUE, { pollingIntervalSeconds: 1, batchSize: 1 }, async () => {
    try {
      await billDueChargesNow(deps);
    } finally {
      await queue.send(
        BILLING_SWEEP_QUEUE,
        {},
        { startAfter: SWEEP_EVERY_SECONDS, singletonKey: 'hourly', singletonSeconds: SWEEP_EVERY_SECONDS },
      );
    }
  });
  await queue.send(BILLING_SWEEP_QUEUE, {});
}
