import { useTranslation } from 'react-i18next';

/** Dates, numbers and money follow the chosen language (Intl), never the browser's locale alone. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'es' ? 'es-ES' : 'en-US';
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
    /** Amounts are integer minor units (cents). */
    money(minor: number | null | undefined, currency: string | null | undefined): string {
      if (minor === null || minor === undefined) return '—';
      return new Intl.NumberFormat(locale, { style: 'currency', currency: currency || 'USD' }).format(
        minor / 100,
      );
    },
  };
}

/** The reason text in the current language (the API gives `text` and `textEs`). */
export function useReasonText() {
  const { i18n } = useTranslation();
  return (r: { text: string; textEs: string }) => (i18n.language === 'es' ? r.textEs : r.text);
}
