/**
 * Money is an integer number of minor units (cents) in a `number`: exact up to 2^53, which is far
 * beyond any invoice. Fractions appear only inside a computation and are rounded half-up (away from
 * zero) to the cent before they are returned.
 */
export type Minor = number;

export function isMinorUnits(n: number): boolean {
  return Number.isSafeInteger(n);
}

export function roundHalfUp(n: number): Minor {
  return n < 0 ? -Math.floor(-n + 0.5) : Math.floor(n + 0.5);
}

/**
 * `amount × part / whole`, rounded half-up, computed exactly in BigInt so that a large amount times a
 * long span cannot lose precision in a float.
 */
export function prorate(amount: Minor, part: number, whole: number): Minor {
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(part) || !Number.isSafeInteger(whole)) {
    throw new RangeError('prorate needs integers');
  }
  if (whole <= 0) throw new RangeError('prorate needs a positive whole');
  const negative = amount < 0 !== part < 0;
  const num = BigInt(Math.abs(amount)) * BigInt(Math.abs(part));
  const den = BigInt(whole);
  let q = num / den;
  if ((num % den) * 2n >= den) q += 1n;
  const result = Number(q);
  return negative && result !== 0 ? -result : result;
}

export function times(unitPrice: Minor, quantity: number): Minor {
  return unitPrice * quantity;
}

export function sumMinor(amounts: readonly Minor[]): Minor {
  let total = 0;
  for (const a of amounts) total += a;
  return total;
}
