import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamptz.ts';

const pgParse = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (s: string) => Date | number | null;
const same = (s: string) => {
  const ours = parseTimestamptz(s);
  const theirs = pgParse(s);
  const time = (v: Date | number | null) => (v instanceof Date ? v.getTime() : v);
  return { ours: [ours instanceof Date, time(ours)], theirs: [theirs instanceof Date, time(theirs)] };
};
const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('parseTimestamptz', () => {
  it('reads what the server writes as pg’s own parser does, to the millisecond', () => {
    const text = fc
      .record({
        year: fc.integer({ min: 1000, max: 9999 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        second: fc.integer({ min: 0, max: 59 }),
        fraction: fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
        sign: fc.constantFrom('+', '-'),
        offH: fc.integer({ min: 0, max: 15 }),
        offM: fc.option(fc.constantFrom(0, 30, 45), { nil: undefined }),
        offS: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
      })
      .map(
        (t) =>
          `${t.year}-${pad(t.month, 2)}-${pad(t.day, 2)} ${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}` +
          `${t.fraction !== undefined ? `.${t.fraction}` : ''}${t.sign}${pad(t.offH, 2)}` +
          `${t.offM !== undefined ? `:${pad(t.offM, 2)}${t.offS !== undefined ? `:${pad(t.offS, 2)}` : ''}` : ''}`,
      );
    fc.assert(
      fc.property(text, (s) => {
        const { ours, theirs } = same(s);
        expect(ours, s).toEqual(theirs);
        expect(ours[0], s).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves what it does not read by position to pg’s parser: BC, infinity, short years, other styles', () => {
    const odd = [
      '2026-12-07 20:44:55.801+00',
      '2026-12-07 20:44:55+05:30',
      '0044-03-15 12:00:00+00 BC',
      '0099-01-01 00:00:00+00',
      '12026-01-01 00:00:00+00',
      'infinity',
      '-infinity',
      '2026-12-07T20:44:55Z',
      '2026-12-07 20:44:55',
      '2026-12-07 20:44:55.123456',
      '2026-12-07 2a:44:55+00',
    ];
    for (const s of odd) {
      const { ours, theirs } = same(s);
      expect(ours, s).toEqual(theirs);
    }
    expect((parseTimestamptz('2026-12-07 20:44:55.8019+01') as Date).toISOString()).toBe(
      '2026-12-07T19:44:55.801Z',
    );
  });
});
