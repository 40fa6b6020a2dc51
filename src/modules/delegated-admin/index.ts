// The delegated-admin module's face (SPEC §3.8, §10): what a user may do in a customer's tenant.
export { type DelegatedRights, delegatedRightsOf } from './delegated-admin.service.ts';
