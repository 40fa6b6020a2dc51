import type { Db, Trx } from '../../platform/db/database.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { answerList } from '../../platform/http/list.ts';
import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { subscriptionHistory } from './subscriptions.history.ts';
import type { AssignedSeatsBySku } from './subscriptions.repo.ts';
import {
  ChangedSubscriptionView,
  ChangeOwnSubscriptionBody,
  ChangeSubscriptionBody,
  OwnSubscriptionParams,
  RecordSubscriptionBody,
  SubscriptionHistoryPage,
  SubscriptionListPage,
  SubscriptionListQuery,
  SubscriptionPage,
  SubscriptionsQuery,
  SubscriptionView,
  TenantSubscriptionParams,
  UpgradeBody,
  UpgradedSubscriptionView,
  UpgradeOptions,
} from './subscriptions.schemas.ts';
import {
  changeCustomerSubscription,
  changeOwnSubscription,
  getCustomerSubscription,
  listCustomerSubscriptions,
  listOwnSubscriptions,
  recordSubscription,
  SUBSCRIPTION_CSV,
  SUBSCRIPTION_SORTS,
  type SubscriptionSort,
  sortedCustomerSubscriptions,
} from './subscriptions.service.ts';
import { type MoveSkuAssignments, upgradeOptions, upgradeSubscription } from './subscriptions.upgrade.ts';

/**
 * `seats`: the licenses module's assigned-seat reader and its assignment mover (upgrades), handed
 * in by app.ts (see PoolCtx; licenses sits above this module).
 */
export function registerSubscriptions(
  app: App,
  deps: ServerDeps,
  seats: { assignedSeatsBySku: AssignedSeatsBySku; moveSkuAssignments: MoveSkuAssignments },
) {
  const pooled = <D extends Db | Trx>(ctx: Ctx<D>) => ({
    ...ctx,
    assignedSeatsBySku: seats.assignedSeatsBySku,
  });
  app.get(
    '/api/customers/:tenantId/subscriptions',
    {
      config: { action: 'subscriptions.read' },
      schema: {
        tags: ['subscriptions'],
        summary:
          'Every subscription of the customer, from every channel, marked with whether you may change it',
        params: TenantParams,
        querystring: SubscriptionListQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: SubscriptionListPage, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = pooled(readContext(deps, req));
      const { channel, status, ...paging } = req.query;
      const filter = {
        tenantId: req.params.tenantId,
        ...(channel ? { channel } : {}),
        ...(status ? { status } : {}),
      };
      // The tenant's whole list, once per request: every window (and the count) reads it.
      const all = new Map<string, ReturnType<typeof sortedCustomerSubscriptions>>();
      const sorted = (sort: { field: SubscriptionSort; direction: 'asc' | 'desc' }) => {
        const k = `${sort.field}:${sort.direction}`;
        if (!all.has(k)) all.set(k, sortedCustomerSubscriptions(ctx, filter, sort));
        return all.get(k)!;
      };
      return answerList(req, reply, {
        query: paging,
        sorts: SUBSCRIPTION_SORTS,
        defaultSort: { field: 'createdAt', direction: 'asc' },
        fetch: async (w) => (await sorted(w.sort)).slice(w.offset, w.offset + w.limit),
        count: async (sort) => (await sorted(sort)).length,
        // The pinned page stays two statements (test/e2e/read-path.test.ts): its total only when sorted.
        keysetTotal: false,
        ...(status === undefined
          ? {
              keyset: () =>
                listCustomerSubscriptions(ctx, {
                  ...req.params,
                  ...paging,
                  ...(channel ? { channel } : {}),
                }),
            }
          : {}),
        csv: { filename: 'subscriptions.csv', columns: SUBSCRIPTION_CSV },
      });
    },
  );
  app.get(
    '/api/customers/:tenantId/subscriptions/:id',
    {
      config: { action: 'subscriptions.read' },
      schema: {
        tags: ['subscriptions'],
        summary: 'One subscription of the customer',
        params: TenantSubscriptionParams,
        response: { 200: SubscriptionView, ...errorResponses },
      },
    },
    async (req) => getCustomerSubscription(pooled(readContext(deps, req)), req.params),
  );
  app.patch(
    '/api/customers/:tenantId/subscriptions/:id',
    {
      config: { action: 'subscriptions.manage' },
      schema: {
        tags: ['subscriptions'],
        summary: 'Change your own subscription: seats, auto-renew, suspend, reactivate, cancel',
        params: TenantSubscriptionParams,
        body: ChangeSubscriptionBody,
        response: { 200: ChangedSubscriptionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        changeCustomerSubscription(pooled(ctx), { ...req.params, ...req.body }),
      ),
  );
  app.get(
    '/api/customers/:tenantId/subscriptions/:id/history',
    {
      config: { action: 'subscriptions.read' },
      schema: {
        tags: ['subscriptions'],
        summary:
          'Changes of one subscription (seats, auto-renew, status, upgrades), who made them and when, newest first',
        params: TenantSubscriptionParams,
        response: { 200: SubscriptionHistoryPage, ...errorResponses },
      },
    },
    async (req) => subscriptionHistory(readContext(deps, req), req.params),
  );
  app.get(
    '/api/customers/:tenantId/subscriptions/:id/upgrade-options',
    {
      config: { action: 'subscriptions.read' },
      schema: {
        tags: ['subscriptions'],
        summary:
          'Higher offers the subscription may convert to (same family and segment, term and billing cycle, sold in the customer market), with what converting costs today',
        params: TenantSubscriptionParams,
        response: { 200: UpgradeOptions, ...errorResponses },
      },
    },
    async (req) => upgradeOptions(pooled(readContext(deps, req)), req.params),
  );
  app.post(
    '/api/customers/:tenantId/subscriptions/:id/upgrade',
    {
      config: { action: 'subscriptions.manage' },
      schema: {
        tags: ['subscriptions'],
        summary:
          'Convert your subscription to a higher offer: term kept, assigned licenses moved, the rest of the old price credited and of the new one charged',
        params: TenantSubscriptionParams,
        body: UpgradeBody,
        response: { 200: UpgradedSubscriptionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        upgradeSubscription({ ...ctx, ...seats }, { ...req.params, ...req.body }),
      ),
  );
  app.get(
    '/api/tenant/subscriptions',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: "Your tenant's subscriptions from every channel",
        querystring: SubscriptionsQuery,
        response: { 200: SubscriptionPage, ...errorResponses },
      },
    },
    async (req) => listOwnSubscriptions(pooled(readContext(deps, req)), req.query),
  );
  app.patch(
    '/api/tenant/subscriptions/:id',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['tenant'],
        summary: 'Turn auto-renew on or off, or cancel, one of your direct subscriptions',
        params: OwnSubscriptionParams,
        body: ChangeOwnSubscriptionBody,
        response: { 200: ChangedSubscriptionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        changeOwnSubscription(pooled(ctx), { id: req.params.id, ...req.body }),
      ),
  );
  app.post(
    '/api/admin/tenants/:tenantId/subscriptions',
    {
      config: { action: 'operator.tenants' },
      schema: {
        tags: ['operator'],
        summary: 'Record a subscription the tenant holds from any channel',
        params: TenantParams,
        body: RecordSubscriptionBody,
        response: { 201: SubscriptionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => recordSubscription(pooled(ctx), { tenantId: req.params.tenantId, ...req.body }),
        {
          status: 201,
        },
      ),
  );
}
