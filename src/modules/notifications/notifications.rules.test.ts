import { describe, expect, it } from 'vitest';
import { inAudience, notificationRules } from './notifications.rules.ts';

const user = (partnerId: string | null, tenantId: string | null, roles: string[]) => ({
  partnerId,
  tenantId,
  roles,
});

describe('notification rules', () => {
  it('a transfer request is for the source partner users who decide transfers, not the target', () => {
    const rules = notificationRules('transfer.requested', {
      transferId: 'x',
      sourcePartnerId: 'a',
      targetPartnerId: 'b',
      tenantId: 't',
    });
    expect(rules).toHaveLength(1);
    const [rule] = rules;
    expect(rule!.kind).toBe('transfer-waiting');
    expect(inAudience(user('a', null, ['sales-agent']), rule!.audience)).toBe(true);
    expect(inAudience(user('a', null, ['billing-agent']), rule!.audience)).toBe(false);
    expect(inAudience(user('b', null, ['account-admin']), rule!.audience)).toBe(false);
  });

  it('a plan notifies only when it needs an acknowledgment', () => {
    const p = { transitionId: 'y', partnerId: 'a', tenantId: 't' };
    expect(notificationRules('transition.planned', { ...p, verdict: 'ready' })).toEqual([]);
    expect(notificationRules('transition.planned', { ...p, verdict: 'needs-acknowledgment' })).toHaveLength(
      1,
    );
  });

  it("a credit decision reaches the filing partner and the tenant's global admins only", () => {
    const rules = notificationRules('credit-request.decided', { partnerId: 'a', tenantId: 't' });
    expect(rules.map((r) => r.kind)).toEqual(['credit-decided', 'credit-decided']);
    const reached = (u: ReturnType<typeof user>) => rules.some((r) => inAudience(u, r.audience));
    expect(reached(user('a', null, ['billing-agent']))).toBe(true);
    expect(reached(user(null, 't', ['global-admin']))).toBe(true);
    expect(reached(user(null, 't', ['tenant-user']))).toBe(false);
    expect(reached(user(null, 'u', ['global-admin']))).toBe(false);
    // A customer's own request names no partner: only its admins hear.
    expect(notificationRules('credit-request.decided', { partnerId: null, tenantId: 't' })).toHaveLength(1);
  });

  it('events nobody is notified of make none', () => {
    expect(notificationRules('seats.over-assigned', { partnerId: 'a' })).toEqual([]);
    expect(
      notificationRules('invoice.issued', { invoiceId: 'i', partnerId: 'a', number: 'N-1' }),
    ).toHaveLength(1);
  });
});
