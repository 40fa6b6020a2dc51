import { useTranslation } from 'react-i18next';
import { api, type HomeData, TRANSITION_GROUPS } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

/**
 * Home, computed on the server for the whole book (GET /api/home): what needs attention ranked by
 * urgency (expired first, then soonest to end; nothing a transition already moves), the plans
 * waiting for acknowledgment, the pending relationship requests by customer, and the book's
 * transitions per group.
 */
export function HomeView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { user, can } = useSession();
  const canPlan = can('transitions.plan');
  const canRequest = can('relationships.request');
  const load = useLoad(() => api<HomeData>('/api/home'), []);
  const d = load.data;
  const empty =
    d &&
    d.attention.items.length === 0 &&
    d.pendingRequests.length === 0 &&
    d.delegatedAdminEnding.length === 0 &&
    d.plansAwaitingAcknowledgment.length === 0;

  return (
    <section>
      <h1>{t('home.title')}</h1>
      <p className="muted">{t('home.welcome', { name: user?.displayName ?? user?.email ?? '' })}</p>
      <section aria-labelledby="attention-h">
        <h2 id="attention-h">{t('home.attention')}</h2>
        <ErrorAlert error={load.error} />
        {load.loading && !d && <Loading />}
        {empty && <Notice testId="attention-empty">{t('home.nothing')}</Notice>}
        {d && !empty && (
          <ul className="attention">
            {d.plansAwaitingAcknowledgment.map((p) => (
              <li
                key={p.transitionId}
                className="card"
                data-testid="attention-item"
                data-kind="plan-needs-acknowledgment"
              >
                <strong>{t('home.kinds.plan-needs-acknowledgment')}</strong>{' '}
                {t('home.planText', { customer: p.customer.companyName, verdict: t(`status.${p.verdict}`) })}{' '}
                <Link href={`/transitions/${encodeURIComponent(p.transitionId)}`}>{t('home.open')}</Link>
              </li>
            ))}
            {d.attention.items.map((s) => (
              <li
                key={s.subscriptionId}
                className="card"
                data-testid="attention-item"
                data-kind={s.expired ? 'expired-subscription' : 'expiring-subscription'}
                data-tenant-id={s.customer.tenantId}
              >
                <strong>
                  {t(s.expired ? 'home.kinds.expired-subscription' : 'home.kinds.expiring-subscription')}
                </strong>{' '}
                {t(s.expired ? 'home.expiredText' : 'home.expiringText', {
                  customer: s.customer.companyName,
                  offer: s.offerName ?? s.offerId,
                  channel: t(`channels.${s.channel}`, { defaultValue: s.channel }),
                  date: f.date(s.termEnd),
                })}{' '}
                {canPlan ? (
                  <Link href={`/planner?customer=${encodeURIComponent(s.customer.tenantId)}`}>
                    {t('home.plan')}
                  </Link>
                ) : (
                  <Link href={`/customers/${encodeURIComponent(s.customer.tenantId)}`}>{t('home.open')}</Link>
                )}
              </li>
            ))}
            {d.delegatedAdminEnding.map((g) => (
              <li
                key={g.grantId}
                className="card"
                data-testid="attention-item"
                data-kind="delegated-admin-expiring"
                data-tenant-id={g.customer.tenantId}
              >
                <strong>{t('home.kinds.delegated-admin-expiring')}</strong>{' '}
                {t('home.dapText', { customer: g.customer.companyName, date: f.date(g.expiresAt) })}{' '}
                <Link href={`/customers/${encodeURIComponent(g.customer.tenantId)}`}>{t('home.open')}</Link>
              </li>
            ))}
            {d.pendingRequests.map((r) => (
              <li key={r.id} className="card" data-testid="attention-item" data-kind="pending-invitation">
                <strong>{t('home.kinds.pending-invitation')}</strong>{' '}
                {r.customer
                  ? t('home.pendingCustomerText', {
                      customer: r.customer.companyName,
                      domain: r.customer.defaultDomain,
                      created: f.date(r.createdAt),
                      expires: f.date(r.expiresAt),
                    })
                  : t('home.pendingText', {
                      created: f.date(r.createdAt),
                      expires: f.date(r.expiresAt),
                    })}{' '}
                <Link href="/relationships">{t('home.open')}</Link>
              </li>
            ))}
          </ul>
        )}
        {d && d.attention.total > d.attention.items.length && (
          <p className="muted">
            {t('home.moreAttention', { count: d.attention.total - d.attention.items.length })}
          </p>
        )}
      </section>
      {canPlan && d && (
        <section aria-labelledby="groups-h">
          <h2 id="groups-h">{t('home.transitions')}</h2>
          <ul className="shortcuts" data-testid="home-groups">
            {TRANSITION_GROUPS.map((g) => (
              <li key={g} data-group={g} data-count={d.transitions[g] ?? 0}>
                <Link href={`/transitions?group=${g}`}>
                  {t(`transitions.groups.${g}`)}: {f.number(d.transitions[g] ?? 0)}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="shortcuts-h">
        <h2 id="shortcuts-h">{t('home.shortcuts')}</h2>
        <ul className="shortcuts">
          <li>
            <Link href="/customers">{t('home.goCustomers')}</Link>
          </li>
          {canRequest && (
            <li>
              <Link href="/relationships">{t('home.goRequest')}</Link>
            </li>
          )}
          {canPlan && (
            <li>
              <Link href="/planner">{t('home.goPlanner')}</Link>
            </li>
          )}
          {can('billing.read') && (
            <li>
              <Link href="/billing">{t('home.goBilling')}</Link>
            </li>
          )}
        </ul>
      </section>
    </section>
  );
}
