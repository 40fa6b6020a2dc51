// The tenants module's face: tenant and directory-user readers for the modules that act on a tenant.
export {
  directoryUsersByIds,
  findDirectoryUser,
  findTenant,
  findTenantByDomain,
  listDirectoryUserRows,
} from './tenants.repo.ts';
export { tenantNames, tenantSummaries } from './tenants.service.ts';
