import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatShortDate } from './format.ts';

const LOCALES = ['en-US', 'es-ES'];
// Late in the UTC day: a formatter in the machine's zone would show another day or hour.
const ISO = '2026-12-06T23:30:00.000Z';

describe('the console formats dates', () => {
  it('with the time zone and a four-digit year, in both languages', () => {
    expect(formatDate('en-US', ISO)).toBe('Dec 6, 2026 (UTC)');
    expect(formatDate('es-ES', ISO)).toBe('6 dic 2026 (UTC)');
    expect(formatDateTime('en-US', ISO)).toBe('Dec 6, 2026, 11:30 PM UTC');
    expect(formatDateTime('es-ES', ISO)).toBe('6 dic 2026, 23:30 UTC');
  });

  it('never with a two-digit year, whatever the day', () => {
    const days = Array.from(
      { length: 40 },
      (_, i) => new Date(Date.UTC(2000 + i, i % 12, 1 + (i % 28), i % 24)),
    );
    expect(days.length).toBeGreaterThan(0);
    for (const locale of LOCALES)
      for (const d of days) {
        const iso = d.toISOString();
        const year = String(d.getUTCFullYear());
        for (const text of [
          formatDate(locale, iso),
          formatDateTime(locale, iso),
          formatShortDate(locale, iso),
        ]) {
          expect(text, `${locale} ${iso}`).toContain(year);
          // No "6/12/26", "12/6/26" or "dic 26"-style year.
          expect(text, `${locale} ${iso}`).not.toMatch(/\d{1,2}\/\d{1,2}\/\d{2}(?!\d)/);
        }
        expect(formatDate(locale, iso)).toMatch(/\(UTC\)$/);
        expect(formatDateTime(locale, iso)).toMatch(/UTC$/);
      }
  });

  it('shows a dash for a missing or broken date instead of "Invalid Date"', () => {
    for (const locale of LOCALES)
      for (const bad of [null, undefined, '', 'not a date']) {
        expect(formatDate(locale, bad)).toBe('—');
        expect(formatDateTime(locale, bad)).toBe('—');
      }
  });
});
