import { describe, expect, it } from 'vitest';
import { addDaysUtc } from './calendar.ts';
import { dueReminder, effectiveExpiry, grantState } from './delegated-admin.ts';

const t0 = new Date('2025-01-01T00:00:00Z');

describe('delegated admin rules', () => {
  it('keeps DAP active with no end', () => {
    const g = { status: 'active' as const, expiresAt: null, autoExtend: false, requestExpiresAt: null };
    expect(grantState(g, addDaysUtc(t0, 10_000))).toEqual({ state: 'active', expiresAt: null });
  });

  it('expires a GDAP at its end unless it auto-extends by 180-day periods', () => {
    const end = addDaysUtc(t0, 30);
    const g = { status: 'active' as const, expiresAt: end, autoExtend: false, requestExpiresAt: null };
    expect(grantState(g, addDaysUtc(t0, 29)).state).toBe('active');
    expect(grantState(g, end).state).toBe('expired');
    expect(effectiveExpiry(end, true, addDaysUtc(t0, 29))).toEqual(end);
    expect(effectiveExpiry(end, true, end)).toEqual(addDaysUtc(end, 180));
    expect(effectiveExpiry(end, true, addDaysUtc(end, 179))).toEqual(addDaysUtc(end, 180));
    expect(effectiveExpiry(end, true, addDaysUtc(end, 180))).toEqual(addDaysUtc(end, 360));
    expect(grantState({ ...g, autoExtend: true }, addDaysUtc(end, 400)).state).toBe('active');
  });

  it('lapses an unapproved request at its request end', () => {
    const g = {
      status: 'requested' as const,
      expiresAt: null,
      autoExtend: false,
      requestExpiresAt: addDaysUtc(t0, 90),
    };
    expect(grantState(g, addDaysUtc(t0, 89)).state).toBe('requested');
    expect(grantState(g, addDaysUtc(t0, 90)).state).toBe('expired');
  });
});

describe('GDAP expiry reminders', () => {
  const end = addDaysUtc(t0, 100);
  const g = { status: 'active' as const, expiresAt: end, autoExtend: false };
  const at = (daysLeft: number) => dueReminder(g, addDaysUtc(end, -daysLeft));

  it('is due at 30, 7 and 1 days before the end, the nearest threshold reached', () => {
    expect(at(31)).toBeNull();
    expect(at(30)).toBe(30);
    expect(at(8)).toBe(30);
    expect(at(7)).toBe(7);
    expect(at(2)).toBe(7);
    expect(at(1)).toBe(1);
    expect(at(0.01)).toBe(1);
  });

  it('sends none once ended, for auto-extending grants, DAP, or grants not active', () => {
    expect(at(0)).toBeNull();
    expect(at(-5)).toBeNull();
    expect(dueReminder({ ...g, autoExtend: true }, addDaysUtc(end, -3))).toBeNull();
    expect(dueReminder({ ...g, expiresAt: null }, addDaysUtc(end, -3))).toBeNull();
    expect(dueReminder({ ...g, status: 'revoked' }, addDaysUtc(end, -3))).toBeNull();
  });
});
