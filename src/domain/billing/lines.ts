import { withMarkup } from './markup.ts';
import { type ChargePeriod, chargeDates, dayOfPeriod, restValue } from './proration.ts';

export type ChargeType =
  | 'new'
  | 'renew'
  | 'addQuantity'
  | 'removeQuantity'
  | 'cancel'
  | 'cycleCharge'
  | 'transferIn'
  | 'transferOut'
  | 'convert'
  | 'usage'
  | 'credit';

/** Charge types that pay back days already charged: their seats count negative. */
const REFUNDS: ReadonlySet<ChargeType> = new Set(['removeQuantity', 'cancel', 'transferOut', 'credit']);

export function isRefund(type: ChargeType): boolean {
  return REFUNDS.has(type);
}

/** The amounts of one seat line, before customer prices. */
export interface SeatLineAmounts {
  /** Minor units per seat for the whole charge period. */
  unitPrice: number;
  /** Minor units per seat for the days this line charges (rounded down), never negative. */
  effectiveUnitPrice: number;
  /** Seats concerned (positive). */
  quantity: number;
  /** Signed seats: negative for refunds, so `subtotal = effectiveUnitPrice × billableQuantity`. */
  billableQuantity: number;
  subtotal: number;
  chargeStart: string;
  chargeEnd: string;
}

/**
 * A seat line for the days from the event at `at` to the end of `period`:
 * - `new`, `renew`, `cycleCharge`: the period starts with the event, so the whole period price;
 * - `addQuantity`, `transferIn`: the rest of the period, floored (price × days left / days);
 * - `removeQuantity`, `cancel`, `transferOut`: the same rest of the period, paid back (negative);
 * - `convert` (an upgrade): two lines, the old offer's rest paid back (`refund`), the new one's charged.
 */
export function seatLine(
  type: ChargeType,
  period: ChargePeriod,
  seats: number,
  at: Date,
  opts: { refund?: boolean } = {},
): SeatLineAmounts {
  if (!Number.isSafeInteger(seats) || seats <= 0) throw new RangeError('a seat line needs seats');
  const whole = type === 'new' || type === 'renew' || type === 'cycleCharge';
  const day = whole ? 0 : dayOfPeriod(period, at);
  const effective = restValue(period.pricePerSeat, day, period.days);
  const billable = isRefund(type) || (type === 'convert' && opts.refund) ? -seats : seats;
  return {
    unitPrice: period.pricePerSeat,
    effectiveUnitPrice: effective,
    quantity: seats,
    billableQuantity: billable,
    subtotal: effective * billable,
    ...chargeDates(period, day),
  };
}

/** A credit (SPEC §8): one negative unit of the granted amount. */
export function creditLine(amount: number, on: string): SeatLineAmounts {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError('a credit is a non-negative integer');
  return {
    unitPrice: amount,
    effectiveUnitPrice: amount,
    quantity: 1,
    billableQuantity: -1,
    subtotal: -amount,
    chargeStart: on,
    chargeEnd: on,
  };
}

/**
 * What the customer is charged for a line: the marked-up effective unit price times the same signed
 * seats, so a refund gives back exactly what its charge took. Credits pass through at cost: the
 * program's credit is for the customer's double payment, not something to earn on.
 */
export function customerAmounts(type: ChargeType, line: SeatLineAmounts, markupBp: number) {
  const bp = type === 'credit' ? 0 : markupBp;
  const unit = withMarkup(line.unitPrice, bp);
  const effective = withMarkup(line.effectiveUnitPrice, bp);
  return { customerUnitPrice: unit, customerSubtotal: effective * line.billableQuantity };
}

/** Recurring charge types: what monthly recurring revenue counts. */
export const RECURRING: ReadonlySet<ChargeType> = new Set([
  'new',
  'renew',
  'addQuantity',
  'removeQuantity',
  'cancel',
  'cycleCharge',
  'transferIn',
  'transferOut',
  'convert',
]);
