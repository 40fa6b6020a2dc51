import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { listSeatGraceTasks } from '../licenses/index.ts';
import {
  CustomerTaskPage,
  PlanOptionsBody,
  TransitionListQuery,
  TransitionPage,
  TransitionParams,
  TransitionView,
} from './transitions.schemas.ts';
import {
  applyTransition,
  getTransition,
  listCustomerTasks,
  listTransitions,
  planCustomerTransition,
} from './transitions.service.ts';

export function registerTransitions(app: App, deps: ServerDeps) {
  app.post(
    '/api/customers/:tenantId/transitions',
    {
      config: { action: 'transitions.plan' },
      schema: {
        tags: ['transitions'],
        summary: 'Plan a transition (dry run: nothing changes)',
        params: TenantParams,
        body: PlanOptionsBody,
        response: { 201: TransitionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => planCustomerTransition(ctx, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
  app.get(
    '/api/customers/:tenantId/transitions',
    {
      config: { action: 'transitions.plan' },
      schema: {
        tags: ['transitions'],
        summary: "A customer's transitions",
        params: TenantParams,
        querystring: TransitionListQuery,
        response: { 200: TransitionPage, ...errorResponses },
      },
    },
    async (req) => listTransitions(readContext(deps, req), { tenantId: req.params.tenantId, ...req.query }),
  );
  app.get(
    '/api/transitions/:transitionId',
    {
      config: { action: 'transitions.plan' },
      schema: {
        tags: ['transitions'],
        summary: 'A transition: its plan, status and per-step progress',
        params: TransitionParams,
        response: { 200: TransitionView, ...errorResponses },
      },
    },
    async (req) => getTransition(readContext(deps, req), req.params),
  );
  app.post(
    '/api/transitions/:transitionId/apply',
    {
      config: { action: 'transitions.apply' },
      schema: {
        tags: ['transitions'],
        summary: 'Apply a ready plan (idempotent): steps run as durable jobs; follow progress with GET',
        params: TransitionParams,
        response: { 202: TransitionView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => applyTransition(ctx, deps.queue, req.params), {
        status: 202,
      }),
  );
  app.get(
    '/api/tenant/tasks',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary:
          "What partners' transitions wait on you to do (e.g. turn auto-renew off on a direct subscription)",
        response: { 200: CustomerTaskPage, ...errorResponses },
      },
    },
    async (req) => {
      const ctx = readContext(deps, req);
      const tasks = await listCustomerTasks(ctx);
      // Seats over-assigned after a reduction: the licenses module's tasks, after the transitions'.
      return { ...tasks, items: [...tasks.items, ...(await listSeatGraceTasks(ctx))] };
    },
  );
}
