import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Grant, type Page, type Subscription, type Tenant, type TenantPartner } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { AutoRenewConfirmation } from '../components/AutoRenewConfirmation.tsx';
import { useRoleNames } from '../components/GdapFields.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { SubscriptionsTable } from '../components/SubscriptionsTable.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { useSession } from '../session.tsx';
import { allPages, regionName } from './common.ts';

/** The customer admin's view of its own tenant: partners, delegated admin, subscriptions. */
export function TenantView() {
  const { t } = useTranslation();
  const roleNames = useRoleNames();
  const f = useFormat();
  const { can } = useSession();
  const tenant = useLoad(() => api<Tenant>('/api/tenant'), []);
  const partners = useLoad(() => allPages<TenantPartner>('/api/tenant/partners'), []);
  const gdap = useLoad(
    () => api<Page<Grant & { partnerName?: string }>>('/api/tenant/delegated-admin-requests'),
    [],
  );
  const subs = useLoad(() => allPages<Subscription>('/api/tenant/subscriptions'), []);
  const [confirming, setConfirming] = useState<string | null>(null);
  const manage = can('tenant.manage');

  const revoke = useAction(async (_key: string, partnerId: string) => {
    await api(`/api/tenant/partners/${encodeURIComponent(partnerId)}/delegated-admin`, { method: 'DELETE' });
    return true;
  });
  const answerGdap = useAction(async (key: string, id: string, what: 'approve' | 'decline') => {
    await api(`/api/tenant/delegated-admin-requests/${encodeURIComponent(id)}/${what}`, {
      method: 'POST',
      idempotencyKey: key,
    });
    return true;
  });
  // The subscription whose auto-renew change waits for a confirmation.
  const [renewing, setRenewing] = useState<Subscription | null>(null);

  return (
    <section>
      <h1>{t('tenant.title')}</h1>
      <ErrorAlert error={tenant.error} />
      {tenant.data && (
        <dl className="details inline card" data-testid="tenant-details">
          <dt>{t('customers.company')}</dt>
          <dd>{tenant.data.companyName}</dd>
          <dt>{t('customers.domain')}</dt>
          <dd>{tenant.data.defaultDomain}</dd>
          <dt>{t('customers.country')}</dt>
          <dd>{tenant.data.country}</dd>
          <dt>{t('customers.region')}</dt>
          <dd>{regionName(t, tenant.data.region)}</dd>
        </dl>
      )}

      <section aria-labelledby="partners-h">
        <h2 id="partners-h">{t('tenant.partners')}</h2>
        <ErrorAlert error={partners.error ?? revoke.error} />
        {partners.loading && !partners.data && <Loading />}
        {partners.data?.length === 0 && <p>{t('tenant.noPartners')}</p>}
        {partners.data && partners.data.length > 0 && (
          <table>
            <caption className="sr-only">{t('tenant.partners')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('tenant.partner')}</th>
                <th scope="col">{t('customers.relationship')}</th>
                <th scope="col">{t('customer.delegatedAdmin')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {partners.data.map((p) => {
                const active = p.delegatedAdmin.grants.filter((g) => g.status === 'active');
                return (
                  <tr
                    key={p.partner.id}
                    data-testid="partner-row"
                    data-partner-id={p.partner.id}
                    data-delegated-admin={p.delegatedAdmin.canActOnBehalf ? 'active' : 'none'}
                  >
                    <td>
                      {p.partner.name}
                      <div className="muted small">
                        {p.partner.country} · {regionName(t, p.partner.region)}
                      </div>
                    </td>
                    <td>
                      <StatusBadge status={p.relationship.status} />
                      {p.relationship.acceptedAt && (
                        <div className="muted small">
                          {t('tenant.since', { date: f.date(p.relationship.acceptedAt) })}
                        </div>
                      )}
                    </td>
                    <td>
                      {active.length === 0
                        ? t('tenant.noDap')
                        : active.map((g) => (
                            <div key={g.id}>
                              {g.kind === 'dap' ? t('customer.dapLegacy') : t('customer.gdap')}:{' '}
                              {roleNames(g.roles)}
                              {g.expiresAt && (
                                <div className="muted small">
                                  {t('customer.expiresOn', { date: f.date(g.expiresAt) })}
                                </div>
                              )}
                            </div>
                          ))}
                    </td>
                    <td>
                      {manage && p.delegatedAdmin.canActOnBehalf && confirming !== p.partner.id && (
                        <button
                          type="button"
                          className="secondary"
                          aria-label={t('tenant.revokeFor', { partner: p.partner.name })}
                          onClick={() => setConfirming(p.partner.id)}
                        >
                          {t('tenant.revoke')}
                        </button>
                      )}
                      {confirming === p.partner.id && (
                        <div className="stack">
                          <p className="small">{t('tenant.revokeExplain')}</p>
                          <div className="row">
                            <button
                              type="button"
                              className="danger"
                              disabled={revoke.pending}
                              onClick={async () => {
                                if (await revoke.run(p.partner.id)) {
                                  setConfirming(null);
                                  partners.reload();
                                }
                              }}
                            >
                              {t('tenant.confirmRevoke')}
                            </button>
                            <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                              {t('common.cancel')}
                            </button>
                          </div>
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      {gdap.data && gdap.data.items.length > 0 && (
        <section aria-labelledby="gdap-h">
          <h2 id="gdap-h">{t('tenant.gdapRequests')}</h2>
          <ErrorAlert error={answerGdap.error} />
          <table>
            <caption className="sr-only">{t('tenant.gdapRequests')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('tenant.partner')}</th>
                <th scope="col">{t('relationships.roles')}</th>
                <th scope="col">{t('relationships.duration')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {gdap.data.items.map((g) => {
                const name =
                  g.partnerName ??
                  partners.data?.find((p) => p.partner.id === g.partnerId)?.partner.name ??
                  g.partnerId;
                return (
                  <tr key={g.id} data-testid="gdap-request-row" data-grant-id={g.id}>
                    <td>{name}</td>
                    <td>{roleNames(g.roles)}</td>
                    <td>{g.durationDays ?? '—'}</td>
                    <td>
                      {manage && (
                        <div className="row">
                          <button
                            type="button"
                            disabled={answerGdap.pending}
                            onClick={async () => {
                              if (await answerGdap.run(g.id, 'approve')) {
                                gdap.reload();
                                partners.reload();
                              }
                            }}
                          >
                            {t('tenant.approve')}
                          </button>
                          <button
                            type="button"
                            className="secondary"
                            disabled={answerGdap.pending}
                            onClick={async () => {
                              if (await answerGdap.run(g.id, 'decline')) gdap.reload();
                            }}
                          >
                            {t('invitation.decline')}
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}

      <section aria-labelledby="tsubs-h">
        <h2 id="tsubs-h">{t('customer.subscriptions')}</h2>
        <ErrorAlert error={subs.error} />
        {subs.data ? (
          <SubscriptionsTable
            items={subs.data}
            caption={t('customer.subscriptions')}
            actions={
              manage
                ? (s) =>
                    s.channel === 'direct' && s.status === 'active' ? (
                      <button
                        type="button"
                        className="secondary"
                        aria-label={t(s.autoRenew ? 'tenant.autoRenewOffFor' : 'tenant.autoRenewOnFor', {
                          offer: s.offerName ?? s.offerId,
                        })}
                        onClick={() => setRenewing(s)}
                      >
                        {s.autoRenew ? t('tenant.autoRenewOff') : t('tenant.autoRenewOn')}
                      </button>
                    ) : null
                : undefined
            }
          />
        ) : (
          !subs.error && <Loading />
        )}
        {renewing && (
          <AutoRenewConfirmation
            subscription={renewing}
            turnOn={!renewing.autoRenew}
            onDone={() => {
              setRenewing(null);
              subs.reload();
            }}
            onCancel={() => setRenewing(null)}
          />
        )}
      </section>
    </section>
  );
}
