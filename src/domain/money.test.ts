import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMinorUnits, prorate, roundHalfUp, sumMinor } from './money.ts';

describe('money', () => {
  it('rounds half-up, away from zero', () => {
    expect(roundHalfUp(2.5)).toBe(3);
    expect(roundHalfUp(2.4999)).toBe(2);
    expect(roundHalfUp(-2.5)).toBe(-3);
    expect(Object.is(roundHalfUp(-0.4), -0)).toBe(true);
  });

  it('prorates exactly, rounding the half cent up', () => {
    expect(prorate(1000, 1, 3)).toBe(333);
    expect(prorate(1000, 2, 3)).toBe(667);
    expect(prorate(1, 1, 2)).toBe(1);
    expect(prorate(0, 5, 7)).toBe(0);
    expect(prorate(-1000, 2, 3)).toBe(-667);
    expect(Object.is(prorate(-1, 1, 10), 0)).toBe(true);
    // Beyond 2^53 in the intermediate product, still exact.
    expect(prorate(9_000_000_000_000, 1_000_001, 1_000_000)).toBe(9_000_009_000_000);
    expect(() => prorate(1.5, 1, 2)).toThrow(RangeError);
    expect(() => prorate(1, 1, 0)).toThrow(RangeError);
  });

  it('prorated parts never exceed the whole and differ from the exact share by at most half a cent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 1100 }),
        fc.nat(),
        (amount, whole, p) => {
          const part = p % (whole + 1);
          const x = prorate(amount, part, whole);
          expect(isMinorUnits(x)).toBe(true);
          expect(x).toBeLessThanOrEqual(amount);
          expect(Math.abs(x - (amount * part) / whole)).toBeLessThanOrEqual(0.5 + 1e-6);
        },
      ),
    );
  });

  it('sums minor units', () => {
    expect(sumMinor([1, 2, 3])).toBe(6);
    expect(sumMinor([])).toBe(0);
  });
});
