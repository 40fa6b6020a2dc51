import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CREDIT_WINDOW_DAYS,
  cancellationRefund,
  duplicateCredit,
  isInsideRefundWindow,
  isWithinCreditWindow,
  overlapCost,
  remainingTermValue,
  termPrice,
} from './refunds.ts';

const d = (iso: string) => new Date(iso);
// An annual term of 365 days, 10 seats at 120.00 a seat per term: 1,200.00 for the term.
const term = {
  unitPrice: 12_000,
  quantity: 10,
  termStart: d('2025-03-01T00:00:00Z'),
  termEnd: d('2026-03-01T00:00:00Z'),
};

describe('cancellationRefund', () => {
  it('refunds the unused days, prorated, inside the 168-hour window; nothing is lost', () => {
    const r = cancellationRefund({
      ...term,
      purchasedAt: term.termStart,
      now: d('2025-03-03T09:00:00Z'),
      refundWindowHours: 168,
    });
    // Three days started (1, 2 and part of 3): 362 of 365 days back.
    expect(r).toEqual({ refunded: 119_014, lost: 0, remainingValue: 119_014, insideWindow: true });
  });

  it('refunds nothing outside the window: the remaining term is lost', () => {
    const r = cancellationRefund({
      ...term,
      purchasedAt: term.termStart,
      now: d('2025-09-01T00:00:00Z'),
      refundWindowHours: 168,
    });
    // 184 days used, 181 left.
    expect(r).toEqual({ refunded: 0, lost: 59_507, remainingValue: 59_507, insideWindow: false });
  });

  it('the window is measured from the last renewal or seat add, and ends at exactly 168 hours', () => {
    const purchasedAt = d('2025-08-28T12:00:00Z');
    expect(isInsideRefundWindow(purchasedAt, d('2025-09-04T11:59:59Z'), 168)).toBe(true);
    expect(isInsideRefundWindow(purchasedAt, d('2025-09-04T12:00:00Z'), 168)).toBe(false);
    expect(isInsideRefundWindow(purchasedAt, purchasedAt, 0)).toBe(false);
  });

  it('there is nothing to refund or lose once the term is over', () => {
    const r = cancellationRefund({
      ...term,
      purchasedAt: term.termStart,
      now: d('2026-03-01T00:00:00Z'),
      refundWindowHours: 168,
    });
    expect(r).toMatchObject({ refunded: 0, lost: 0, remainingValue: 0 });
  });
});

describe('remainingTermValue and overlapCost', () => {
  it('is the whole price before the term starts', () => {
    expect(remainingTermValue({ ...term, at: d('2025-01-01T00:00:00Z') })).toBe(termPrice(term));
  });

  it('charges the overlap inside the term only, by started days', () => {
    expect(overlapCost({ ...term, from: d('2025-03-01T00:00:00Z'), to: d('2025-03-31T00:00:00Z') })).toBe(
      Math.round((120_000 * 30) / 365),
    );
    expect(overlapCost({ ...term, from: d('2024-01-01T00:00:00Z'), to: d('2027-01-01T00:00:00Z') })).toBe(
      120_000,
    );
    expect(overlapCost({ ...term, from: d('2025-06-01T00:00:00Z'), to: d('2025-05-01T00:00:00Z') })).toBe(0);
  });
});

describe('refund properties', () => {
  const base = new Date('2024-01-01T00:00:00Z').getTime();
  const DAY = 86_400_000;
  const input = fc
    .record({
      unitPrice: fc.integer({ min: 0, max: 10_000_000 }),
      quantity: fc.integer({ min: 0, max: 10_000 }),
      startOffset: fc.integer({ min: 0, max: 1000 * DAY }),
      length: fc.integer({ min: 1, max: 1100 * DAY }),
      purchasedOffset: fc.integer({ min: -10 * DAY, max: 1200 * DAY }),
      nowOffset: fc.integer({ min: -30 * DAY, max: 1200 * DAY }),
      refundWindowHours: fc.constantFrom(0, 72, 168, 720),
    })
    .map((r) => {
      const termStart = new Date(base + r.startOffset);
      return {
        unitPrice: r.unitPrice,
        quantity: r.quantity,
        termStart,
        termEnd: new Date(termStart.getTime() + r.length),
        purchasedAt: new Date(termStart.getTime() + r.purchasedOffset),
        now: new Date(termStart.getTime() + r.nowOffset),
        refundWindowHours: r.refundWindowHours,
      };
    });

  it('refund never exceeds the price paid; refunded + lost never exceeds the term price', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = cancellationRefund(i);
        const price = termPrice(i);
        expect(Number.isSafeInteger(r.refunded) && Number.isSafeInteger(r.lost)).toBe(true);
        expect(r.refunded).toBeGreaterThanOrEqual(0);
        expect(r.lost).toBeGreaterThanOrEqual(0);
        expect(r.refunded).toBeLessThanOrEqual(price);
        expect(r.refunded + r.lost).toBeLessThanOrEqual(price);
      }),
    );
  });

  it('refunded is 0 outside the window; lost is 0 inside it', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = cancellationRefund(i);
        if (r.insideWindow) expect(r.lost).toBe(0);
        else expect(r.refunded).toBe(0);
      }),
    );
  });

  it('the cost up to a moment plus the value left after it is the term price', () => {
    fc.assert(
      fc.property(input, (i) => {
        const used = overlapCost({ ...i, from: i.termStart, to: i.now });
        expect(used + remainingTermValue({ ...i, at: i.now })).toBeGreaterThanOrEqual(termPrice(i) - 1);
        expect(used + remainingTermValue({ ...i, at: i.now })).toBeLessThanOrEqual(termPrice(i) + 1);
      }),
    );
  });

  it('the later you cancel, the less is left', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 0, max: 400 * DAY }), (i, later) => {
        const a = remainingTermValue({ ...i, at: i.now });
        const b = remainingTermValue({ ...i, at: new Date(i.now.getTime() + later) });
        expect(b).toBeLessThanOrEqual(a);
      }),
    );
  });
});

describe('duplicateCredit', () => {
  // Term 2025-03-01 → 2026-03-01 (365 days), 10 seats at 120.00: 1,200.00, so 10 seats cost
  // 1,200.00 / 365 a day. The partner bought on 2026-01-30: 30 days paid twice.
  it('is overlap days × seats × the price per seat-day, rounded half-up to the cent', () => {
    const credit = duplicateCredit({
      ...term,
      newPurchaseAt: d('2026-01-30T00:00:00Z'),
      sourceBilledUntil: term.termEnd,
    });
    // 10 × 30 × 12,000 / 365 = 9,863.01…
    expect(credit).toBe(9_863);
  });

  it('stops at the source cancellation, and is nothing when the purchase is after it', () => {
    const base = { ...term, newPurchaseAt: d('2026-01-30T00:00:00Z') };
    expect(duplicateCredit({ ...base, sourceBilledUntil: d('2026-02-09T00:00:00Z') })).toBe(3_288);
    expect(duplicateCredit({ ...base, sourceBilledUntil: d('2026-01-20T00:00:00Z') })).toBe(0);
  });

  it('never exceeds what the source cost for the overlap days, nor its term price', () => {
    const DAY = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 3 * 366 }),
        fc.integer({ min: -400 * DAY, max: 1200 * DAY }),
        fc.integer({ min: -400 * DAY, max: 1200 * DAY }),
        (unitPrice, quantity, days, buyAt, stopAt) => {
          const termStart = d('2025-03-01T00:00:00Z');
          const termEnd = new Date(termStart.getTime() + days * DAY);
          const newPurchaseAt = new Date(termStart.getTime() + buyAt);
          const sourceBilledUntil = new Date(termStart.getTime() + stopAt);
          const credit = duplicateCredit({
            unitPrice,
            quantity,
            termStart,
            termEnd,
            newPurchaseAt,
            sourceBilledUntil,
          });
          const started = (t: Date) =>
            Math.min(days, Math.max(0, Math.ceil((t.getTime() - termStart.getTime()) / DAY)));
          const overlapDays = Math.max(0, started(sourceBilledUntil) - started(newPurchaseAt));
          expect(credit).toBeGreaterThanOrEqual(0);
          // At most the overlap days at the price per seat-day (plus half a cent of rounding).
          expect(credit * days).toBeLessThanOrEqual(overlapDays * quantity * unitPrice + days / 2);
          expect(credit).toBeLessThanOrEqual(termPrice({ unitPrice, quantity, termStart, termEnd }));
        },
      ),
    );
  });
});

describe('isWithinCreditWindow', () => {
  const bought = d('2026-01-01T10:00:00Z');
  it(`allows a request up to ${CREDIT_WINDOW_DAYS} days after the purchase, not a moment later`, () => {
    expect(isWithinCreditWindow(bought, d('2026-01-01T10:00:00Z'))).toBe(true);
    expect(isWithinCreditWindow(bought, d('2026-05-01T10:00:00Z'))).toBe(true);
    expect(isWithinCreditWindow(bought, d('2026-05-01T10:00:00.001Z'))).toBe(false);
    expect(isWithinCreditWindow(bought, d('2026-05-02T10:00:00Z'))).toBe(false);
  });
});
