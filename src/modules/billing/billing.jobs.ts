import type { Logger } from 'pino';
import { PlatformClock } from '../../platform/clock.ts';
import type { Config } from '../../platform/config.ts';
import type { DatabaseHandle } from '../../platform/db/connect.ts';
import type { ServerDeps } from '../../platform/http/server.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { inSystemTransaction } from '../../platform/runtime.ts';
import { closeMonths, type IssuedInvoice } from './invoices.service.ts';

export const INVOICE_CLOSE_QUEUE = 'invoice-close';
const SWEEP_EVERY_SECONDS = 3600;

/**
 * Closes every month before the current one (platform clock) that still has unbilled lines: one
 * invoice per partner, currency and month, each partner and currency in its own transaction.
 * The job, `traslado invoices close` and tests call this one function.
 */
export async function closeInvoicesNow(
  deps: { handle: DatabaseHandle; config: Config; log: Logger },
  onIssued?: (invoices: IssuedInvoice[]) => void,
): Promise<IssuedInvoice[]> {
  const clock = new PlatformClock(deps.handle.db);
  await clock.refresh(true);
  const log = deps.log;
  return closeMonths(
    deps.handle.db,
    clock.now(),
    (fn) => inSystemTransaction(deps.handle, deps.config, log, fn),
    (issued) => {
      for (const i of issued)
        log.info(
          { invoice: i.number, partnerId: i.partnerId, period: i.periodStart, currency: i.currency },
          'invoice issued',
        );
      onIssued?.(issued);
    },
  );
}

/**
 * At start, after every clock move (clock.routes sends the job), then hourly: a month closes soon
 * after it ends on the platform clock, whichever process gets there first.
 */
export async function registerBillingJobs(queue: Queue, deps: ServerDeps) {
  await queue.createQueue(INVOICE_CLOSE_QUEUE);
  await queue.work(INVOICE_CLOSE_QUEUE, { pollingIntervalSeconds: 1, batchSize: 1 }, async () => {
    try {
      await closeInvoicesNow(deps);
    } finally {
      await queue.send(
        INVOICE_CLOSE_QUEUE,
        {},
        { startAfter: SWEEP_EVERY_SECONDS, singletonKey: 'hourly', singletonSeconds: SWEEP_EVERY_SECONDS },
      );
    }
  });
  await queue.send(INVOICE_CLOSE_QUEUE, {});
}
