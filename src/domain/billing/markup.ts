/**
 * Customer prices (SPEC §8): a markup in basis points (1 % = 100 bp), so 12.5 % is exactly 1250.
 * The customer price of an amount is floored toward zero, so a refund mirrors the charge it reverses.
 */
export const MIN_MARKUP_BP = -10_000;
export const MAX_MARKUP_BP = 100_000;

/**
 * A markup percent as given (a JSON number or a decimal string, at most two decimals) in basis
 * points, read from its decimal text so no binary fraction is ever rounded; null when it is not one.
 */
export function markupPercentToBp(percent: number | string): number | null {
  const text =
    typeof percent === 'number' ? (Number.isFinite(percent) ? String(percent) : '') : percent.trim();
  const m = /^(-?)(\d{1,4})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  const bp = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  const signed = m[1] === '-' ? -bp : bp;
  return signed < MIN_MARKUP_BP || signed > MAX_MARKUP_BP ? null : signed;
}

/** Basis points as the percent text the API answers (1250 → "12.5", -50 → "-0.5"). */
export function bpToPercent(bp: number): number {
  // Exact: bp is an integer and the answer has at most two decimals, the same text it came from.
  const sign = bp < 0 ? '-' : '';
  const abs = Math.abs(bp);
  const cents = String(abs % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return Number(`${sign}${Math.trunc(abs / 100)}${cents ? `.${cents}` : ''}`);
}

/** `amount × (10000 + bp) / 10000`, toward zero, in BigInt. */
export function withMarkup(amount: number, bp: number): number {
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(bp))
    throw new RangeError('withMarkup needs integers');
  return Number((BigInt(amount) * BigInt(10_000 + bp)) / 10_000n);
}

export interface PriceRule {
  offerId: string | null;
  tenantId: string | null;
  markupBp: number;
}

/** The most specific rule: offer and customer, then offer, then customer, then the partner's default. */
export function markupFor(
  rules: readonly PriceRule[],
  offerId: string | null,
  tenantId: string | null,
): number {
  const rank = (r: PriceRule) =>
    r.offerId !== null && r.tenantId !== null ? 0 : r.offerId !== null ? 1 : r.tenantId !== null ? 2 : 3;
  const fits = rules.filter(
    (r) => (r.offerId === null || r.offerId === offerId) && (r.tenantId === null || r.tenantId === tenantId),
  );
  fits.sort((a, b) => rank(a) - rank(b));
  return fits[0]?.markupBp ?? 0;
}
