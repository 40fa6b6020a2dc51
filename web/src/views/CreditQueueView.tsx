import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type CreditRequest, type Page } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { NumberField, useNumberField } from '../components/NumberField.tsx';
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
      <ErrorAlert error={list.error} />
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
                <td>{c.customerName ?? '—'}</td>
                <td>{t(`credits.by.${c.filedBy}`)}</td>
                <td>{c.reason}</td>
                <td>{c.amount !== null ? f.money(c.amount, c.currency) : '—'}</td>
                <td>
                  <StatusBadge status={c.status} />
                  {c.decidedAmount !== null && (
                    <div className="small">{f.money(c.decidedAmount, c.currency)}</div>
                  )}
                </td>
                <td>
                  {c.status === 'submitted' && (
                    <CreditDecision credit={c} n={i + 1} onDecided={list.reload} />
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

/** One submitted request's decision: the amount (in the console's language), then a confirmation. */
function CreditDecision({
  credit,
  n,
  onDecided,
}: {
  credit: CreditRequest;
  n: number;
  onDecided: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  // Money: never negative, at most cents.
  const amount = useNumberField('', { min: 0, max: 10_000_000_000, maxFractionDigits: 2 });
  const [asking, setAsking] = useState<{ decision: 'approved' | 'rejected'; amount?: number } | null>(null);
  const decide = useAction(
    async (_key: string, body: { decision: 'approved' | 'rejected'; amount?: number }) => {
      await api(`/api/admin/credit-requests/${encodeURIComponent(credit.id)}/decision`, {
        method: 'POST',
        body,
      });
      return true;
    },
  );
  const ask = (decision: 'approved' | 'rejected') => {
    decide.clearError();
    amount.clear();
    // No amount typed: the amount asked is granted (the server refuses when there is none).
    if (decision === 'rejected' || amount.value.trim() === '') {
      setAsking({ decision });
      return;
    }
    const major = amount.read();
    if (major === null) return;
    setAsking({ decision, amount: Math.round(major * 100) });
  };
  const granted = asking?.amount ?? credit.amount;
  return (
    <div className="stack">
      <NumberField id={`amount-${n - 1}`} label={t('creditQueue.amount', { n })} field={amount} />
      <div className="row">
        <button
          type="button"
          disabled={decide.pending}
          aria-label={t('creditQueue.approveN', { n })}
          onClick={() => ask('approved')}
        >
          {t('tenant.approve')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={decide.pending}
          aria-label={t('creditQueue.rejectN', { n })}
          onClick={() => ask('rejected')}
        >
          {t('creditQueue.reject')}
        </button>
      </div>
      {asking && (
        <ConfirmDialog
          title={t(
            asking.decision === 'approved' ? 'confirm.approveCreditTitle' : 'confirm.rejectCreditTitle',
            {
              n,
            },
          )}
          confirmLabel={t('confirm.confirm')}
          tone={asking.decision === 'approved' ? 'primary' : 'danger'}
          onConfirm={async () => {
            if (await decide.run(asking)) {
              setAsking(null);
              onDecided();
            }
          }}
          onCancel={() => setAsking(null)}
          pending={decide.pending}
          error={decide.error}
          testId="credit-confirmation"
        >
          <p>
            {asking.decision === 'rejected'
              ? t('confirm.rejectCreditText')
              : granted === null
                ? t('confirm.creditNoAmount')
                : t('confirm.approveCreditText', { amount: f.money(granted, credit.currency) })}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
