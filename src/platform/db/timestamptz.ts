import pg from 'pg';

/** PostgreSQL's type id of `timestamptz`. */
export const TIMESTAMPTZ_OID = 1184;

const pgParse = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (s: string) => Date | number | null;

const DIGIT_0 = 48;
const isDigit = (c: number) => c >= DIGIT_0 && c <= DIGIT_0 + 9;
/** Two digits at `i`, or NaN when they are not digits. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  return isDigit(a) && isDigit(b) ? (a - DIGIT_0) * 10 + (b - DIGIT_0) : Number.NaN;
}

/**
 * A `timestamptz` as the server writes it in the ISO date style (`2026-12-07 20:44:55.801234+00`,
 * offsets `±hh`, `±hh:mm` or `±hh:mm:ss`), read by character positions: the same instant as pg's
 * own parser (postgres-date), without its regular expressions and their match arrays, which a read
 * of many rows pays for each timestamp. Anything else (BC, infinity, years before 1000 or after
 * 9999, another date style) goes to pg's own parser.
 */
export function parseTimestamptz(s: string): Date | number | null {
  const n = s.length;
  if (n < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32)
    return pgParse(s);
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return pgParse(s);
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    // As pg's parser computes it (1000 × the fraction, cut to whole milliseconds by Date.UTC).
    ms = 1000 * Number.parseFloat(s.slice(19, i));
  }
  const sign = s.charCodeAt(i) === 43 ? 1 : s.charCodeAt(i) === 45 ? -1 : 0;
  if (sign === 0 || i + 3 > n) return pgParse(s);
  let offset = two(s, i + 1) * 3600;
  i += 3;
  if (i < n && s.charCodeAt(i) === 58) {
    offset += two(s, i + 1) * 60;
    i += 3;
    if (i < n && s.charCodeAt(i) === 58) {
      offset += two(s, i + 1);
      i += 3;
    }
  }
  // NaN (a non-digit somewhere) fails this too.
  if (
    i !== n ||
    !(year >= 1000) ||
    !(offset >= 0) ||
    !(second >= 0 && month >= 1 && day >= 1 && hour >= 0 && minute >= 0)
  )
    return pgParse(s);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - sign * offset * 1000);
}
