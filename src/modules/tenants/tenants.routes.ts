import { answerList } from '../../platform/http/list.ts';
import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { UserView } from '../auth/index.ts';
import { TENANT_SORTS } from './tenants.repo.ts';
import {
  CreateCustomerBody,
  CreatedTenantView,
  CreateTenantAccountBody,
  CreateTenantBody,
  CustomerListQuery,
  CustomersQuery,
  DirectoryUserBody,
  DirectoryUserView,
  TenantListPage,
  TenantPage,
  TenantView,
} from './tenants.schemas.ts';
import {
  addDirectoryUser,
  addTenantAccount,
  CUSTOMER_CSV,
  countCustomers,
  createCustomer,
  createTenant,
  customerFilter,
  getCustomer,
  getOwnTenant,
  type LicensingCtx,
  listCustomers,
  sortedCustomers,
  toCreatedTenantView,
} from './tenants.service.ts';

/** `licensing`: the licenses module's `updateUserLicenses`, handed in by app.ts (see LicensingCtx). */
export function registerTenants(
  app: App,
  deps: ServerDeps,
  licensing: Pick<LicensingCtx, 'updateUserLicenses'>,
) {
  app.get(
    '/api/customers',
    {
      config: { action: 'customers.read' },
      schema: {
        tags: ['customers'],
        summary: 'Customers you have a relationship with',
        querystring: CustomerListQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: TenantListPage, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = readContext(deps, req);
      const filter = customerFilter(ctx, req.query);
      const { search, q, country, ...paging } = req.query;
      return answerList(req, reply, {
        query: paging,
        sorts: TENANT_SORTS,
        defaultSort: { field: 'companyName', direction: 'asc' },
        fetch: (w) => sortedCustomers(ctx, filter, w),
        count: () => countCustomers(ctx, filter),
        // Unsorted, unfiltered by country or `q`: the pinned keyset pages, as before.
        ...(q === undefined && country === undefined
          ? { keyset: () => listCustomers(ctx, { ...paging, ...(search ? { search } : {}) }) }
          : {}),
        csv: { filename: 'customers.csv', columns: CUSTOMER_CSV },
      });
    },
  );
  app.get(
    '/api/customers/:tenantId',
    {
      config: { action: 'customers.read' },
      schema: {
        tags: ['customers'],
        summary: 'One customer tenant',
        params: TenantParams,
        response: { 200: TenantView, ...errorResponses },
      },
    },
    async (req) => getCustomer(readContext(deps, req), req.params),
  );
  app.post(
    '/api/customers',
    {
      config: { action: 'customers.create' },
      schema: {
        tags: ['customers'],
        summary:
          'Create a new customer tenant with you as its reseller; its admin (no password) gets a one-time set-password link, shown once',
        body: CreateCustomerBody,
        response: { 201: CreatedTenantView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => createCustomer({ ...ctx, ...licensing }, req.body), {
        status: 201,
      }),
  );
  app.get(
    '/api/tenant',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: 'Your own tenant',
        response: { 200: TenantView, ...errorResponses },
      },
    },
    async (req) => getOwnTenant(readContext(deps, req)),
  );
  app.post(
    '/api/admin/tenants',
    {
      config: { action: 'operator.tenants' },
      schema: {
        tags: ['operator'],
        summary:
          'Create a tenant with its admin and users; an admin without a password gets a one-time set-password link',
        body: CreateTenantBody,
        response: { 201: CreatedTenantView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        async (ctx) => toCreatedTenantView(await createTenant({ ...ctx, ...licensing }, req.body)),
        {
          status: 201,
        },
      ),
  );
  app.get(
    '/api/admin/tenants',
    {
      config: { action: 'operator.tenants' },
      schema: {
        tags: ['operator'],
        summary: 'Every tenant',
        querystring: CustomersQuery,
        response: { 200: TenantPage, ...errorResponses },
      },
    },
    async (req) => listCustomers(readContext(deps, req), req.query),
  );
  app.post(
    '/api/admin/tenants/:tenantId/users',
    {
      config: { action: 'operator.tenants' },
      schema: {
        tags: ['operator'],
        summary: "Add a user to a tenant's directory",
        params: TenantParams,
        body: DirectoryUserBody,
        response: { 201: DirectoryUserView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => addDirectoryUser({ ...ctx, ...licensing }, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
  app.post(
    '/api/admin/tenants/:tenantId/accounts',
    {
      config: { action: 'operator.tenants' },
      schema: {
        tags: ['operator'],
        summary: 'Add a sign-in account to a tenant (global admin or plain user)',
        params: TenantParams,
        body: CreateTenantAccountBody,
        response: { 201: UserView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => addTenantAccount(ctx, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
}
