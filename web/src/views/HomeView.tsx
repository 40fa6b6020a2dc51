import { useTranslation } from 'react-i18next';
import {
  api,
  type Customer,
  type Page,
  type PartnerDelegatedAdmin,
  type RelationshipRequest,
  type Subscription,
  type TransitionSummary,
} from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

const DAY = 86_400_000;
/** How far ahead "ends soon" looks; the seed's direct subscription ends within 60 days. */
const EXPIRING_DAYS = 90;
const DAP_EXPIRING_DAYS = 30;
/** The home page checks this many customers; the Customers list has them all. */
const MAX_CUSTOMERS = 25;

type Item =
  | { kind: 'pending-invitation'; request: RelationshipRequest }
  | { kind: 'plan-needs-acknowledgment'; customer: Customer; transition: TransitionSummary }
  | { kind: 'expiring-subscription'; customer: Customer; subscription: Subscription }
  | { kind: 'delegated-admin-expiring'; customer: Customer; expiresAt: string };

export function HomeView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { user, can } = useSession();
  const canPlan = can('transitions.plan');
  const canRequest = can('relationships.request');

  const load = useLoad(async () => {
    const [requests, customers, clock] = await Promise.all([
      canRequest
        ? api<Page<RelationshipRequest>>('/api/relationship-requests', {
            query: { status: 'pending', limit: 50 },
          })
        : Promise.resolve({ items: [], nextCursor: null }),
      api<Page<Customer>>('/api/customers', { query: { limit: MAX_CUSTOMERS } }),
      api<{ now: string }>('/api/clock').catch(() => ({ now: new Date().toISOString() })),
    ]);
    const now = Date.parse(clock.now);
    const items: Item[] = requests.items.map((request) => ({ kind: 'pending-invitation' as const, request }));
    const perCustomer = await Promise.all(
      customers.items.map(async (customer) => {
        const base = `/api/customers/${encodeURIComponent(customer.id)}`;
        const [subs, dap, transitions] = await Promise.all([
          api<Page<Subscription>>(`${base}/subscriptions`, { query: { limit: 200 } }),
          api<PartnerDelegatedAdmin>(`${base}/delegated-admin`).catch(() => null),
          canPlan
            ? api<Page<TransitionSummary>>(`${base}/transitions`, { query: { limit: 5 } })
            : Promise.resolve({ items: [], nextCursor: null }),
        ]);
        const out: Item[] = [];
        const latest = transitions.items[0];
        if (latest && latest.status === 'planned' && latest.verdict !== 'ready') {
          out.push({ kind: 'plan-needs-acknowledgment', customer, transition: latest });
        }
        for (const s of subs.items) {
          const end = Date.parse(s.termEnd);
          if (
            s.channel !== 'partner' &&
            s.status === 'active' &&
            end >= now &&
            end - now <= EXPIRING_DAYS * DAY
          ) {
            out.push({ kind: 'expiring-subscription', customer, subscription: s });
          }
        }
        for (const g of dap?.grants ?? []) {
          if (g.status !== 'active' || !g.expiresAt) continue;
          const end = Date.parse(g.expiresAt);
          if (end - now <= DAP_EXPIRING_DAYS * DAY) {
            out.push({ kind: 'delegated-admin-expiring', customer, expiresAt: g.expiresAt });
          }
        }
        return out;
      }),
    );
    return [...items, ...perCustomer.flat()];
  }, [canPlan, canRequest]);

  return (
    <section>
      <h1>{t('home.title')}</h1>
      <p className="muted">{t('home.welcome', { name: user?.displayName ?? user?.email ?? '' })}</p>
      <section aria-labelledby="attention-h">
        <h2 id="attention-h">{t('home.attention')}</h2>
        <ErrorAlert error={load.error} />
        {load.loading && !load.data && <Loading />}
        {load.data && load.data.length === 0 && <Notice testId="attention-empty">{t('home.nothing')}</Notice>}
        {load.data && load.data.length > 0 && (
          <ul className="attention">
            {load.data.map((item) => (
              <li key={itemKey(item)} className="card" data-testid="attention-item" data-kind={item.kind}>
                <AttentionText item={item} f={f} />
              </li>
            ))}
          </ul>
        )}
      </section>
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

function itemKey(item: Item): string {
  switch (item.kind) {
    case 'pending-invitation':
      return `${item.kind}:${item.request.id}`;
    case 'plan-needs-acknowledgment':
      return `${item.kind}:${item.transition.id}`;
    case 'expiring-subscription':
      return `${item.kind}:${item.subscription.id}`;
    case 'delegated-admin-expiring':
      return `${item.kind}:${item.customer.id}:${item.expiresAt}`;
  }
}

function AttentionText({ item, f }: { item: Item; f: ReturnType<typeof useFormat> }) {
  const { t } = useTranslation();
  switch (item.kind) {
    case 'pending-invitation':
      return (
        <>
          <strong>{t('home.kinds.pending-invitation')}</strong>{' '}
          {t('home.pendingText', {
            created: f.date(item.request.createdAt),
            expires: f.date(item.request.expiresAt),
          })}{' '}
          <Link href="/relationships">{t('home.open')}</Link>
        </>
      );
    case 'plan-needs-acknowledgment':
      return (
        <>
          <strong>{t('home.kinds.plan-needs-acknowledgment')}</strong>{' '}
          {t('home.planText', {
            customer: item.customer.companyName,
            verdict: t(`status.${item.transition.verdict}`),
          })}{' '}
          <Link href={`/planner?customer=${encodeURIComponent(item.customer.id)}`}>{t('home.open')}</Link>
        </>
      );
    case 'expiring-subscription':
      return (
        <>
          <strong>{t('home.kinds.expiring-subscription')}</strong>{' '}
          {t('home.expiringText', {
            customer: item.customer.companyName,
            offer: item.subscription.offerName ?? item.subscription.offerId,
            channel: t(`channels.${item.subscription.channel}`, { defaultValue: item.subscription.channel }),
            date: f.date(item.subscription.termEnd),
          })}{' '}
          <Link href={`/customers/${encodeURIComponent(item.customer.id)}`}>{t('home.open')}</Link>
        </>
      );
    case 'delegated-admin-expiring':
      return (
        <>
          <strong>{t('home.kinds.delegated-admin-expiring')}</strong>{' '}
          {t('home.dapText', { customer: item.customer.companyName, date: f.date(item.expiresAt) })}{' '}
          <Link href={`/customers/${encodeURIComponent(item.customer.id)}`}>{t('home.open')}</Link>
        </>
      );
  }
}
