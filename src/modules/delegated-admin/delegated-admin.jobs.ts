import type { ServerDeps } from '../../platform/http/server.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { inSystemTransaction } from '../../platform/runtime.ts';
import { sendDueReminders } from './delegated-admin.service.ts';

export const REMINDERS_QUEUE = 'delegated-admin-reminders';
/** Real time moves on without anyone asking: sweep again within the hour. */
const SWEEP_EVERY_SECONDS = 3600;

/** One sweep, in its own transaction; safe in any number of processes (reminders are rows). */
export async function sweepReminders(deps: ServerDeps): Promise<number> {
  return inSystemTransaction(deps.handle, deps.config, deps.log, sendDueReminders);
}

/**
 * The reminder sweep runs at start, after every clock move (clock.routes sends the job) and then
 * hourly: each run queues the next, one per hour slot (pg-boss singleton), so restarts and
 * several processes do not multiply the schedule.
 */
export async function registerDelegatedAdminJobs(queue: Queue, deps: ServerDeps) {
  await queue.createQueue(REMINDERS_QUEUE);
  await queue.work(REMINDERS_QUEUE, { pollingIntervalSeconds: 1, batchSize: 1 }, async () => {
    // The next sweep is queued whatever this one does: a failed sweep must not end the schedule.
    try {
      await sweepReminders(deps);
    } finally {
      await queue.send(
        REMINDERS_QUEUE,
        {},
        { startAfter: SWEEP_EVERY_SECONDS, singletonKey: 'hourly', singletonSeconds: SWEEP_EVERY_SECONDS },
      );
    }
  });
  await queue.send(REMINDERS_QUEUE, {});
}
