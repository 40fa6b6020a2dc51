import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Page, type RelationshipRequest } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { DEFAULT_GDAP_ROLES, GDAP_DAYS, GdapFields, useRoleNames } from '../components/GdapFields.tsx';
import { useNumberField } from '../components/NumberField.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { useSession } from '../session.tsx';

export function RelationshipsView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const [domain, setDomain] = useState('');
  const [askDap, setAskDap] = useState(false);
  const [roles, setRoles] = useState<string[]>(DEFAULT_GDAP_ROLES);
  const roleNames = useRoleNames();
  const days = useNumberField('90', GDAP_DAYS);
  const [created, setCreated] = useState<(RelationshipRequest & { link: string }) | null>(null);
  const list = useLoad(
    () => api<Page<RelationshipRequest>>('/api/relationship-requests', { query: { limit: 100 } }),
    [],
  );
  // An indirect reseller asks through one of its providers (SPEC §7): it picks which.
  const providers = useLoad(async () => {
    const me = await api<{ kind: string }>('/api/partner');
    if (me.kind !== 'indirect-reseller') return null;
    return (
      await api<{ items: { providerId: string; name: string; status: string }[] }>('/api/indirect-providers')
    ).items.filter((p) => p.status === 'active');
  }, []);
  const [providerId, setProviderId] = useState('');
  const chosenProvider = providerId || providers.data?.[0]?.providerId || '';

  const create = useAction((key: string, durationDays: number | null) =>
    api<RelationshipRequest>('/api/relationship-requests', {
      method: 'POST',
      idempotencyKey: key,
      body: {
        ...(domain.trim() ? { domain: domain.trim().toLowerCase() } : {}),
        ...(durationDays !== null ? { delegatedAdmin: { roles, durationDays } } : {}),
        ...(providers.data && chosenProvider ? { indirectProviderId: chosenProvider } : {}),
      },
    }),
  );
  const withdraw = useAction(async (_key: string, id: string) => {
    await api(`/api/relationship-requests/${encodeURIComponent(id)}/withdraw`, { method: 'POST' });
    return true;
  });
  // The request whose withdrawal waits for a confirmation.
  const [withdrawing, setWithdrawing] = useState<RelationshipRequest | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const withDap = askDap && can('delegated-admin.request');
    const durationDays = withDap ? days.read() : null;
    if (withDap && durationDays === null) return;
    const res = await create.run(durationDays);
    if (res?.url) {
      setCreated({ ...res, link: new URL(res.url, window.location.origin).toString() });
      list.reload();
    }
  };

  // The status of the link just made, as the list now reports it.
  const current = created ? (list.data?.items.find((r) => r.id === created.id) ?? created) : null;

  return (
    <section>
      <h1>{t('relationships.title')}</h1>
      <div className="grid-2">
        <form className="card stack" onSubmit={submit} aria-labelledby="rr-form-h">
          <h2 id="rr-form-h">{t('relationships.formTitle')}</h2>
          <p className="muted">{t('relationships.formHelp')}</p>
          <div className="field">
            <label htmlFor="rr-domain">{t('relationships.domain')}</label>
            <input
              id="rr-domain"
              value={domain}
              placeholder="fabrikam.demo"
              onChange={(e) => setDomain(e.target.value)}
              autoComplete="off"
            />
            <span className="muted small">{t('relationships.domainHelp')}</span>
          </div>
          {providers.data && (
            <div className="field">
              <label htmlFor="rr-provider">{t('relationships.provider')}</label>
              <select id="rr-provider" value={chosenProvider} onChange={(e) => setProviderId(e.target.value)}>
                {providers.data.map((p) => (
                  <option key={p.providerId} value={p.providerId}>
                    {p.name}
                  </option>
                ))}
              </select>
              <span className="muted small">{t('relationships.providerHelp')}</span>
            </div>
          )}
          {can('delegated-admin.request') && (
            <fieldset>
              <legend>{t('customer.delegatedAdmin')}</legend>
              <div className="check">
                <input
                  id="rr-dap"
                  type="checkbox"
                  checked={askDap}
                  onChange={(e) => setAskDap(e.target.checked)}
                />
                <label htmlFor="rr-dap">{t('relationships.askDap')}</label>
              </div>
              {askDap && <GdapFields idPrefix="rr" roles={roles} onRoles={setRoles} days={days} rolesHelp />}
            </fieldset>
          )}
          <ErrorAlert error={create.error} />
          <button type="submit" disabled={create.pending}>
            {t('relationships.create')}
          </button>
        </form>
        {created && current && (
          <section className="card stack" aria-labelledby="rr-link-h">
            <h2 id="rr-link-h">{t('relationships.linkTitle')}</h2>
            <CopyField label={t('relationships.link')} value={created.link} testId="invitation-link" />
            <p className="muted">{t('relationships.linkHelp', { date: f.date(created.expiresAt) })}</p>
            <p>
              {t('relationships.status')}:{' '}
              <span data-testid="relationship-request-status" data-status={current.status}>
                <StatusBadge status={current.status} />
              </span>
            </p>
            <button type="button" className="secondary" onClick={list.reload}>
              {t('relationships.refresh')}
            </button>
          </section>
        )}
      </div>
      <section aria-labelledby="rr-list-h">
        <h2 id="rr-list-h">{t('relationships.listTitle')}</h2>
        <ErrorAlert error={list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data && list.data.items.length === 0 && <p>{t('relationships.none')}</p>}
        {list.data && list.data.items.length > 0 && (
          <table>
            <caption className="sr-only">{t('relationships.listTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('relationships.customer')}</th>
                <th scope="col">{t('relationships.created')}</th>
                <th scope="col">{t('relationships.status')}</th>
                <th scope="col">{t('relationships.asks')}</th>
                <th scope="col">{t('relationships.expires')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((r) => (
                <tr
                  key={r.id}
                  data-testid="relationship-request-row"
                  data-status={r.status}
                  data-request-id={r.id}
                >
                  <td data-testid="relationship-request-customer">
                    {r.customer ? (
                      <>
                        {r.customer.name ?? r.customer.domain}
                        {r.customer.name && <div className="muted small">{r.customer.domain}</div>}
                      </>
                    ) : (
                      <span className="muted">{t('relationships.prospect')}</span>
                    )}
                  </td>
                  <td>{f.dateTime(r.createdAt)}</td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>
                    {t('relationships.reseller')}
                    {r.delegatedAdmin &&
                      ` + ${t('relationships.gdapSummary', {
                        roles: roleNames(r.delegatedAdmin.roles),
                        days: r.delegatedAdmin.durationDays,
                      })}`}
                  </td>
                  <td>{f.date(r.expiresAt)}</td>
                  <td>
                    {r.status === 'pending' && (
                      <button
                        type="button"
                        className="secondary"
                        aria-label={t('relationships.withdrawOne', {
                          date: f.dateTime(r.createdAt),
                          customer: r.customer?.name ?? r.customer?.domain ?? t('relationships.prospect'),
                        })}
                        onClick={() => {
                          withdraw.clearError();
                          setWithdrawing(r);
                        }}
                      >
                        {t('relationships.withdraw')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {withdrawing && (
          <ConfirmDialog
            title={t('confirm.withdrawTitle')}
            confirmLabel={t('confirm.confirm')}
            tone="danger"
            onConfirm={async () => {
              if (await withdraw.run(withdrawing.id)) {
                setWithdrawing(null);
                list.reload();
              }
            }}
            onCancel={() => setWithdrawing(null)}
            pending={withdraw.pending}
            error={withdraw.error}
            testId="withdraw-confirmation"
          >
            <p>{t('confirm.withdrawText', { date: f.dateTime(withdrawing.createdAt) })}</p>
          </ConfirmDialog>
        )}
      </section>
    </section>
  );
}
