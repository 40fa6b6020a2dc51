import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  IndirectInvitationParams,
  IndirectInvitationView,
  IndirectLinkView,
  IndirectProviderPage,
  IndirectResellerPage,
} from './indirect.schemas.ts';
import {
  acceptResellerInvitation,
  inviteReseller,
  listIndirectProviders,
  listIndirectResellers,
} from './indirect.service.ts';

export function registerIndirect(app: App, deps: ServerDeps) {
  app.post(
    '/api/indirect-resellers/invitations',
    {
      config: { action: 'indirect.manage' },
      schema: {
        tags: ['two-tier'],
        summary: 'As an indirect provider, make a link for a reseller to accept',
        response: { 201: IndirectInvitationView, ...errorResponses },
      },
    },
    async (req, reply) => runInTransaction(deps, req, reply, (ctx) => inviteReseller(ctx), { status: 201 }),
  );
  app.post(
    '/api/indirect-invitations/:token/accept',
    {
      config: { action: 'indirect.manage' },
      schema: {
        tags: ['two-tier'],
        summary: "As an indirect reseller's account admin, accept a provider's link",
        params: IndirectInvitationParams,
        response: { 200: IndirectLinkView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => acceptResellerInvitation(ctx, { token: req.params.token })),
  );
  app.get(
    '/api/indirect-resellers',
    {
      config: { action: 'indirect.read' },
      schema: {
        tags: ['two-tier'],
        summary: "The provider's resellers, with what it sold for each",
        response: { 200: IndirectResellerPage, ...errorResponses },
      },
    },
    async (req) => listIndirectResellers(readContext(deps, req)),
  );
  app.get(
    '/api/indirect-providers',
    {
      config: { action: 'indirect.read' },
      schema: {
        tags: ['two-tier'],
        summary: "The reseller's providers: who transacts for it",
        response: { 200: IndirectProviderPage, ...errorResponses },
      },
    },
    async (req) => listIndirectProviders(readContext(deps, req)),
  );
}
