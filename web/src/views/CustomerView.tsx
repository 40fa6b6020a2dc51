import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  api,
  type CreditRequest,
  type Customer,
  type Page,
  type PartnerDelegatedAdmin,
  type Subscription,
  type TenantUser,
} from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { DEFAULT_GDAP_ROLES, GDAP_DAYS, GdapFields, useRoleNames } from '../components/GdapFields.tsx';
import { useNumberField } from '../components/NumberField.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { SubscriptionsTable } from '../components/SubscriptionsTable.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { allPages, loadOfferNames, regionName } from './common.ts';

export function CustomerView({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const base = `/api/customers/${encodeURIComponent(tenantId)}`;
  const customer = useLoad(() => api<Customer>(base), [base]);
  const subs = useLoad(() => allPages<Subscription>(`${base}/subscriptions`), [base]);
  const dap = useLoad(() => api<PartnerDelegatedAdmin>(`${base}/delegated-admin`), [base]);
  const names = useLoad(() => loadOfferNames(), []);

  if (customer.error) {
    return (
      <section>
        <h1>{t('customer.notFound')}</h1>
        <ErrorAlert error={customer.error} />
        <Link href="/customers">{t('customer.backToList')}</Link>
      </section>
    );
  }
  if (!customer.data) return <Loading />;
  const c = customer.data;
  return (
    <section>
      <p className="breadcrumb">
        <Link href="/customers">{t('nav.customers')}</Link>
      </p>
      <h1>{c.companyName}</h1>
      {(can('transitions.plan') ||
        can('azure.read') ||
        can('licenses.read') ||
        can('subscriptions.read')) && (
        <p className="row">
          {can('licenses.read') && (
            <Link className="button-link" href={`/customers/${encodeURIComponent(c.id)}/licenses`}>
              {t('customer.licensesLink')}
            </Link>
          )}
          {can('subscriptions.read') && (
            <Link className="button-link" href={`/customers/${encodeURIComponent(c.id)}/orders`}>
              {t('customer.ordersLink')}
            </Link>
          )}
          {can('transitions.plan') && (
            <Link className="button-link" href={`/planner?customer=${encodeURIComponent(c.id)}`}>
              {t('customer.planTransition')}
            </Link>
          )}
          {can('azure.read') && (
            <Link className="button-link" href={`/customers/${encodeURIComponent(c.id)}/azure`}>
              {t('customer.azure')}
            </Link>
          )}
        </p>
      )}
      <div className="grid-2">
        <section aria-labelledby="details-h">
          <h2 id="details-h">{t('customer.details')}</h2>
          <dl data-testid="customer-details" className="details">
            <dt>{t('customers.domain')}</dt>
            <dd>{c.defaultDomain}</dd>
            <dt>{t('customers.country')}</dt>
            <dd>{c.country}</dd>
            <dt>{t('customers.region')}</dt>
            <dd>{regionName(t, c.region)}</dd>
            <dt>{t('customers.relationship')}</dt>
            <dd>{c.relationship ? <StatusBadge status={c.relationship.status} /> : '—'}</dd>
            <dt>{t('customer.tenantId')}</dt>
            <dd className="mono">{c.id}</dd>
          </dl>
        </section>
        <DelegatedAdminSection base={base} load={dap} />
      </div>
      <section aria-labelledby="subs-h">
        <h2 id="subs-h">{t('customer.subscriptions')}</h2>
        <ErrorAlert error={subs.error} />
        {subs.data ? (
          <SubscriptionsTable
            items={subs.data}
            offers={names.data?.byOffer}
            caption={t('customer.subscriptions')}
            linkTo={(s) =>
              `/customers/${encodeURIComponent(tenantId)}/subscriptions/${encodeURIComponent(s.id)}`
            }
          />
        ) : (
          !subs.error && <Loading />
        )}
      </section>
      <UsersSection base={base} canActOnBehalf={dap.data?.canActOnBehalf} />
      {(can('billing.read') || can('credits.file')) && (
        <CreditsSection
          base={base}
          subscriptions={subs.data ?? []}
          canFile={can('credits.file') && !!dap.data?.canActOnBehalf}
        />
      )}
    </section>
  );
}

function DelegatedAdminSection({
  base,
  load,
}: {
  base: string;
  load: ReturnType<typeof useLoad<PartnerDelegatedAdmin>>;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const [roles, setRoles] = useState<string[]>(DEFAULT_GDAP_ROLES);
  const roleNames = useRoleNames();
  const days = useNumberField('90', GDAP_DAYS);
  const [url, setUrl] = useState<string | null>(null);
  const ask = useAction((key: string, durationDays: number) =>
    api<{ url: string }>(`${base}/delegated-admin-requests`, {
      method: 'POST',
      idempotencyKey: key,
      body: { roles, durationDays },
    }),
  );
  const d = load.data;
  const active = d?.grants.filter((g) => g.status === 'active') ?? [];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const durationDays = days.read();
    if (durationDays === null) return;
    const res = await ask.run(durationDays);
    if (res) {
      setUrl(new URL(res.url, window.location.origin).toString());
      load.reload();
    }
  };
  return (
    <section aria-labelledby="dap-h">
      <h2 id="dap-h">{t('customer.delegatedAdmin')}</h2>
      <ErrorAlert error={load.error} />
      {d && (
        <div data-testid="delegated-admin-state" data-state={d.canActOnBehalf ? 'active' : 'none'}>
          <p>{d.canActOnBehalf ? t('customer.dapActive') : t('customer.dapNone')}</p>
          {active.length > 0 && (
            <ul>
              {active.map((g) => (
                <li key={g.id}>
                  {g.kind === 'dap' ? t('customer.dapLegacy') : t('customer.gdap')}:{' '}
                  {roleNames(g.roles) || '—'} ·{' '}
                  {g.expiresAt
                    ? t('customer.expiresOn', { date: f.date(g.expiresAt) })
                    : t('customer.noExpiry')}
                </li>
              ))}
            </ul>
          )}
          {d.grants
            .filter((g) => g.status === 'requested')
            .map((g) => (
              <p key={g.id}>{t('customer.gdapRequested', { date: f.date(g.requestExpiresAt) })}</p>
            ))}
        </div>
      )}
      {d && !d.canActOnBehalf && can('delegated-admin.request') && (
        <details>
          <summary>{t('customer.askDap')}</summary>
          <form className="stack" onSubmit={submit}>
            <GdapFields idPrefix="dap" roles={roles} onRoles={setRoles} days={days} />
            <ErrorAlert error={ask.error} />
            <button type="submit" disabled={ask.pending}>
              {t('customer.sendDapRequest')}
            </button>
          </form>
          {url && <CopyField label={t('customer.dapLink')} value={url} testId="gdap-link" />}
        </details>
      )}
    </section>
  );
}

function UsersSection({ base, canActOnBehalf }: { base: string; canActOnBehalf: boolean | undefined }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [pages, setPages] = useState<string[]>(['']);
  const allowed = can('licenses.read');
  const users = useLoad(async () => {
    if (!allowed) return null;
    const out: TenantUser[] = [];
    let next: string | null = null;
    for (const cursor of pages) {
      const page: Page<TenantUser> = await api<Page<TenantUser>>(`${base}/users`, {
        query: { cursor: cursor || undefined, limit: 100 },
      });
      out.push(...page.items);
      next = page.nextCursor;
    }
    return { items: out, next };
  }, [base, pages.length, allowed, canActOnBehalf]);

  let body: React.ReactNode;
  if (!allowed) {
    body = <Notice testId="users-unavailable">{t('customer.usersRoleMissing')}</Notice>;
  } else if (users.error instanceof ApiError && users.error.code === 'delegated_admin_required') {
    body = (
      <div data-testid="users-unavailable">
        <Notice>{t('customer.usersNeedDap')}</Notice>
        <p className="muted">{users.error.description}</p>
      </div>
    );
  } else if (users.error) {
    body = <ErrorAlert error={users.error} />;
  } else if (!users.data) {
    body = <Loading />;
  } else {
    const items = users.data.items;
    body = (
      <>
        <p>
          {t('customer.usersSummary', { count: items.length, licensed: items.filter(isLicensed).length })}
        </p>
        <table>
          <caption className="sr-only">{t('customer.users')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('customer.userName')}</th>
              <th scope="col">{t('customer.upn')}</th>
              <th scope="col">{t('customer.licenses')}</th>
              <th scope="col">{t('customer.access')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr
                key={u.id}
                data-testid="user-row"
                data-licensed={String(isLicensed(u))}
                data-upn={u.userPrincipalName}
              >
                <td>{u.displayName}</td>
                <td>{u.userPrincipalName}</td>
                <td>
                  {u.licenses.length === 0
                    ? t('customer.noLicense')
                    : u.licenses.map((l) => (
                        <div key={l.skuId}>
                          {l.name ?? l.skuPartNumber ?? l.skuId}
                          {l.excludedPlans.length > 0 && (
                            <span className="muted">
                              {' '}
                              ({t('customer.plansOff', { count: l.excludedPlans.length })})
                            </span>
                          )}
                        </div>
                      ))}
                </td>
                <td>{isLicensed(u) ? t('customer.hasAccess') : t('customer.noAccess')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {users.data.next && (
          <button
            type="button"
            className="secondary"
            onClick={() => setPages((p) => [...p, users.data?.next ?? ''])}
          >
            {t('customer.moreUsers')}
          </button>
        )}
      </>
    );
  }
  return (
    <section aria-labelledby="users-h">
      <h2 id="users-h">{t('customer.users')}</h2>
      {body}
    </section>
  );
}

function isLicensed(u: TenantUser): boolean {
  return u.licenses.some((l) => l.hasAccess);
}

function CreditsSection({
  base,
  subscriptions,
  canFile,
}: {
  base: string;
  subscriptions: Subscription[];
  canFile: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const list = useLoad(
    () => api<Page<CreditRequest>>(`${base}/credit-requests`, { query: { limit: 100 } }),
    [base],
  );
  const direct = subscriptions.filter((s) => s.channel === 'direct');
  const [subscriptionId, setSubscriptionId] = useState('');
  const [reason, setReason] = useState('');
  const file = useAction((key: string) =>
    api<CreditRequest>(`${base}/credit-requests`, {
      method: 'POST',
      idempotencyKey: key,
      body: { subscriptionId: subscriptionId || direct[0]?.id, reason },
    }),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await file.run()) {
      setReason('');
      list.reload();
    }
  };
  return (
    <section aria-labelledby="credits-h">
      <h2 id="credits-h">{t('credits.title')}</h2>
      <ErrorAlert error={list.error} />
      {list.data && <CreditTable items={list.data.items} subscriptions={subscriptions} />}
      {list.data?.items.length === 0 && <p>{t('credits.none')}</p>}
      {canFile && direct.length > 0 && (
        <form className="stack" onSubmit={submit}>
          <h3>{t('credits.fileForCustomer')}</h3>
          <div className="field">
            <label htmlFor="credit-sub">{t('credits.subscription')}</label>
            <select
              id="credit-sub"
              value={subscriptionId}
              onChange={(e) => setSubscriptionId(e.target.value)}
            >
              {direct.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.offerName ?? s.offerId} · {f.date(s.termEnd)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="credit-reason">{t('credits.reason')}</label>
            <textarea
              id="credit-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required
            />
          </div>
          <ErrorAlert error={file.error} />
          <button type="submit" disabled={file.pending}>
            {t('credits.file')}
          </button>
        </form>
      )}
    </section>
  );
}

export function CreditTable({
  items,
  subscriptions,
}: {
  items: CreditRequest[];
  subscriptions?: Subscription[];
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const subName = (id: string) => {
    const s = subscriptions?.find((x) => x.id === id);
    return s ? (s.offerName ?? s.offerId) : id.slice(0, 8);
  };
  if (items.length === 0) return null;
  return (
    <table>
      <caption className="sr-only">{t('credits.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('credits.filed')}</th>
          <th scope="col">{t('credits.subscription')}</th>
          <th scope="col">{t('credits.filedBy')}</th>
          <th scope="col">{t('credits.reason')}</th>
          <th scope="col">{t('credits.status')}</th>
          <th scope="col">{t('credits.amount')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.id} data-testid="credit-request-row" data-status={c.status}>
            <td>{f.date(c.createdAt)}</td>
            <td>{subName(c.subscriptionId)}</td>
            <td>{t(`credits.by.${c.filedBy}`)}</td>
            <td>{c.reason}</td>
            <td>
              <StatusBadge status={c.status} />
            </td>
            <td>
              {c.decidedAmount !== null
                ? f.money(
                    c.decidedAmount,
                    subscriptions?.find((x) => x.id === c.subscriptionId)?.currency ?? 'USD',
                  )
                : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
