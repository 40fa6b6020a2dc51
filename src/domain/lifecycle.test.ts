import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addTerm,
  DEFAULT_LIFECYCLE,
  effectiveTerm,
  LIFECYCLE_ORDER,
  lifecycleState,
  type SubscriptionDates,
  seatReductionDeadline,
} from './lifecycle.ts';

const d = (iso: string) => new Date(iso);
const annual: SubscriptionDates = {
  termStart: d('2025-01-15T00:00:00Z'),
  termEnd: d('2026-01-15T00:00:00Z'),
  term: 'P1Y',
  autoRenew: false,
};
const at = (sub: SubscriptionDates, iso: string) => lifecycleState(sub, d(iso));

describe('effectiveTerm', () => {
  it('keeps the stored term until it ends, or when auto-renew is off', () => {
    expect(effectiveTerm(annual, d('2027-06-01T00:00:00Z'))).toEqual({
      termStart: annual.termStart,
      termEnd: annual.termEnd,
      renewals: 0,
    });
    expect(effectiveTerm({ ...annual, autoRenew: true }, d('2026-01-14T23:59:59Z')).renewals).toBe(0);
  });

  it('rolls an auto-renewing term forward by whole terms, at the instant it ends', () => {
    const sub = { ...annual, autoRenew: true };
    expect(effectiveTerm(sub, d('2026-01-15T00:00:00Z'))).toEqual({
      termStart: d('2026-01-15T00:00:00Z'),
      termEnd: d('2027-01-15T00:00:00Z'),
      renewals: 1,
    });
    expect(effectiveTerm(sub, d('2028-03-01T00:00:00Z'))).toEqual({
      termStart: d('2028-01-15T00:00:00Z'),
      termEnd: d('2029-01-15T00:00:00Z'),
      renewals: 3,
    });
  });

  it('keeps month ends for monthly terms (Jan 31 → Feb 28 → Mar 31)', () => {
    const sub: SubscriptionDates = {
      termStart: d('2025-12-31T10:00:00Z'),
      termEnd: d('2026-01-31T10:00:00Z'),
      term: 'P1M',
      autoRenew: true,
    };
    expect(effectiveTerm(sub, d('2026-02-10T00:00:00Z')).termEnd).toEqual(d('2026-02-28T10:00:00Z'));
    expect(effectiveTerm(sub, d('2026-03-05T00:00:00Z'))).toEqual({
      termStart: d('2026-02-28T10:00:00Z'),
      termEnd: d('2026-03-31T10:00:00Z'),
      renewals: 2,
    });
  });

  it('adds three years for P3Y and handles leap days', () => {
    expect(addTerm(d('2024-02-29T00:00:00Z'), 'P3Y')).toEqual(d('2027-02-28T00:00:00Z'));
    expect(addTerm(d('2024-02-29T00:00:00Z'), 'P1Y', 4)).toEqual(d('2028-02-29T00:00:00Z'));
  });

  it('stops renewing once cancelled or suspended', () => {
    const sub = { ...annual, autoRenew: true, suspendedAt: d('2026-06-01T00:00:00Z') };
    expect(effectiveTerm(sub, d('2030-01-01T00:00:00Z')).termEnd).toEqual(d('2027-01-15T00:00:00Z'));
  });
});

describe('lifecycleState, with auto-renew off', () => {
  it('is active until the term ends, with the term end as the next change', () => {
    expect(at(annual, '2026-01-14T23:59:59Z')).toMatchObject({
      state: 'active',
      usersHaveAccess: true,
      adminsHaveAccess: true,
      dataRetained: true,
      nextChangeAt: d('2026-01-15T00:00:00Z'),
    });
  });

  it('is expired for 30 days with users still working', () => {
    expect(at(annual, '2026-01-15T00:00:00Z')).toMatchObject({
      state: 'expired',
      usersHaveAccess: true,
      nextChangeAt: d('2026-02-14T00:00:00Z'),
    });
  });

  it('is disabled for 90 days: admins only, data kept', () => {
    expect(at(annual, '2026-02-14T00:00:00Z')).toMatchObject({
      state: 'disabled',
      usersHaveAccess: false,
      adminsHaveAccess: true,
      dataRetained: true,
      nextChangeAt: d('2026-05-15T00:00:00Z'),
    });
  });

  it('is deleted after that, with nothing left and nothing more to come', () => {
    expect(at(annual, '2026-05-15T00:00:00Z')).toMatchObject({
      state: 'deleted',
      usersHaveAccess: false,
      adminsHaveAccess: false,
      dataRetained: false,
      nextChangeAt: null,
    });
  });

  it('follows the settings', () => {
    const s = { ...DEFAULT_LIFECYCLE, expiredDays: 1, disabledDays: 2 };
    expect(lifecycleState(annual, d('2026-01-16T00:00:00Z'), s).state).toBe('disabled');
    expect(lifecycleState(annual, d('2026-01-18T00:00:00Z'), s).state).toBe('deleted');
  });
});

describe('lifecycleState, other paths', () => {
  it('stays active forever with auto-renew on', () => {
    const s = at({ ...annual, autoRenew: true }, '2031-07-01T00:00:00Z');
    expect(s).toMatchObject({ state: 'active', nextChangeAt: null, renewals: 6 });
    expect(s.termEnd).toEqual(d('2032-01-15T00:00:00Z'));
  });

  it('cancelled: deleted at once for users, data kept 7 days for the admin, then gone', () => {
    const sub = { ...annual, autoRenew: true, cancelledAt: d('2025-03-01T12:00:00Z') };
    expect(at(sub, '2025-03-01T11:59:59Z')).toMatchObject({
      state: 'active',
      nextChangeAt: d('2025-03-01T12:00:00Z'),
    });
    expect(at(sub, '2025-03-01T12:00:00Z')).toMatchObject({
      state: 'deleted',
      usersHaveAccess: false,
      adminsHaveAccess: true,
      dataRetained: true,
      nextChangeAt: d('2025-03-08T12:00:00Z'),
    });
    expect(at(sub, '2025-03-08T12:00:00Z')).toMatchObject({
      state: 'deleted',
      adminsHaveAccess: false,
      dataRetained: false,
      nextChangeAt: null,
    });
  });

  it('cancelling after deletion brings no data back', () => {
    const sub = { ...annual, cancelledAt: d('2026-09-01T00:00:00Z') };
    expect(at(sub, '2026-09-02T00:00:00Z')).toMatchObject({ state: 'deleted', dataRetained: false });
  });

  it('suspended: users lose access, admins keep it; still suspended at its term end it is expired, then disabled', () => {
    const sub = { ...annual, autoRenew: true, suspendedAt: d('2025-06-01T00:00:00Z') };
    expect(at(sub, '2025-06-01T00:00:00Z')).toMatchObject({
      state: 'suspended',
      usersHaveAccess: false,
      adminsHaveAccess: true,
      dataRetained: true,
      // No renewal while suspended: at the term end it is expired.
      nextChangeAt: d('2026-01-15T00:00:00Z'),
    });
    expect(at(sub, '2026-01-15T00:00:00Z')).toMatchObject({
      state: 'expired',
      usersHaveAccess: false,
      adminsHaveAccess: true,
      dataRetained: true,
      nextChangeAt: d('2026-02-14T00:00:00Z'),
    });
    expect(at(sub, '2026-02-14T00:00:00Z').state).toBe('disabled');
  });

  it('cancelled in the admin center: disabled for 90 days (admins only, data kept), then deleted', () => {
    const sub = { ...annual, cancelledAt: d('2025-06-01T00:00:00Z'), cancelDisables: true };
    expect(at(sub, '2025-06-01T00:00:00Z')).toMatchObject({
      state: 'disabled',
      usersHaveAccess: false,
      adminsHaveAccess: true,
      dataRetained: true,
      nextChangeAt: d('2025-08-30T00:00:00Z'),
    });
    expect(at(sub, '2025-08-29T23:59:59Z').state).toBe('disabled');
    expect(at(sub, '2025-08-30T00:00:00Z')).toMatchObject({ state: 'deleted', dataRetained: false });
    // Through a partner (new commerce): deleted at once, data kept for the 7-day backup window.
    const partner = { ...annual, cancelledAt: d('2025-06-01T00:00:00Z') };
    expect(at(partner, '2025-06-01T00:00:00Z')).toMatchObject({ state: 'deleted', dataRetained: true });
    expect(at(partner, '2025-06-08T00:00:00Z')).toMatchObject({ state: 'deleted', dataRetained: false });
  });

  it('gives the seat reduction grace deadline', () => {
    expect(seatReductionDeadline(d('2026-01-01T00:00:00Z'))).toEqual(d('2026-04-01T00:00:00Z'));
  });
});

describe('lifecycle properties', () => {
  const date = fc.date({
    min: d('2020-01-01T00:00:00Z'),
    max: d('2032-01-01T00:00:00Z'),
    noInvalidDate: true,
  });
  const sub = fc
    .record({
      termStart: date,
      days: fc.integer({ min: 1, max: 1100 }),
      term: fc.constantFrom('P1M' as const, 'P1Y' as const, 'P3Y' as const),
      suspendedAt: fc.option(date, { nil: null }),
      cancelledAt: fc.option(date, { nil: null }),
      cancelDisables: fc.boolean(),
    })
    .map(
      (r): SubscriptionDates => ({
        termStart: r.termStart,
        termEnd: new Date(r.termStart.getTime() + r.days * 86_400_000),
        term: r.term,
        autoRenew: false,
        suspendedAt: r.suspendedAt,
        cancelledAt: r.cancelledAt,
        cancelDisables: r.cancelDisables,
      }),
    );

  it('never goes back: state, user access and data only move forward in time', () => {
    fc.assert(
      fc.property(sub, date, date, (s, a, b) => {
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        const x = lifecycleState(s, t1);
        const y = lifecycleState(s, t2);
        expect(LIFECYCLE_ORDER[y.state]).toBeGreaterThanOrEqual(LIFECYCLE_ORDER[x.state]);
        if (!x.usersHaveAccess) expect(y.usersHaveAccess).toBe(false);
        if (!x.dataRetained) expect(y.dataRetained).toBe(false);
        if (!x.adminsHaveAccess) expect(y.adminsHaveAccess).toBe(false);
      }),
    );
  });

  it('nextChangeAt is in the future and the state really changes there, not before', () => {
    fc.assert(
      fc.property(sub, date, (s, now) => {
        const x = lifecycleState(s, now);
        if (x.nextChangeAt === null) return;
        expect(x.nextChangeAt.getTime()).toBeGreaterThan(now.getTime());
        const just = lifecycleState(s, new Date(x.nextChangeAt.getTime() - 1));
        const next = lifecycleState(s, x.nextChangeAt);
        expect(just.state).toBe(x.state);
        expect([next.state, next.dataRetained, next.usersHaveAccess]).not.toEqual([
          x.state,
          x.dataRetained,
          x.usersHaveAccess,
        ]);
      }),
    );
  });
});
