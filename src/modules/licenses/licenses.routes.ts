import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, PageQuery, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  BulkLicenseUpdateBody,
  LicensedUserList,
  LicensedUserPage,
  LicensedUserView,
  LicenseUpdateBody,
  SeatPoolPage,
  UserParams,
} from './licenses.schemas.ts';
import {
  listSeatPools,
  listTenantUsers,
  updateLicensesInBulk,
  updateUserLicenses,
} from './licenses.service.ts';

export function registerLicenses(app: App, deps: ServerDeps) {
  app.get(
    '/api/customers/:tenantId/users',
    {
      config: { action: 'licenses.read' },
      schema: {
        tags: ['licenses'],
        summary: "The customer's users with their SKUs, service plans and access (needs delegated admin)",
        params: TenantParams,
        querystring: PageQuery,
        response: { 200: LicensedUserPage, ...errorResponses },
      },
    },
    async (req) => listTenantUsers(readContext(deps, req), { ...req.params, ...req.query }),
  );
  app.get(
    '/api/customers/:tenantId/seat-pools',
    {
      config: { action: 'licenses.read' },
      schema: {
        tags: ['licenses'],
        summary: 'Seats per SKU from every channel, assignments, and which users are without access',
        params: TenantParams,
        response: { 200: SeatPoolPage, ...errorResponses },
      },
    },
    async (req) => listSeatPools(readContext(deps, req), req.params),
  );
  app.post(
    '/api/customers/:tenantId/users/:userId/license-updates',
    {
      config: { action: 'licenses.manage' },
      schema: {
        tags: ['licenses'],
        summary: "Assign and remove a user's SKUs in one step (needs delegated admin)",
        params: UserParams,
        body: LicenseUpdateBody,
        response: { 201: LicensedUserView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => updateUserLicenses(ctx, { ...req.params, ...req.body }), {
        status: 201,
      }),
  );
  app.post(
    '/api/customers/:tenantId/license-updates',
    {
      config: { action: 'licenses.manage' },
      schema: {
        tags: ['licenses'],
        summary:
          "Assign and remove many users' SKUs in one transaction, all or nothing (needs delegated admin)",
        params: TenantParams,
        body: BulkLicenseUpdateBody,
        response: { 201: LicensedUserList, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => updateLicensesInBulk(ctx, { ...req.params, ...req.body }), {
        status: 201,
      }),
  );
}
