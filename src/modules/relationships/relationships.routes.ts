import { fixedClock } from '../../platform/clock.ts';
import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { ErrorBody, errorResponses, PageQuery, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { acceptInvitation, declineInvitation, viewInvitation } from './invitations.service.ts';
import {
  AcceptedInvitationView,
  CreatedRelationshipRequest,
  DeclinedInvitationView,
  InvitationView,
  PartnerParams,
  RelationshipRequestBody,
  RelationshipRequestPage,
  RelationshipRequestsQuery,
  RelationshipRequestView,
  RelationshipView,
  RemoveRelationshipBody,
  RequestParams,
  TenantPartnerPage,
  TokenParams,
} from './relationships.schemas.ts';
import {
  emailInvitation,
  listRelationshipRequests,
  listTenantPartners,
  removeRelationship,
  requestRelationship,
  withdrawRelationshipRequest,
} from './relationships.service.ts';

const tokenErrors = { ...errorResponses, 410: ErrorBody };

export function registerRelationships(app: App, deps: ServerDeps) {
  app.post(
    '/api/relationship-requests',
    {
      config: { action: 'relationships.request' },
      schema: {
        tags: ['relationships'],
        summary:
          'Request a reseller relationship with a tenant (tenantId or domain) or a prospect (neither): returns the invitation link, shown once',
        body: RelationshipRequestBody,
        response: { 201: CreatedRelationshipRequest, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { email, ...body } = req.body;
      let emailed: boolean | undefined;
      const created = await runInTransaction(
        deps,
        req,
        reply,
        async (ctx) => {
          const made = await requestRelationship(ctx, body);
          // The link is mailed once the invitation has committed (a replay mails nothing).
          if (email)
            ctx.afterCommit(async () => {
              emailed = await emailInvitation(readContext(deps, req), {
                to: email,
                url: made.url,
                expiresAt: made.expiresAt,
              });
            });
          return made;
        },
        { status: 201 },
      );
      return emailed === undefined ? created : { ...created, emailed };
    },
  );
  app.get(
    '/api/relationship-requests',
    {
      config: { action: 'relationships.request' },
      schema: {
        tags: ['relationships'],
        summary:
          'Your relationship requests and their status (pending, accepted, declined, expired, withdrawn)',
        querystring: RelationshipRequestsQuery,
        response: { 200: RelationshipRequestPage, ...errorResponses },
      },
    },
    async (req) => listRelationshipRequests(readContext(deps, req), req.query),
  );
  const withdraw = {
    config: { action: 'relationships.request' as const },
    schema: {
      tags: ['relationships'],
      summary: 'Withdraw a pending relationship request (its link stops working)',
      params: RequestParams,
      response: { 200: RelationshipRequestView, ...errorResponses },
    },
  };
  app.delete('/api/relationship-requests/:id', withdraw, async (req, reply) =>
    runInTransaction(deps, req, reply, (ctx) => withdrawRelationshipRequest(ctx, req.params)),
  );
  app.post('/api/relationship-requests/:id/withdraw', withdraw, async (req, reply) =>
    runInTransaction(deps, req, reply, (ctx) => withdrawRelationshipRequest(ctx, req.params)),
  );
  app.delete(
    '/api/customers/:tenantId/relationship',
    {
      config: { action: 'relationships.request' },
      schema: {
        tags: ['relationships'],
        summary:
          'End your reseller relationship with a customer, giving a reason (refused while you have active subscriptions there)',
        params: TenantParams,
        body: RemoveRelationshipBody,
        response: { 200: RelationshipView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        removeRelationship(ctx, {
          partnerId: ctx.actor.partnerId!,
          tenantId: req.params.tenantId,
          reason: req.body.reason,
        }),
      ),
  );

  // The customer side.
  app.get(
    '/api/invitations/:token',
    {
      config: { public: true },
      schema: {
        tags: ['invitations'],
        summary: 'Who asks for what (the invitation page); refuses invalid, expired, used or withdrawn links',
        security: [],
        params: TokenParams,
        response: { 200: InvitationView, ...tokenErrors },
      },
    },
    async (req) =>
      viewInvitation(
        { db: deps.handle.db, clock: fixedClock(deps.clock.now()), config: deps.config },
        req.params,
      ),
  );
  app.post(
    '/api/invitations/:token/accept',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['invitations'],
        summary: 'Accept a reseller relationship (and the delegated admin it asks for) for your tenant',
        params: TokenParams,
        response: { 200: AcceptedInvitationView, ...tokenErrors },
      },
    },
    async (req, reply) => runInTransaction(deps, req, reply, (ctx) => acceptInvitation(ctx, req.params)),
  );
  app.post(
    '/api/invitations/:token/decline',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['invitations'],
        summary: 'Decline a reseller relationship invitation',
        params: TokenParams,
        response: { 200: DeclinedInvitationView, ...tokenErrors },
      },
    },
    async (req, reply) => runInTransaction(deps, req, reply, (ctx) => declineInvitation(ctx, req.params)),
  );
  app.get(
    '/api/tenant/partners',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: 'Every partner of your tenant, with its relationship and delegated admin',
        querystring: PageQuery,
        response: { 200: TenantPartnerPage, ...errorResponses },
      },
    },
    async (req) => listTenantPartners(readContext(deps, req), req.query),
  );
  app.delete(
    '/api/tenant/partners/:partnerId',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['tenant'],
        summary: 'End a partner relationship (refused while it has active subscriptions in your tenant)',
        params: PartnerParams,
        response: { 200: RelationshipView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        removeRelationship(ctx, { partnerId: req.params.partnerId, tenantId: ctx.actor.tenantId! }),
      ),
  );
}
