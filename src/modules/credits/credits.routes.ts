import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  CreditParams,
  CreditQuery,
  CreditRequestPage,
  CreditRequestView,
  DecisionBody,
  FileCreditBody,
} from './credits.schemas.ts';
import {
  decideCredit,
  fileCreditRequest,
  listAllCreditRequests,
  listCustomerCreditRequests,
  listTenantCreditRequests,
} from './credits.service.ts';

export function registerCredits(app: App, deps: ServerDeps) {
  app.post(
    '/api/tenant/credit-requests',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['tenant'],
        summary: 'Ask billing support for a credit on a subscription bought direct',
        body: FileCreditBody,
        response: { 201: CreditRequestView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => fileCreditRequest(ctx, { tenantId: ctx.actor.tenantId!, ...req.body }),
        { status: 201 },
      ),
  );
  app.get(
    '/api/tenant/credit-requests',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: "Your tenant's credit requests and their status",
        querystring: CreditQuery,
        response: { 200: CreditRequestPage, ...errorResponses },
      },
    },
    async (req) => listTenantCreditRequests(readContext(deps, req), req.query),
  );
  app.post(
    '/api/customers/:tenantId/credit-requests',
    {
      config: { action: 'credits.file' },
      schema: {
        tags: ['credits'],
        summary:
          "File a credit request on the customer's behalf (needs delegated admin; else the customer files it)",
        params: TenantParams,
        body: FileCreditBody,
        response: { 201: CreditRequestView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => fileCreditRequest(ctx, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
  app.get(
    '/api/customers/:tenantId/credit-requests',
    {
      config: { action: 'customers.read' },
      schema: {
        tags: ['credits'],
        summary: 'The credit requests you filed for this customer and their status',
        params: TenantParams,
        querystring: CreditQuery,
        response: { 200: CreditRequestPage, ...errorResponses },
      },
    },
    async (req) =>
      listCustomerCreditRequests(readContext(deps, req), { tenantId: req.params.tenantId, ...req.query }),
  );
  app.get(
    '/api/admin/credit-requests',
    {
      config: { action: 'operator.billing' },
      schema: {
        tags: ['operator'],
        summary: "Billing support's queue of credit requests",
        querystring: CreditQuery,
        response: { 200: CreditRequestPage, ...errorResponses },
      },
    },
    async (req) => listAllCreditRequests(readContext(deps, req), req.query),
  );
  app.post(
    '/api/admin/credit-requests/:id/decision',
    {
      config: { action: 'operator.billing' },
      schema: {
        tags: ['operator'],
        summary: 'Approve (with the amount, in minor units) or reject a credit request',
        params: CreditParams,
        body: DecisionBody,
        response: { 200: CreditRequestView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => decideCredit(ctx, { id: req.params.id, ...req.body })),
  );
}
