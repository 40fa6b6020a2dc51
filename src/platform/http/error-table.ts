/**
 * The one table from error code to HTTP status and description. Modules declare their codes
 * here; tests assert codes, never descriptions. Another tenant's resource is 404 (existence is
 * private); a missing role in one's own scope is 403; bad input is 400/422.
 */
type Describe = (p: Record<string, unknown>) => string;

export interface ErrorEntry {
  status: number;
  description: Describe;
}

const e = (status: number, description: string | Describe): ErrorEntry => ({
  status,
  description: typeof description === 'string' ? () => description : description,
});

export const ERROR_TABLE: Record<string, ErrorEntry> = {
  // Platform
  invalid_request: e(400, (p) => `The request is not valid${p.detail ? `: ${p.detail}` : '.'}`),
  malformed_json: e(400, 'The request body is not valid JSON.'),
  unsupported_media_type: e(415, 'Send the request body as application/json.'),
  payload_too_large: e(413, 'The request body is too large.'),
  uri_too_long: e(414, 'A part of the URL is too long.'),
  not_found: e(404, 'No such resource.'),
  method_not_allowed: e(405, 'This method is not allowed here.'),
  unauthenticated: e(401, 'Sign in first: the token is missing, expired or revoked.'),
  invalid_credentials: e(401, 'The e-mail or password is not correct.'),
  forbidden: e(403, (p) => `Your role does not allow this${p.action ? ` (${p.action})` : ''}.`),
  idempotency_key_reused: e(409, 'This Idempotency-Key was already used with a different request body.'),
  idempotency_key_invalid: e(400, 'The Idempotency-Key must be 1 to 128 visible characters.'),
  conflict: e(409, 'The resource changed meanwhile; retry.'),
  rate_limited: e(429, 'Too many requests; retry after the time in Retry-After.'),
  clock_locked: e(403, 'The platform clock is locked on this install.'),
  clock_backwards: e(422, (p) => `The clock only moves forward (now ${p.now}, asked ${p.requested}).`),
  internal_error: e(500, 'Something went wrong on our side; the change was not made.'),
  service_unavailable: e(503, 'The database is not reachable right now; retry shortly.'),
  // Partners and users
  partner_not_found: e(404, 'No such partner.'),
  user_not_found: e(404, 'No such user.'),
  email_taken: e(409, 'A user with this e-mail already exists.'),
  invalid_role: e(422, (p) => `Role ${p.role} cannot be given to a ${p.kind} user.`),
  api_token_not_found: e(404, 'No such API token.'),
  // Tenants
  tenant_not_found: e(404, 'No such customer tenant.'),
  user_exists: e(409, (p) => `The tenant already has a user ${p.userPrincipalName}.`),
  domain_taken: e(409, (p) => `The domain ${p.domain} already belongs to a tenant.`),
  unknown_country: e(422, (p) => `Unknown country code ${p.country}; use ISO 3166-1 alpha-2 (ES, BR, ...).`),
  // Delegated admin
  delegated_admin_required: e(
    403,
    'This needs delegated admin privileges on the customer tenant; ask the customer to grant them, or ask the customer to do it.',
  ),
  region_mismatch: e(
    422,
    (p) =>
      `The partner is in region ${p.partnerRegion} and the tenant is in region ${p.tenantRegion}; a partner only serves customers of its own region.`,
  ),
};

export function describeError(
  code: string,
  params: Record<string, unknown>,
): { status: number; description: string } {
  const entry = ERROR_TABLE[code] ?? ERROR_TABLE.internal_error!;
  return { status: entry.status, description: entry.description(params) };
}
