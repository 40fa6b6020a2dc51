import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from './calendar.ts';
import { termPrice } from './refunds.ts';
import { minimumSeats } from './seat-batches.ts';
import { refundWindowEnd, refundWindowStart, seatReduction } from './seat-reduction.ts';

const d = (iso: string) => new Date(iso);
const H = 168;
const termStart = d('2026-01-01T00:00:00Z');
const termEnd = d('2027-01-01T00:00:00Z');

describe('the seat-reduction rule, from a subscription’s facts', () => {
  it('opens the purchase window at the purchase, and at the start of a renewed term', () => {
    const purchasedAt = d('2025-01-01T00:00:00Z');
    expect(refundWindowStart({ purchasedAt, renewals: 0, termStart })).toEqual(purchasedAt);
    expect(refundWindowStart({ purchasedAt, renewals: 1, termStart })).toEqual(termStart);
    expect(refundWindowEnd(termStart, H)).toEqual(new Date(termStart.getTime() + H * HOUR_MS));
    expect(refundWindowEnd(termStart, 0)).toBeNull();
  });

  it('lets any seat go in a renewed term’s first week, and none after it', () => {
    const base = {
      quantity: 10,
      target: 1,
      batches: [],
      unitPrice: 36_500,
      termStart,
      termEnd,
      purchasedAt: d('2024-06-01T00:00:00Z'),
      renewals: 1,
      refundWindowHours: H,
    };
    expect(seatReduction({ ...base, now: d('2026-01-03T00:00:00Z') })).toMatchObject({ ok: true });
    expect(seatReduction({ ...base, now: d('2026-01-09T00:00:00Z') })).toEqual({
      ok: false,
      minimumSeats: 10,
    });
  });

  const facts = fc
    .record({
      quantity: fc.integer({ min: 1, max: 60 }),
      targetShare: fc.double({ min: 0, max: 1, noNaN: true }),
      batches: fc.array(
        fc.record({ seats: fc.integer({ min: 1, max: 10 }), hoursAgo: fc.integer({ min: 0, max: 400 }) }),
        { maxLength: 4 },
      ),
      unitPrice: fc.integer({ min: 0, max: 500_000 }),
      purchasedDaysAgo: fc.integer({ min: 0, max: 30 }),
      renewals: fc.integer({ min: 0, max: 2 }),
      refundWindowHours: fc.constantFrom(0, 72, 168),
      nowDay: fc.integer({ min: 0, max: 380 }),
    })
    .map((r) => {
      const now = new Date(termStart.getTime() + r.nowDay * DAY_MS);
      const batches = r.batches.map((b) => ({
        seats: b.seats,
        addedAt: new Date(now.getTime() - b.hoursAgo * HOUR_MS),
      }));
      // Batches are part of the quantity.
      const quantity = Math.max(r.quantity, batches.reduce((n, b) => n + b.seats, 0) + 1);
      const target = Math.min(quantity - 1, Math.floor(r.targetShare * quantity));
      return {
        quantity,
        target,
        batches,
        unitPrice: r.unitPrice,
        termStart,
        termEnd,
        purchasedAt: new Date(now.getTime() - r.purchasedDaysAgo * DAY_MS),
        renewals: r.renewals,
        refundWindowHours: r.refundWindowHours,
        now,
      };
    });

  it('allows exactly the targets from the fewest seats allowed up, and removes exactly the seats asked', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const windowStart = refundWindowStart(f);
        const open =
          f.refundWindowHours > 0 && f.now.getTime() - windowStart.getTime() < f.refundWindowHours * HOUR_MS;
        const floor = minimumSeats({ ...f, isPurchaseWindowOpen: open });
        const out = seatReduction(f);
        if (f.target < floor) {
          expect(out).toEqual({ ok: false, minimumSeats: floor });
          return;
        }
        expect(out.ok).toBe(true);
        if (!out.ok) return;
        expect(out.removed.reduce((n, r) => n + r.seats, 0)).toBe(f.quantity - f.target);
        // Never refunds more than the removed seats cost for the whole term, nor a negative amount.
        expect(out.refunded).toBeGreaterThanOrEqual(0);
        expect(out.refunded).toBeLessThanOrEqual(termPrice({ ...f, quantity: f.quantity - f.target }));
        // Without any window, nothing may go.
        if (f.refundWindowHours === 0) expect(f.target).toBeGreaterThanOrEqual(f.quantity);
      }),
    );
  });

  it('refunds more (never less) the more seats go, and allows every target between an allowed one and the quantity', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const out = seatReduction(f);
        if (!out.ok) return;
        for (let target = f.target + 1; target < f.quantity; target++) {
          const fewer = seatReduction({ ...f, target });
          expect(fewer.ok).toBe(true);
          if (fewer.ok) expect(fewer.refunded).toBeLessThanOrEqual(out.refunded);
        }
      }),
    );
  });
});
