import { Type } from '@sinclair/typebox';
import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  AzurePlanLineView,
  AzurePlanView,
  AzureSubscriptionPage,
  AzureSubscriptionParams,
  AzureSubscriptionView,
  AzureTransferPage,
  AzureTransferParams,
  AzureTransferView,
  CreateAzureSubscriptionBody,
  ImportUsageBody,
  ImportUsageResult,
  ListQuery,
  RecordOwnAzureBody,
  RequestAzureTransferBody,
  UpdateAzureSubscriptionBody,
  UsageQuery,
  UsageView,
} from './azure.schemas.ts';
import {
  createAzurePlan,
  createAzureSubscription,
  getAzurePlan,
  listAzureSubscriptions,
  recordOwnAzureSubscription,
  updateAzureSubscription,
} from './azure.service.ts';
import {
  approveAzureTransfer,
  azurePlanLines,
  blockerView,
  getAzureTransfer,
  listAzureTransfers,
  moveAzureTransfer,
  requestAzureTransfer,
} from './azure.transfers.ts';
import { importUsage, parseUsageCsv, readAzureUsage } from './azure.usage.ts';

export function registerAzure(app: App, deps: ServerDeps) {
  // --- The partner: plan, subscriptions, usage ---------------------------------------------
  app.post(
    '/api/customers/:tenantId/azure-plan',
    {
      config: { action: 'azure.manage' },
      schema: {
        tags: ['azure'],
        summary:
          "Create the customer's Azure plan (usage-based; one per customer): answers the plan subscription",
        params: TenantParams,
        response: { 201: AzurePlanView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => createAzurePlan(ctx, { tenantId: req.params.tenantId }), {
        status: 201,
      }),
  );
  app.get(
    '/api/customers/:tenantId/azure-plan',
    {
      config: { action: 'azure.read' },
      schema: {
        tags: ['azure'],
        summary: "The customer's Azure plan with you",
        params: TenantParams,
        response: { 200: AzurePlanView, ...errorResponses },
      },
    },
    async (req) => getAzurePlan(readContext(deps, req), req.params),
  );
  app.post(
    '/api/customers/:tenantId/azure-subscriptions',
    {
      config: { action: 'azure.manage' },
      schema: {
        tags: ['azure'],
        summary: "A new Azure subscription under the customer's Azure plan",
        params: TenantParams,
        body: CreateAzureSubscriptionBody,
        response: { 201: AzureSubscriptionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => createAzureSubscription(ctx, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
  app.get(
    '/api/customers/:tenantId/azure-subscriptions',
    {
      config: { action: 'azure.read' },
      schema: {
        tags: ['azure'],
        summary: "The customer's Azure subscriptions: yours, and its own (bought elsewhere)",
        params: TenantParams,
        querystring: ListQuery,
        response: { 200: AzureSubscriptionPage, ...errorResponses },
      },
    },
    async (req) =>
      listAzureSubscriptions(readContext(deps, req), { tenantId: req.params.tenantId, ...req.query }),
  );
  app.patch(
    '/api/customers/:tenantId/azure-subscriptions/:id',
    {
      config: { action: 'azure.manage' },
      schema: {
        tags: ['azure'],
        summary: 'Disable (deleted 90 days later) or enable again an Azure subscription of yours; rename it',
        params: AzureSubscriptionParams,
        body: UpdateAzureSubscriptionBody,
        response: { 200: AzureSubscriptionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        updateAzureSubscription(ctx, { tenantId: req.params.tenantId, id: req.params.id, ...req.body }),
      ),
  );
  app.get(
    '/api/customers/:tenantId/azure-usage',
    {
      config: { action: 'azure.read' },
      schema: {
        tags: ['azure'],
        summary: 'Rated usage of your Azure subscriptions of this customer, per subscription, meter and day',
        params: TenantParams,
        querystring: UsageQuery,
        response: { 200: UsageView, ...errorResponses },
      },
    },
    async (req) => readAzureUsage(readContext(deps, req), { tenantId: req.params.tenantId, ...req.query }),
  );

  // --- Moving the customer's own Azure in (SPEC §9) ------------------------------------------
  app.post(
    '/api/customers/:tenantId/azure-transfers',
    {
      config: { action: 'azure.transfer' },
      schema: {
        tags: ['azure'],
        summary:
          "Check, per subscription, how the customer's own Azure subscriptions come into your plan and what blocks them",
        params: TenantParams,
        body: RequestAzureTransferBody,
        response: { 201: AzureTransferView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => requestAzureTransfer(ctx, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
  app.get(
    '/api/customers/:tenantId/azure-transfers',
    {
      config: { action: 'azure.read' },
      schema: {
        tags: ['azure'],
        summary: 'Your Azure transfers for this customer, newest first',
        params: TenantParams,
        querystring: ListQuery,
        response: { 200: AzureTransferPage, ...errorResponses },
      },
    },
    async (req) =>
      listAzureTransfers(readContext(deps, req), { tenantId: req.params.tenantId, ...req.query }),
  );
  app.get(
    '/api/customers/:tenantId/azure-transfer-check',
    {
      config: { action: 'azure.read' },
      schema: {
        tags: ['azure'],
        summary:
          "A dry run: the path and blockers of each of the customer's own Azure subscriptions (nothing saved)",
        params: TenantParams,
        response: { 200: Type.Object({ items: Type.Array(AzurePlanLineView) }), ...errorResponses },
      },
    },
    async (req) => {
      const ctx = readContext(deps, req);
      const lines = await azurePlanLines(ctx, {
        partnerId: ctx.actor.partnerId!,
        tenantId: req.params.tenantId,
      });
      return { items: lines.map((l) => ({ ...l, blockers: l.blockers.map(blockerView) })) };
    },
  );
  app.get(
    '/api/azure-transfers/:id',
    {
      config: { action: 'azure.read' },
      schema: {
        tags: ['azure'],
        summary: 'One Azure transfer, with its lines',
        params: AzureTransferParams,
        response: { 200: AzureTransferView, ...errorResponses },
      },
    },
    async (req) => getAzureTransfer(readContext(deps, req), req.params),
  );
  app.post(
    '/api/azure-transfers/:id/move',
    {
      config: { action: 'azure.transfer' },
      schema: {
        tags: ['azure'],
        summary:
          'Run the resource moves: every resource validated first, then moved into a new subscription under your plan',
        params: AzureTransferParams,
        response: { 200: AzureTransferView, ...errorResponses },
      },
    },
    async (req, reply) => runInTransaction(deps, req, reply, (ctx) => moveAzureTransfer(ctx, req.params)),
  );

  // --- The customer ------------------------------------------------------------------------
  app.get(
    '/api/tenant/azure-subscriptions',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: 'Every Azure subscription of your tenant: your own and those under a partner’s Azure plan',
        querystring: ListQuery,
        response: { 200: AzureSubscriptionPage, ...errorResponses },
      },
    },
    async (req) => listAzureSubscriptions(readContext(deps, req), req.query),
  );
  app.get(
    '/api/tenant/azure-usage',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: 'Rated usage of every Azure subscription of your tenant, per subscription, meter and day',
        querystring: UsageQuery,
        response: { 200: UsageView, ...errorResponses },
      },
    },
    async (req) => readAzureUsage(readContext(deps, req), req.query),
  );
  app.get(
    '/api/tenant/azure-transfers',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: 'Requests of partners to bring your own Azure subscriptions into their Azure plan',
        querystring: ListQuery,
        response: { 200: AzureTransferPage, ...errorResponses },
      },
    },
    async (req) => listAzureTransfers(readContext(deps, req), req.query),
  );
  app.post(
    '/api/tenant/azure-transfers/:id/approve',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['tenant'],
        summary:
          "As the tenant's billing admin, approve a partner's billing transfer of your enterprise subscriptions",
        params: AzureTransferParams,
        response: { 200: AzureTransferView, ...errorResponses },
      },
    },
    async (req, reply) => runInTransaction(deps, req, reply, (ctx) => approveAzureTransfer(ctx, req.params)),
  );

  // --- The operator ------------------------------------------------------------------------
  app.post(
    '/api/admin/tenants/:tenantId/azure-subscriptions',
    {
      config: { action: 'operator.usage' },
      schema: {
        tags: ['operator'],
        summary:
          'Record an Azure subscription the tenant holds on its own (pay-as-you-go, enterprise agreement, ...), with its resources',
        params: TenantParams,
        body: RecordOwnAzureBody,
        response: { 201: AzureSubscriptionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => recordOwnAzureSubscription(ctx, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
  // The usage import also takes a CSV file as its body (`Content-Type: text/csv`), read as `{ csv }`;
  // the parser lives in this one route's scope, so no other route accepts CSV.
  app.register(async (scope: App) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) =>
      done(null, { csv: body }),
    );
    scope.post(
      '/api/azure/usage',
      {
        config: { action: 'operator.usage' },
        schema: {
          tags: ['operator'],
          summary:
            'Import daily rated Azure usage (JSON rows, or CSV: a text/csv body or `{ csv }`): bad rows refused by line, the rest stored once',
          body: ImportUsageBody,
          response: { 200: ImportUsageResult, ...errorResponses },
        },
      },
      async (req, reply) =>
        runInTransaction(deps, req, reply, (ctx) => {
          const body = req.body;
          const rows =
            'csv' in body
              ? parseUsageCsv(body.csv)
              : body.rows.map((row, i) => ({
                  line: i + 1,
                  row: { ...row, quantity: String(row.quantity) },
                }));
          return importUsage(ctx, rows, 'csv' in body ? 'api-csv' : 'api-json');
        }),
    );
  });
}
