import { type Minor, sumMinor } from './money.ts';
import { isInsideRefundWindow, remainingTermValue } from './refunds.ts';

/**
 * Seat reductions in new commerce: every batch of seats added to a subscription opens its own
 * refund window (168 hours), as the purchase or renewal does for the whole quantity. Outside every
 * window a reduction is refused; inside one, only the seats the open windows cover may go, refunded
 * prorated for the days left.
 */
export interface SeatBatch {
  seats: number;
  addedAt: Date;
}

export interface SeatWindows {
  quantity: number;
  batches: readonly SeatBatch[];
  /** The purchase's (or the renewed term's) own window: while it is open any seat may go. */
  isPurchaseWindowOpen: boolean;
  refundWindowHours: number;
  now: Date;
}

/** The batches whose window is still open at `now`, soonest to close first. */
export function openBatches(
  batches: readonly SeatBatch[],
  now: Date,
  refundWindowHours: number,
): SeatBatch[] {
  return batches
    .filter((b) => b.seats > 0 && isInsideRefundWindow(b.addedAt, now, refundWindowHours))
    .sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime());
}

/** The batches to keep after adding `seats` at `now`: closed windows are forgotten (they never reopen). */
export function addSeatBatch(
  batches: readonly SeatBatch[],
  seats: number,
  now: Date,
  refundWindowHours: number,
): SeatBatch[] {
  return [...openBatches(batches, now, refundWindowHours), { seats, addedAt: now }];
}

/** The fewest seats a reduction may leave: the seats outside every open window (at least one). */
export function minimumSeats(w: SeatWindows): number {
  if (w.isPurchaseWindowOpen) return Math.min(1, w.quantity);
  const removable = sumMinor(openBatches(w.batches, w.now, w.refundWindowHours).map((b) => b.seats));
  return Math.max(Math.min(1, w.quantity), w.quantity - removable);
}

export interface SeatReductionInput extends SeatWindows {
  target: number;
  /** Minor units per seat per term, and the term in force: the refund is prorated over it. */
  unitPrice: Minor;
  termStart: Date;
  termEnd: Date;
}

export type SeatReductionOutcome =
  | {
      ok: true;
      /** The open batches left after the removal (closed ones dropped). */
      batches: SeatBatch[];
      /** Where the removed seats came from: a batch's seats (its `addedAt`) or the term's own. */
      removed: { seats: number; addedAt: Date | null }[];
      refunded: Minor;
    }
  | { ok: false; minimumSeats: number };

/**
 * Removes seats from the open batches, soonest-closing first (so the later windows stay open for
 * a later reduction), then, inside the purchase window, from the term's own seats. The refund is
 * each removed part's value for the days left in the term.
 */
export function reduceSeats(input: SeatReductionInput): SeatReductionOutcome {
  const floor = minimumSeats(input);
  if (input.target < floor || input.target > input.quantity) return { ok: false, minimumSeats: floor };
  let left = input.quantity - input.target;
  const removed: { seats: number; addedAt: Date | null }[] = [];
  const batches: SeatBatch[] = [];
  for (const b of openBatches(input.batches, input.now, input.refundWindowHours)) {
    const take = Math.min(left, b.seats);
    left -= take;
    if (take > 0) removed.push({ seats: take, addedAt: b.addedAt });
    if (b.seats > take) batches.push({ seats: b.seats - take, addedAt: b.addedAt });
  }
  if (left > 0) removed.push({ seats: left, addedAt: null });
  const refunded = sumMinor(
    removed.map((r) =>
      remainingTermValue({
        unitPrice: input.unitPrice,
        quantity: r.seats,
        termStart: input.termStart,
        termEnd: input.termEnd,
        at: input.now,
      }),
    ),
  );
  return { ok: true, batches, removed, refunded };
}
