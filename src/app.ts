import type { Logger } from 'pino';
import { registerAudit } from './modules/audit/audit.routes.ts';
import { registerAuth } from './modules/auth/auth.routes.ts';
import { registerAzure, registerAzureJobs } from './modules/azure/index.ts';
import { registerCatalog } from './modules/catalog/catalog.routes.ts';
import { registerClock } from './modules/clock/clock.routes.ts';
import { registerCredits } from './modules/credits/credits.routes.ts';
import { registerDelegatedAdminJobs } from './modules/delegated-admin/delegated-admin.jobs.ts';
import { registerDelegatedAdmin } from './modules/delegated-admin/delegated-admin.routes.ts';
import { registerIndirect } from './modules/indirect/index.ts';
import { registerLicenseJobs } from './modules/licenses/licenses.jobs.ts';
import { registerLicenses } from './modules/licenses/licenses.routes.ts';
import { registerOrders } from './modules/orders/orders.routes.ts';
import { registerPartners } from './modules/partners/partners.routes.ts';
import { registerRelationships } from './modules/relationships/relationships.routes.ts';
import { canSeeTenant } from './modules/relationships/relationships.scope.ts';
import { registerSubscriptions } from './modules/subscriptions/subscriptions.routes.ts';
import { registerTenants } from './modules/tenants/tenants.routes.ts';
import { registerTransferJobs } from './modules/transfers/transfers.jobs.ts';
import { registerTransfers } from './modules/transfers/transfers.routes.ts';
import { enqueueRun, registerTransitionJobs } from './modules/transitions/transitions.jobs.ts';
import { registerTransitions } from './modules/transitions/transitions.routes.ts';
import { signingSecret } from './platform/auth/signing.ts';
import { PlatformClock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import type { DatabaseHandle } from './platform/db/connect.ts';
import { registerConsole } from './platform/http/console.ts';
import { createServer, type ServerDeps } from './platform/http/server.ts';
import type { Queue } from './platform/queue/queue.ts';

/**
 * The composition root: the one file that knows every module. Each module exports a
 * `register…(app, deps)`; add new ones here.
 */
export async function buildApp(opts: {
  handle: DatabaseHandle;
  config: Config;
  log: Logger;
  clock?: PlatformClock;
  /** Start the durable job queue and its workers in this process (the server does; tests that apply plans do). */
  queue?: Queue;
}) {
  const clock = opts.clock ?? new PlatformClock(opts.handle.db);
  await clock.refresh(true);
  // The invitation-signing secret is made at first start (unless TRASLADO_SECRET gives one).
  await signingSecret(opts.handle.db, opts.config);
  const deps: ServerDeps = {
    handle: opts.handle,
    clock,
    config: opts.config,
    log: opts.log,
    canSeeTenant,
    ...(opts.queue ? { queue: opts.queue } : {}),
  };
  // A transition waiting on a partner-to-partner transfer runs again once the source answers.
  if (opts.queue) {
    const queue = opts.queue;
    deps.transferDecided = (trx, transitionId) => enqueueRun(queue, trx, transitionId);
  }
  if (opts.queue) {
    await registerTransitionJobs(opts.queue, deps);
    await registerDelegatedAdminJobs(opts.queue, deps);
    await registerLicenseJobs(opts.queue, deps);
    await registerTransferJobs(opts.queue, deps);
    await registerAzureJobs(opts.queue, deps);
  }
  const { app, routes } = await createServer(deps);

  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['platform'], summary: 'Liveness', security: [] } },
    async () => ({ status: 'ok' }),
  );
  registerAuth(app, deps);
  registerPartners(app, deps);
  registerTenants(app, deps);
  registerRelationships(app, deps);
  registerDelegatedAdmin(app, deps);
  registerCredits(app, deps);
  registerCatalog(app, deps);
  registerSubscriptions(app, deps);
  registerOrders(app, deps);
  registerLicenses(app, deps);
  registerAudit(app, deps);
  registerClock(app, deps);
  registerTransitions(app, deps);
  registerTransfers(app, deps);
  registerIndirect(app, deps);
  registerAzure(app, deps);
  registerConsole(app);

  await app.ready();
  return { app, deps, routes };
}
