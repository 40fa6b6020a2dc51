/**
 * The one table from error code to HTTP status and description, in English and Spanish. Each
 * module declares its codes in `src/modules/<noun>/<noun>.errors.ts` (the platform's in
 * `platform/platform.errors.ts`); this file composes them, and `ErrorCode` (the type of
 * `DomainError`'s code) is their union, so an undeclared or misspelt code does not compile.
 * Tests assert codes, never descriptions. Another tenant's resource is 404 (existence is
 * private); a missing role in one's own scope is 403; bad input is 400/422.
 *
 * The `*.errors.ts` files are leaves (they import only types and the shared words), so this
 * platform file importing them directly makes no cycle; modules never import each other's.
 */
import { AUTH_ERRORS } from '../../modules/auth/auth.errors.ts';
import { AZURE_ERRORS } from '../../modules/azure/azure.errors.ts';
import { BILLING_ERRORS } from '../../modules/billing/billing.errors.ts';
import { CATALOG_ERRORS } from '../../modules/catalog/catalog.errors.ts';
import { CLOCK_ERRORS } from '../../modules/clock/clock.errors.ts';
import { CREDITS_ERRORS } from '../../modules/credits/credits.errors.ts';
import { DELEGATED_ADMIN_ERRORS } from '../../modules/delegated-admin/delegated-admin.errors.ts';
import { INDIRECT_ERRORS } from '../../modules/indirect/indirect.errors.ts';
import { LICENSES_ERRORS } from '../../modules/licenses/licenses.errors.ts';
import { NOTIFICATIONS_ERRORS } from '../../modules/notifications/notifications.errors.ts';
import { ORDERS_ERRORS } from '../../modules/orders/orders.errors.ts';
import { PARTNERS_ERRORS } from '../../modules/partners/partners.errors.ts';
import { RELATIONSHIPS_ERRORS } from '../../modules/relationships/relationships.errors.ts';
import { SUBSCRIPTIONS_ERRORS } from '../../modules/subscriptions/subscriptions.errors.ts';
import { TENANTS_ERRORS } from '../../modules/tenants/tenants.errors.ts';
import { TRANSFERS_ERRORS } from '../../modules/transfers/transfers.errors.ts';
import { TRANSITIONS_ERRORS } from '../../modules/transitions/transitions.errors.ts';
import { USERS_ERRORS } from '../../modules/users/users.errors.ts';
import { WEBHOOKS_ERRORS } from '../../modules/webhooks/webhooks.errors.ts';
import type { Lang } from '../error-words.ts';
import type { ErrorSpec, ErrorSpecs } from '../errors.ts';
import { PLATFORM_ERRORS } from '../platform.errors.ts';

/** Every part of the table, by owner: a test checks no code is declared twice. */
export const ERROR_PARTS = {
  platform: PLATFORM_ERRORS,
  auth: AUTH_ERRORS,
  users: USERS_ERRORS,
  partners: PARTNERS_ERRORS,
  clock: CLOCK_ERRORS,
  tenants: TENANTS_ERRORS,
  'delegated-admin': DELEGATED_ADMIN_ERRORS,
  relationships: RELATIONSHIPS_ERRORS,
  credits: CREDITS_ERRORS,
  transfers: TRANSFERS_ERRORS,
  indirect: INDIRECT_ERRORS,
  catalog: CATALOG_ERRORS,
  orders: ORDERS_ERRORS,
  subscriptions: SUBSCRIPTIONS_ERRORS,
  licenses: LICENSES_ERRORS,
  transitions: TRANSITIONS_ERRORS,
  billing: BILLING_ERRORS,
  azure: AZURE_ERRORS,
  notifications: NOTIFICATIONS_ERRORS,
  webhooks: WEBHOOKS_ERRORS,
} as const satisfies Record<string, ErrorSpecs>;

type Parts = typeof ERROR_PARTS;
/** Every error code the API answers. */
export type ErrorCode = { [K in keyof Parts]: keyof Parts[K] }[keyof Parts] & string;

export const ERROR_TABLE: Record<ErrorCode, ErrorSpec> = Object.assign(
  {},
  ...Object.values(ERROR_PARTS),
) as Record<ErrorCode, ErrorSpec>;

export function describeError(
  code: ErrorCode,
  params: Record<string, unknown>,
  lang: Lang = 'en',
): { status: number; description: string } {
  const entry = ERROR_TABLE[code] ?? ERROR_TABLE.internal_error;
  const text = entry[lang];
  return { status: entry.status, description: typeof text === 'string' ? text : text(params) };
}
