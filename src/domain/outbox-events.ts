/**
 * The events the outbox carries (written in the transaction of the change they describe) and the
 * two facts webhooks need of each: which partners it concerns, and its subject, the thing it is
 * about (a transfer, a transition...). Deliveries of one subject go out in order, one at a time.
 */
export const OUTBOX_EVENT_TYPES = [
  'relationship.accepted',
  'relationship.removed',
  'delegated-admin.revoked',
  'delegated-admin.expiry-reminder',
  'credit-request.decided',
  'transfer.requested',
  'transfer.decided',
  'seats.over-assigned',
  'seats.licenses-removed',
  'transition.planned',
  'transition.step-failed',
  'transition.status-changed',
  'invoice.issued',
] as const;

export type OutboxEventType = (typeof OUTBOX_EVENT_TYPES)[number];

export function isOutboxEventType(value: string): value is OutboxEventType {
  return (OUTBOX_EVENT_TYPES as readonly string[]).includes(value);
}

type Payload = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** The partners an event concerns: its partner, or both sides of a transfer. */
export function partnersOf(payload: Payload): string[] {
  const ids = [str(payload.partnerId), str(payload.sourcePartnerId), str(payload.targetPartnerId)];
  return [...new Set(ids.filter((x): x is string => x !== null))];
}

/** What the event is about, as `kind:id`; events of one subject are delivered in order. */
export function subjectOf(type: string, payload: Payload): string {
  const pick = (kind: string, key: string) => {
    const id = str(payload[key]);
    return id ? `${kind}:${id}` : null;
  };
  let subject: string | null = null;
  switch (type) {
    case 'relationship.accepted':
    case 'relationship.removed':
      subject = pick('relationship', 'relationshipId');
      break;
    case 'delegated-admin.revoked':
    case 'delegated-admin.expiry-reminder':
      // A pair's grants come and go together: their reminders and revocations share one order.
      subject =
        str(payload.partnerId) && str(payload.tenantId)
          ? `delegated-admin:${payload.partnerId}:${payload.tenantId}`
          : null;
      break;
    case 'credit-request.decided':
      subject = pick('credit-request', 'creditRequestId');
      break;
    case 'transfer.requested':
    case 'transfer.decided':
      subject = pick('transfer', 'transferId');
      break;
    case 'seats.over-assigned':
    case 'seats.licenses-removed':
      subject = pick('subscription', 'subscriptionId');
      break;
    case 'transition.planned':
    case 'transition.step-failed':
    case 'transition.status-changed':
      subject = pick('transition', 'transitionId');
      break;
    case 'invoice.issued':
      subject = pick('invoice', 'invoiceId');
      break;
  }
  // An event that names no subject is its own subject: nothing orders it.
  return subject ?? `event:${type}`;
}
