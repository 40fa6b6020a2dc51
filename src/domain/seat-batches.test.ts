import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from './calendar.ts';
import { overlapCost } from './refunds.ts';
import { addSeatBatch, minimumSeats, reduceSeats, type SeatBatch } from './seat-batches.ts';

const d = (iso: string) => new Date(iso);
// 365 days at 36,500 a seat: 100 a seat and day.
const term = { unitPrice: 36_500, termStart: d('2026-01-01T00:00:00Z'), termEnd: d('2027-01-01T00:00:00Z') };
const H = 168;

describe('seat reductions, one window per batch of added seats', () => {
  it('lets each batch go inside its own window, and only that batch', () => {
    // 10 seats bought on 1 Jan; +3 on 1 Mar, +2 on 5 Mar. On 9 Mar the first batch's window is
    // closed (8 days), the second's open (4 days): 2 seats may go, not 3.
    const batches: SeatBatch[] = [
      { seats: 3, addedAt: d('2026-03-01T00:00:00Z') },
      { seats: 2, addedAt: d('2026-03-05T00:00:00Z') },
    ];
    const base = { ...term, quantity: 15, batches, isPurchaseWindowOpen: false, refundWindowHours: H };
    const now = d('2026-03-09T12:00:00Z');
    expect(minimumSeats({ ...base, now })).toBe(13);
    expect(reduceSeats({ ...base, now, target: 12 })).toEqual({ ok: false, minimumSeats: 13 });
    const ok = reduceSeats({ ...base, now, target: 13 });
    // 9 Mar is day 68 of the term (started): 297 days left × 100 × 2 seats.
    expect(ok).toMatchObject({ ok: true, batches: [], refunded: 2 * 297 * 100 });
    // A day earlier both windows were open: every added seat may go, soonest-closing first.
    const earlier = reduceSeats({ ...base, now: d('2026-03-07T12:00:00Z'), target: 11 });
    expect(earlier).toMatchObject({
      ok: true,
      batches: [{ seats: 1, addedAt: d('2026-03-05T00:00:00Z') }],
      removed: [
        { seats: 3, addedAt: d('2026-03-01T00:00:00Z') },
        { seats: 1, addedAt: d('2026-03-05T00:00:00Z') },
      ],
    });
  });

  it('inside the purchase window any seat may go; outside every window none', () => {
    const base = { ...term, quantity: 10, batches: [], refundWindowHours: H, now: d('2026-01-03T00:00:00Z') };
    expect(reduceSeats({ ...base, isPurchaseWindowOpen: true, target: 1 })).toMatchObject({ ok: true });
    expect(reduceSeats({ ...base, isPurchaseWindowOpen: false, target: 9 })).toEqual({
      ok: false,
      minimumSeats: 10,
    });
  });

  it('forgets closed batches when seats are added', () => {
    const old = { seats: 4, addedAt: d('2026-02-01T00:00:00Z') };
    const now = d('2026-03-01T00:00:00Z');
    expect(addSeatBatch([old], 2, now, H)).toEqual([{ seats: 2, addedAt: now }]);
  });

  const batchArb = fc.record({
    seats: fc.integer({ min: 1, max: 20 }),
    hoursAgo: fc.integer({ min: 0, max: 400 }),
  });
  it('never goes below the seats outside every open window, and never refunds more than was paid for the removed seats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(batchArb, { maxLength: 5 }),
        fc.boolean(),
        fc.integer({ min: 10, max: 300 }),
        fc.integer({ min: 0, max: 120 }),
        (baseSeats, raw, isPurchaseWindowOpen, dayOfTerm, target) => {
          const now = new Date(term.termStart.getTime() + dayOfTerm * DAY_MS);
          const batches = raw.map((b) => ({
            seats: b.seats,
            addedAt: new Date(now.getTime() - b.hoursAgo * HOUR_MS),
          }));
          const quantity = baseSeats + batches.reduce((s, b) => s + b.seats, 0);
          const open = batches.filter((b) => now.getTime() - b.addedAt.getTime() < H * HOUR_MS);
          const outside = isPurchaseWindowOpen ? 1 : quantity - open.reduce((s, b) => s + b.seats, 0);
          const r = reduceSeats({
            ...term,
            quantity,
            batches,
            isPurchaseWindowOpen,
            refundWindowHours: H,
            now,
            target,
          });
          if (target < outside || target > quantity) {
            expect(r).toEqual({ ok: false, minimumSeats: outside });
            return;
          }
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.removed.reduce((s, x) => s + x.seats, 0)).toBe(quantity - target);
          // What the removed seats cost: a batch from the day it was added, the term's own seats from its start.
          const paid = r.removed.reduce(
            (s, x) =>
              s +
              overlapCost({
                ...term,
                quantity: x.seats,
                from: x.addedAt ?? term.termStart,
                to: term.termEnd,
              }),
            0,
          );
          expect(r.refunded).toBeGreaterThanOrEqual(0);
          expect(r.refunded).toBeLessThanOrEqual(paid);
          // Without the purchase window, only seats of open batches went.
          if (!isPurchaseWindowOpen) expect(r.removed.every((x) => x.addedAt !== null)).toBe(true);
          // What is left open never holds more seats than remain.
          expect(r.batches.reduce((s, b) => s + b.seats, 0)).toBeLessThanOrEqual(target);
        },
      ),
      { numRuns: 500 },
    );
  });
});
