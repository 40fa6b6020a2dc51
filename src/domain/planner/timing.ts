import { addDaysUtc } from '../calendar.ts';
import { addTerm } from '../lifecycle.ts';
import { type Minor, sumMinor } from '../money.ts';
import { isInsideRefundWindow, overlapCost } from '../refunds.ts';
import type { ProvisionOption, ProvisionWhen, Term } from './types.ts';

/**
 * When to buy the target, and what paying for both costs (SPEC §3.3). Pure: dates in, money out.
 *
 * The customer pays for the target from the day it is bought and for the source until it stops
 * billing; both keep users licensed (the source's users keep access through its expired grace), so
 * the only question is money: buy now, or a few days before the source ends.
 */

/** A bound on the number of terms walked (a 3-year overlap on a monthly target is 36). */
const MAX_TERMS = 1_200;

/**
 * What a target bought at `from` costs until `to`: term after term (a monthly target is paid month by
 * month over the whole overlap, not one month), the last term prorated by day.
 */
export function costOverTerms(input: {
  unitPrice: Minor;
  quantity: number;
  term: Term;
  from: Date;
  to: Date;
}): Minor {
  const parts: Minor[] = [];
  let start = input.from;
  for (let i = 0; start < input.to && i < MAX_TERMS; i++) {
    const end = addTerm(input.from, input.term, i + 1);
    parts.push(
      overlapCost({
        unitPrice: input.unitPrice,
        quantity: input.quantity,
        termStart: start,
        termEnd: end,
        from: start,
        // biome-ignore lint/complexity/useMathMinMax: Dates (Math.min would answer a number)
        to: input.to < end ? input.to : end,
      }),
    );
    start = end;
  }
  return sumMinor(parts);
}

export interface TimingInput {
  now: Date;
  /** When the source stops billing and leaves (its term end, or the date it is cancelled). */
  sourceStops: Date;
  /** Days before `sourceStops` that `before-end` buys (a setting, default 7). */
  daysBeforeEnd: number;
  /** The target (base and add-ons together): price per seat per term, minor units. */
  unitPrice: Minor;
  quantity: number;
  term: Term;
}

/**
 * The two dates the plan compares, each with its overlap cost. `before-end` is never before now;
 * when it would be now (the source ends within the window), only `now` is offered.
 */
export function provisionOptions(input: TimingInput): ProvisionOption[] {
  const cost = (from: Date) =>
    costOverTerms({
      unitPrice: input.unitPrice,
      quantity: input.quantity,
      term: input.term,
      from,
      to: input.sourceStops,
    });
  const options: ProvisionOption[] = [
    { when: 'now', on: input.now.toISOString(), overlapCost: cost(input.now) },
  ];
  const beforeEnd = addDaysUtc(input.sourceStops, -input.daysBeforeEnd);
  if (beforeEnd > input.now)
    options.push({ when: 'before-end', on: beforeEnd.toISOString(), overlapCost: cost(beforeEnd) });
  return options;
}

/** The cheaper option (both keep every user licensed); on a tie, the earlier one. */
export function recommendedProvision(options: ProvisionOption[]): ProvisionWhen {
  let best = options[0]!;
  for (const o of options) if (o.overlapCost < best.overlapCost) best = o;
  return best.when;
}

/**
 * May the source still be cancelled now (SPEC §3.5)? A subscription under the new-commerce policy
 * (a refund window) only inside its window, with a prorated refund; after it, only auto-renew off.
 * One with no refund window (legacy) may be cancelled at any time, losing the rest of its term.
 */
export function isCancellable(p: { purchasedAt: Date; now: Date; refundWindowHours: number }): boolean {
  return p.refundWindowHours <= 0 || isInsideRefundWindow(p.purchasedAt, p.now, p.refundWindowHours);
}
