import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Customer, type ListPage } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import {
  CursorPager,
  ExportCsv,
  ListCount,
  SortHeader,
  useCursorPages,
  useSort,
} from '../components/ListTools.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { regionName } from './common.ts';

const PAGE_SIZE = 20;

export function CustomersView() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const pages = useCursorPages();
  const { cursor, reset } = pages;
  const { sort, toggle } = useSort('companyName');

  useEffect(() => {
    const id = setTimeout(() => {
      setQuery(search.trim());
      reset();
    }, 300);
    return () => clearTimeout(id);
  }, [search, reset]);

  const { data, error, loading } = useLoad(
    () => api<ListPage<Customer>>('/api/customers', { query: { q: query, sort, cursor, limit: PAGE_SIZE } }),
    [query, sort, cursor],
  );
  const header = (field: string, label: string) => (
    <SortHeader
      field={field}
      label={label}
      sort={sort}
      onSort={(f) => {
        toggle(f);
        pages.reset();
      }}
    />
  );

  return (
    <section>
      <h1>{t('customers.title')}</h1>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="customer-search">{t('customers.search')}</label>
          <input
            id="customer-search"
            type="search"
            value={search}
            placeholder={t('customers.searchPlaceholder')}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <ExportCsv path="/api/customers" query={{ q: query, sort }} filename="customers.csv" />
      </div>
      <ErrorAlert error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <ListCount total={data.total} />
          <table data-testid="customers-table">
            <caption className="sr-only">{t('customers.title')}</caption>
            <thead>
              <tr>
                {header('companyName', t('customers.company'))}
                {header('defaultDomain', t('customers.domain'))}
                {header('country', t('customers.country'))}
                <th scope="col">{t('customers.region')}</th>
                <th scope="col">{t('customers.relationship')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id} data-testid="customer-row" data-domain={c.defaultDomain}>
                  <td>
                    <Link href={`/customers/${c.id}`}>{c.companyName}</Link>
                  </td>
                  <td>{c.defaultDomain}</td>
                  <td>{c.country}</td>
                  <td>{regionName(t, c.region)}</td>
                  <td>
                    <StatusBadge status={c.relationship?.status ?? 'accepted'} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.items.length === 0 && <p>{query ? t('customers.noMatch') : t('customers.none')}</p>}
          <CursorPager pages={pages} nextCursor={data.nextCursor} />
        </>
      )}
    </section>
  );
}
