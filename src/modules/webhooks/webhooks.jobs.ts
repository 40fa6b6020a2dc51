import type { ServerDeps } from '../../platform/http/server.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { hasDueDelivery } from './webhooks.repo.ts';
import { deliverDue } from './webhooks.service.ts';

/** One queue runs the outbox's publishing and the webhook deliveries after it. */
export const EVENTS_QUEUE = 'outbox-events';
/** One events job at a time (a stately queue); the demo template creates the queue with these too. */
export const EVENTS_QUEUE_OPTIONS = { name: EVENTS_QUEUE, policy: 'stately' } as const;
/** How often the process looks for work (a cheap query; the job is sent only when there is some). */
const WAKE_EVERY_MS = 1000;

/** Publishes pending outbox events, then sends the due deliveries: one run of the events job. */
export async function runEvents(deps: ServerDeps, publish: () => Promise<number>) {
  await deps.clock.refresh(true);
  await publish();
  return deliverDue(deps.handle.db, {
    clock: deps.clock,
    timeoutMs: deps.config.webhookTimeoutMs,
    log: deps.log,
  });
}

/** Asks for a run now (after a replay, say); a run already queued covers it. */
export async function wakeEvents(deps: ServerDeps) {
  await deps.queue?.send(EVENTS_QUEUE, {}, { retryLimit: 3, retryDelay: 5, expireInSeconds: 900 });
}

/**
 * The durable part is the database: unpublished events and pending deliveries are rows. The job
 * (pg-boss, `stately`: one queued and one running at most, across processes) does the work; a
 * timer in each process sends it when a cheap look finds some (an event to publish, a delivery
 * due on the platform clock, so a moved clock brings retries forward). Returns the timer's stop.
 */
export async function registerEventJobs(
  queue: Queue,
  deps: ServerDeps,
  publish: () => Promise<number>,
  hasUnpublished: () => Promise<boolean>,
): Promise<() => Promise<void>> {
  await queue.createQueue(EVENTS_QUEUE, EVENTS_QUEUE_OPTIONS);
  await queue.work(EVENTS_QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async () => {
    await runEvents(deps, publish);
  });
  let stopped = false;
  let looking: Promise<void> | undefined;
  const look = async () => {
    try {
      await deps.clock.refresh();
      if ((await hasUnpublished()) || (await hasDueDelivery(deps.handle.db, deps.clock.now())))
        await wakeEvents(deps);
    } catch (err) {
      deps.log.warn({ err }, 'looking for events to publish failed');
    }
  };
  const timer = setInterval(() => {
    if (stopped || looking) return;
    looking = look().finally(() => {
      looking = undefined;
    });
  }, WAKE_EVERY_MS);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await looking;
  };
}
