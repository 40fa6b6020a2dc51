/**
 * Numbers typed into the console, read in the console's language: `1,234.56` in English and
 * `1.234,56` in Spanish. Anything else (words, a currency sign, the other language's separators)
 * is refused rather than guessed at: `1.234,56` typed in the English console would otherwise be
 * saved as 1.234 or 123456, and a price is the last place for a guess.
 */

export interface Separators {
  group: string;
  decimal: string;
}

/** The grouping and decimal separators Intl uses for `locale`. */
export function separators(locale: string): Separators {
  const parts = new Intl.NumberFormat(locale).formatToParts(1234567.5);
  return {
    group: parts.find((p) => p.type === 'group')?.value ?? ',',
    decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Locales that group with a (narrow) no-break space are typed with a plain space too.
const SPACES = /^[\s\u00a0\u202f]$/;

/**
 * The number `text` reads as in `locale`, or null when it is not one. Grouping is optional, but
 * where used it must be in threes (`1.234,5` in Spanish; `1234.5` there is refused, since its
 * `.` is a group separator in the wrong place).
 */
export function parseLocaleNumber(text: string, locale: string): number | null {
  const { group, decimal } = separators(locale);
  const g = SPACES.test(group) ? '[\\s\\u00a0\\u202f]' : escapeRegExp(group);
  const d = escapeRegExp(decimal);
  const pattern = new RegExp(`^([-+\u2212]?)(\\d{1,3}(?:${g}\\d{3})+|\\d*)(?:${d}(\\d+))?$`);
  const m = pattern.exec(text.trim());
  if (!m) return null;
  const [, sign, whole = '', fraction] = m;
  if (whole === '' && fraction === undefined) return null;
  const digits = `${whole.replace(/\D/g, '') || '0'}${fraction === undefined ? '' : `.${fraction}`}`;
  const n = Number(digits);
  if (!Number.isFinite(n)) return null;
  return sign === '-' || sign === '\u2212' ? -n : n;
}

/** How many digits `text` has after the locale's decimal separator (0 when none). */
export function fractionDigits(text: string, locale: string): number {
  const { decimal } = separators(locale);
  const i = text.trim().lastIndexOf(decimal);
  return i < 0 ? 0 : text.trim().length - i - 1;
}

/** A number written for an input in `locale`, without grouping, so that parsing it gives it back. */
export function formatForInput(n: number, locale: string, digits = 0): string {
  return new Intl.NumberFormat(locale, {
    useGrouping: false,
    minimumFractionDigits: digits,
    maximumFractionDigits: Math.max(digits, 20),
  }).format(n);
}
