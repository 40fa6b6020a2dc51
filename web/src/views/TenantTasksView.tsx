import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type CustomerTask, type Page, type Subscription, type TaskSku } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { AutoRenewConfirmation } from '../components/AutoRenewConfirmation.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { allPages } from './common.ts';

/** What partners' transitions wait on this tenant's admin to do, each with its button where the API allows. */
export function TenantTasksView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const tasks = useLoad(() => api<Page<CustomerTask>>('/api/tenant/tasks'), []);
  const subs = useLoad(() => allPages<Subscription>('/api/tenant/subscriptions'), []);
  const [done, setDone] = useState<Set<string>>(new Set());
  const [confirmCancel, setConfirmCancel] = useState<string | null>(null);
  // The auto-renew task waiting for a confirmation.
  const [renewing, setRenewing] = useState<CustomerTask | null>(null);
  const act = useAction(async (_key: string, task: CustomerTask, body: Record<string, unknown>) => {
    await api(`/api/tenant/subscriptions/${encodeURIComponent(task.subscriptionId ?? '')}`, {
      method: 'PATCH',
      body,
    });
    return true;
  });
  const taskKey = (x: CustomerTask) => `${x.transitionId}:${x.step}:${x.subscriptionId ?? ''}`;
  const sub = (id: string | null) => subs.data?.find((s) => s.id === id);
  const markDone = (x: CustomerTask) => {
    setDone((d) => new Set(d).add(taskKey(x)));
    subs.reload();
  };

  return (
    <section>
      <h1>{t('tasks.title')}</h1>
      <p className="muted">{t('tasks.intro')}</p>
      <ErrorAlert error={tasks.error ?? act.error} />
      {tasks.loading && !tasks.data && <Loading />}
      {tasks.data && tasks.data.items.length === 0 && <Notice testId="tasks-empty">{t('tasks.none')}</Notice>}
      {tasks.data && tasks.data.items.length > 0 && (
        <ul className="tasks">
          {tasks.data.items.map((x) => {
            const s = sub(x.subscriptionId);
            const offer = s ? (s.offerName ?? s.offerId) : (x.subscriptionId ?? '');
            // The task stays listed until the partner's transition runs again; the subscription shows it is done.
            const isDone =
              done.has(taskKey(x)) ||
              (x.step === 'turn-off-auto-renew' && s?.autoRenew === false) ||
              (x.step === 'cancel-source' && s?.status === 'deleted');
            const key = taskKey(x);
            return (
              <li
                key={key}
                className="card stack"
                data-testid="task-row"
                data-step={x.step}
                data-subscription-id={x.subscriptionId ?? ''}
                data-done={String(isDone)}
              >
                <h2 className="h3">
                  {t(`tasks.kinds.${x.step}`, {
                    defaultValue: t(`steps.${x.step}`, { defaultValue: x.step }),
                  })}
                </h2>
                <p>{t('tasks.asks', { partner: x.partner.name, offer, date: f.date(x.dueAt) })}</p>
                <p data-testid="task-status">
                  <strong>
                    {x.status === 'upcoming'
                      ? t('tasks.status.upcoming', { date: f.date(x.dueAt) })
                      : t('tasks.status.waiting')}
                  </strong>
                </p>
                <p className="muted">{t(`tasks.why.${x.step}`, { defaultValue: '' })}</p>
                {x.users && x.users.length > 0 && <LicenseMoves users={x.users} />}
                {isDone ? (
                  <Notice>{t('tasks.doneText')}</Notice>
                ) : !can('tenant.manage') ? null : x.step === 'turn-off-auto-renew' && x.subscriptionId ? (
                  <button
                    type="button"
                    aria-label={t('tasks.doItFor', { what: t('tasks.kinds.turn-off-auto-renew'), offer })}
                    onClick={() => setRenewing(x)}
                  >
                    {t('tasks.doIt')}
                  </button>
                ) : x.step === 'cancel-source' && x.subscriptionId ? (
                  confirmCancel === key ? (
                    <div className="row">
                      <button
                        type="button"
                        className="danger"
                        disabled={act.pending}
                        onClick={async () => {
                          if (await act.run(x, { status: 'cancelled' })) markDone(x);
                        }}
                      >
                        {t('tasks.confirmCancel')}
                      </button>
                      <button type="button" className="secondary" onClick={() => setConfirmCancel(null)}>
                        {t('common.cancel')}
                      </button>
                    </div>
                  ) : (
                    <button
                      type="button"
                      aria-label={t('tasks.doItFor', { what: t('tasks.kinds.cancel-source'), offer })}
                      onClick={() => setConfirmCancel(key)}
                    >
                      {t('tasks.doIt')}
                    </button>
                  )
                ) : x.step === 'file-credit-request' && x.subscriptionId ? (
                  <button
                    type="button"
                    aria-label={t('tasks.doItFor', { what: t('tasks.kinds.file-credit-request'), offer })}
                    onClick={() =>
                      navigate(`/tenant/credits?subscription=${encodeURIComponent(x.subscriptionId ?? '')}`)
                    }
                  >
                    {t('tasks.doIt')}
                  </button>
                ) : x.step === 'assign-target-licenses' || x.step === 'remove-source-licenses' ? (
                  <p>
                    {t('tasks.licensesHelp')} <Link href="/tenant">{t('nav.tenant')}</Link>
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      {renewing?.subscriptionId && (
        <AutoRenewConfirmation
          subscription={{
            id: renewing.subscriptionId,
            offerId: sub(renewing.subscriptionId)?.offerId ?? renewing.subscriptionId,
            offerName: sub(renewing.subscriptionId)?.offerName,
            termEnd: sub(renewing.subscriptionId)?.termEnd ?? renewing.dueAt,
          }}
          turnOn={false}
          onDone={() => {
            markDone(renewing);
            setRenewing(null);
          }}
          onCancel={() => setRenewing(null)}
        />
      )}
      <button type="button" className="secondary" onClick={tasks.reload}>
        {t('tasks.refresh')}
      </button>
    </section>
  );
}

const skuLabel = (s: TaskSku) => s.skuPartNumber ?? s.name ?? s.skuId;

/** Each user whose licenses the customer's admin moves: the SKUs to assign, then the one to remove. */
function LicenseMoves({ users }: { users: NonNullable<CustomerTask['users']> }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table data-testid="task-users">
        <caption>{t('tasks.users')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('tasks.user')}</th>
            <th scope="col">{t('tasks.assign')}</th>
            <th scope="col">{t('tasks.remove')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.userId}>
              <td>{u.userPrincipalName}</td>
              <td>{u.assign.map(skuLabel).join(', ')}</td>
              <td>{skuLabel(u.remove)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
