/**
 * Invoices and reconciliation files (SPEC §8), the pure part: which month a line is billed on,
 * invoice numbers, and money written in major units from integer arithmetic (never a float).
 */
import { minorDigits } from './catalog/prices.ts';

/** `YYYY-MM-01` of the UTC month holding `at`. */
export function monthOf(at: Date): string {
  return `${at.getUTCFullYear().toString().padStart(4, '0')}-${String(at.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** The first day of the month `n` months after a `YYYY-MM-01` month (n may be negative). */
export function addMonths(month: string, n: number): string {
  const m = /^(\d{4})-(\d{2})-01$/.exec(month);
  if (!m) throw new RangeError(`not a month: ${month}`);
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

export interface InvoicePlan {
  /** The month the invoice closes (its period), `YYYY-MM-01`. */
  period: string;
  /** The billing months of the unbilled lines it takes: its own, and earlier ones closed already. */
  months: string[];
}

/**
 * What a close in month `current` does for one partner and currency, given the billing months that
 * still have unbilled lines and those that already have an invoice. Every month before `current`
 * with unbilled lines and no invoice gets one. A line written late for a month whose invoice
 * exists goes on the next invoice: the first later month without one, up to the previous month
 * (`current − 1`); when even that one is closed, it waits for the next close.
 */
export function planClose(input: {
  current: string;
  unbilledMonths: readonly string[];
  invoicedMonths: readonly string[];
}): InvoicePlan[] {
  const invoiced = new Set(input.invoicedMonths);
  const open = [...new Set(input.unbilledMonths)].filter((m) => m < input.current).sort();
  const late = open.filter((m) => invoiced.has(m));
  const periods = new Set(open.filter((m) => !invoiced.has(m)));
  const previous = addMonths(input.current, -1);
  // A late line needs a later open period; the previous month is one when it is not closed yet.
  if (late.some((m) => ![...periods].some((p) => p > m)) && !invoiced.has(previous)) periods.add(previous);
  const plans: InvoicePlan[] = [];
  let carried = [...late];
  for (const period of [...periods].sort()) {
    const months = carried.filter((m) => m < period);
    carried = carried.filter((m) => m >= period);
    if (open.includes(period)) months.push(period);
    if (months.length > 0) plans.push({ period, months: months.sort() });
  }
  return plans;
}

const NUMBER_DIGITS = 8;

/** The install's invoice numbers: `TR-00000001`, `TR-00000002`, … (one sequence, no gaps). */
export function invoiceNumber(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError('invoice sequence starts at 1');
  return `TR-${String(sequence).padStart(NUMBER_DIGITS, '0')}`;
}

/** The sequence of an invoice number, or null when it is not one of ours. */
export function invoiceSequence(number: string): number | null {
  const m = /^TR-(\d+)$/.exec(number);
  return m ? Number(m[1]) : null;
}

// Asking ICU for a currency's decimals builds an Intl.NumberFormat (tens of microseconds): once
// per currency, not five times per line of a 100,000-line file.
const DIGITS = new Map<string, number>();
function digitsOf(currency: string): number {
  let d = DIGITS.get(currency);
  if (d === undefined) {
    d = minorDigits(currency);
    DIGITS.set(currency, d);
  }
  return d;
}

/**
 * An amount in minor units written in major units with the currency's decimals: 123456 EUR →
 * "1234.56", -5 EUR → "-0.05", 1200 JPY → "1200". String work on the integer's digits only.
 */
export function formatMajor(amount: number | bigint, currency: string): string {
  if (typeof amount === 'number' && !Number.isSafeInteger(amount))
    throw new RangeError(`not minor units: ${amount}`);
  const digits = digitsOf(currency);
  const negative = amount < 0;
  // The integer's own digits (a safe integer prints exactly; a bigint always does).
  const text = (negative ? -amount : amount).toString();
  if (digits === 0) return `${negative ? '-' : ''}${text}`;
  const padded = text.padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/**
 * The subtotal of a seat line: the effective unit price (minor units) times the billable seats,
 * rounded down (SPEC §8). Seats are whole; a fractional quantity (usage) is exact decimal text.
 */
export function seatSubtotal(effectiveUnitPrice: number, billableQuantity: string): number {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(billableQuantity.trim());
  if (!m) throw new RangeError(`not a quantity: ${billableQuantity}`);
  const frac = m[3] ?? '';
  const scale = 10n ** BigInt(frac.length);
  const qty = BigInt(`${m[2]}${frac}`) * (m[1] === '-' ? -1n : 1n);
  const product = BigInt(effectiveUnitPrice) * qty;
  // Floor toward minus infinity, as "rounded down" reads for a refund too.
  let q = product / scale;
  if (product % scale !== 0n && product < 0n) q -= 1n;
  return Number(q);
}

/** Exact decimal text as the file shows it: "5", "2.5", never "5.000" or an exponent. */
export function formatQuantity(quantity: string): string {
  const t = quantity.trim();
  if (!t.includes('.')) return t;
  return t.replace(/0+$/, '').replace(/\.$/, '');
}

const TERMS: Record<string, string> = {
  P1M: 'One-Month commitment',
  P1Y: 'One-Year commitment',
  P3Y: 'Three-Years commitment',
};
const CYCLES: Record<string, string> = { monthly: 'Monthly', annual: 'Annual' };

/** TermAndBillingCycle as the program writes it: "One-Year commitment for monthly billing". */
export function termAndBillingCycle(term: string | null, billingCycle: string | null): string {
  if (!term) return '';
  const t = TERMS[term] ?? term;
  return billingCycle ? `${t} for ${billingCycle.toLowerCase()} billing` : t;
}

/** BillingFrequency: Monthly or Annual (empty for usage, which has none). */
export function billingFrequency(billingCycle: string | null): string {
  return billingCycle ? (CYCLES[billingCycle] ?? billingCycle) : '';
}

/** The columns of a reconciliation file, in the program's order (SPEC §8). */
export const RECONCILIATION_COLUMNS = [
  'PartnerId',
  'CustomerId',
  'CustomerName',
  'CustomerDomainName',
  'CustomerCountry',
  'InvoiceNumber',
  'MpnId',
  'ResellerMpnId',
  'OrderId',
  'OrderDate',
  'ProductId',
  'SkuId',
  'SkuName',
  'ProductName',
  'ChargeType',
  'UnitPrice',
  'EffectiveUnitPrice',
  'UnitType',
  'Quantity',
  'BillableQuantity',
  'Subtotal',
  'TaxTotal',
  'Total',
  'Currency',
  'ChargeStartDate',
  'ChargeEndDate',
  'SubscriptionId',
  'SubscriptionDescription',
  'TermAndBillingCycle',
  'BillingFrequency',
  'ReferenceId',
  'CreditReasonCode',
] as const;
