import type { ServerDeps } from '../../platform/http/server.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { inSystemTransaction } from '../../platform/runtime.ts';
import { sweepSeatGrace } from './licenses.grace.ts';

export const SEAT_GRACE_QUEUE = 'seat-grace';
/** Real time moves on without anyone asking: sweep again within the hour. */
const SWEEP_EVERY_SECONDS = 3600;

/** One sweep, in its own transaction; safe in any number of processes (notices and settlements are rows). */
export async function sweepSeatGraceNow(deps: ServerDeps): Promise<number> {
  return inSystemTransaction(deps.handle, deps.config, deps.log, sweepSeatGrace);
}

/**
 * The seat-grace sweep runs at start, after every clock move (clock.routes sends the job) and then
 * hourly, one per hour slot (pg-boss singleton), like the delegated admin reminders.
 */
export async function registerLicenseJobs(queue: Queue, deps: ServerDeps) {
  await queue.createQueue(SEAT_GRACE_QUEUE);
  await queue.work(SEAT_GRACE_QUEUE, { pollingIntervalSeconds: 1, batchSize: 1 }, async () => {
    // The next sweep is queued whatever this one does: a failed sweep must not end the schedule.
    try {
      await sweepSeatGraceNow(deps);
    } finally {
      await queue.send(
        SEAT_GRACE_QUEUE,
        {},
        { startAfter: SWEEP_EVERY_SECONDS, singletonKey: 'hourly', singletonSeconds: SWEEP_EVERY_SECONDS },
      );
    }
  });
  await queue.send(SEAT_GRACE_QUEUE, {});
}
