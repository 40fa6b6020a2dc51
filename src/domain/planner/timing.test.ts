import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDaysUtc } from '../calendar.ts';
import { addTerm } from '../lifecycle.ts';
import { costOverTerms, isCancellable, provisionOptions, recommendedProvision } from './timing.ts';

const NOW = new Date('2026-03-01T00:00:00Z');

describe('costOverTerms', () => {
  it('charges whole terms in full, whatever their length in days', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('P1M' as const, 'P1Y' as const, 'P3Y' as const),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 3_000 }),
        (term, n, unitPrice, quantity, offsetDays) => {
          const from = addDaysUtc(NOW, offsetDays);
          const to = addTerm(from, term, n);
          expect(costOverTerms({ unitPrice, quantity, term, from, to })).toBe(n * unitPrice * quantity);
        },
      ),
    );
  });

  it('never decreases as the overlap grows, and costs nothing for none', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('P1M' as const, 'P1Y' as const),
        fc.integer({ min: 0, max: 800 }),
        fc.integer({ min: 0, max: 30 }),
        (term, days, more) => {
          const base = { unitPrice: 1_234, quantity: 7, term, from: NOW };
          const a = costOverTerms({ ...base, to: addDaysUtc(NOW, days) });
          const b = costOverTerms({ ...base, to: addDaysUtc(NOW, days + more) });
          expect(b).toBeGreaterThanOrEqual(a);
          if (days === 0) expect(a).toBe(0);
        },
      ),
    );
  });
});

describe('provisionOptions', () => {
  const base = { now: NOW, daysBeforeEnd: 7, unitPrice: 12_000, quantity: 50, term: 'P1Y' as const };

  it('offers now and 7 days before the end; before the end is never dearer, and is recommended', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 1_000 }), (daysLeft) => {
        const options = provisionOptions({ ...base, sourceStops: addDaysUtc(NOW, daysLeft) });
        expect(options.map((o) => o.when)).toEqual(['now', 'before-end']);
        expect(options[1]!.on).toBe(addDaysUtc(NOW, daysLeft - 7).toISOString());
        expect(options[1]!.overlapCost).toBeLessThanOrEqual(options[0]!.overlapCost);
        expect(recommendedProvision(options)).toBe(
          options[1]!.overlapCost < options[0]!.overlapCost ? 'before-end' : 'now',
        );
      }),
    );
  });

  it('offers only now when the source stops within the window', () => {
    for (const daysLeft of [0, 3, 7]) {
      const options = provisionOptions({ ...base, sourceStops: addDaysUtc(NOW, daysLeft) });
      expect(options.map((o) => o.when)).toEqual(['now']);
    }
  });

  it('a direct annual source with 200 days left: buy on day 193, paying 7/365 of a year, not 200/365', () => {
    const options = provisionOptions({ ...base, sourceStops: addDaysUtc(NOW, 200) });
    expect(options).toEqual([
      { when: 'now', on: NOW.toISOString(), overlapCost: Math.round((12_000 * 50 * 200) / 365) },
      {
        when: 'before-end',
        on: addDaysUtc(NOW, 193).toISOString(),
        overlapCost: Math.round((12_000 * 50 * 7) / 365),
      },
    ]);
  });
});

describe('isCancellable', () => {
  it('inside the 7-day window only, for the new-commerce policy; always for a policy with no window', () => {
    const bought = NOW;
    expect(isCancellable({ purchasedAt: bought, now: addDaysUtc(NOW, 3), refundWindowHours: 168 })).toBe(
      true,
    );
    expect(isCancellable({ purchasedAt: bought, now: addDaysUtc(NOW, 8), refundWindowHours: 168 })).toBe(
      false,
    );
    expect(isCancellable({ purchasedAt: bought, now: addDaysUtc(NOW, 300), refundWindowHours: 0 })).toBe(
      true,
    );
  });
});
