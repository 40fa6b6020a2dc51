import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from './calendar.ts';
import { dueSeatGraceNotice, graceSeatsFor } from './seat-grace.ts';

describe('grace after a seat reduction', () => {
  it('covers the removed seats that were in use, and no more', () => {
    // 10 seats, 8 assigned, 5 removed: 5 left for 8 users, 3 in grace.
    expect(graceSeatsFor({ assigned: 8, accessBefore: 10, removedFromPool: 5 })).toBe(3);
    // Removing free seats gives no grace.
    expect(graceSeatsFor({ assigned: 4, accessBefore: 10, removedFromPool: 5 })).toBe(0);
    // Already over-assigned before (e.g. a subscription expired): only the removed seats are covered.
    expect(graceSeatsFor({ assigned: 20, accessBefore: 10, removedFromPool: 2 })).toBe(2);
    // Seats of a suspended subscription gave no access: nothing removed from the pool.
    expect(graceSeatsFor({ assigned: 20, accessBefore: 10, removedFromPool: 0 })).toBe(0);
  });

  it('keeps every assigned user with access while it runs, never beyond what was removed', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.nat(100), fc.nat(100), (assigned, accessBefore, r) => {
        const removedFromPool = Math.min(r, accessBefore);
        const g = graceSeatsFor({ assigned, accessBefore, removedFromPool });
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThanOrEqual(removedFromPool);
        // Whoever had access before keeps it: pool after plus grace covers them.
        expect(accessBefore - removedFromPool + g).toBeGreaterThanOrEqual(Math.min(assigned, accessBefore));
      }),
    );
  });

  it('sends notices at 30, 7 and 1 days before the end, the nearest one after a jump', () => {
    const end = new Date('2026-06-01T00:00:00Z');
    const at = (daysLeft: number) => dueSeatGraceNotice(end, new Date(end.getTime() - daysLeft * DAY_MS));
    expect(at(31)).toBeNull();
    expect(at(30)).toBe(30);
    expect(at(8)).toBe(30);
    expect(at(3)).toBe(7);
    expect(at(0.5)).toBe(1);
    expect(at(0)).toBeNull();
  });
});
