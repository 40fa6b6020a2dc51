import { useTranslation } from 'react-i18next';

/**
 * Dates are shown in UTC, the platform's zone (terms, billing months and the clock are UTC), and
 * always say so; years always have four digits.
 */
const DAY: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' };
const formatters = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string, kind: 'day' | 'moment'): Intl.DateTimeFormat {
  const key = `${locale}|${kind}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      locale,
      kind === 'day' ? DAY : { ...DAY, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' },
    );
    formatters.set(key, f);
  }
  return f;
}
const valid = (iso: string | null | undefined): Date | null => {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
};

export function formatDate(locale: string, iso: string | null | undefined): string {
  const d = valid(iso);
  return d ? `${dateFormat(locale, 'day').format(d)} (UTC)` : '—';
}

export function formatDateTime(locale: string, iso: string | null | undefined): string {
  const d = valid(iso);
  return d ? dateFormat(locale, 'moment').format(d) : '—';
}

export function formatShortDate(locale: string, iso: string): string {
  const d = valid(iso);
  return d ? dateFormat(locale, 'day').format(d) : '—';
}

/** Dates, numbers and money follow the chosen language (Intl), never the browser's locale alone. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'es' ? 'es-ES' : 'en-US';
  /** Amounts are integer minor units of their currency (cents; none for JPY). */
  const money = (minor: number | null | undefined, currency: string | null | undefined): string => {
    if (minor === null || minor === undefined) return '—';
    const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency: currency || 'USD' });
    return fmt.format(minor / 10 ** (fmt.resolvedOptions().maximumFractionDigits ?? 2));
  };
  return {
    locale,
    /** A day, in UTC with the zone said: "Dec 6, 2026 (UTC)" / "6 dic 2026 (UTC)". */
    date: (iso: string | null | undefined) => formatDate(locale, iso),
    /** A moment with its zone: "Dec 6, 2026, 2:05 PM UTC" / "6 dic 2026, 14:05 UTC". */
    dateTime: (iso: string | null | undefined) => formatDateTime(locale, iso),
    /** A chart tick: short, but with the full year ("Dec 6, 2026"); the tooltip gives the zone. */
    shortDate: (iso: string) => formatShortDate(locale, iso),
    number(n: number): string {
      return new Intl.NumberFormat(locale).format(n);
    },
    money,
    /** A `{ amount, currency }` of the API (plans, SPEC §11), or amounts in several currencies. */
    amounts(list: readonly { amount: number; currency: string }[]): string {
      if (list.length === 0) return '—';
      return list.map((m) => money(m.amount, m.currency)).join(' + ');
    },
  };
}

/** The reason text in the current language (the API gives `text` and `textEs`). */
export function useReasonText() {
  const { i18n } = useTranslation();
  return (r: { text: string; textEs: string }) => (i18n.language === 'es' ? r.textEs : r.text);
}
