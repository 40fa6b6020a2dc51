import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, PageQuery } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { PasswordLinkView, UserView } from '../auth/index.ts';
import {
  AddPartnerUserBody,
  CreatePartnerBody,
  PartnerPage,
  PartnerView,
  SetRolesBody,
  UserAccessBody,
  UserPage,
  UserParams,
} from './partners.schemas.ts';
import {
  addPartnerUser,
  createPartner,
  getOwnPartner,
  listPartners,
  listPartnerUsers,
  resetPartnerUserPassword,
  setPartnerUserDisabled,
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
  app.patch(
    '/api/partner/users/:userId',
    {
      config: { action: 'partner.manage-access' },
      schema: {
        tags: ['partners'],
        summary:
          'Disable a user (its sessions and API tokens stop at once) or enable it again; the last account admin cannot be disabled',
        params: UserParams,
        body: UserAccessBody,
        response: { 200: UserView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        setPartnerUserDisabled(ctx, { userId: req.params.userId, disabled: req.body.disabled }),
      ),
  );
  app.post(
    '/api/partner/users/:userId/password-reset',
    {
      config: { action: 'partner.manage-access' },
      schema: {
        tags: ['partners'],
        summary:
          "Reset a user's password: answers a one-time set-password link to hand over (shown once); no password is set here",
        params: UserParams,
        response: { 201: PasswordLinkView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => resetPartnerUserPassword(ctx, req.params), { status: 201 }),
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
