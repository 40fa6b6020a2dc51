import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { BillingShell } from './BillingView.tsx';
import { type MarginHistory, type Margins, useMonth } from './billing-common.tsx';

const SERIES = [
  { key: 'revenue', stroke: '#1d4ed8', dash: undefined },
  { key: 'cost', stroke: '#b42318', dash: '6 3' },
  { key: 'margin', stroke: '#067647', dash: '2 2' },
] as const;

/** Margin as a share of revenue, for reading only (the amounts themselves stay integers). */
function usePercent() {
  const { locale } = useFormat();
  return (margin: number, revenue: number) =>
    revenue === 0
      ? '—'
      : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(
          margin / revenue,
        );
}

/**
 * Per customer: monthly recurring revenue at customer price, its cost and the margin; the
 * partner's totals per currency, and what each month charged over the last year as a chart.
 */
export function MarginsView() {
  const { t } = useTranslation();
  const f = useFormat();
  const monthName = useMonth();
  const percent = usePercent();
  const [month, setMonth] = useState('');
  const load = useLoad(
    () =>
      Promise.all([
        api<Margins>('/api/billing/margins', { query: { month: month || undefined } }),
        api<MarginHistory>('/api/billing/margins/history', { query: { months: 12 } }),
      ]),
    [month],
  );
  const [margins, history] = load.data ?? [];
  const currencies = [...new Set(history?.points.map((p) => p.currency) ?? [])];
  return (
    <BillingShell section="margins">
      <section aria-labelledby="margins-title" className="stack">
        <h2 id="margins-title">{t('billing.margins.title')}</h2>
        <p className="muted">{t('billing.margins.intro')}</p>
        <div>
          <label htmlFor="margins-month">{t('billing.margins.month')}</label>{' '}
          <input
            id="margins-month"
            type="month"
            value={month || margins?.month || ''}
            onChange={(e) => setMonth(e.target.value)}
          />
        </div>
        <ErrorAlert error={load.error} />
        {load.loading && !load.data && <Loading />}
        {margins && (
          <>
            <p className="muted" data-testid="margins-as-of">
              {t('billing.margins.asOf', { month: monthName(margins.month), date: f.date(margins.asOf) })}
            </p>
            {margins.customers.length === 0 ? (
              <p>{t('billing.margins.none')}</p>
            ) : (
              <div className="table-wrap">
                <table data-testid="margins-customers">
                  <caption className="sr-only">{t('billing.margins.customersCaption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('billing.customer')}</th>
                      <th scope="col">{t('billing.currency')}</th>
                      <th scope="col">{t('billing.margins.mrr')}</th>
                      <th scope="col">{t('billing.cost')}</th>
                      <th scope="col">{t('billing.margins.margin')}</th>
                      <th scope="col">{t('billing.margins.marginPercent')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {margins.customers.map((c) => (
                      <tr
                        key={`${c.tenantId}-${c.currency}`}
                        data-testid="margin-row"
                        data-tenant-id={c.tenantId}
                        data-currency={c.currency}
                      >
                        <td>
                          <Link href={`/customers/${encodeURIComponent(c.tenantId)}`}>{c.companyName}</Link>
                        </td>
                        <td>{c.currency}</td>
                        <td>{f.money(c.mrr, c.currency)}</td>
                        <td>{f.money(c.cost, c.currency)}</td>
                        <td>{f.money(c.margin, c.currency)}</td>
                        <td>{percent(c.margin, c.mrr)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    {margins.totals.map((c) => (
                      <tr key={c.currency} data-testid="margin-total" data-currency={c.currency}>
                        <th scope="row">{t('billing.margins.partnerTotal')}</th>
                        <td>{c.currency}</td>
                        <td>{f.money(c.mrr, c.currency)}</td>
                        <td>{f.money(c.cost, c.currency)}</td>
                        <td>{f.money(c.margin, c.currency)}</td>
                        <td>{percent(c.margin, c.mrr)}</td>
                      </tr>
                    ))}
                  </tfoot>
                </table>
              </div>
            )}
          </>
        )}
        {history && (
          <section aria-labelledby="margins-history-title" className="stack">
            <h3 id="margins-history-title">{t('billing.margins.historyTitle')}</h3>
            <p className="muted">{t('billing.margins.historyIntro')}</p>
            {history.points.length === 0 && <p>{t('billing.margins.historyNone')}</p>}
            <div className="charts">
              {currencies.map((currency) => {
                const data = history.points
                  .filter((p) => p.currency === currency)
                  .map((p) => ({ month: p.month, revenue: p.revenue, cost: p.cost, margin: p.margin }));
                return (
                  <figure
                    key={currency}
                    className="chart card"
                    data-testid="margin-chart"
                    data-currency={currency}
                  >
                    <figcaption>
                      <strong>{t('billing.margins.chartTitle', { currency })}</strong>
                    </figcaption>
                    <ResponsiveContainer width="100%" height={240}>
                      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 16 }}>
                        <CartesianGrid strokeDasharray="3 3" stroke="#d0d5dd" />
                        <XAxis
                          dataKey="month"
                          tickFormatter={(v: string) => monthName(v)}
                          tick={{ fill: '#344054', fontSize: 12 }}
                        />
                        <YAxis
                          tickFormatter={(v: number) => f.money(v, currency)}
                          tick={{ fill: '#344054', fontSize: 12 }}
                          width={96}
                        />
                        <Tooltip
                          labelFormatter={(v) => monthName(String(v))}
                          formatter={(value, key) => [
                            f.money(Number(value), currency),
                            t(`billing.margins.series.${String(key)}`),
                          ]}
                        />
                        <Legend formatter={(key) => t(`billing.margins.series.${String(key)}`)} />
                        {SERIES.map((s) => (
                          <Line
                            key={s.key}
                            type="monotone"
                            dataKey={s.key}
                            stroke={s.stroke}
                            strokeWidth={2}
                            strokeDasharray={s.dash}
                            dot
                            isAnimationActive={false}
                          />
                        ))}
                      </LineChart>
                    </ResponsiveContainer>
                  </figure>
                );
              })}
            </div>
            {history.points.length > 0 && (
              <div className="table-wrap">
                <table data-testid="margins-history">
                  <caption className="sr-only">{t('billing.margins.historyCaption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('billing.margins.month')}</th>
                      <th scope="col">{t('billing.currency')}</th>
                      <th scope="col">{t('billing.margins.series.revenue')}</th>
                      <th scope="col">{t('billing.margins.series.cost')}</th>
                      <th scope="col">{t('billing.margins.series.margin')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {history.points.map((p) => (
                      <tr key={`${p.month}-${p.currency}`} data-month={p.month} data-currency={p.currency}>
                        <td>{monthName(p.month)}</td>
                        <td>{p.currency}</td>
                        <td>{f.money(p.revenue, p.currency)}</td>
                        <td>{f.money(p.cost, p.currency)}</td>
                        <td>{f.money(p.margin, p.currency)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        )}
      </section>
    </BillingShell>
  );
}
