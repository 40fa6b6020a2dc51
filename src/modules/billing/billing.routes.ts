import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  BillingLinePage,
  MarginHistoryQuery,
  MarginHistoryView,
  MarginsQuery,
  MarginsView,
  PriceRulesBody,
  PriceRulesView,
  StatementParams,
  StatementView,
  UnbilledQuery,
} from './billing.schemas.ts';
import {
  type BillingPorts,
  customerStatement,
  listPriceRules,
  listUnbilled,
  marginHistory,
  margins,
  setPriceRules,
} from './billing.service.ts';

export function registerBilling(app: App, deps: ServerDeps, ports: BillingPorts) {
  app.get(
    '/api/billing/unbilled',
    {
      config: { action: 'billing.read' },
      schema: {
        tags: ['billing'],
        summary: 'The billing lines no invoice holds yet (the current month), with cost and customer price',
        querystring: UnbilledQuery,
        response: { 200: BillingLinePage, ...errorResponses },
      },
    },
    async (req) => listUnbilled(readContext(deps, req), req.query),
  );
  app.get(
    '/api/partner/price-rules',
    {
      config: { action: 'billing.price-rules' },
      schema: {
        tags: ['billing'],
        summary: "The partner's customer price rules (markup per offer, optionally per customer)",
        response: { 200: PriceRulesView, ...errorResponses },
      },
    },
    async (req) => listPriceRules(readContext(deps, req)),
  );
  app.put(
    '/api/partner/price-rules',
    {
      config: { action: 'billing.price-rules' },
      schema: {
        tags: ['billing'],
        summary: "Replace the partner's price rules; lines written from now on carry the new customer prices",
        body: PriceRulesBody,
        response: { 200: PriceRulesView, ...errorResponses },
      },
    },
    async (req, reply) => runInTransaction(deps, req, reply, (ctx) => setPriceRules(ctx, ports, req.body)),
  );
  app.get(
    '/api/customers/:tenantId/statements/:month',
    {
      config: { action: 'billing.read' },
      schema: {
        tags: ['billing'],
        summary: "A customer's statement for a month: its lines at customer price, totals per currency",
        params: StatementParams,
        response: { 200: StatementView, ...errorResponses },
      },
    },
    async (req) => customerStatement(readContext(deps, req), req.params),
  );
  app.get(
    '/api/billing/margins',
    {
      config: { action: 'billing.read' },
      schema: {
        tags: ['billing'],
        summary: 'Per customer and currency: monthly recurring revenue, cost and margin',
        querystring: MarginsQuery,
        response: { 200: MarginsView, ...errorResponses },
      },
    },
    async (req) => margins(readContext(deps, req), ports, req.query),
  );
  app.get(
    '/api/billing/margins/history',
    {
      config: { action: 'billing.read' },
      schema: {
        tags: ['billing'],
        summary: "The partner's charged totals per month and currency (revenue, cost, margin)",
        querystring: MarginHistoryQuery,
        response: { 200: MarginHistoryView, ...errorResponses },
      },
    },
    async (req) => marginHistory(readContext(deps, req), req.query),
  );
}
