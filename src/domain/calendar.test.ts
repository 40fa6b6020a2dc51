import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDaysUtc, addMonthsUtc, addYearsUtc, DAY_MS, startedDaysBetween } from './calendar.ts';

describe('calendar (UTC)', () => {
  it('clamps to the last day of a shorter month and keeps the time of day', () => {
    expect(addMonthsUtc(new Date('2026-01-31T10:30:00Z'), 1)).toEqual(new Date('2026-02-28T10:30:00Z'));
    expect(addMonthsUtc(new Date('2028-01-31T10:30:00Z'), 1)).toEqual(new Date('2028-02-29T10:30:00Z'));
    expect(addMonthsUtc(new Date('2026-03-31T00:00:00Z'), -1)).toEqual(new Date('2026-02-28T00:00:00Z'));
    expect(addYearsUtc(new Date('2024-02-29T00:00:00Z'), 1)).toEqual(new Date('2025-02-28T00:00:00Z'));
    expect(addMonthsUtc(new Date('2026-11-15T00:00:00Z'), 14)).toEqual(new Date('2028-01-15T00:00:00Z'));
  });

  it('adds days as 24-hour steps, whatever the local time zone does', () => {
    expect(addDaysUtc(new Date('2026-03-28T12:00:00Z'), 2)).toEqual(new Date('2026-03-30T12:00:00Z'));
  });

  it('counts started days', () => {
    const a = new Date('2026-01-01T00:00:00Z');
    expect(startedDaysBetween(a, a)).toBe(0);
    expect(startedDaysBetween(a, new Date('2026-01-01T00:00:01Z'))).toBe(1);
    expect(startedDaysBetween(a, new Date('2026-01-02T00:00:00Z'))).toBe(1);
    expect(startedDaysBetween(new Date('2026-01-02T00:00:00Z'), a)).toBe(0);
  });

  it('lands on the target month, on the same day or the month end, at the same time', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1990-01-01T00:00:00Z'),
          max: new Date('2090-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -400, max: 400 }),
        (at, n) => {
          const r = addMonthsUtc(at, n);
          const months = at.getUTCFullYear() * 12 + at.getUTCMonth() + n;
          expect(r.getUTCFullYear() * 12 + r.getUTCMonth()).toBe(months);
          const last = new Date(Date.UTC(r.getUTCFullYear(), r.getUTCMonth() + 1, 0)).getUTCDate();
          expect(r.getUTCDate()).toBe(Math.min(at.getUTCDate(), last));
          const timeOfDay = (x: Date) => ((x.getTime() % DAY_MS) + DAY_MS) % DAY_MS;
          expect(timeOfDay(r)).toBe(timeOfDay(at));
        },
      ),
    );
  });
});
