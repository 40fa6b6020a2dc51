import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses, PageQuery, TenantParams } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  AssignmentsBody,
  AssignmentsView,
  DirectoryRoleList,
  GdapRequestBody,
  GdapRequestView,
  GrantPage,
  GrantParams,
  GrantView,
  GroupParams,
  LegacyDapBody,
  PartnerDelegatedAdminView,
  PartnerParams,
  RevokeView,
  SecurityGroupBody,
  SecurityGroupList,
  SecurityGroupMembersBody,
  SecurityGroupView,
  TenantGrantParams,
} from './delegated-admin.schemas.ts';
import {
  approveDelegatedAdminRequest,
  declineDelegatedAdminRequest,
  getPartnerDelegatedAdmin,
  grantLegacyDap,
  listDelegatedAdminRequests,
  requestDelegatedAdmin,
  revokeDelegatedAdmin,
} from './delegated-admin.service.ts';
import {
  createSecurityGroup,
  getSecurityGroup,
  listDirectoryRoles,
  listSecurityGroups,
  setGrantAssignments,
  setSecurityGroupMembers,
} from './security-groups.service.ts';

export function registerDelegatedAdmin(app: App, deps: ServerDeps) {
  app.get(
    '/api/customers/:tenantId/delegated-admin',
    {
      config: { action: 'customers.read' },
      schema: {
        tags: ['delegated-admin'],
        summary: 'Your delegated admin on this customer (DAP/GDAP) and whether you can act on its behalf',
        params: TenantParams,
        response: { 200: PartnerDelegatedAdminView, ...errorResponses },
      },
    },
    async (req) => getPartnerDelegatedAdmin(readContext(deps, req), req.params),
  );
  app.post(
    '/api/customers/:tenantId/delegated-admin-requests',
    {
      config: { action: 'delegated-admin.request' },
      schema: {
        tags: ['delegated-admin'],
        summary: 'Ask the customer for granular delegated admin (GDAP); it approves from the returned url',
        params: TenantParams,
        body: GdapRequestBody,
        response: { 201: GdapRequestView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => requestDelegatedAdmin(ctx, { tenantId: req.params.tenantId, ...req.body }),
        { status: 201 },
      ),
  );
  app.get(
    '/api/tenant/delegated-admin-requests',
    {
      config: { action: 'tenant.read' },
      schema: {
        tags: ['tenant'],
        summary: 'GDAP requests from your partners waiting for your answer',
        querystring: PageQuery,
        response: { 200: GrantPage, ...errorResponses },
      },
    },
    async (req) => listDelegatedAdminRequests(readContext(deps, req), req.query),
  );
  app.post(
    '/api/tenant/delegated-admin-requests/:id/approve',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['tenant'],
        summary: 'Approve a GDAP request (it runs from now for its duration)',
        params: GrantParams,
        response: { 200: GrantView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => approveDelegatedAdminRequest(ctx, req.params)),
  );
  app.post(
    '/api/tenant/delegated-admin-requests/:id/decline',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['tenant'],
        summary: 'Decline a GDAP request',
        params: GrantParams,
        response: { 200: GrantView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => declineDelegatedAdminRequest(ctx, req.params)),
  );
  app.delete(
    '/api/tenant/partners/:partnerId/delegated-admin',
    {
      config: { action: 'tenant.manage' },
      schema: {
        tags: ['tenant'],
        summary: "Revoke a partner's delegated admin (the relationship and subscriptions stay)",
        params: PartnerParams,
        response: { 200: RevokeView, ...errorResponses },
      },
    },
    async (req, reply) => runInTransaction(deps, req, reply, (ctx) => revokeDelegatedAdmin(ctx, req.params)),
  );
  app.post(
    '/api/admin/tenants/:tenantId/delegated-admin',
    {
      config: { action: 'operator.tenants' },
      schema: {
        tags: ['operator'],
        summary: 'Record a legacy full delegated admin (DAP, no expiry) of a partner on a tenant',
        params: TenantParams,
        body: LegacyDapBody,
        response: { 201: GrantView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(
        deps,
        req,
        reply,
        (ctx) => grantLegacyDap(ctx, { tenantId: req.params.tenantId, partnerId: req.body.partnerId }),
        { status: 201 },
      ),
  );
  app.get(
    '/api/delegated-admin/roles',
    {
      config: { action: 'delegated-admin.roles' },
      schema: {
        tags: ['delegated-admin'],
        summary:
          'The directory roles a GDAP grant may carry (the fixed list, with Spanish names and templates)',
        response: { 200: DirectoryRoleList, ...errorResponses },
      },
    },
    async () => listDirectoryRoles(),
  );
  app.post(
    '/api/partner/security-groups',
    {
      config: { action: 'partner.manage-groups' },
      schema: {
        tags: ['delegated-admin'],
        summary: "Create a security group of the partner's agents",
        body: SecurityGroupBody,
        response: { 201: SecurityGroupView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => createSecurityGroup(ctx, req.body), { status: 201 }),
  );
  app.get(
    '/api/partner/security-groups',
    {
      config: { action: 'partner.read' },
      schema: {
        tags: ['delegated-admin'],
        summary: "The partner's security groups and their members",
        response: { 200: SecurityGroupList, ...errorResponses },
      },
    },
    async (req) => listSecurityGroups(readContext(deps, req)),
  );
  app.get(
    '/api/partner/security-groups/:id',
    {
      config: { action: 'partner.read' },
      schema: {
        tags: ['delegated-admin'],
        summary: 'One security group',
        params: GroupParams,
        response: { 200: SecurityGroupView, ...errorResponses },
      },
    },
    async (req) => getSecurityGroup(readContext(deps, req), req.params),
  );
  app.put(
    '/api/partner/security-groups/:id/members',
    {
      config: { action: 'partner.manage-groups' },
      schema: {
        tags: ['delegated-admin'],
        summary: "Replace a security group's members",
        params: GroupParams,
        body: SecurityGroupMembersBody,
        response: { 200: SecurityGroupView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        setSecurityGroupMembers(ctx, { id: req.params.id, memberUserIds: req.body.memberUserIds }),
      ),
  );
  app.put(
    '/api/customers/:tenantId/delegated-admin/:grantId/assignments',
    {
      config: { action: 'partner.manage-groups' },
      schema: {
        tags: ['delegated-admin'],
        summary:
          "Give a grant's roles to security groups in this customer's tenant (replaces the previous ones)",
        params: TenantGrantParams,
        body: AssignmentsBody,
        response: { 200: AssignmentsView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) =>
        setGrantAssignments(ctx, { ...req.params, assignments: req.body.assignments }),
      ),
  );
}
