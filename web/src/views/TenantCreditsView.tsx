import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type CreditRequest, type Subscription } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { CreditTable } from './CustomerView.tsx';
import { allPages } from './common.ts';

export function TenantCreditsView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const loc = useLocation();
  const list = useLoad(() => allPages<CreditRequest>('/api/tenant/credit-requests'), []);
  const subs = useLoad(() => allPages<Subscription>('/api/tenant/subscriptions'), []);
  const direct = (subs.data ?? []).filter((s) => s.channel === 'direct');
  const [subscriptionId, setSubscriptionId] = useState(loc.search.get('subscription') ?? '');
  const [reason, setReason] = useState('');
  const [filed, setFiled] = useState(false);

  useEffect(() => {
    if (!subscriptionId && direct[0]) setSubscriptionId(direct[0].id);
  }, [direct, subscriptionId]);

  const file = useAction((key: string) =>
    api<CreditRequest>('/api/tenant/credit-requests', {
      method: 'POST',
      idempotencyKey: key,
      body: { subscriptionId, reason },
    }),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await file.run()) {
      setReason('');
      setFiled(true);
      list.reload();
    }
  };

  return (
    <section>
      <h1>{t('credits.title')}</h1>
      <p className="muted">{t('credits.intro')}</p>
      {can('tenant.manage') && (
        <form className="card stack" onSubmit={submit} aria-labelledby="credit-form-h">
          <h2 id="credit-form-h">{t('credits.new')}</h2>
          {subs.data && direct.length === 0 ? (
            <p>{t('credits.noDirect')}</p>
          ) : (
            <>
              <div className="field">
                <label htmlFor="tcredit-sub">{t('credits.subscription')}</label>
                <select
                  id="tcredit-sub"
                  value={subscriptionId}
                  onChange={(e) => setSubscriptionId(e.target.value)}
                >
                  {direct.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.offerName ?? s.offerId} · {t('subscriptions.termEnd')} {f.date(s.termEnd)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="tcredit-reason">{t('credits.reason')}</label>
                <textarea
                  id="tcredit-reason"
                  value={reason}
                  onChange={(e) => {
                    setReason(e.target.value);
                    setFiled(false);
                  }}
                  required
                  maxLength={2000}
                />
              </div>
              <ErrorAlert error={file.error} />
              {filed && <Notice>{t('credits.filedText')}</Notice>}
              <button type="submit" disabled={file.pending || !subscriptionId}>
                {t('credits.file')}
              </button>
            </>
          )}
        </form>
      )}
      <h2>{t('credits.yours')}</h2>
      <ErrorAlert error={list.error ?? subs.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.length === 0 && <p>{t('credits.none')}</p>}
      {list.data && <CreditTable items={list.data} subscriptions={subs.data} />}
    </section>
  );
}
