// The relationships module's face: whether a partner may act for a tenant, and the scoping helpers
// other modules filter their lists with.
export {
  hasAcceptedRelationship,
  insertAcceptedRelationship,
  lockAcceptedRelationship,
  visibleTenantIds,
} from './relationships.repo.ts';
export { canSeeTenant } from './relationships.scope.ts';
