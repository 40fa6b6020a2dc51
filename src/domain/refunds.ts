import { HOUR_MS, startedDaysBetween } from './calendar.ts';
import { type Minor, prorate, times } from './money.ts';

/**
 * What cancelling a license-based subscription costs or returns. Proration is by days: a day that has
 * started counts as used, so the value of a term is split into whole days that add up exactly
 * (used + remaining = term price) and never depends on the hour of the request.
 */
export interface TermValueInput {
  /** Minor units per seat per term. */
  unitPrice: Minor;
  quantity: number;
  termStart: Date;
  termEnd: Date;
}

export interface CancellationInput extends TermValueInput {
  /** Start of the current term, or the last renewal or seat add: the refund window runs from here. */
  purchasedAt: Date;
  now: Date;
  /** The offer's cancellation policy; 0 = no refund ever. */
  refundWindowHours: number;
}

export interface CancellationOutcome {
  refunded: Minor;
  /** Money paid for days the customer will not get: the remaining term when no refund is owed. */
  lost: Minor;
  remainingValue: Minor;
  insideWindow: boolean;
}

export function termDays(termStart: Date, termEnd: Date): number {
  return startedDaysBetween(termStart, termEnd);
}

/** The price paid for the term and the seats. */
export function termPrice(input: TermValueInput): Minor {
  return times(input.unitPrice, input.quantity);
}

/** The paid value of the part of the term from `at` to its end (the whole term before it starts). */
export function remainingTermValue(input: TermValueInput & { at: Date }): Minor {
  return overlapCost({ ...input, from: input.at, to: input.termEnd });
}

/**
 * What the customer pays for this subscription between `from` and `to`, prorated by day. Only the
 * given term counts: a renewal is another term with its own dates.
 */
export function overlapCost(input: TermValueInput & { from: Date; to: Date }): Minor {
  const days = termDays(input.termStart, input.termEnd);
  if (days === 0) return 0;
  const clamp = (t: Date) => Math.min(days, startedDaysBetween(input.termStart, t));
  const overlap = Math.max(0, clamp(input.to) - clamp(input.from));
  return prorate(termPrice(input), overlap, days);
}

export function isInsideRefundWindow(purchasedAt: Date, now: Date, refundWindowHours: number): boolean {
  if (refundWindowHours <= 0) return false;
  // A clock slightly behind the purchase time is still inside the window, not before it.
  const elapsed = Math.max(0, now.getTime() - purchasedAt.getTime());
  return elapsed < refundWindowHours * HOUR_MS;
}

export function cancellationRefund(input: CancellationInput): CancellationOutcome {
  const remainingValue = remainingTermValue({ ...input, at: input.now });
  const insideWindow = isInsideRefundWindow(input.purchasedAt, input.now, input.refundWindowHours);
  return insideWindow
    ? { refunded: remainingValue, lost: 0, remainingValue, insideWindow }
    : { refunded: 0, lost: remainingValue, remainingValue, insideWindow };
}

/** Days after the new purchase within which a duplicate-license credit may be requested (SPEC §4). */
export const CREDIT_WINDOW_DAYS = 120;

export interface DuplicateCreditInput extends TermValueInput {
  /** When the partner's new subscription was bought: from then on the customer pays twice. */
  newPurchaseAt: Date;
  /** When the source stops billing: its term end, or the day it was cancelled. */
  sourceBilledUntil: Date;
}

/**
 * The credit owed for licenses paid twice (SPEC §3.5): overlap days × seats × the source's price per
 * seat-day, in the source's currency. The overlap runs from the new purchase to the source's end of
 * billing, within the source's current term; `quantity` is the seats held in both.
 */
export function duplicateCredit(input: DuplicateCreditInput): Minor {
  // overlapCost counts only days inside the source's term.
  return overlapCost({ ...input, from: input.newPurchaseAt, to: input.sourceBilledUntil });
}

/** A credit may be requested up to (and on) day 120 after the new purchase, not later. */
export function isWithinCreditWindow(newPurchaseAt: Date, now: Date): boolean {
  return now.getTime() - newPurchaseAt.getTime() <= CREDIT_WINDOW_DAYS * 24 * HOUR_MS;
}
