import { DAY_MS } from './calendar.ts';

/**
 * Delegated admin rules (no I/O; `now` is passed in). Legacy DAP has no end. GDAP lasts 1 to 730
 * days from approval; with auto-extend it is extended by 180 days each time it reaches its end
 * (computed on read, so moving the clock plays it out). An unapproved GDAP request lapses after
 * 90 days.
 */
export const GDAP_MIN_DAYS = 1;
export const GDAP_MAX_DAYS = 730;
export const GDAP_AUTO_EXTEND_DAYS = 180;
export const GDAP_REQUEST_TTL_DAYS = 90;

export type GrantStatus = 'requested' | 'active' | 'declined' | 'revoked' | 'removed';
export type GrantState = GrantStatus | 'expired';

export interface GrantFacts {
  status: GrantStatus;
  /** The stored end of the first term (GDAP), or null (DAP, or not approved yet). */
  expiresAt: Date | null;
  autoExtend: boolean;
  /** When an unapproved request lapses. */
  requestExpiresAt: Date | null;
}

/** The end in force at `now`: the stored end, moved on by whole auto-extension periods once reached. */
export function effectiveExpiry(expiresAt: Date | null, autoExtend: boolean, now: Date): Date | null {
  if (!expiresAt) return null;
  if (!autoExtend || now.getTime() < expiresAt.getTime()) return expiresAt;
  const period = GDAP_AUTO_EXTEND_DAYS * DAY_MS;
  const periods = Math.floor((now.getTime() - expiresAt.getTime()) / period) + 1;
  return new Date(expiresAt.getTime() + periods * period);
}

/** The state of a grant at `now`, and the end in force. */
export function grantState(g: GrantFacts, now: Date): { state: GrantState; expiresAt: Date | null } {
  if (g.status === 'requested') {
    const lapsed = g.requestExpiresAt !== null && now.getTime() >= g.requestExpiresAt.getTime();
    return { state: lapsed ? 'expired' : 'requested', expiresAt: null };
  }
  if (g.status !== 'active') return { state: g.status, expiresAt: g.expiresAt };
  const end = effectiveExpiry(g.expiresAt, g.autoExtend, now);
  if (end !== null && now.getTime() >= end.getTime()) return { state: 'expired', expiresAt: end };
  return { state: 'active', expiresAt: end };
}

/** GDAP expiry reminders go out this many days before the end (SPEC §6). */
export const GDAP_REMINDER_DAYS = [30, 7, 1] as const;
export type ReminderDays = (typeof GDAP_REMINDER_DAYS)[number];

/**
 * The reminder due at `now` for a grant that will end at `expiresAt`: the nearest threshold
 * already reached, or null (too early, or already ended). After a jump in time only the nearest
 * one is due, so nobody gets "30 days left" a day before the end. A grant that auto-extends never
 * ends, so it gets none.
 */
export function dueReminder(
  g: { status: GrantStatus; expiresAt: Date | null; autoExtend: boolean },
  now: Date,
): ReminderDays | null {
  if (g.status !== 'active' || g.autoExtend || g.expiresAt === null) return null;
  const left = g.expiresAt.getTime() - now.getTime();
  if (left <= 0) return null;
  let due: ReminderDays | null = null;
  for (const days of GDAP_REMINDER_DAYS) if (left <= days * DAY_MS) due = days;
  return due;
}
