import { type Action, can, type Role } from '../../platform/auth/permissions.ts';

/** The kinds of in-app notification; the console words each one (en.json / es.json, `notifications.kind`). */
export const NOTIFICATION_KINDS = [
  'invitation-accepted',
  'plan-needs-acknowledgment',
  'step-failed',
  'transfer-waiting',
  'gdap-expiring',
  'credit-decided',
  'invoice-ready',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Who hears of an event: a partner's users who may act on it, or a tenant's global admins. */
export type Audience = { partnerId: string; anyOf: Action[] } | { tenantId: string; globalAdmins: true };

export interface NotificationRule {
  kind: NotificationKind;
  audience: Audience;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/**
 * The notifications an outbox event makes: pure, from the event alone. A partner's users hear of
 * what their role lets them act on (a transfer's source decides it, a failed step is for those who
 * apply), a customer's global admins of what happened to their tenant's requests.
 */
export function notificationRules(type: string, payload: Record<string, unknown>): NotificationRule[] {
  const partnerId = str(payload.partnerId);
  const tenantId = str(payload.tenantId);
  const partner = (anyOf: Action[]): Audience[] => (partnerId ? [{ partnerId, anyOf }] : []);
  const rules = (kind: NotificationKind, audiences: Audience[]) =>
    audiences.map((audience) => ({ kind, audience }));
  switch (type) {
    case 'relationship.accepted':
      return rules('invitation-accepted', partner(['customers.read']));
    case 'transition.planned':
      return payload.verdict === 'needs-acknowledgment'
        ? rules('plan-needs-acknowledgment', partner(['transitions.apply']))
        : [];
    case 'transition.step-failed':
      return rules('step-failed', partner(['transitions.apply']));
    case 'transfer.requested': {
      const source = str(payload.sourcePartnerId);
      return source ? rules('transfer-waiting', [{ partnerId: source, anyOf: ['transfers.decide'] }]) : [];
    }
    case 'delegated-admin.expiry-reminder':
      return rules('gdap-expiring', partner(['delegated-admin.request']));
    case 'credit-request.decided':
      // Filed by the partner (it names one) or by the customer: both sides see the decision.
      return rules('credit-decided', [
        ...partner(['credits.file', 'billing.read']),
        ...(tenantId ? [{ tenantId, globalAdmins: true as const }] : []),
      ]);
    case 'invoice.issued':
      return rules('invoice-ready', partner(['billing.read']));
    default:
      return [];
  }
}

/** Whether a user (its partner or tenant, and roles) is in an audience. */
export function inAudience(
  user: { partnerId: string | null; tenantId: string | null; roles: readonly string[] },
  audience: Audience,
): boolean {
  const roles = user.roles as Role[];
  if ('partnerId' in audience)
    return user.partnerId === audience.partnerId && audience.anyOf.some((a) => can(roles, a));
  return user.tenantId === audience.tenantId && roles.includes('global-admin');
}
