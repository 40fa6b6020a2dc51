import { addMonthsUtc, DAY_MS, startedDaysBetween } from '../calendar.ts';
import type { Term } from '../lifecycle.ts';

/**
 * Billing proration (SPEC §8), in integers only. A charge period (the whole term when it is billed
 * per term, or one cycle of it) has a price per seat `p` and `n` days. The value per seat of the days
 * from day `k` to the period's end is `restValue(p, k, n) = floor(p × (n − k) / n)`: a seat added on
 * day `k` pays it, a seat removed (or cancelled, or transferred away) on day `k` gets it back. Because
 * every line takes that one floored function, a seat held from day `a` to day `b` pays exactly
 * `restValue(a) − restValue(b)` whatever lines it took, and the days of a period add up to `p`:
 * a day-by-day sum and the lines agree to the minor unit.
 */
export function restValue(pricePerSeat: number, fromDay: number, days: number): number {
  if (!Number.isSafeInteger(pricePerSeat) || !Number.isSafeInteger(fromDay) || !Number.isSafeInteger(days))
    throw new RangeError('restValue needs integers');
  if (days <= 0) throw new RangeError('restValue needs a period of at least one day');
  const k = Math.min(Math.max(fromDay, 0), days);
  const p = BigInt(pricePerSeat);
  const num = p * BigInt(days - k);
  const den = BigInt(days);
  // BigInt division truncates toward zero; floor explicitly so a negative price floors too.
  let q = num / den;
  if (num % den !== 0n && num < 0n) q -= 1n;
  return Number(q);
}

/** The value of one seat on day `day` of the period alone (what a day-by-day simulation sums). */
export function dayValue(pricePerSeat: number, day: number, days: number): number {
  return restValue(pricePerSeat, day, days) - restValue(pricePerSeat, day + 1, days);
}

export type BillingCycle = 'monthly' | 'annual';

const TERM_MONTHS: Record<Term, number> = { P1M: 1, P1Y: 12, P3Y: 36 };
const CYCLE_MONTHS: Record<BillingCycle, number> = { monthly: 1, annual: 12 };

/** One charge period of a term: its dates, its index and its price per seat. */
export interface ChargePeriod {
  index: number;
  start: Date;
  end: Date;
  /** Days in the period (started days, so a period of 30 days and 1 hour has 31). */
  days: number;
  pricePerSeat: number;
}

/** How many periods a term is billed in: one (billed per term) or one per cycle (monthly, yearly). */
export function periodsPerTerm(term: Term, cycle: BillingCycle): number {
  return Math.max(1, Math.floor(TERM_MONTHS[term] / CYCLE_MONTHS[cycle]));
}

/**
 * Period `i` of the term starting at `termStart`. The term price per seat `u` is split so the periods
 * add up to it exactly: period `i` of `n` costs `floor(u(i+1)/n) − floor(u·i/n)` (1/12 of an annual
 * price each month, the odd minor units spread over the year). Dates count from the term start, so a
 * term starting on the 31st keeps its cycles on the 31st when the month has one.
 */
export function chargePeriod(
  termStart: Date,
  term: Term,
  cycle: BillingCycle,
  termPricePerSeat: number,
  index: number,
): ChargePeriod {
  const n = periodsPerTerm(term, cycle);
  if (!Number.isSafeInteger(index) || index < 0 || index >= n) throw new RangeError('no such period');
  const months = TERM_MONTHS[term] / n;
  const start = addMonthsUtc(termStart, months * index);
  const end = addMonthsUtc(termStart, months * (index + 1));
  const share = (i: number) => {
    const num = BigInt(termPricePerSeat) * BigInt(i);
    let q = num / BigInt(n);
    if (num % BigInt(n) !== 0n && num < 0n) q -= 1n;
    return q;
  };
  return {
    index,
    start,
    end,
    days: Math.max(1, startedDaysBetween(start, end)),
    pricePerSeat: Number(share(index + 1) - share(index)),
  };
}

/** Every period of the term, in order. */
export function chargePeriods(termStart: Date, term: Term, cycle: BillingCycle, termPricePerSeat: number) {
  const n = periodsPerTerm(term, cycle);
  return Array.from({ length: n }, (_, i) => chargePeriod(termStart, term, cycle, termPricePerSeat, i));
}

/** The period of the term in force at `at` (the last one at or after its end, the first before it). */
export function periodAt(
  termStart: Date,
  term: Term,
  cycle: BillingCycle,
  termPricePerSeat: number,
  at: Date,
): ChargePeriod {
  const periods = chargePeriods(termStart, term, cycle, termPricePerSeat);
  for (const p of periods) if (at.getTime() < p.end.getTime()) return p;
  return periods[periods.length - 1]!;
}

/**
 * The day of the period an event at `at` falls on: a day that has started counts as used (as for
 * refunds, SPEC §3), so a change takes effect from the next whole day of the period.
 */
export function dayOfPeriod(period: Pick<ChargePeriod, 'start' | 'days'>, at: Date): number {
  return Math.min(period.days, startedDaysBetween(period.start, at));
}

/** The UTC calendar day (YYYY-MM-DD) of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The charge dates of the days from `fromDay` to the end of the period, both inclusive as the
 * program shows them: the UTC day the first charged day begins on, and the one the last begins on
 * (a term from 10 March 09:00 ends on 9 March: its 365th day begins then).
 */
export function chargeDates(period: Pick<ChargePeriod, 'start' | 'days'>, fromDay: number) {
  const first = Math.min(fromDay, period.days);
  const last = Math.max(first, period.days - 1);
  return {
    chargeStart: utcDay(new Date(period.start.getTime() + first * DAY_MS)),
    chargeEnd: utcDay(new Date(period.start.getTime() + last * DAY_MS)),
  };
}

/** The first day (UTC) of the month of `at`: the billing month of an event. */
export function billingMonthOf(at: Date): string {
  return `${utcDay(at).slice(0, 7)}-01`;
}
