// The auth module's face: the account views other modules answer with, and the password-link and
// end-of-access use cases they call when they create or remove an account.

export { endUserAccess, issuePasswordLink, type PasswordLink } from './accounts.service.ts';
export { PasswordLinkView, UserView } from './auth.schemas.ts';
