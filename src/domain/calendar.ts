/**
 * Calendar math in UTC. date-fns' addMonths/addDays work in the process's local time zone, so a
 * server in Europe/Madrid and one in UTC would disagree by an hour (or a day) across a DST change;
 * subscription dates must not depend on where the process runs.
 */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export function addDaysUtc(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/** Adds calendar months, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29), like date-fns. */
export function addMonthsUtc(at: Date, months: number): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(at.getTime());
  d.setUTCFullYear(y, m, Math.min(at.getUTCDate(), lastDay));
  return d;
}

export function addYearsUtc(at: Date, years: number): Date {
  return addMonthsUtc(at, years * 12);
}

/** Whole or started days from `from` to `to` (0 when `to` is not after `from`). */
export function startedDaysBetween(from: Date, to: Date): number {
  const ms = to.getTime() - from.getTime();
  return ms <= 0 ? 0 : Math.ceil(ms / DAY_MS);
}
