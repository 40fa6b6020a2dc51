import { describe, expect, it } from 'vitest';
import { OUTBOX_EVENT_TYPES, partnersOf, subjectOf } from './outbox-events.ts';

describe('outbox events', () => {
  it('a transfer concerns both partners, once each', () => {
    expect(partnersOf({ sourcePartnerId: 'a', targetPartnerId: 'b' }).sort()).toEqual(['a', 'b']);
    expect(partnersOf({ partnerId: 'a', sourcePartnerId: 'a' })).toEqual(['a']);
    expect(partnersOf({ partnerId: null, tenantId: 't' })).toEqual([]);
  });

  it('events about one thing share a subject', () => {
    expect(subjectOf('transfer.requested', { transferId: 'x' })).toBe('transfer:x');
    expect(subjectOf('transfer.decided', { transferId: 'x' })).toBe('transfer:x');
    expect(subjectOf('transition.step-failed', { transitionId: 'y' })).toBe(
      subjectOf('transition.status-changed', { transitionId: 'y' }),
    );
    expect(subjectOf('delegated-admin.revoked', { partnerId: 'p', tenantId: 't', grantIds: [] })).toBe(
      subjectOf('delegated-admin.expiry-reminder', { partnerId: 'p', tenantId: 't', grantId: 'g' }),
    );
  });

  it('every event type has a subject of its own kind when its id is there', () => {
    const payload = {
      relationshipId: 'r',
      partnerId: 'p',
      tenantId: 't',
      creditRequestId: 'c',
      transferId: 'x',
      subscriptionId: 's',
      transitionId: 'y',
      invoiceId: 'i',
    };
    expect(OUTBOX_EVENT_TYPES.length).toBeGreaterThan(0);
    for (const type of OUTBOX_EVENT_TYPES) expect(subjectOf(type, payload)).not.toMatch(/^event:/);
    expect(subjectOf('transfer.requested', {})).toBe('event:transfer.requested');
  });
});
