import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, PageQuery, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { OrderPage, OrderParams, OrderView, PlaceOrderBody } from './orders.schemas.ts';
import { getOrder, listOrders, placeOrder } from './orders.service.ts';

export function registerOrders(app: App, deps: ServerDeps) {
  app.post(
    '/api/customers/:tenantId/orders',
    {
      config: { action: 'orders.create' },
      schema: {
        tags: ['orders'],
        summary: 'Order offers for the customer (idempotent under Idempotency-Key)',
        params: TenantParams,
        body: PlaceOrderBody,
        response: { 201: OrderView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => placeOrder(ctx, { tenantId: req.params.tenantId, ...req.body }),
        {
          status: 201,
        },
      ),
  );
  app.get(
    '/api/customers/:tenantId/orders',
    {
      config: { action: 'subscriptions.read' },
      schema: {
        tags: ['orders'],
        summary: 'Your orders for the customer, newest first',
        params: TenantParams,
        querystring: PageQuery,
        response: { 200: OrderPage, ...errorResponses },
      },
    },
    async (req) => listOrders(readContext(deps, req), { ...req.params, ...req.query }),
  );
  app.get(
    '/api/customers/:tenantId/orders/:orderId',
    {
      config: { action: 'subscriptions.read' },
      schema: {
        tags: ['orders'],
        summary: 'One of your orders with the subscriptions it created',
        params: OrderParams,
        response: { 200: OrderView, ...errorResponses },
      },
    },
    async (req) => getOrder(readContext(deps, req), req.params),
  );
}
