/**
 * The action names of the server's permission table (docs/permissions.md), so that the console's
 * routes, menus and buttons name only real ones (a typo fails to compile). What the signed-in user
 * may do comes from the server (`permissions` in /api/auth/me); the console never reads the table.
 * A unit test (src/platform/auth/permissions.test.ts) keeps this list equal to the server's.
 */
export const ACTION_NAMES = [
  'session.read',
  'session.manage',
  'session.password',
  'notifications.read',
  'partner.read',
  'partner.manage-users',
  'partner.manage-access',
  'offers.read',
  'customers.read',
  'customers.create',
  'relationships.request',
  'subscriptions.read',
  'subscriptions.manage',
  'orders.create',
  'licenses.read',
  'licenses.manage',
  'transitions.plan',
  'transitions.apply',
  'billing.read',
  'billing.price-rules',
  'invoices.read',
  'credits.file',
  'subscriptions.manage-direct',
  'partner.manage-groups',
  'delegated-admin.roles',
  'delegated-admin.request',
  'transfers.read',
  'transfers.request',
  'transfers.decide',
  'indirect.read',
  'indirect.manage',
  'webhooks.manage',
  'azure.read',
  'azure.manage',
  'azure.transfer',
  'audit.read',
  'tenant.read',
  'tenant.manage',
  'operator.catalog',
  'operator.tenants',
  'operator.clock',
  'operator.billing',
  'operator.usage',
] as const;

export type Action = (typeof ACTION_NAMES)[number];
