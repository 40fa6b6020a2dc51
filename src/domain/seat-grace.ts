import { DAY_MS } from './calendar.ts';

/**
 * Seats reduced below those assigned (SPEC §2): the users keep access for a grace period (90 days
 * by default, see `seatReductionDeadline`); then the newest assignments beyond the pool lose the
 * license. A reduction's grace covers only the removed seats that were in use.
 */

/**
 * The removed seats that were in use, i.e. the grace the reduction gives: `accessBefore` is what
 * gave users access before it (the pool plus any grace still running for the SKU); only seats that
 * gave access count as removed (`removedFromPool`; 0 for a suspended subscription).
 */
export function graceSeatsFor(input: {
  assigned: number;
  accessBefore: number;
  removedFromPool: number;
}): number {
  const accessAfter = input.accessBefore - input.removedFromPool;
  return Math.max(0, Math.min(input.removedFromPool, input.assigned - accessAfter));
}

/** Notices before the grace ends, as for delegated admin expiry. */
export const SEAT_GRACE_NOTICE_DAYS = [30, 7, 1] as const;
export type SeatGraceNoticeDays = (typeof SEAT_GRACE_NOTICE_DAYS)[number];

/**
 * The notice due at `now` for a grace ending at `endsAt`: the nearest threshold reached, or null
 * (too early, or already ended). After a jump in time only the nearest one is due.
 */
export function dueSeatGraceNotice(endsAt: Date, now: Date): SeatGraceNoticeDays | null {
  const left = endsAt.getTime() - now.getTime();
  if (left <= 0) return null;
  let due: SeatGraceNoticeDays | null = null;
  for (const days of SEAT_GRACE_NOTICE_DAYS) if (left <= days * DAY_MS) due = days;
  return due;
}
