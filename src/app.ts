import type { Logger } from 'pino';
import { API_COMPONENTS } from './api-components.ts';
import { registerAudit } from './modules/audit/audit.routes.ts';
import { registerAuth } from './modules/auth/auth.routes.ts';
import { registerAzure, registerAzureJobs } from './modules/azure/index.ts';
import { registerBilling } from './modules/billing/billing.routes.ts';
import { registerBillingJobs, registerInvoices } from './modules/billing/index.ts';
import { registerCatalog } from './modules/catalog/catalog.routes.ts';
import { offersById } from './modules/catalog/index.ts';
import { registerClock } from './modules/clock/clock.routes.ts';
import { registerCredits } from './modules/credits/credits.routes.ts';
import { registerDelegatedAdminJobs } from './modules/delegated-admin/delegated-admin.jobs.ts';
import { registerDelegatedAdmin } from './modules/delegated-admin/delegated-admin.routes.ts';
import { registerHome } from './modules/home/index.ts';
import { registerIndirect } from './modules/indirect/index.ts';
import { assignedSeatsBySku, moveSkuAssignments, updateUserLicenses } from './modules/licenses/index.ts';
import { registerLicenseJobs } from './modules/licenses/licenses.jobs.ts';
import { registerLicenses } from './modules/licenses/licenses.routes.ts';
import { notifyFromEvents, registerNotifications } from './modules/notifications/index.ts';
import { registerOrders } from './modules/orders/orders.routes.ts';
import { hasUnpublished, publishPending } from './modules/outbox/index.ts';
import { partnerNames } from './modules/partners/index.ts';
import { registerPartners } from './modules/partners/partners.routes.ts';
import { registerRelationships } from './modules/relationships/relationships.routes.ts';
import { registerSubscriptionJobs } from './modules/subscriptions/subscriptions.jobs.ts';
import { registerSubscriptions } from './modules/subscriptions/subscriptions.routes.ts';
import {
  canSeeTenant,
  hasAcceptedRelationship,
  tenantNames,
  tenantSummaries,
} from './modules/tenants/index.ts';
import { registerTenants } from './modules/tenants/tenants.routes.ts';
import { registerTransferJobs } from './modules/transfers/transfers.jobs.ts';
import { registerTransfers } from './modules/transfers/transfers.routes.ts';
import { enqueueRun, registerTransitionJobs } from './modules/transitions/transitions.jobs.ts';
import { countTransitionsByStatus } from './modules/transitions/transitions.repo.ts';
import { registerTransitions } from './modules/transitions/transitions.routes.ts';
import { findUser } from './modules/users/index.ts';
import {
  countPendingDeliveries,
  enqueueDeliveries,
  registerEventJobs,
  registerWebhooks,
} from './modules/webhooks/index.ts';
import { signingSecret } from './platform/auth/signing.ts';
import { PlatformClock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import type { DatabaseHandle } from './platform/db/connect.ts';
import { registerConsole } from './platform/http/console.ts';
import { registerMetrics } from './platform/http/metrics.ts';
import { createServer, type ServerDeps } from './platform/http/server.ts';
import { jobCounts, type Queue } from './platform/queue/queue.ts';
import { inSystemTransaction } from './platform/runtime.ts';

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
  // The outbox's consumers: in-app notifications and webhook deliveries, made once per event.
  const publishOutbox = () =>
    publishPending(
      (fn) => inSystemTransaction(opts.handle, opts.config, opts.log, fn),
      [notifyFromEvents, enqueueDeliveries],
    );
  let stopEventTimer: (() => Promise<void>) | undefined;
  if (opts.queue) {
    await registerTransitionJobs(opts.queue, deps);
    await registerDelegatedAdminJobs(opts.queue, deps);
    await registerLicenseJobs(opts.queue, deps);
    await registerTransferJobs(opts.queue, deps);
    await registerSubscriptionJobs(opts.queue, deps);
    await registerBillingJobs(opts.queue, deps);
    stopEventTimer = await registerEventJobs(opts.queue, deps, publishOutbox, () =>
      hasUnpublished(opts.handle.db),
    );
    await registerAzureJobs(opts.queue, deps);
  }
  const { app, routes, buildSerializers } = await createServer(deps, API_COMPONENTS);
  if (stopEventTimer) app.addHook('onClose', stopEventTimer);
  registerMetrics(app, deps, [
    {
      name: 'traslado_transitions',
      help: 'Transitions by status',
      labelNames: ['status'],
      collect: async () =>
        (await countTransitionsByStatus(opts.handle.db)).map((r) => ({
          labels: { status: r.status },
          value: r.count,
        })),
    },
    {
      name: 'traslado_jobs',
      help: 'Jobs in the durable queue, by queue and state',
      labelNames: ['queue', 'state'],
      collect: async () =>
        (await jobCounts(opts.handle)).map((r) => ({
          labels: { queue: r.queue, state: r.state },
          value: r.count,
        })),
    },
    {
      name: 'traslado_queue_depth',
      help: 'Jobs waiting to run (created or to be retried), by queue',
      labelNames: ['queue'],
      collect: async () => {
        const depth = new Map<string, number>();
        for (const r of await jobCounts(opts.handle))
          depth.set(
            r.queue,
            (depth.get(r.queue) ?? 0) + (r.state === 'created' || r.state === 'retry' ? r.count : 0),
          );
        return [...depth].map(([queue, value]) => ({ labels: { queue }, value }));
      },
    },
    {
      name: 'traslado_webhook_deliveries_pending',
      help: 'Webhook deliveries not yet delivered nor given up on',
      labelNames: [],
      collect: async () => [{ labels: {}, value: await countPendingDeliveries(opts.handle.db) }],
    },
  ]);

  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['platform'], summary: 'Liveness', security: [] } },
    async () => ({ status: 'ok' }),
  );
  registerAuth(app, deps);
  registerPartners(app, deps);
  registerTenants(app, deps, { updateUserLicenses });
  registerRelationships(app, deps);
  registerDelegatedAdmin(app, deps);
  registerCredits(app, deps);
  registerBilling(app, deps, { tenantNames, partnerReachesTenant: hasAcceptedRelationship });
  registerCatalog(app, deps);
  registerSubscriptions(app, deps, { assignedSeatsBySku, moveSkuAssignments });
  registerOrders(app, deps);
  registerLicenses(app, deps);
  // Audit sits below the modules whose rows it names: they hand in their readers here.
  registerAudit(app, deps, {
    namesOf: async (db, refs) => {
      const names = new Map<string, string>();
      for (const [id, name] of await tenantNames({ db }, refs.tenantIds)) names.set(id, name);
      for (const [id, name] of await partnerNames({ db }, refs.partnerIds)) names.set(id, name);
      for (const [id, offer] of await offersById(db, refs.offerIds)) names.set(id, offer.name);
      for (const id of new Set(refs.userIds)) {
        const user = await findUser(db, id);
        if (user) names.set(id, user.email);
      }
      return names;
    },
  });
  registerClock(app, deps);
  registerTransitions(app, deps);
  registerHome(app, deps);
  registerTransfers(app, deps);
  registerIndirect(app, deps);
  // Billing imports no module that may import it back: it is handed the tenants' reader here.
  registerInvoices(app, deps, { customersOf: (db, ids) => tenantSummaries({ db }, ids) });
  registerNotifications(app, deps);
  registerWebhooks(app, deps);
  registerAzure(app, deps);
  registerConsole(app);

  await app.ready();
  return { app, deps, routes, publishOutbox, buildSerializers };
}
