import { addDays, addMonths, addYears } from 'date-fns';

/**
 * Subscription lifecycle, derived from dates and a clock (never stored), so that moving the
 * platform clock plays the whole lifecycle out:
 *   active → (term end, auto-renew off) expired: users keep access → disabled: admins only, data
 *   kept → deleted: data gone. Cancelled: access ends at once, data kept for a short backup window,
 *   then deleted. Suspended: users lose access, admins keep it.
 */
export interface LifecycleSettings {
  expiredDays: number;
  disabledDays: number;
  cancelledBackupDays: number;
  seatReductionGraceDays: number;
}

export const DEFAULT_LIFECYCLE: LifecycleSettings = {
  expiredDays: 30,
  disabledDays: 90,
  cancelledBackupDays: 7,
  seatReductionGraceDays: 90,
};

export type Term = 'P1M' | 'P1Y' | 'P3Y';

export interface SubscriptionDates {
  termStart: Date;
  termEnd: Date;
  term: Term;
  autoRenew: boolean;
  suspendedAt?: Date | null;
  cancelledAt?: Date | null;
}

export type LifecycleStateName = 'active' | 'suspended' | 'expired' | 'disabled' | 'deleted';

export interface LifecycleState {
  state: LifecycleStateName;
  usersHaveAccess: boolean;
  adminsHaveAccess: boolean;
  dataRetained: boolean;
  /** When the state changes next on its own (null: not until someone acts). */
  nextChangeAt: Date | null;
  termStart: Date;
  termEnd: Date;
  renewals: number;
}

export function addTerm(d: Date, term: Term, times = 1): Date {
  return term === 'P1M' ? addMonths(d, times) : term === 'P1Y' ? addYears(d, times) : addYears(d, 3 * times);
}

/** The current term: with auto-renew on, a term that ended rolls into the next one. */
export function effectiveTerm(
  sub: SubscriptionDates,
  now: Date,
): { termStart: Date; termEnd: Date; renewals: number } {
  let termStart = sub.termStart;
  let termEnd = sub.termEnd;
  let renewals = 0;
  if (!sub.autoRenew) return { termStart, termEnd, renewals };
  const stop = sub.cancelledAt && sub.cancelledAt < now ? sub.cancelledAt : now;
  while (stop >= termEnd && renewals < 10_000) {
    termStart = termEnd;
    termEnd = addTerm(sub.termEnd, sub.term, renewals + 1);
    renewals++;
  }
  return { termStart, termEnd, renewals };
}

export function lifecycleState(
  sub: SubscriptionDates,
  now: Date,
  settings: LifecycleSettings = DEFAULT_LIFECYCLE,
): LifecycleState {
  const term = effectiveTerm(sub, now);
  const base = { termStart: term.termStart, termEnd: term.termEnd, renewals: term.renewals };
  if (sub.cancelledAt && sub.cancelledAt <= now) {
    const purgeAt = addDays(sub.cancelledAt, settings.cancelledBackupDays);
    const retained = now < purgeAt;
    return {
      ...base,
      state: 'deleted',
      usersHaveAccess: false,
      adminsHaveAccess: retained,
      dataRetained: retained,
      nextChangeAt: retained ? purgeAt : null,
    };
  }
  if (now < term.termEnd) {
    if (sub.suspendedAt && sub.suspendedAt <= now) {
      return {
        ...base,
        state: 'suspended',
        usersHaveAccess: false,
        adminsHaveAccess: true,
        dataRetained: true,
        nextChangeAt: sub.autoRenew ? null : term.termEnd,
      };
    }
    return {
      ...base,
      state: 'active',
      usersHaveAccess: true,
      adminsHaveAccess: true,
      dataRetained: true,
      nextChangeAt: sub.autoRenew ? null : term.termEnd,
    };
  }
  const disabledAt = addDays(term.termEnd, settings.expiredDays);
  const deletedAt = addDays(disabledAt, settings.disabledDays);
  if (now < disabledAt) {
    // A suspended subscription that expires stays without user access.
    const users = !(sub.suspendedAt && sub.suspendedAt <= now);
    return {
      ...base,
      state: 'expired',
      usersHaveAccess: users,
      adminsHaveAccess: true,
      dataRetained: true,
      nextChangeAt: disabledAt,
    };
  }
  if (now < deletedAt) {
    return {
      ...base,
      state: 'disabled',
      usersHaveAccess: false,
      adminsHaveAccess: true,
      dataRetained: true,
      nextChangeAt: deletedAt,
    };
  }
  return {
    ...base,
    state: 'deleted',
    usersHaveAccess: false,
    adminsHaveAccess: false,
    dataRetained: false,
    nextChangeAt: null,
  };
}
