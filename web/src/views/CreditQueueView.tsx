import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type CreditRequest, type Page } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';

/** Billing support (the operator): decide the credit requests customers and partners filed. */
export function CreditQueueView() {
  const { t } = useTranslation();
  const f = useFormat();
  const [status, setStatus] = useState('submitted');
  const list = useLoad(
    () => api<Page<CreditRequest>>('/api/admin/credit-requests', { query: { status, limit: 100 } }),
    [status],
  );
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const decide = useAction(async (_key: string, id: string, decision: 'approved' | 'rejected') => {
    const raw = amounts[id]?.trim();
    const amount = raw ? Math.round(Number(raw.replace(',', '.')) * 100) : undefined;
    await api(`/api/admin/credit-requests/${encodeURIComponent(id)}/decision`, {
      method: 'POST',
      body: decision === 'approved' && amount !== undefined ? { decision, amount } : { decision },
    });
    return true;
  });
  return (
    <section>
      <h1>{t('creditQueue.title')}</h1>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="queue-status">{t('credits.status')}</label>
          <select id="queue-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="submitted">{t('status.submitted')}</option>
            <option value="approved">{t('status.approved')}</option>
            <option value="rejected">{t('status.rejected')}</option>
          </select>
        </div>
      </div>
      <ErrorAlert error={list.error ?? decide.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.items.length === 0 && <p>{t('credits.none')}</p>}
      {list.data && list.data.items.length > 0 && (
        <table>
          <caption className="sr-only">{t('creditQueue.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('credits.filed')}</th>
              <th scope="col">{t('audit.tenant')}</th>
              <th scope="col">{t('credits.filedBy')}</th>
              <th scope="col">{t('credits.reason')}</th>
              <th scope="col">{t('creditQueue.asked')}</th>
              <th scope="col">{t('credits.status')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((c, i) => (
              <tr key={c.id} data-testid="credit-request-row" data-status={c.status} data-credit-id={c.id}>
                <td>{f.date(c.createdAt)}</td>
                <td className="mono small">{c.tenantId.slice(0, 8)}</td>
                <td>{t(`credits.by.${c.filedBy}`)}</td>
                <td>{c.reason}</td>
                <td>{c.amount !== null ? f.money(c.amount, 'USD') : '—'}</td>
                <td>
                  <StatusBadge status={c.status} />
                  {c.decidedAmount !== null && <div className="small">{f.money(c.decidedAmount, 'USD')}</div>}
                </td>
                <td>
                  {c.status === 'submitted' && (
                    <div className="stack">
                      <div className="field">
                        <label htmlFor={`amount-${i}`}>{t('creditQueue.amount', { n: i + 1 })}</label>
                        <input
                          id={`amount-${i}`}
                          inputMode="decimal"
                          value={amounts[c.id] ?? ''}
                          onChange={(e) => setAmounts((a) => ({ ...a, [c.id]: e.target.value }))}
                        />
                      </div>
                      <div className="row">
                        <button
                          type="button"
                          disabled={decide.pending}
                          aria-label={t('creditQueue.approveN', { n: i + 1 })}
                          onClick={async () => (await decide.run(c.id, 'approved')) && list.reload()}
                        >
                          {t('tenant.approve')}
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          disabled={decide.pending}
                          aria-label={t('creditQueue.rejectN', { n: i + 1 })}
                          onClick={async () => (await decide.run(c.id, 'rejected')) && list.reload()}
                        >
                          {t('creditQueue.reject')}
                        </button>
                      </div>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
