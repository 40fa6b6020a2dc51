// The delegated-admin module's face (SPEC §3.8, §10): what a user may do in a customer's tenant,
// the guards other modules call before acting on a customer's behalf, and the grants a reseller
// relationship asks for, lists and ends (the relationships module calls these).
export { REMINDERS_QUEUE } from './delegated-admin.jobs.ts';
export { partnerGrantsEndingWithin, tenantsWithActiveGrant } from './delegated-admin.repo.ts';
export { GdapDuration, GdapRoles, GrantView } from './delegated-admin.schemas.ts';
export {
  assertDelegatedAdmin,
  checkedGrantRoles,
  type DelegatedRights,
  delegatedAdminByPartner,
  delegatedRightsOf,
  endDelegatedAdminWithRelationship,
  grantFromInvitation,
  holdDelegatedAdmin,
  holdDelegatedAdminMany,
} from './delegated-admin.service.ts';
