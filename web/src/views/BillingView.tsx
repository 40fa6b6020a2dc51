import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type CreditRequest, type Customer, type Page } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import {
  type BillingLine,
  type BillingSection,
  BillingTabs,
  totalsByCurrency,
  useChargeType,
  usePeriod,
} from './billing-common.tsx';
import { CreditTable } from './CustomerView.tsx';
import { allPages, loadCustomers } from './common.ts';

const MAX_CUSTOMERS = 50;
const PAGE = 50;

/** The billing area: one heading, the sections this user may open, then the chosen one. */
export function BillingShell({ section, children }: { section: BillingSection; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('billing.title')}</h1>
      <BillingTabs current={section} />
      {children}
    </section>
  );
}

/** Billing views for the billing agent: this month's unbilled lines, or the credit requests. */
export function BillingView({ section = 'unbilled' }: { section?: 'unbilled' | 'credits' }) {
  return (
    <BillingShell section={section}>{section === 'credits' ? <CreditRequests /> : <Unbilled />}</BillingShell>
  );
}

/** This month's lines no invoice holds yet, with cost and customer price, totals per currency. */
function Unbilled() {
  const { t } = useTranslation();
  const f = useFormat();
  const chargeType = useChargeType();
  const period = usePeriod();
  const [page, setPage] = useState(0);
  const load = useLoad(async () => {
    const [lines, customers] = await Promise.all([
      allPages<BillingLine>('/api/billing/unbilled', {}, 5000),
      loadCustomers(),
    ]);
    return { lines, names: new Map(customers.map((c) => [c.id, c.companyName])) };
  }, []);
  const lines = load.data?.lines ?? [];
  const shown = lines.slice(page * PAGE, (page + 1) * PAGE);
  const cost = totalsByCurrency(
    lines,
    (l) => l.currency,
    (l) => l.subtotal,
  );
  const price = totalsByCurrency(
    lines,
    (l) => l.currency,
    (l) => l.customerSubtotal,
  );
  return (
    <section aria-labelledby="unbilled-title">
      <h2 id="unbilled-title">{t('billing.unbilled.title')}</h2>
      <p className="muted">{t('billing.unbilled.intro')}</p>
      <ErrorAlert error={load.error} />
      {load.loading && !load.data && <Loading />}
      {load.data && lines.length === 0 && <p>{t('billing.unbilled.none')}</p>}
      {load.data && lines.length > 0 && (
        <>
          <dl className="details" data-testid="unbilled-totals">
            <dt>{t('billing.unbilled.lineCount')}</dt>
            <dd>{t('billing.unbilled.lines', { count: lines.length })}</dd>
            <dt>{t('billing.totalCost')}</dt>
            <dd>{f.amounts(cost)}</dd>
            <dt>{t('billing.totalCustomerPrice')}</dt>
            <dd>{f.amounts(price)}</dd>
          </dl>
          <div className="table-wrap">
            <table data-testid="unbilled-lines">
              <caption className="sr-only">{t('billing.unbilled.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.customer')}</th>
                  <th scope="col">{t('billing.product')}</th>
                  <th scope="col">{t('billing.chargeTypeColumn')}</th>
                  <th scope="col">{t('billing.period')}</th>
                  <th scope="col">{t('billing.quantity')}</th>
                  <th scope="col">{t('billing.cost')}</th>
                  <th scope="col">{t('billing.customerPrice')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((l) => (
                  <tr key={l.id} data-testid="unbilled-line" data-charge-type={l.chargeType}>
                    <td>
                      <Link href={`/customers/${encodeURIComponent(l.tenantId)}`}>
                        {load.data?.names.get(l.tenantId) ?? l.tenantId}
                      </Link>
                    </td>
                    <td>{l.productName ?? '—'}</td>
                    <td>{chargeType(l.chargeType)}</td>
                    <td>{period(l.chargeStart, l.chargeEnd)}</td>
                    <td>{f.number(Number(l.billableQuantity))}</td>
                    <td>{f.money(l.subtotal, l.currency)}</td>
                    <td>{f.money(l.customerSubtotal, l.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">{t('billing.datesUtc')}</p>
          {lines.length > PAGE && (
            <div className="pager">
              <button
                type="button"
                className="secondary"
                disabled={page === 0}
                onClick={() => setPage((p) => p - 1)}
              >
                {t('common.previousPage')}
              </button>
              <button
                type="button"
                className="secondary"
                disabled={(page + 1) * PAGE >= lines.length}
                onClick={() => setPage((p) => p + 1)}
              >
                {t('common.nextPage')}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** The credit requests filed for each customer (what this view showed first). */
function CreditRequests() {
  const { t } = useTranslation();
  const load = useLoad(async () => {
    const customers = await api<Page<Customer>>('/api/customers', { query: { limit: MAX_CUSTOMERS } });
    return Promise.all(
      customers.items.map(async (c) => ({
        customer: c,
        credits: await api<Page<CreditRequest>>(
          `/api/customers/${encodeURIComponent(c.id)}/credit-requests`,
          {
            query: { limit: 100 },
          },
        ),
      })),
    );
  }, []);
  return (
    <section aria-labelledby="credits-title">
      <h2 id="credits-title">{t('billing.section.credits')}</h2>
      <p className="muted">{t('billing.intro')}</p>
      <ErrorAlert error={load.error} />
      {load.loading && !load.data && <Loading />}
      {load.data?.map(({ customer, credits }) => (
        <section key={customer.id} aria-labelledby={`billing-${customer.id}`}>
          <h3 id={`billing-${customer.id}`}>
            <Link href={`/customers/${encodeURIComponent(customer.id)}`}>{customer.companyName}</Link>
          </h3>
          {credits.items.length === 0 ? <p>{t('credits.none')}</p> : <CreditTable items={credits.items} />}
        </section>
      ))}
    </section>
  );
}
