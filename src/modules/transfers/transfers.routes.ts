import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  ApproveTransferBody,
  RequestTransferBody,
  TransferPage,
  TransferParams,
  TransferQuery,
  TransferView,
} from './transfers.schemas.ts';
import {
  decideTransfer,
  getTransfer,
  listPartnerTransfers,
  listTenantTransfers,
  requestTransfer,
} from './transfers.service.ts';

export function registerTransfers(app: App, deps: ServerDeps) {
  app.post(
    '/api/customers/:tenantId/transfers',
    {
      config: { action: 'transfers.request' },
      schema: {
        tags: ['transfers'],
        summary: "Ask the customer's partner of record to transfer its subscriptions to you",
        params: TenantParams,
        body: RequestTransferBody,
        response: { 201: TransferView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => requestTransfer(ctx, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
  app.get(
    '/api/transfers',
    {
      config: { action: 'transfers.read' },
      schema: {
        tags: ['transfers'],
        summary: 'Transfers you asked for (outgoing) and those asked of you (incoming)',
        querystring: TransferQuery,
        response: { 200: TransferPage, ...errorResponses },
      },
    },
    async (req) => listPartnerTransfers(readContext(deps, req), req.query),
  );
  app.get(
    '/api/transfers/:id',
    {
      config: { action: 'transfers.read' },
      schema: {
        tags: ['transfers'],
        summary: 'One transfer, with its line items',
        params: TransferParams,
        response: { 200: TransferView, ...errorResponses },
      },
    },
    async (req) => getTransfer(readContext(deps, req), req.params),
  );
  app.post(
    '/api/transfers/:id/approve',
    {
      config: { action: 'transfers.decide' },
      schema: {
        tags: ['transfers'],
        summary: 'As partner of record, give these whole subscriptions to the partner that asked',
        params: TransferParams,
        body: ApproveTransferBody,
        response: { 200: TransferView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        decideTransfer(ctx, {
          id: req.params.id,
          decision: 'approved',
          subscriptionIds: req.body.subscriptionIds,
          onDecided: deps.transferDecided,
        }),
      ),
  );
  app.post(
    '/api/transfers/:id/reject',
    {
      config: { action: 'transfers.decide' },
      schema: {
        tags: ['transfers'],
        summary: 'As partner of record, refuse the transfer: the subscriptions stay yours',
        params: TransferParams,
        response: { 200: TransferView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        decideTransfer(ctx, { id: req.params.id, decision: 'rejected', onDecided: deps.transferDecided }),
      ),
  );
  app.get(
    '/api/tenant/transfers',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: 'Every partner-to-partner transfer of your subscriptions',
        querystring: TransferQuery,
        response: { 200: TransferPage, ...errorResponses },
      },
    },
    async (req) => listTenantTransfers(readContext(deps, req), req.query),
  );
}
