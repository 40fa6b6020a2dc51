import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Transition } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { ApplyConfirmation } from '../components/ApplyConfirmation.tsx';
import { PlanDetails } from '../components/PlanDetails.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { loadOfferNames } from './common.ts';

const FINAL = new Set(['applied', 'failed']);

/** A transition's status and per-step progress, polled while it runs. */
export function TransitionView({ transitionId }: { transitionId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const path = `/api/transitions/${encodeURIComponent(transitionId)}`;
  const tr = useLoad(() => api<Transition>(path), [path]);
  const names = useLoad(() => loadOfferNames(), []);
  const apply = useAction(async (key: string) => {
    await api(`${path}/apply`, { method: 'POST', idempotencyKey: key });
    return true;
  });
  const [confirmApply, setConfirmApply] = useState(false);
  const status = tr.data?.status;
  const { reload } = tr;

  useEffect(() => {
    if (!status || FINAL.has(status)) return;
    // `waiting` changes only when a dated step comes due or the customer acts: poll less often.
    const id = setInterval(reload, status === 'waiting' ? 5000 : 2000);
    return () => clearInterval(id);
  }, [status, reload]);

  if (tr.error && !tr.data) {
    return (
      <section>
        <h1>{t('transition.title')}</h1>
        <ErrorAlert error={tr.error} />
      </section>
    );
  }
  if (!tr.data) return <Loading />;
  const p = tr.data;
  const done = p.steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  const tenant = encodeURIComponent(p.tenantId);
  const bought = p.bought ?? { orders: [], subscriptions: [] };
  return (
    <section>
      <p className="breadcrumb">
        <Link href="/transitions">{t('nav.transitions')}</Link> ·{' '}
        <Link href={`/planner?customer=${tenant}`}>{t('nav.planner')}</Link>
      </p>
      <h1>{t('transition.title')}</h1>
      <p data-testid="transition-customer">
        {t('transition.customer')}:{' '}
        <Link href={`/customers/${tenant}`}>{p.customer?.companyName ?? p.tenantId}</Link>
        {p.customer && <span className="muted"> ({p.customer.defaultDomain})</span>}
      </p>
      {(bought.orders.length > 0 || bought.subscriptions.length > 0) && (
        <section aria-labelledby="bought-h" className="card" data-testid="transition-bought">
          <h2 id="bought-h">{t('transition.bought')}</h2>
          <ul>
            {bought.subscriptions.map((id) => (
              <li key={id}>
                <Link href={`/customers/${tenant}/subscriptions/${encodeURIComponent(id)}`}>
                  {t('transition.boughtSubscription', { id: id.slice(0, 8) })}
                </Link>
              </li>
            ))}
            {bought.orders.length > 0 && (
              <li>
                <Link href={`/customers/${tenant}/orders`}>
                  {t('transition.boughtOrders', { count: bought.orders.length })}
                </Link>
              </li>
            )}
          </ul>
        </section>
      )}
      <div className="card stack">
        <p>
          {t('transition.status')}:{' '}
          <span data-testid="transition-status" data-status={p.status} aria-live="polite">
            <StatusBadge status={p.status} />
          </span>
        </p>
        <p className="muted">{t(`transition.explain.${p.status}`, { defaultValue: '' })}</p>
        {p.steps.length > 0 && (
          <>
            <label htmlFor="transition-progress">
              {t('transition.progress', { done, total: p.steps.length })}
            </label>
            <progress id="transition-progress" max={p.steps.length} value={done} />
          </>
        )}
        <ErrorAlert error={tr.error} />
        {p.status === 'planned' && can('transitions.apply') && p.verdict === 'ready' && (
          <button
            type="button"
            disabled={apply.pending}
            onClick={() => {
              apply.clearError();
              setConfirmApply(true);
            }}
          >
            {t('planner.apply')}
          </button>
        )}
        {confirmApply && (
          <ApplyConfirmation
            plan={p}
            onConfirm={async () => {
              if (await apply.run()) {
                setConfirmApply(false);
                reload();
              }
            }}
            onCancel={() => setConfirmApply(false)}
            pending={apply.pending}
            error={apply.error}
          />
        )}
      </div>
      {p.steps.length > 0 && (
        <section aria-labelledby="steps-h">
          <h2 id="steps-h">{t('transition.steps')}</h2>
          <table>
            <caption className="sr-only">{t('transition.steps')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('planner.step')}</th>
                <th scope="col">{t('planner.line')}</th>
                <th scope="col">{t('planner.who')}</th>
                <th scope="col">{t('transition.due')}</th>
                <th scope="col">{t('transition.stepStatus')}</th>
                <th scope="col">{t('transition.attempts')}</th>
              </tr>
            </thead>
            <tbody>
              {p.steps.map((s) => (
                <tr
                  key={s.key}
                  data-testid="transition-step"
                  data-kind={s.kind}
                  data-status={s.status}
                  data-actor={s.actor}
                >
                  <td>
                    {t(`steps.${s.kind}`, { defaultValue: s.kind })}
                    {s.error && <div className="bad-text small">{s.error}</div>}
                  </td>
                  <td>{s.lineIndex !== null ? s.lineIndex + 1 : '—'}</td>
                  <td>{t(`actors.${s.actor}`, { defaultValue: s.actor })}</td>
                  <td>{f.date(s.dueAt)}</td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>{f.number(s.attempts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <PlanDetails plan={p} offers={names.data?.byOffer} skuNames={names.data?.bySku} />
    </section>
  );
}
