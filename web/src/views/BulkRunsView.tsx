import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type BulkRunReport, type BulkRunSummary, type Page } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';

const VERDICTS = ['ready', 'needs-acknowledgment', 'blocked', 'refused', 'under-way'] as const;
/** Customers shown at first; "Show more" adds as many again. */
const SHOWN = 50;

/** The partner's bulk plan runs (`traslado plan`), newest first, with their counts by verdict. */
export function BulkRunsView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { data, error, loading } = useLoad(() => api<Page<BulkRunSummary>>('/api/bulk-plan-runs'), []);
  return (
    <section>
      <h1>{t('bulkRuns.title')}</h1>
      <p className="muted">{t('bulkRuns.intro')}</p>
      <ErrorAlert error={error} />
      {loading && !data && <Loading />}
      {data && data.items.length === 0 && <p>{t('bulkRuns.none')}</p>}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="bulk-runs-table">
            <caption className="sr-only">{t('bulkRuns.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bulkRuns.when')}</th>
                <th scope="col">{t('bulkRuns.customers')}</th>
                {VERDICTS.map((v) => (
                  <th scope="col" key={v}>
                    {t(`bulkRuns.verdicts.${v}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.items.map((r) => (
                <tr key={r.id} data-testid="bulk-run-row">
                  <td>
                    <Link href={`/bulk-runs/${encodeURIComponent(r.id)}`}>{f.dateTime(r.createdAt)}</Link>
                  </td>
                  <td>{r.customers}</td>
                  {VERDICTS.map((v) => (
                    <td key={v}>{r.counts[v]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** One run's report: the counts, each customer with its verdict and reasons, the refused and why. */
export function BulkRunView({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const es = (i18n.resolvedLanguage ?? i18n.language ?? 'en').startsWith('es');
  const { data, error, loading } = useLoad(
    () => api<BulkRunReport>(`/api/bulk-plan-runs/${encodeURIComponent(id)}`),
    [id],
  );
  const [shown, setShown] = useState(SHOWN);
  const planned = data?.items.filter((i) => i.verdict !== 'refused') ?? [];
  const refused = data?.items.filter((i) => i.verdict === 'refused') ?? [];
  const reasons = (i: BulkRunReport['items'][number]) => [
    ...new Set(i.reasons.map((r) => (es ? r.textEs : r.text))),
  ];
  return (
    <section>
      <h1>{t('bulkRuns.reportTitle')}</h1>
      <p>
        <Link href="/bulk-runs">{t('bulkRuns.back')}</Link>
      </p>
      <ErrorAlert error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <p className="muted">
            {t('bulkRuns.reportIntro', { date: f.dateTime(data.createdAt), count: data.customers })}
          </p>
          <dl className="details" data-testid="bulk-run-counts">
            {VERDICTS.map((v) => (
              <div key={v} style={{ display: 'contents' }}>
                <dt>{t(`bulkRuns.verdicts.${v}`)}</dt>
                <dd data-verdict={v}>{data.counts[v]}</dd>
              </div>
            ))}
          </dl>
          <p>
            <Link href={`/transitions?run=${encodeURIComponent(data.id)}`}>{t('bulkRuns.follow')}</Link>
          </p>
          <h2>{t('bulkRuns.planned')}</h2>
          <div className="table-wrap">
            <table data-testid="bulk-run-customers">
              <caption className="sr-only">{t('bulkRuns.planned')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('transitions.customer')}</th>
                  <th scope="col">{t('transitions.verdict')}</th>
                  <th scope="col">{t('bulkRuns.reasons')}</th>
                </tr>
              </thead>
              <tbody>
                {planned.slice(0, shown).map((i) => (
                  <tr key={i.tenantId} data-testid="bulk-run-customer" data-verdict={i.verdict}>
                    <td>
                      {i.transitionId ? (
                        <Link href={`/transitions/${encodeURIComponent(i.transitionId)}`}>
                          {i.companyName ?? i.tenantId}
                        </Link>
                      ) : (
                        (i.companyName ?? i.tenantId)
                      )}
                    </td>
                    <td>
                      <StatusBadge status={i.verdict} />
                    </td>
                    <td>
                      {reasons(i).length === 0 ? (
                        '—'
                      ) : (
                        <ul className="plain">
                          {reasons(i).map((r) => (
                            <li key={r}>{r}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {planned.length > shown && (
            <button type="button" className="secondary" onClick={() => setShown((n) => n + SHOWN)}>
              {t('bulkRuns.more', { count: Math.min(SHOWN, planned.length - shown) })}
            </button>
          )}
          <h2>{t('bulkRuns.refused')}</h2>
          {refused.length === 0 ? (
            <p>{t('bulkRuns.noneRefused')}</p>
          ) : (
            <ul data-testid="bulk-run-refused">
              {refused.map((i) => (
                <li key={i.tenantId}>
                  <strong>{i.companyName ?? i.tenantId}</strong>: {reasons(i).join(' ')}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
