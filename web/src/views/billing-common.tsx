import { useTranslation } from 'react-i18next';
import { useFormat } from '../format.ts';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';

// ---- API shapes of the billing routes (src/modules/billing/*.schemas.ts) ----

export interface BillingLine {
  id: string;
  chargeType: string;
  tenantId: string;
  productName: string | null;
  offerId: string | null;
  quantity: string;
  billableQuantity: string;
  unitPrice: number;
  subtotal: number;
  total: number;
  currency: string;
  customerUnitPrice: number;
  customerSubtotal: number;
  chargeStart: string;
  chargeEnd: string;
  billingMonth: string;
}

export interface Invoice {
  id: string;
  number: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  total: number;
  status: string;
  lineCount: number;
  createdAt: string;
}

export interface InvoiceLine {
  id: string;
  customerName: string;
  productName: string | null;
  chargeType: string;
  billableQuantity: string;
  subtotal: number;
  total: number;
  currency: string;
  customerSubtotal: number;
  chargeStartDate: string;
  chargeEndDate: string;
}

export interface MarginFigures {
  currency: string;
  mrr: number;
  cost: number;
  margin: number;
  charged: number;
  chargedCost: number;
}

export interface Margins {
  month: string;
  asOf: string;
  customers: (MarginFigures & { tenantId: string; companyName: string })[];
  totals: MarginFigures[];
}

export interface MarginHistory {
  from: string;
  to: string;
  points: { month: string; currency: string; revenue: number; cost: number; margin: number }[];
}

export interface PriceRule {
  offerId?: string;
  tenantId?: string;
  markupPercent: number;
}

// ---- Shared pieces of the billing views ----

/** What the session can check (the console's own import of the permissions table stays in session.tsx). */
type Action = Parameters<ReturnType<typeof useSession>['can']>[0];

export type BillingSection = 'unbilled' | 'invoices' | 'margins' | 'price-rules' | 'credits';

const SECTIONS: { section: BillingSection; href: string; action: Action }[] = [
  { section: 'unbilled', href: '/billing', action: 'billing.read' },
  { section: 'invoices', href: '/billing/invoices', action: 'invoices.read' },
  { section: 'margins', href: '/billing/margins', action: 'billing.read' },
  { section: 'price-rules', href: '/billing/price-rules', action: 'billing.price-rules' },
  { section: 'credits', href: '/billing/credits', action: 'billing.read' },
];

/** The billing sections this user may open (billing agents and account admins see them all). */
export function BillingTabs({ current }: { current: BillingSection }) {
  const { t } = useTranslation();
  const { can } = useSession();
  useLocation();
  return (
    <nav aria-label={t('billing.sections')} className="subnav">
      <ul className="row">
        {SECTIONS.filter((s) => can(s.action)).map((s) => (
          <li key={s.section}>
            <Link href={s.href} aria-current={s.section === current ? 'page' : undefined}>
              {t(`billing.section.${s.section}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const CHARGE_TYPES = new Set([
  'new',
  'renew',
  'addQuantity',
  'removeQuantity',
  'cancel',
  'cycleCharge',
  'transferIn',
  'transferOut',
  'convert',
  'usage',
  'credit',
]);

/** A charge type in words, never its code (an unknown one reads "Other charge"). */
export function useChargeType() {
  const { t } = useTranslation();
  return (code: string) =>
    CHARGE_TYPES.has(code) ? t(`billing.chargeType.${code}`) : t('billing.chargeTypeOther');
}

/** Month names with the full year, in UTC (a `YYYY-MM` or a date). */
export function useMonth() {
  const { locale } = useFormat();
  return (month: string) =>
    new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${month.slice(0, 7)}-01T00:00:00Z`),
    );
}

/** Sums of minor units per currency, in the order the currencies first appear. */
export function totalsByCurrency<T>(items: T[], currency: (x: T) => string, amount: (x: T) => number) {
  const sums = new Map<string, number>();
  for (const x of items) sums.set(currency(x), (sums.get(currency(x)) ?? 0) + amount(x));
  return [...sums].map(([c, a]) => ({ currency: c, amount: a }));
}

/** `start – end`, both UTC days, inclusive. */
export function usePeriod() {
  const f = useFormat();
  return (start: string, end: string) => `${f.date(start)} – ${f.date(end)}`;
}
