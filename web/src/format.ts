import { useTranslation } from 'react-i18next';

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
    date(iso: string | null | undefined): string {
      if (!iso) return '—';
      return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
    },
    dateTime(iso: string | null | undefined): string {
      if (!iso) return '—';
      return new Intl.DateTimeFormat(locale, {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'UTC',
      }).format(new Date(iso));
    },
    shortDate(iso: string): string {
      return new Intl.DateTimeFormat(locale, {
        month: 'short',
        day: 'numeric',
        year: '2-digit',
        timeZone: 'UTC',
      }).format(new Date(iso));
    },
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
