import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditLine, customerAmounts, seatLine } from './lines.ts';
import { bpToPercent, markupFor, markupPercentToBp, withMarkup } from './markup.ts';
import {
  billingMonthOf,
  chargePeriod,
  chargePeriods,
  dayValue,
  periodAt,
  periodsPerTerm,
  restValue,
} from './proration.ts';

const d = (iso: string) => new Date(iso);

describe('restValue', () => {
  it('floors price × days left / days', () => {
    // 100.00 a seat over 365 days, from day 200: 10000 × 165 / 365 = 4520.54… → 4520.
    expect(restValue(10_000, 200, 365)).toBe(4520);
    expect(restValue(10_000, 0, 365)).toBe(10_000);
    expect(restValue(10_000, 365, 365)).toBe(0);
    expect(restValue(10_000, 400, 365)).toBe(0);
  });
  it('floors negative prices too (no truncation toward zero)', () => {
    expect(restValue(-10, 1, 3)).toBe(-7);
  });
  it('the days of a period add up to its price exactly, and any stretch telescopes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 1100 }), (p, n) => {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += dayValue(p, k, n);
        expect(sum).toBe(p);
      }),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        (p, n, x, y) => {
          const [a, b] = [Math.min(x, y, n), Math.min(Math.max(x, y), n)];
          let sum = 0;
          for (let k = a; k < b; k++) sum += dayValue(p, k, n);
          expect(restValue(p, a, n) - restValue(p, b, n)).toBe(sum);
        },
      ),
    );
  });
});

describe('charge periods', () => {
  it('an annual term billed annually is one period at the term price', () => {
    const [p, ...rest] = chargePeriods(d('2026-01-15T10:00:00Z'), 'P1Y', 'annual', 12_345);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ index: 0, days: 365, pricePerSeat: 12_345 });
    expect(p!.end.toISOString()).toBe('2027-01-15T10:00:00.000Z');
  });
  it('an annual term billed monthly is twelve cycles whose prices add up to the term price', () => {
    const ps = chargePeriods(d('2026-01-31T00:00:00Z'), 'P1Y', 'monthly', 12_345);
    expect(ps).toHaveLength(12);
    // 12345 / 12 = 1028.75: three cycles of 1028 and nine of 1029 (floor(u(i+1)/12) − floor(u·i/12)).
    expect(ps.map((p) => p.pricePerSeat)).toEqual([
      1028, 1029, 1029, 1029, 1028, 1029, 1029, 1029, 1028, 1029, 1029, 1029,
    ]);
    expect(ps.reduce((s, p) => s + p.pricePerSeat, 0)).toBe(12_345);
    // Counted from the term start: the 31st comes back whenever the month has one.
    expect(ps[1]!.start.toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(ps[2]!.start.toISOString()).toBe('2026-03-31T00:00:00.000Z');
    expect(ps[0]!.days).toBe(28);
  });
  it('counts periods per term', () => {
    expect(periodsPerTerm('P1M', 'monthly')).toBe(1);
    expect(periodsPerTerm('P1Y', 'monthly')).toBe(12);
    expect(periodsPerTerm('P3Y', 'annual')).toBe(3);
    expect(periodsPerTerm('P1M', 'annual')).toBe(1);
    expect(() => chargePeriod(d('2026-01-01T00:00:00Z'), 'P1Y', 'annual', 1, 1)).toThrow(RangeError);
  });
  it('finds the period in force', () => {
    const p = periodAt(d('2026-01-01T00:00:00Z'), 'P1Y', 'monthly', 1200, d('2026-03-10T00:00:00Z'));
    expect(p.index).toBe(2);
  });
  it('the billing month is the first UTC day of the month of the event', () => {
    expect(billingMonthOf(d('2026-03-31T23:59:59Z'))).toBe('2026-03-01');
  });
});

describe('seat lines (hand computed)', () => {
  const year = chargePeriod(d('2026-01-01T00:00:00Z'), 'P1Y', 'annual', 36_500, 0); // 365 days
  it('new: the whole period', () => {
    expect(seatLine('new', year, 3, d('2026-01-01T00:00:00Z'))).toEqual({
      unitPrice: 36_500,
      effectiveUnitPrice: 36_500,
      quantity: 3,
      billableQuantity: 3,
      subtotal: 109_500,
      chargeStart: '2026-01-01',
      chargeEnd: '2026-12-31',
    });
  });
  it('addQuantity on day 100 (the 100th day has started: 265 days left)', () => {
    // Added 2026-04-10T12:00 (99.5 days after the start): started days = 100; 36500 × 265 / 365 = 26500.
    const l = seatLine('addQuantity', year, 2, d('2026-04-10T12:00:00Z'));
    expect(l).toMatchObject({ effectiveUnitPrice: 26_500, billableQuantity: 2, subtotal: 53_000 });
    expect(l.chargeStart).toBe('2026-04-11');
  });
  it('removeQuantity and cancel mirror the charge for the same day, negative', () => {
    const l = seatLine('removeQuantity', year, 2, d('2026-04-10T12:00:00Z'));
    expect(l).toMatchObject({ effectiveUnitPrice: 26_500, billableQuantity: -2, subtotal: -53_000 });
    expect(seatLine('cancel', year, 1, d('2026-01-03T00:00:00Z')).subtotal).toBe(-36_300);
  });
  it('transferOut gives back what transferIn charges', () => {
    const at = d('2026-07-01T00:00:00Z'); // day 181: 184 days left → 18400
    const out = seatLine('transferOut', year, 5, at);
    const inn = seatLine('transferIn', year, 5, at);
    expect(out.subtotal).toBe(-92_000);
    expect(inn.subtotal).toBe(92_000);
  });
  it('credit: one negative unit', () => {
    expect(creditLine(1234, '2026-02-01')).toMatchObject({ subtotal: -1234, billableQuantity: -1 });
  });
});

describe('markup', () => {
  it('reads percents with at most two decimals into basis points', () => {
    expect(markupPercentToBp(12.5)).toBe(1250);
    expect(markupPercentToBp(0.07)).toBe(7);
    expect(markupPercentToBp('15.25')).toBe(1525);
    expect(markupPercentToBp(-5)).toBe(-500);
    expect(markupPercentToBp(0.125)).toBeNull();
    expect(markupPercentToBp(Number.NaN)).toBeNull();
    expect(markupPercentToBp(1001)).toBeNull();
    expect(markupPercentToBp(-100.01)).toBeNull();
    expect(bpToPercent(1250)).toBe(12.5);
    expect(bpToPercent(-7)).toBe(-0.07);
  });
  it('prices toward zero so a refund mirrors its charge', () => {
    expect(withMarkup(999, 1250)).toBe(1123); // 1123.875
    expect(withMarkup(-999, 1250)).toBe(-1123);
    const c = customerAmounts(
      'addQuantity',
      seatLine(
        'addQuantity',
        chargePeriod(d('2026-01-01T00:00:00Z'), 'P1Y', 'annual', 999, 0),
        3,
        d('2026-02-01T00:00:00Z'),
      ),
      1250,
    );
    const r = customerAmounts(
      'removeQuantity',
      seatLine(
        'removeQuantity',
        chargePeriod(d('2026-01-01T00:00:00Z'), 'P1Y', 'annual', 999, 0),
        3,
        d('2026-02-01T00:00:00Z'),
      ),
      1250,
    );
    expect(c.customerSubtotal).toBe(-r.customerSubtotal);
  });
  it('credits pass through at cost', () => {
    expect(customerAmounts('credit', creditLine(500, '2026-01-01'), 2000).customerSubtotal).toBe(-500);
  });
  it('the most specific rule wins', () => {
    const rules = [
      { offerId: null, tenantId: null, markupBp: 100 },
      { offerId: null, tenantId: 't1', markupBp: 200 },
      { offerId: 'o1', tenantId: null, markupBp: 300 },
      { offerId: 'o1', tenantId: 't1', markupBp: 400 },
    ];
    expect(markupFor(rules, 'o1', 't1')).toBe(400);
    expect(markupFor(rules, 'o1', 't2')).toBe(300);
    expect(markupFor(rules, 'o2', 't1')).toBe(200);
    expect(markupFor(rules, 'o2', 't2')).toBe(100);
    expect(markupFor([], 'o2', 't2')).toBe(0);
  });
});
