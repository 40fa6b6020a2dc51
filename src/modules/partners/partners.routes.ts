import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, PageQuery } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { UserView } from '../auth/auth.schemas.ts';
import {
  AddPartnerUserBody,
  CreatePartnerBody,
  PartnerPage,
  PartnerView,
  SetRolesBody,
  UserPage,
  UserParams,
} from './partners.schemas.ts';
import {
  addPartnerUser,
  createPartner,
  getOwnPartner,
  listPartners,
  listPartnerUsers,
  setPartnerUserRoles,
} from './partners.service.ts';

export function registerPartners(app: App, deps: ServerDeps) {
  app.get(
    '/api/partner',
    {
      config: { action: 'partner.read' },
      schema: {
        tags: ['partners'],
        summary: 'Your partner organisation',
        response: { 200: PartnerView, ...errorResponses },
      },
    },
    async (req) => getOwnPartner(readContext(deps, req)),
  );
  app.get(
    '/api/partner/users',
    {
      config: { action: 'partner.read' },
      schema: {
        tags: ['partners'],
        summary: 'Users of your partner organisation',
        querystring: PageQuery,
        response: { 200: UserPage, ...errorResponses },
      },
    },
    async (req) => listPartnerUsers(readContext(deps, req), req.query),
  );
  app.post(
    '/api/partner/users',
    {
      config: { action: 'partner.manage-users' },
      schema: {
        tags: ['partners'],
        summary: 'Add a user with roles',
        body: AddPartnerUserBody,
        response: { 201: UserView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => addPartnerUser(ctx, req.body), { status: 201 }),
  );
  app.put(
    '/api/partner/users/:userId/roles',
    {
      config: { action: 'partner.manage-users' },
      schema: {
        tags: ['partners'],
        summary: "Replace a user's roles",
        params: UserParams,
        body: SetRolesBody,
        response: { 200: UserView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        setPartnerUserRoles(ctx, { userId: req.params.userId, roles: req.body.roles }),
      ),
  );
  app.post(
    '/api/admin/partners',
    {
      config: { action: 'operator.tenants' },
      schema: {
        tags: ['operator'],
        summary: 'Onboard a partner (optionally with its first account admin)',
        body: CreatePartnerBody,
        response: { 201: PartnerView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => createPartner(ctx, req.body), { status: 201 }),
  );
  app.get(
    '/api/admin/partners',
    {
      config: { action: 'operator.tenants' },
      schema: {
        tags: ['operator'],
        summary: 'Every partner',
        querystring: PageQuery,
        response: { 200: PartnerPage, ...errorResponses },
      },
    },
    async (req) => listPartners(readContext(deps, req), req.query),
  );
}
