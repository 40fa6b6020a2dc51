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
  too_many_login_attempts: e(
    429,
    'Too many failed sign-ins for this account; try again after the time in Retry-After.',
  ),
  invalid_credentials: e(401, 'The e-mail or password is not correct.'),
  forbidden: e(403, (p) => `Your role does not allow this${p.action ? ` (${p.action})` : ''}.`),
  idempotency_key_reused: e(409, 'This Idempotency-Key was already used with a different request body.'),
  idempotency_key_invalid: e(400, 'The Idempotency-Key must be 1 to 128 visible characters.'),
  idempotency_key_unreadable: e(
    409,
    "This Idempotency-Key's first answer was sealed under another secret and cannot be replayed; use a new key.",
  ),
  conflict: e(409, 'The resource changed meanwhile; retry.'),
  rate_limited: e(429, 'Too many requests; retry after the time in Retry-After.'),
  csrf_token_invalid: e(403, 'This change needs the x-csrf-token of your session (GET /api/auth/me).'),
  clock_locked: e(403, 'The platform clock is locked on this install.'),
  clock_backwards: e(422, (p) => `The clock only moves forward (now ${p.now}, asked ${p.requested}).`),
  clock_out_of_range: e(422, (p) => `The clock cannot move past ${p.max}.`),
  internal_error: e(500, 'Something went wrong on our side; the change was not made.'),
  service_unavailable: e(503, 'The database is not reachable right now; retry shortly.'),
  // Partners and users
  partner_not_found: e(404, 'No such partner.'),
  user_not_found: e(404, 'No such user.'),
  email_taken: e(409, 'A user with this e-mail already exists.'),
  invalid_role: e(422, (p) => `Role ${p.role} cannot be given to a ${p.kind} user.`),
  api_token_not_found: e(404, 'No such API token.'),
  // Accounts
  api_token_needs_session: e(
    403,
    'API tokens are created from a signed-in session, not with another API token.',
  ),
  api_token_lifetime_too_long: e(
    400,
    (p) => `An API token lives at most ${p.maxDays} days on this install; ask for fewer.`,
  ),
  current_password_invalid: e(403, 'The current password is not correct.'),
  password_link_invalid: e(
    404,
    'This password link is not valid: it is malformed, altered or no longer usable.',
  ),
  password_link_used: e(409, 'This password link was already used; a link works once.'),
  password_link_expired: e(410, 'This password link has expired; ask for a new one.'),
  user_disabled: e(409, 'This user is disabled: enable it first.'),
  last_account_admin: e(
    409,
    'This is the last account admin of the partner: make another user account admin first.',
  ),
  // Tenants
  tenant_not_found: e(404, 'No such customer tenant.'),
  user_exists: e(409, (p) => `The tenant already has a user ${p.userPrincipalName}.`),
  domain_taken: e(409, (p) => `The domain ${p.domain} already belongs to a tenant.`),
  unknown_country: e(422, (p) => `Unknown country code ${p.country}; use ISO 3166-1 alpha-2 (ES, BR, ...).`),
  // Delegated admin
  delegated_admin_required: e(403, (p) =>
    p.what
      ? `Without delegated admin on this tenant you cannot ${p.what}: the customer's global admin must do it themselves (or grant you delegated admin first).`
      : 'This needs delegated admin privileges on the customer tenant; ask the customer to grant them, or ask the customer to do it.',
  ),
  delegated_role_required: e(
    403,
    (p) =>
      `Your delegated-admin roles on this tenant do not let you ${p.what ?? 'do this'}: it needs ${(p.roles as string[] | undefined)?.join(' or ') ?? 'another role'} through one of your security groups. Ask your account admin, or the customer to do it.`,
  ),
  unknown_directory_role: e(
    400,
    (p) =>
      `Not a directory role on the list (GET /api/delegated-admin/roles): ${(p.roles as string[] | undefined)?.join(', ') ?? ''}.`,
  ),
  global_admin_auto_extend: e(
    400,
    'Global Administrator cannot be auto-extended: ask for it without auto-extend, or for a narrower role.',
  ),
  delegated_admin_grant_not_found: e(404, 'No such delegated admin grant of yours on this customer.'),
  delegated_admin_grant_not_granular: e(
    409,
    'A legacy DAP carries no roles to give to groups; ask the customer for GDAP instead.',
  ),
  assignment_role_not_granted: e(
    422,
    (p) =>
      `The grant does not carry ${(p.roles as string[] | undefined)?.join(', ') ?? 'that role'}; a group can only be given roles the customer granted.`,
  ),
  security_group_not_found: e(404, 'No such security group of yours.'),
  security_group_name_taken: e(409, (p) => `You already have a security group named "${p.name}".`),
  security_group_member_invalid: e(422, 'Every member must be one of your own partner users.'),
  transition_apply_forbidden: e(
    403,
    (p) =>
      `You may not run every step this plan gives to the partner (missing: ${(p.missing as string[] | undefined)?.join(', ') ?? ''}); nothing was applied. A colleague with those roles can apply it, or plan again to hand those steps to the customer.`,
  ),
  delegated_admin_not_found: e(404, 'This partner holds no delegated admin on your tenant.'),
  delegated_admin_request_not_found: e(404, 'No such delegated admin request.'),
  delegated_admin_request_not_pending: e(409, (p) => `This delegated admin request is already ${p.status}.`),
  delegated_admin_request_expired: e(
    410,
    'This delegated admin request expired unapproved; the partner must ask again.',
  ),
  // Relationships and invitations
  relationship_exists: e(409, 'This partner already has a reseller relationship with the tenant.'),
  relationship_not_found: e(404, 'There is no reseller relationship between this partner and the tenant.'),
  relationship_target_mismatch: e(422, 'The tenant id and the domain name two different tenants.'),
  relationship_has_active_subscriptions: e(
    409,
    (p) =>
      `The partner still has ${p.count} active subscription(s) in this tenant; they must end before the relationship can be removed.`,
  ),
  relationship_request_not_found: e(404, 'No such relationship request.'),
  relationship_request_not_pending: e(409, (p) => `This relationship request is already ${p.status}.`),
  invitation_invalid: e(404, 'This invitation link is not valid: it is malformed, or it was altered.'),
  invitation_expired: e(410, 'This invitation link has expired; ask the partner for a new one.'),
  invitation_used: e(409, 'This invitation was already answered; a link works once.'),
  invitation_withdrawn: e(410, 'The partner withdrew this invitation.'),
  // Credits
  credit_not_direct: e(
    422,
    (p) =>
      `Only subscriptions bought direct can get a credit here; this one is a ${p.channel} subscription: its channel handles it.`,
  ),
  credit_request_not_found: e(404, 'No such credit request.'),
  credit_subscription_not_found: e(404, 'The tenant has no such subscription.'),
  credit_request_decided: e(409, (p) => `This credit request was already ${p.status}.`),
  credit_amount_required: e(422, 'Approving needs an amount (minor units): none was asked for.'),
  credit_amount_too_high: e(
    422,
    (p) =>
      `The amount ${p.amount} is more than ${p.bound === 'overlap' ? 'the credit computed for the days paid twice' : "the subscription's term cost"} (${p.max}${p.currency ? ` ${p.currency}` : ''} in minor units).`,
  ),
  credit_window_closed: e(
    422,
    (p) =>
      `A credit for duplicate licenses can be requested up to ${p.days} days after the new purchase (${p.purchasedAt}); that window closed on ${p.closedOn}.`,
  ),
  credit_new_subscription_invalid: e(
    422,
    (p) =>
      `The new purchase must be a subscription bought through a partner; this one is a ${p.channel} subscription.`,
  ),
  // Transfers (SPEC §7)
  transfer_not_found: e(404, 'No such transfer.'),
  transfer_same_partner: e(
    422,
    'You are already the partner of record: there is nothing to transfer to you.',
  ),
  transfer_region_mismatch: e(
    422,
    (p) =>
      `Only a partner in the customer's region (${p.tenantRegion}) can take its subscriptions; yours is ${p.partnerRegion}.`,
  ),
  transfer_nothing_to_transfer: e(
    422,
    'That partner holds no active subscription of this customer that could be transferred.',
  ),
  transfer_subscription_invalid: e(
    422,
    (p) =>
      `Subscription ${p.subscriptionId} cannot be transferred: it must be an active subscription of that partner${p.state ? ` (it is ${p.state})` : ''}.`,
  ),
  subscription_transfer_pending: e(
    409,
    (p) =>
      `A transfer of this subscription to another partner is open (${p.transferId}); nobody can change it until the transfer ends.`,
  ),
  transfer_not_source: e(403, 'Only the partner of record answers a transfer request.'),
  transfer_not_pending: e(409, (p) => `This transfer is already ${p.status}.`),
  transfer_line_items_invalid: e(
    422,
    'Approve with whole subscriptions from the request: at least one, and only those it names.',
  ),
  transfer_target_relationship_gone: e(
    409,
    "The partner that asked is no longer the customer's reseller: the transfer cannot complete; reject it.",
  ),
  // Two-tier (SPEC §7)
  not_indirect_provider: e(422, 'Only an indirect provider invites resellers.'),
  not_indirect_reseller: e(422, "Only an indirect reseller's account admin accepts a provider's link."),
  indirect_link_exists: e(409, 'Your organisation is already linked to this provider.'),
  indirect_reseller_cannot_transact: e(
    403,
    'An indirect reseller never places orders: its indirect provider orders for it, with the reseller as partner of record.',
  ),
  partner_on_record_invalid: e(
    422,
    (p) =>
      `Partner ${p.partnerOnRecordId} cannot be partner of record here: it must be one of your indirect resellers, with a relationship to this customer.`,
  ),
  indirect_provider_required: e(
    422,
    'An indirect reseller asks customers through one of its providers: name it (indirectProviderId).',
  ),
  indirect_provider_invalid: e(
    422,
    'Only an indirect reseller names a provider here, and only one it is linked to.',
  ),
  indirect_provider_missing: e(
    409,
    'This reseller reached the customer without a linked provider: nobody can place its order.',
  ),
  // Azure plan (SPEC §9)
  azure_plan_not_found: e(404, 'This customer has no Azure plan with you.'),
  azure_plan_required: e(422, "Create the customer's Azure plan first (POST …/azure-plan)."),
  azure_subscription_not_found: e(
    404,
    (p) => `No such Azure subscription${p.subscriptionId ? ` ${p.subscriptionId}` : ''}.`,
  ),
  azure_subscription_not_yours: e(
    403,
    'This Azure subscription is not under your Azure plan: only its own owner can change it.',
  ),
  azure_subscription_deleted: e(409, 'This Azure subscription was deleted; it cannot change any more.'),
  azure_subscription_not_own: e(
    422,
    (p) =>
      `Azure subscription ${p.subscriptionId} is already under a partner's Azure plan: only the customer's own subscriptions move into CSP.`,
  ),
  azure_transfer_not_found: e(404, 'No such Azure transfer.'),
  azure_transfer_open: e(
    409,
    (p) =>
      `Another Azure transfer (${p.transferId}) already moves subscription ${p.subscriptionId}: finish it first.`,
  ),
  azure_transfer_blocked: e(
    409,
    (p) =>
      `Subscription ${p.subscriptionId} can no longer go: ${(p.codes as string[] | undefined)?.join(', ') ?? 'it is blocked'}. Nothing was moved; check again.`,
  ),
  azure_transfer_nothing_to_approve: e(
    409,
    'This Azure transfer has no billing transfer waiting for approval.',
  ),
  azure_transfer_nothing_to_move: e(409, 'This Azure transfer has no resource move ready to run.'),
  azure_usage_invalid: e(
    400,
    (p) => `The usage file cannot be read${p.detail ? `: ${p.detail}` : ''}; nothing was imported.`,
  ),
  // Catalog
  offer_not_found: e(404, (p) => `No such offer${p.offerId ? ` ${p.offerId}` : ''}.`),
  offer_exists: e(409, (p) => `An offer with id ${p.offerId} already exists.`),
  sku_not_found: e(
    422,
    (p) =>
      `SKU ${p.skuId} is not in the catalog: import the product reference first, or give its part number and service plans.`,
  ),
  offer_reference_invalid: e(
    422,
    (p) => `Offer ${p.offerId} named as ${p.field} does not exist or cannot be used there.`,
  ),
  quantity_limits_invalid: e(422, 'The minimum quantity must not exceed the maximum.'),
  price_list_invalid: e(
    422,
    (p) =>
      `The price list was not applied (nothing changed): ${
        Array.isArray(p.problems)
          ? (p.problems as { line?: number; index?: number; message: string }[])
              .slice(0, 10)
              .map((x) =>
                x.line !== undefined ? `line ${x.line}: ${x.message}` : `price ${x.index}: ${x.message}`,
              )
              .join('; ')
          : 'it is not consistent'
      }${Array.isArray(p.problems) && p.problems.length > 10 ? ` (and ${p.problems.length - 10} more)` : ''}.`,
  ),
  // Orders
  offer_not_in_market: e(422, (p) => `Offer ${p.offerId} is not sold in market ${p.market}.`),
  quantity_out_of_range: e(
    422,
    (p) =>
      `Quantity ${p.quantity} of offer ${p.offerId} is outside its limits (${p.minQuantity} to ${p.maxQuantity}).`,
  ),
  offer_end_of_sale: e(
    422,
    (p) =>
      `Offer ${p.offerId} is no longer sold${p.successorOfferId ? `; its successor is ${p.successorOfferId}` : ''}.`,
  ),
  offer_existing_customers_only: e(
    422,
    (p) =>
      `Offer ${p.offerId} is sold only to tenants that already hold SKU ${p.skuId} through some channel.`,
  ),
  offer_needs_base: e(
    422,
    (p) =>
      `Add-on ${p.offerId} needs one of its base offers (${(p.baseOfferIds as string[] | undefined)?.join(', ')}) in this order or in the tenant.`,
  ),
  offer_not_priced: e(422, (p) =>
    p.market
      ? `Offer ${p.offerId} has no price in market ${p.market}, so it cannot be sold there; the operator must price it first.`
      : `Offer ${p.offerId} has no price yet; the operator must set one before it can be sold.`,
  ),
  duplicate_line_item: e(422, (p) => `Offer ${p.offerId} appears more than once in the order.`),
  order_not_found: e(404, 'No such order.'),
  // Subscriptions
  subscription_not_found: e(404, 'No such subscription.'),
  subscription_not_changeable: e(403, (p) =>
    p.channel === 'partner'
      ? 'This subscription belongs to another partner of record; only that partner can change it.'
      : `This is a ${p.channel} subscription: only its own channel can change it, not this partner.`,
  ),
  subscription_not_active: e(
    422,
    (p) => `The subscription is ${p.state}; this change is not possible any more.`,
  ),
  seat_reduction_outside_window: e(
    422,
    (p) =>
      `Seats can only be reduced within ${p.refundWindowHours} hours of buying or adding them; add seats any time, or let the term end.`,
  ),
  subscription_partner_invalid: e(422, (p) =>
    p.channel === 'partner'
      ? 'A partner subscription needs the partnerId of its partner of record.'
      : `A ${p.channel} subscription has no partner of record; leave partnerId out.`,
  ),
  subscription_term_invalid: e(422, 'The term must end after it starts.'),
  // Licenses
  license_quota_exceeded: e(
    409,
    (p) => `Not enough seats of SKU ${p.skuId}: ${p.available} free, ${p.requested} asked. Buy seats first.`,
  ),
  license_update_invalid: e(422, (p) => `SKU ${p.skuId} cannot be assigned and removed in the same update.`),
  license_plan_unknown: e(422, (p) => `SKU ${p.skuId} has no service plan ${p.planId} to switch off.`),
  invitation_wrong_tenant: e(
    403,
    'This invitation was sent to another tenant; only its global admin can answer it.',
  ),
  // Transitions
  cancellation_window_closed: e(
    409,
    (p) =>
      `This subscription can no longer be cancelled: its cancellation window closed${p.closedAt ? ` on ${p.closedAt}` : ''}. Turn auto-renew off to let it end at its term end.`,
  ),
  transition_not_found: e(404, 'No such transition.'),
  transition_in_progress: e(
    409,
    (p) =>
      `Another transition already moves ${Array.isArray(p.subscriptionIds) ? p.subscriptionIds.length : 'some'} of these subscriptions${Array.isArray(p.transitionIds) && p.transitionIds.length ? ` (${p.transitionIds.join(', ')})` : ''}: plan again to see them as under way.`,
  ),
  transition_not_ready: e(
    422,
    (p) =>
      `This plan's verdict is ${p.verdict}: acknowledge or resolve its lines and plan again before applying.`,
  ),
  transition_world_changed: e(
    409,
    (p) => `The customer's situation changed since the plan was made (${p.reason}); plan again.`,
  ),
  transition_step_unsupported: e(422, (p) => `This step (${p.step}) cannot be executed automatically.`),
  relationship_required: e(
    422,
    'This customer has not accepted a reseller relationship with you: request one and wait for the customer to accept it.',
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
