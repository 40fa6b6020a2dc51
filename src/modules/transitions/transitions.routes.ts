import { answerList } from '../../platform/http/list.ts';
import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { listSeatGraceTasks } from '../licenses/index.ts';
import { BOOK_CSV, bookFilter, countBook, listBook } from './transitions.book.ts';
import { BOOK_SORTS } from './transitions.repo.ts';
import { bulkRunTransitionIds, getBulkRun, listBulkRuns } from './transitions.runs.ts';
import {
  BookPage,
  BookQuery,
  BulkRunPage,
  BulkRunParams,
  BulkRunQuery,
  BulkRunView,
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
    '/api/transitions',
    {
      config: { action: 'transitions.plan' },
      schema: {
        tags: ['transitions'],
        summary:
          'Every transition of your book across customers, each naming its customer and its group; sorted, filtered, counted; CSV with Accept: text/csv',
        querystring: BookQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: BookPage, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = readContext(deps, req);
      const { runId, ...query } = req.query;
      const ids = runId ? await bulkRunTransitionIds(ctx, runId) : undefined;
      const filter = bookFilter(ctx, query, ids);
      return answerList(req, reply, {
        query,
        sorts: BOOK_SORTS,
        defaultSort: { field: 'createdAt', direction: 'desc' },
        fetch: (w) => listBook(ctx, filter, w),
        count: () => countBook(ctx, filter),
        csv: { filename: 'transitions.csv', columns: BOOK_CSV },
      });
    },
  );
  app.get(
    '/api/bulk-plan-runs',
    {
      config: { action: 'transitions.plan' },
      schema: {
        tags: ['transitions'],
        summary: 'Your bulk plan runs (traslado plan), newest first, with their counts by verdict',
        querystring: BulkRunQuery,
        response: { 200: BulkRunPage, ...errorResponses },
      },
    },
    async (req) => listBulkRuns(readContext(deps, req), req.query),
  );
  app.get(
    '/api/bulk-plan-runs/:runId',
    {
      config: { action: 'transitions.plan' },
      schema: {
        tags: ['transitions'],
        summary:
          "A bulk plan run's report: counts by verdict, each customer with its verdict, reasons and transition",
        params: BulkRunParams,
        response: { 200: BulkRunView, ...errorResponses },
      },
    },
    async (req) => getBulkRun(readContext(deps, req), req.params),
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
