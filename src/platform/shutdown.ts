import type { Logger } from 'pino';
import { closeHttp } from './http/drain.ts';
import type { App } from './http/server.ts';
import { type Queue, stopQueue } from './queue/queue.ts';

/**
 * Stops a running app in the one safe order, for the server's signals and the test fixture alike:
 * 1. HTTP: stop listening, finish the requests under way, close kept-alive sockets as they fall
 *    quiet (bounded by `timeoutMs`);
 * 2. the job queue: stop fetching, let the jobs under way settle (bounded by `timeoutMs`);
 * 3. only then the database, which requests and jobs needed until they were done.
 * The database is closed even when a step before it failed.
 */
export async function shutDown(parts: {
  app: App;
  queue?: Queue | undefined;
  closeDatabase: () => Promise<void>;
  timeoutMs: number;
  log: Logger;
}): Promise<void> {
  const { app, queue, timeoutMs, log } = parts;
  try {
    await closeHttp(app.server, () => app.close(), timeoutMs, log);
    log.debug('shutdown: HTTP closed');
    if (queue) await stopQueue(queue, timeoutMs, log);
    log.debug('shutdown: job queue stopped');
  } finally {
    await parts.closeDatabase();
    log.debug('shutdown: database closed');
  }
}
