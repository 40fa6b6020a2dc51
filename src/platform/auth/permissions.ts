import type { DelegatedTask } from '../../domain/directory-roles.ts';

/**
 * The permission table: which role may take which action. One preHandler checks it on every
 * route (`config.action`); tenant scoping is checked beside it. docs/permissions.md is
 * generated from this table, and the role × route matrix test reads it too.
 */
export const PARTNER_ROLES = ['account-admin', 'admin-agent', 'sales-agent', 'billing-agent'] as const;
export const CUSTOMER_ROLES = ['global-admin', 'tenant-user'] as const;
export const ROLES = [...PARTNER_ROLES, ...CUSTOMER_ROLES, 'operator'] as const;

export type PartnerRole = (typeof PARTNER_ROLES)[number];
export type CustomerRole = (typeof CUSTOMER_ROLES)[number];
export type Role = (typeof ROLES)[number];

export const ACTIONS = {
  // Every signed-in user.
  'session.read': "See one's own account and roles",
  'session.manage': "Sign out (here or everywhere), create and revoke one's own API tokens",
  'session.password': "Change one's own password (knowing the current one)",
  'notifications.read': "See one's own in-app notifications and mark them read",
  // Partner side.
  'partner.read': 'See the partner profile and its users',
  'partner.manage-users': 'Add partner users and change their roles',
  'partner.manage-access':
    "Disable or enable partner users (ends their sessions and API tokens); reset a user's password with a one-time link",
  'offers.read': 'Browse the catalog',
  'customers.read': 'List and open customers the partner has a relationship with',
  'customers.create': 'Create a new customer tenant with this partner as reseller',
  'relationships.request': 'Request a reseller relationship (invitation link)',
  'subscriptions.read': "See a customer's subscriptions from every channel",
  'subscriptions.manage': "Change the partner's own subscriptions (seats, auto-renew, suspend, cancel)",
  'orders.create': 'Order offers for a customer',
  'licenses.read': "See a customer's users and their licenses (needs delegated admin)",
  'licenses.manage': 'Assign and remove licenses (needs delegated admin)',
  'transitions.plan': 'Plan a transition (dry run)',
  'transitions.apply': 'Apply a transition plan',
  'billing.read': 'See invoices, credits and billing views',
  'billing.price-rules': "See and set the partner's customer prices (markup per offer and customer)",
  'invoices.read': "See the partner's invoices, their lines, and download their reconciliation files",
  'credits.file': "File a credit request on the customer's behalf (needs delegated admin)",
  'subscriptions.manage-direct':
    "Turn auto-renew off or cancel the customer's direct subscription on its behalf (needs delegated admin; a transition step)",
  'partner.manage-groups':
    "Create security groups, put agents in them, and give them a grant's delegated-admin roles per customer",
  'delegated-admin.roles': 'See the directory roles a delegated-admin grant may carry',
  'delegated-admin.request': 'Ask a customer for granular delegated admin (GDAP)',
  'transfers.read': 'See partner-to-partner transfers asked by or of the partner',
  'transfers.request': "Ask another partner to transfer a customer's subscriptions to this partner",
  'transfers.decide': 'As partner of record, approve or reject a transfer of its subscriptions',
  'indirect.read': 'Two-tier: see the linked indirect resellers (provider) or providers (reseller)',
  'indirect.manage': "Two-tier: invite resellers (provider) or accept a provider's link (reseller)",
  'webhooks.manage':
    "Add, list and delete the partner's webhook endpoints; see their delivery log and replay a delivery",
  'azure.read':
    "See a customer's Azure plan, Azure subscriptions (the partner's and the customer's own), usage and Azure transfers",
  'azure.manage': "Create a customer's Azure plan and Azure subscriptions; disable or re-enable them",
  'azure.transfer': "Check and move a customer's own Azure subscriptions into the partner's Azure plan",
  'audit.read': 'Read the audit trail (partner: its own; customer: what partners did in its tenant)',
  // Customer side.
  'tenant.read': "See one's own tenant, its partners and subscriptions",
  'tenant.manage': 'Accept invitations, revoke delegated admin, cancel direct subscriptions, file credits',
  // Platform operator.
  'operator.catalog': 'Keep the catalog',
  'operator.tenants': 'Create tenants, their users and recorded subscriptions',
  'operator.clock': 'Move the platform clock (only where unlocked)',
  'operator.billing': 'Decide credit requests (billing support)',
  'operator.usage': "Import daily rated Azure usage; record customers' own Azure subscriptions",
} as const;

export type Action = keyof typeof ACTIONS;

const EVERYONE: Action[] = [
  'session.read',
  'session.manage',
  'session.password',
  'delegated-admin.roles',
  'notifications.read',
];
const PARTNER_BASE: Action[] = [
  ...EVERYONE,
  'partner.read',
  'offers.read',
  'customers.read',
  'subscriptions.read',
  'audit.read',
  'transfers.read',
  'indirect.read',
  'azure.read',
];

export const PERMISSIONS: Record<Role, readonly Action[]> = {
  'account-admin': [
    ...PARTNER_BASE,
    'partner.manage-users',
    'partner.manage-access',
    'partner.manage-groups',
    'indirect.manage',
    'customers.create',
    'relationships.request',
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
    'delegated-admin.request',
    'transfers.request',
    'transfers.decide',
    'webhooks.manage',
    'azure.manage',
    'azure.transfer',
  ],
  'admin-agent': [
    ...PARTNER_BASE,
    'customers.create',
    'relationships.request',
    'subscriptions.manage',
    'orders.create',
    'licenses.read',
    'licenses.manage',
    'transitions.plan',
    'transitions.apply',
    'credits.file',
    'subscriptions.manage-direct',
    'delegated-admin.request',
    'transfers.request',
    'transfers.decide',
    'azure.manage',
    'azure.transfer',
  ],
  'sales-agent': [
    ...PARTNER_BASE,
    'customers.create',
    'relationships.request',
    'subscriptions.manage',
    'orders.create',
    'transitions.plan',
    'transitions.apply',
    'transfers.request',
    'transfers.decide',
    'azure.manage',
  ],
  // Read-only on customers and subscriptions; billing views; no admin-on-behalf.
  'billing-agent': [...PARTNER_BASE, 'billing.read', 'billing.price-rules', 'invoices.read'],
  'global-admin': [...EVERYONE, 'tenant.read', 'tenant.manage', 'audit.read', 'offers.read'],
  'tenant-user': [...EVERYONE],
  operator: [
    ...EVERYONE,
    'offers.read',
    'audit.read',
    'operator.catalog',
    'operator.tenants',
    'operator.clock',
    'operator.billing',
    'operator.usage',
  ],
};

export function can(roles: readonly Role[], action: Action): boolean {
  return roles.some((r) => PERMISSIONS[r]?.includes(action));
}

/** Every action the roles allow, in the table's order: the console shows only what these permit (/me). */
export function allowedActions(roles: readonly Role[]): Action[] {
  return (Object.keys(ACTIONS) as Action[]).filter((a) => can(roles, a));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * The second table, beside the first: the actions that act inside a customer's tenant, and the task
 * the partner user's delegated-admin roles there must allow (SPEC §10; the roles per task are in
 * src/domain/directory-roles.ts). Both must hold: the partner role above, and a role of the user's
 * security groups on that tenant. Routes and transition steps check this same table.
 */
export const DELEGATED_TASK_OF: Partial<Record<Action, DelegatedTask>> = {
  'licenses.read': 'read-users',
  'licenses.manage': 'assign-licenses',
  'subscriptions.manage-direct': 'billing',
  'credits.file': 'billing',
};
