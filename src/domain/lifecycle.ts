import { addDaysUtc, addMonthsUtc } from './calendar.ts';

/**
 * Subscription lifecycle, derived from dates and a clock (never stored), so that moving the platform
 * clock plays the whole lifecycle out:
 *   active → (term end, auto-renew off) expired: users keep access → disabled: admins only, data
 *   kept → deleted: data gone.
 *   Cancelled through a partner (new commerce): straight to 'deleted' at cancelledAt, as the program
 *   says; users lose access at once, while admins keep access and the data stays for the backup
 *   window (dataRetained true), then it is gone. No separate 'cancelled' state: `dataRetained`
 *   tells the two kinds of 'deleted' apart.
 *   Cancelled in the vendor's admin center (`cancelDisables`): 'disabled' for the disabled period
 *   (admins only, data kept), then deleted, as the admin center does.
 *   Suspended: users lose access, admins keep it; a suspended subscription does not renew. Still
 *   suspended at its term end, it is 'expired' (users still without access), then disabled and
 *   deleted as any other.
 */
export interface LifecycleSettings {
  expiredDays: number;
  disabledDays: number;
  cancelledBackupDays: number;
  seatReductionGraceDays: number;
}

/** `before-end` provisioning buys this many days before the source stops (SPEC §3). */
export const DEFAULT_PROVISION_DAYS_BEFORE_END = 7;

/** The one copy of the lifecycle's default durations (config, planner and services read it). */
export const DEFAULT_LIFECYCLE: LifecycleSettings = Object.freeze({
  expiredDays: 30,
  disabledDays: 90,
  cancelledBackupDays: 7,
  seatReductionGraceDays: 90,
});

export type Term = 'P1M' | 'P1Y' | 'P3Y';

export interface SubscriptionDates {
  termStart: Date;
  termEnd: Date;
  term: Term;
  autoRenew: boolean;
  suspendedAt?: Date | null;
  cancelledAt?: Date | null;
  /** Cancelled in the vendor's admin center: disabled first, not deleted at once. */
  cancelDisables?: boolean;
}

export type LifecycleStateName = 'active' | 'suspended' | 'expired' | 'disabled' | 'deleted';

/** Later states never give way to earlier ones for a subscription left alone (see the tests). */
export const LIFECYCLE_ORDER: Record<LifecycleStateName, number> = {
  active: 0,
  // A suspension only shows while the term runs: at its end a suspended subscription is expired.
  suspended: 1,
  expired: 2,
  disabled: 3,
  deleted: 4,
};

export interface LifecycleState {
  state: LifecycleStateName;
  usersHaveAccess: boolean;
  adminsHaveAccess: boolean;
  dataRetained: boolean;
  /** When the derived state next changes by itself (null: not until someone acts). */
  nextChangeAt: Date | null;
  termStart: Date;
  termEnd: Date;
  renewals: number;
}

const TERM_MONTHS: Record<Term, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

/**
 * `times` terms after `d`. Renewals are counted from the first term end (not added one by one), so a
 * monthly term ending on the 31st comes back to the 31st whenever the month has one.
 */
export function addTerm(d: Date, term: Term, times = 1): Date {
  return addMonthsUtc(d, TERM_MONTHS[term] * times);
}

/** The first moment from which the subscription stops renewing (cancelled or suspended), if any. */
function stopAt(sub: SubscriptionDates): Date | null {
  const c = sub.cancelledAt instanceof Date ? sub.cancelledAt : null;
  const s = sub.suspendedAt instanceof Date ? sub.suspendedAt : null;
  if (c && s) return c.getTime() <= s.getTime() ? c : s;
  return c ?? s;
}

// A 3-year term renewed monthly for a millennium is 12,000 steps; nothing real comes close.
const MAX_RENEWALS = 12_000;

/** The term in force at `now`: with auto-renew on, a term that ended rolls into the next one. */
export function effectiveTerm(
  sub: SubscriptionDates,
  now: Date,
): { termStart: Date; termEnd: Date; renewals: number } {
  let termStart = sub.termStart;
  let termEnd = sub.termEnd;
  let renewals = 0;
  // A term that ends at `termEnd` rolls into the next one unless renewing stopped by then.
  const stop = sub.autoRenew ? stopAt(sub) : null;
  const renews = (end: Date) => sub.autoRenew && (stop === null || stop.getTime() > end.getTime());
  while (termEnd.getTime() <= now.getTime() && renews(termEnd) && renewals < MAX_RENEWALS) {
    renewals++;
    termStart = termEnd;
    termEnd = addTerm(sub.termEnd, sub.term, renewals);
  }
  return { termStart, termEnd, renewals };
}

/** The end of the last term, after which expiry starts; null while it keeps renewing. */
function finalTermEnd(sub: SubscriptionDates): Date | null {
  if (!sub.autoRenew) return sub.termEnd;
  const stop = stopAt(sub);
  if (stop === null) return null;
  return effectiveTerm(sub, stop).termEnd;
}

type Access = Pick<LifecycleState, 'state' | 'usersHaveAccess' | 'adminsHaveAccess' | 'dataRetained'>;

const ACCESS: Record<LifecycleStateName, Access> = {
  active: { state: 'active', usersHaveAccess: true, adminsHaveAccess: true, dataRetained: true },
  expired: { state: 'expired', usersHaveAccess: true, adminsHaveAccess: true, dataRetained: true },
  suspended: { state: 'suspended', usersHaveAccess: false, adminsHaveAccess: true, dataRetained: true },
  disabled: { state: 'disabled', usersHaveAccess: false, adminsHaveAccess: true, dataRetained: true },
  deleted: { state: 'deleted', usersHaveAccess: false, adminsHaveAccess: false, dataRetained: false },
};
/** Suspended past its term end: expired, but its users stay without access. */
const SUSPENDED_EXPIRED: Access = {
  state: 'expired',
  usersHaveAccess: false,
  adminsHaveAccess: true,
  dataRetained: true,
};
const CANCELLED_IN_BACKUP: Access = {
  state: 'deleted',
  usersHaveAccess: false,
  adminsHaveAccess: true,
  dataRetained: true,
};

/**
 * The stage the dates alone give, ignoring cancellation and suspension (`end`: the subscription's
 * `finalTermEnd`, worked out once by the caller).
 */
function byDates(end: Date | null, at: Date, s: LifecycleSettings): LifecycleStateName {
  if (end === null || at.getTime() < end.getTime()) return 'active';
  const disabledAt = addDaysUtc(end, s.expiredDays);
  if (at.getTime() < disabledAt.getTime()) return 'expired';
  if (at.getTime() < addDaysUtc(disabledAt, s.disabledDays).getTime()) return 'disabled';
  return 'deleted';
}

function accessAt(sub: SubscriptionDates, end: Date | null, at: Date, s: LifecycleSettings): Access {
  const t = at.getTime();
  if (sub.cancelledAt && t >= sub.cancelledAt.getTime()) {
    // Cancelling something already deleted brings nothing back.
    if (byDates(end, sub.cancelledAt, s) === 'deleted') return ACCESS.deleted;
    if (sub.cancelDisables)
      return t < addDaysUtc(sub.cancelledAt, s.disabledDays).getTime() ? ACCESS.disabled : ACCESS.deleted;
    const purgeAt = addDaysUtc(sub.cancelledAt, s.cancelledBackupDays);
    return t < purgeAt.getTime() ? CANCELLED_IN_BACKUP : ACCESS.deleted;
  }
  const stage = byDates(end, at, s);
  if (sub.suspendedAt && t >= sub.suspendedAt.getTime()) {
    if (stage === 'active') return ACCESS.suspended;
    if (stage === 'expired') return SUSPENDED_EXPIRED;
  }
  return ACCESS[stage];
}

function sameAccess(a: Access, b: Access): boolean {
  return (
    a.state === b.state &&
    a.usersHaveAccess === b.usersHaveAccess &&
    a.adminsHaveAccess === b.adminsHaveAccess &&
    a.dataRetained === b.dataRetained
  );
}

/** Every instant at which the derived state may change (`end`: the `finalTermEnd`). */
function boundaries(sub: SubscriptionDates, end: Date | null, s: LifecycleSettings): Date[] {
  const out: Date[] = [];
  if (end) {
    const disabledAt = addDaysUtc(end, s.expiredDays);
    out.push(end, disabledAt, addDaysUtc(disabledAt, s.disabledDays));
  }
  if (sub.cancelledAt)
    out.push(
      sub.cancelledAt,
      addDaysUtc(sub.cancelledAt, sub.cancelDisables ? s.disabledDays : s.cancelledBackupDays),
    );
  if (sub.suspendedAt) out.push(sub.suspendedAt);
  return out.length > 1 ? out.sort((a, b) => a.getTime() - b.getTime()) : out;
}

export function lifecycleState(
  sub: SubscriptionDates,
  now: Date,
  settings: LifecycleSettings = DEFAULT_LIFECYCLE,
): LifecycleState {
  // Worked out once: every stage below depends on it, and it walks the renewals to a stop.
  const end = finalTermEnd(sub);
  const access = accessAt(sub, end, now, settings);
  let nextChangeAt: Date | null = null;
  for (const b of boundaries(sub, end, settings)) {
    if (b.getTime() > now.getTime() && !sameAccess(accessAt(sub, end, b, settings), access)) {
      nextChangeAt = b;
      break;
    }
  }
  const term = effectiveTerm(sub, now);
  return {
    state: access.state,
    usersHaveAccess: access.usersHaveAccess,
    adminsHaveAccess: access.adminsHaveAccess,
    dataRetained: access.dataRetained,
    nextChangeAt,
    termStart: term.termStart,
    termEnd: term.termEnd,
    renewals: term.renewals,
  };
}

/**
 * Seats reduced below those assigned: admins get a grace period to fix it before users lose access
 * (the program's 90 days). Until this instant the pool counts the seats as they were.
 */
export function seatReductionDeadline(
  reducedAt: Date,
  settings: LifecycleSettings = DEFAULT_LIFECYCLE,
): Date {
  return addDaysUtc(reducedAt, settings.seatReductionGraceDays);
}
