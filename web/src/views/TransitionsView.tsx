import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type BookTransition, type ListPage, TRANSITION_GROUPS } from '../api.ts';
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
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link, useLocation } from '../router.tsx';

const PAGE_SIZE = 50;

/**
 * The partner's book of transitions across customers (issue 21): filter by group (planned,
 * applying, waiting on the customer, waiting on another partner, failed, done), search by customer,
 * sort on the server by a column, the count, and "Export CSV" of every row the filter shows.
 * `?run=` shows one bulk plan run's transitions.
 */
export function TransitionsView() {
  const { t } = useTranslation();
  const f = useFormat();
  const loc = useLocation();
  const runId = loc.search.get('run') ?? '';
  const [group, setGroup] = useState(loc.search.get('group') ?? '');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const { sort, toggle } = useSort('-createdAt');
  const pages = useCursorPages();
  const cursor = pages.cursor;

  useEffect(() => {
    const id = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(id);
  }, [search]);
  // A new filter or order starts again from the first page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the filter is what resets the pages
  useEffect(() => pages.reset(), [group, q, sort, runId]);

  const filter = { group, q, sort, runId };
  const { data, error, loading } = useLoad(
    () =>
      api<ListPage<BookTransition>>('/api/transitions', {
        query: { ...filter, cursor, limit: PAGE_SIZE },
      }),
    [group, q, sort, runId, cursor],
  );

  const header = (field: string, label: string) => (
    <SortHeader field={field} label={label} sort={sort} onSort={toggle} />
  );

  return (
    <section>
      <h1>{t('transitions.title')}</h1>
      <p className="muted">{t('transitions.intro')}</p>
      {runId && (
        <p data-testid="run-filter">
          {t('transitions.runFilter')}{' '}
          <Link href={`/bulk-runs/${encodeURIComponent(runId)}`}>{t('transitions.runReport')}</Link> ·{' '}
          <Link href="/transitions">{t('transitions.allRuns')}</Link>
        </p>
      )}
      <div className="toolbar">
        <div className="field">
          <label htmlFor="transition-group">{t('transitions.group')}</label>
          <select id="transition-group" value={group} onChange={(e) => setGroup(e.target.value)}>
            <option value="">{t('transitions.allGroups')}</option>
            {TRANSITION_GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`transitions.groups.${g}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="transition-search">{t('transitions.search')}</label>
          <input
            id="transition-search"
            type="search"
            value={search}
            placeholder={t('customers.searchPlaceholder')}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <ExportCsv path="/api/transitions" query={filter} filename="transitions.csv" />
        <Link href="/bulk-runs">{t('transitions.bulkRuns')}</Link>
      </div>
      <ErrorAlert error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <ListCount total={data.total} />
          <div className="table-wrap">
            <table data-testid="transitions-table">
              <caption className="sr-only">{t('transitions.title')}</caption>
              <thead>
                <tr>
                  {header('companyName', t('transitions.customer'))}
                  {header('group', t('transitions.group'))}
                  {header('verdict', t('transitions.verdict'))}
                  {header('lines', t('transitions.lines'))}
                  {header('createdAt', t('transitions.created'))}
                  {header('updatedAt', t('transitions.updated'))}
                  <th scope="col">{t('transitions.open')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((x) => (
                  <tr key={x.id} data-testid="transition-row" data-group={x.group} data-id={x.id}>
                    <td>
                      <Link href={`/customers/${encodeURIComponent(x.customer.tenantId)}`}>
                        {x.customer.companyName}
                      </Link>
                      <div className="muted small">{x.customer.defaultDomain}</div>
                    </td>
                    <td>{t(`transitions.groups.${x.group}`)}</td>
                    <td>
                      <StatusBadge status={x.verdict} />
                    </td>
                    <td>{x.lines}</td>
                    <td>{f.dateTime(x.createdAt)}</td>
                    <td>{f.dateTime(x.updatedAt)}</td>
                    <td>
                      <Link
                        href={`/transitions/${encodeURIComponent(x.id)}`}
                        aria-label={t('transitions.openOne', { customer: x.customer.companyName })}
                      >
                        {t('transitions.open')}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.items.length === 0 && <p>{t('transitions.none')}</p>}
          <CursorPager pages={pages} nextCursor={data.nextCursor} />
        </>
      )}
    </section>
  );
}
