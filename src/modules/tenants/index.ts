// The tenants module's face: tenant and directory-user readers for the modules that act on a tenant,
// and the partners that serve a tenant (its accepted relationships): the scoping expression, the
// guard of every `:tenantId` route, and the lock every write on a partner's behalf takes first.

export {
  acceptedRelationshipsOfTenant,
  hasAcceptedRelationship,
  insertAcceptedRelationship,
  lockAcceptedRelationship,
  lockAcceptedRelationships,
  markRelationshipRemoved,
  visibleTenantIds,
} from './tenant-relationships.repo.ts';
export {
  countCustomers,
  customerPage,
  directoryUserNamesOfTenants,
  directoryUsersByIds,
  directoryUsersOfTenants,
  findDirectoryUser,
  findTenant,
  findTenantByDomain,
  listDirectoryUserRows,
  tenantNamesQuery,
  tenantsByIds,
} from './tenants.repo.ts';
export { canSeeTenant } from './tenants.scope.ts';
export { tenantNames, tenantSummaries } from './tenants.service.ts';
