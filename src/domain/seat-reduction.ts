import { HOUR_MS } from './calendar.ts';
import type { Minor } from './money.ts';
import { isInsideRefundWindow } from './refunds.ts';
import { reduceSeats, type SeatBatch, type SeatReductionOutcome } from './seat-batches.ts';

/**
 * The new-commerce seat-reduction rule as the subscriptions service applies it, from a
 * subscription's own facts: whether seats may be reduced now, to how few, and the refund. Pure: the
 * service reads the row and the lifecycle state, calls this, and writes what it answers.
 *
 * - The purchase's refund window runs from the purchase, or from the start of a renewed term; while
 *   it is open any seat may go (down to one).
 * - Each batch of seats added later opens its own window; outside the purchase window only the
 *   seats of batches still inside theirs may go, soonest-closing first.
 * - Outside every window nothing may go (`ok: false` with the fewest seats allowed).
 * - The refund is the removed seats' paid value for the days left in the term.
 */
export interface SeatReductionFacts {
  quantity: number;
  /** The seats asked for: fewer than `quantity`. */
  target: number;
  batches: readonly SeatBatch[];
  /** Minor units per seat per term. */
  unitPrice: Minor;
  termStart: Date;
  termEnd: Date;
  purchasedAt: Date;
  /** Terms renewed so far (the lifecycle state's count). */
  renewals: number;
  refundWindowHours: number;
  now: Date;
}

/** Where the purchase's refund window starts: the purchase, or the start of a renewed term. */
export function refundWindowStart(s: { purchasedAt: Date; renewals: number; termStart: Date }): Date {
  return s.renewals > 0 ? s.termStart : s.purchasedAt;
}

/** When the purchase's window closes (null when the offer has none). */
export function refundWindowEnd(windowStart: Date, refundWindowHours: number): Date | null {
  return refundWindowHours > 0 ? new Date(windowStart.getTime() + refundWindowHours * HOUR_MS) : null;
}

export function seatReduction(f: SeatReductionFacts): SeatReductionOutcome {
  const windowStart = refundWindowStart(f);
  return reduceSeats({
    quantity: f.quantity,
    target: f.target,
    batches: f.batches,
    unitPrice: f.unitPrice,
    termStart: f.termStart,
    termEnd: f.termEnd,
    isPurchaseWindowOpen: isInsideRefundWindow(windowStart, f.now, f.refundWindowHours),
    refundWindowHours: f.refundWindowHours,
    now: f.now,
  });
}
