import { useTranslation } from 'react-i18next';
import { api, type CreditRequest, type Customer, type Page } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { CreditTable } from './CustomerView.tsx';

const MAX_CUSTOMERS = 50;

/** Billing views for the billing agent: the credit requests filed for each customer. */
export function BillingView() {
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
    <section>
      <h1>{t('billing.title')}</h1>
      <p className="muted">{t('billing.intro')}</p>
      <ErrorAlert error={load.error} />
      {load.loading && !load.data && <Loading />}
      {load.data?.map(({ customer, credits }) => (
        <section key={customer.id} aria-labelledby={`billing-${customer.id}`}>
          <h2 id={`billing-${customer.id}`}>
            <Link href={`/customers/${encodeURIComponent(customer.id)}`}>{customer.companyName}</Link>
          </h2>
          {credits.items.length === 0 ? <p>{t('credits.none')}</p> : <CreditTable items={credits.items} />}
        </section>
      ))}
    </section>
  );
}
