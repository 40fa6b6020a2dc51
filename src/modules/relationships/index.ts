// The relationships module's face: the reseller relationship's requests, invitations and removal
// (its routes, registered in app.ts), and the pending requests home lists. The accepted
// relationships themselves, with the scoping helpers other modules filter their lists with, are
// the tenants module's (see its face).
export { pendingRequestRows } from './relationships.repo.ts';
export { registerRelationships } from './relationships.routes.ts';
