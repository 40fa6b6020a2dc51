import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import {
  ApiError,
  type AzureCheckLine,
  type AzurePlan,
  type AzureSubscription,
  type AzureTransfer,
  type AzureUsage,
  api,
  type Clock,
  type Customer,
} from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { BlockerText } from '../components/AzurePlanLines.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { allPages } from './common.ts';

const COLORS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490'];

/** Usage of one month: a chart of the amount per day and meter, and the rows per subscription, meter and day. */
export function AzureUsageSection({ load }: { load: (month: string) => Promise<AzureUsage> }) {
  const { t } = useTranslation();
  const f = useFormat();
  // The platform clock's month (a demo may have moved it), until the reader picks another.
  const clock = useLoad(() => api<Clock>('/api/clock'), []);
  const [picked, setPicked] = useState<string | null>(null);
  const month = picked ?? clock.data?.now.slice(0, 7) ?? null;
  const usage = useLoad(() => (month ? load(month) : new Promise<AzureUsage>(() => undefined)), [month]);
  const { data, meters, currency } = useMemo(() => {
    const items = usage.data?.items ?? [];
    const meters = [...new Set(items.map((i) => i.meterName))].sort();
    const byDay = new Map<string, Record<string, number | string>>();
    for (const i of items) {
      const row = byDay.get(i.date) ?? { date: i.date };
      row[i.meterName] = Number(row[i.meterName] ?? 0) + i.amount.amount;
      byDay.set(i.date, row);
    }
    return {
      data: [...byDay.values()].sort((a, b) => String(a.date).localeCompare(String(b.date))),
      meters,
      currency: items[0]?.amount.currency ?? 'EUR',
    };
  }, [usage.data]);
  return (
    <section aria-labelledby="azure-usage-h" data-testid="azure-usage">
      <h2 id="azure-usage-h">{t('azure.usage')}</h2>
      <label htmlFor="azure-month">{t('azure.month')}</label>{' '}
      <input
        id="azure-month"
        type="month"
        value={month ?? ''}
        onChange={(e) => e.target.value && setPicked(e.target.value)}
      />
      <ErrorAlert error={usage.error} />
      {!usage.data ? (
        <Loading />
      ) : usage.data.items.length === 0 ? (
        <p className="muted">{t('azure.noUsage')}</p>
      ) : (
        <>
          <p>
            {t('azure.total')}:{' '}
            <strong data-testid="azure-usage-total">{f.amounts(usage.data.totals)}</strong>
          </p>
          <figure className="chart card" data-testid="azure-usage-chart">
            <figcaption>{t('azure.chartCaption')}</figcaption>
            <ResponsiveContainer width="100%" height={240}>
              <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#d0d5dd" />
                <XAxis
                  dataKey="date"
                  tickFormatter={(v: string) => f.shortDate(`${v}T00:00:00Z`)}
                  tick={{ fontSize: 12 }}
                />
                <YAxis
                  tickFormatter={(v: number) => f.money(v, currency)}
                  width={80}
                  tick={{ fontSize: 12 }}
                />
                <Tooltip
                  labelFormatter={(v) => f.date(`${String(v)}T00:00:00Z`)}
                  formatter={(value, key) => [f.money(Number(value), currency), String(key)]}
                />
                <Legend />
                {meters.map((m, i) => (
                  <Bar
                    key={m}
                    dataKey={m}
                    stackId="a"
                    fill={COLORS[i % COLORS.length]}
                    isAnimationActive={false}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <details>
            <summary>{t('azure.usageRows', { count: usage.data.items.length })}</summary>
            <table data-testid="azure-usage-table">
              <thead>
                <tr>
                  <th scope="col">{t('azure.date')}</th>
                  <th scope="col">{t('azure.subscription')}</th>
                  <th scope="col">{t('azure.meter')}</th>
                  <th scope="col">{t('azure.quantity')}</th>
                  <th scope="col">{t('azure.amount')}</th>
                </tr>
              </thead>
              <tbody>
                {usage.data.items.map((i) => (
                  <tr key={`${i.subscriptionId}-${i.date}-${i.meterId}`}>
                    <td>{f.date(`${i.date}T00:00:00Z`)}</td>
                    <td className="mono small">{i.subscriptionId.slice(0, 8)}</td>
                    <td>
                      {i.meterName} <span className="muted small">({i.meterCategory})</span>
                    </td>
                    <td>
                      {i.quantity} {i.unit}
                    </td>
                    <td>{f.money(i.amount.amount, i.amount.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}

function SubscriptionsTable({ subs }: { subs: AzureSubscription[] }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (subs.length === 0) return <p className="muted">{t('azure.noSubscriptions')}</p>;
  return (
    <table data-testid="azure-subscriptions">
      <thead>
        <tr>
          <th scope="col">{t('azure.name')}</th>
          <th scope="col">{t('azure.kind')}</th>
          <th scope="col">{t('azure.status')}</th>
          <th scope="col">{t('azure.resources')}</th>
        </tr>
      </thead>
      <tbody>
        {subs.map((s) => (
          <tr key={s.id}>
            <td>
              {s.friendlyName}
              <div className="mono small muted">{s.id}</div>
            </td>
            <td>{t(`azure.kinds.${s.kind}`, { defaultValue: s.kind })}</td>
            <td>
              <StatusBadge status={s.status} />
              {s.deletesAt && (
                <div className="small muted">{t('azure.deletesOn', { date: f.date(s.deletesAt) })}</div>
              )}
            </td>
            <td>
              <ul className="plain small">
                {s.resources.map((r) => (
                  <li key={r.resourceId}>{r.resourceType}</li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** SPEC §9: per own subscription, the path into the plan and what blocks it; request, then move. */
function TransferCheck({ base, onChanged }: { base: string; onChanged: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const check = useLoad(() => api<{ items: AzureCheckLine[] }>(`${base}/azure-transfer-check`), [base]);
  const transfers = useLoad(() => allPages<AzureTransfer>(`${base}/azure-transfers`), [base]);
  const [done, setDone] = useState<string | null>(null);
  const request = useAction((key: string, ids: string[]) =>
    api<AzureTransfer>(`${base}/azure-transfers`, {
      method: 'POST',
      idempotencyKey: key,
      body: { subscriptionIds: ids },
    }),
  );
  const move = useAction((key: string, id: string) =>
    api<AzureTransfer>(`/api/azure-transfers/${encodeURIComponent(id)}/move`, {
      method: 'POST',
      idempotencyKey: key,
    }),
  );
  const refresh = () => {
    check.reload();
    transfers.reload();
    onChanged();
  };
  const lines = check.data?.items ?? [];
  const askable = lines.filter((l) => l.eligible && !l.azureTransferId).map((l) => l.subscriptionId);
  return (
    <section aria-labelledby="azure-check-h" data-testid="azure-check">
      <h2 id="azure-check-h">{t('azure.checkTitle')}</h2>
      <p className="muted">{t('azure.checkIntro')}</p>
      <ErrorAlert error={check.error ?? request.error ?? move.error} />
      {done && <Notice>{done}</Notice>}
      {!check.data ? (
        <Loading />
      ) : lines.length === 0 ? (
        <p className="muted">{t('azure.noOwn')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('azure.name')}</th>
              <th scope="col">{t('azure.kind')}</th>
              <th scope="col">{t('azure.path')}</th>
              <th scope="col">{t('azure.eligible')}</th>
              <th scope="col">{t('azure.blockersTitle')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.subscriptionId} data-subscription-id={l.subscriptionId}>
                <td>{l.friendlyName}</td>
                <td>{t(`azure.kinds.${l.kind}`, { defaultValue: l.kind })}</td>
                <td>{t(`azure.paths.${l.path}`)}</td>
                <td>
                  <StatusBadge status={l.eligible ? 'ready' : 'blocked'} />
                </td>
                <td>
                  {l.blockers.length === 0 ? (
                    '—'
                  ) : (
                    <ul className="plain small">
                      {l.blockers.map((b) => (
                        <BlockerText key={`${b.code}-${b.resourceId ?? ''}`} b={b} />
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {can('azure.transfer') && askable.length > 0 && (
        <button
          type="button"
          disabled={request.pending}
          onClick={async () => {
            if (await request.run(askable)) {
              setDone(t('azure.requested'));
              refresh();
            }
          }}
        >
          {t('azure.request', { count: askable.length })}
        </button>
      )}
      {(transfers.data ?? []).map((tr) => (
        <article key={tr.id} className="card stack" data-testid="azure-transfer">
          <h3>{t('azure.transferTitle', { id: tr.id.slice(0, 8) })}</h3>
          <ul className="plain">
            {tr.lines.map((l) => (
              <li key={l.subscriptionId}>
                {l.friendlyName} · {t(`azure.paths.${l.path}`)} · <StatusBadge status={l.status} />
              </li>
            ))}
          </ul>
          {can('azure.transfer') && tr.lines.some((l) => l.status === 'ready') && (
            <button
              type="button"
              disabled={move.pending}
              onClick={async () => {
                if (await move.run(tr.id)) {
                  setDone(t('azure.moved'));
                  refresh();
                }
              }}
            >
              {t('azure.move')}
            </button>
          )}
        </article>
      ))}
    </section>
  );
}

/** A partner's Azure page for one customer: plan, subscriptions, usage, and the move of its own Azure. */
export function AzureView({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const base = `/api/customers/${encodeURIComponent(tenantId)}`;
  const customer = useLoad(() => api<Customer>(base), [base]);
  const plan = useLoad(
    () =>
      api<AzurePlan>(`${base}/azure-plan`).catch((e: unknown) => {
        if (e instanceof ApiError && e.code === 'azure_plan_not_found') return null;
        throw e;
      }),
    [base],
  );
  const subs = useLoad(() => allPages<AzureSubscription>(`${base}/azure-subscriptions`), [base]);
  const [name, setName] = useState('');
  const createPlan = useAction((key: string) =>
    api<AzurePlan>(`${base}/azure-plan`, { method: 'POST', idempotencyKey: key }),
  );
  const createSub = useAction((key: string, friendlyName: string) =>
    api<AzureSubscription>(`${base}/azure-subscriptions`, {
      method: 'POST',
      idempotencyKey: key,
      body: { friendlyName },
    }),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await createSub.run(name.trim())) {
      setName('');
      subs.reload();
    }
  };
  if (customer.error) return <ErrorAlert error={customer.error} />;
  if (!customer.data) return <Loading />;
  return (
    <section>
      <p className="breadcrumb">
        <Link href="/customers">{t('nav.customers')}</Link> ›{' '}
        <Link href={`/customers/${encodeURIComponent(tenantId)}`}>{customer.data.companyName}</Link>
      </p>
      <h1>{t('azure.title', { customer: customer.data.companyName })}</h1>
      <section aria-labelledby="azure-plan-h" data-testid="azure-plan">
        <h2 id="azure-plan-h">{t('azure.plan')}</h2>
        <ErrorAlert error={plan.error ?? createPlan.error} />
        {plan.data === undefined ? (
          <Loading />
        ) : plan.data ? (
          <p>
            <StatusBadge status={plan.data.status} /> {t('azure.planIn', { currency: plan.data.currency })}{' '}
            <span className="mono small muted">{plan.data.id}</span>
          </p>
        ) : (
          <>
            <p className="muted">{t('azure.noPlan')}</p>
            {can('azure.manage') && (
              <button
                type="button"
                disabled={createPlan.pending}
                onClick={async () => {
                  if (await createPlan.run()) plan.reload();
                }}
              >
                {t('azure.createPlan')}
              </button>
            )}
          </>
        )}
      </section>
      <section aria-labelledby="azure-subs-h">
        <h2 id="azure-subs-h">{t('azure.subscriptions')}</h2>
        <ErrorAlert error={subs.error ?? createSub.error} />
        {subs.data ? <SubscriptionsTable subs={subs.data} /> : <Loading />}
        {plan.data && can('azure.manage') && (
          <form onSubmit={submit} className="row">
            <label htmlFor="azure-name">{t('azure.friendlyName')}</label>
            <input id="azure-name" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
            <button type="submit" disabled={!name.trim() || createSub.pending}>
              {t('azure.addSubscription')}
            </button>
          </form>
        )}
      </section>
      <AzureUsageSection load={(month) => api<AzureUsage>(`${base}/azure-usage`, { query: { month } })} />
      <TransferCheck base={base} onChanged={() => subs.reload()} />
    </section>
  );
}

/** The customer's Azure: every subscription, usage, and partners' billing transfers to approve. */
export function TenantAzureView() {
  const { t } = useTranslation();
  const subs = useLoad(() => allPages<AzureSubscription>('/api/tenant/azure-subscriptions'), []);
  const transfers = useLoad(() => allPages<AzureTransfer>('/api/tenant/azure-transfers'), []);
  const approve = useAction((key: string, id: string) =>
    api<AzureTransfer>(`/api/tenant/azure-transfers/${encodeURIComponent(id)}/approve`, {
      method: 'POST',
      idempotencyKey: key,
    }),
  );
  return (
    <section>
      <h1>{t('azure.tenantTitle')}</h1>
      <section aria-labelledby="azure-subs-h">
        <h2 id="azure-subs-h">{t('azure.subscriptions')}</h2>
        <ErrorAlert error={subs.error} />
        {subs.data ? <SubscriptionsTable subs={subs.data} /> : <Loading />}
      </section>
      <section aria-labelledby="azure-approve-h">
        <h2 id="azure-approve-h">{t('azure.approvals')}</h2>
        <ErrorAlert error={transfers.error ?? approve.error} />
        {(transfers.data ?? []).length === 0 && <p className="muted">{t('azure.noTransfers')}</p>}
        {(transfers.data ?? []).map((tr) => (
          <article key={tr.id} className="card stack" data-testid="azure-transfer">
            <ul className="plain">
              {tr.lines.map((l) => (
                <li key={l.subscriptionId}>
                  {l.friendlyName} · {t(`azure.paths.${l.path}`)} · <StatusBadge status={l.status} />
                </li>
              ))}
            </ul>
            {tr.lines.some((l) => l.status === 'awaiting-approval') && (
              <button
                type="button"
                disabled={approve.pending}
                onClick={async () => {
                  if (await approve.run(tr.id)) {
                    transfers.reload();
                    subs.reload();
                  }
                }}
              >
                {t('azure.approve')}
              </button>
            )}
          </article>
        ))}
      </section>
      <AzureUsageSection load={(month) => api<AzureUsage>('/api/tenant/azure-usage', { query: { month } })} />
    </section>
  );
}
