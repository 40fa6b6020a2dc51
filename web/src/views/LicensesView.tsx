import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  api,
  type Customer,
  newIdempotencyKey,
  type Page,
  type SeatPool,
  type TenantUser,
} from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { allPages } from './common.ts';

/** A customer's licenses: seats per SKU, and per user with assign and remove in bulk (all or nothing). */
export function LicensesView({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const base = `/api/customers/${encodeURIComponent(tenantId)}`;
  const customer = useLoad(() => api<Customer>(base), [base]);
  const pools = useLoad(() => api<Page<SeatPool>>(`${base}/seat-pools`), [base]);
  const users = useLoad(() => allPages<TenantUser>(`${base}/users`, {}, 5000), [base]);
  const [search, setSearch] = useState('');
  const [skuFilter, setSkuFilter] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [sku, setSku] = useState('');
  const [done, setDone] = useState<string | null>(null);
  // One key per intended bulk change: a double click or a retry applies it once.
  const key = useRef<string | null>(null);
  const bulk = useAction((_k: string, mode: 'assign' | 'remove', skuId: string, userIds: string[]) => {
    key.current ??= newIdempotencyKey();
    return api<Page<TenantUser>>(`${base}/license-updates`, {
      method: 'POST',
      idempotencyKey: key.current,
      body: {
        updates: userIds.map((userId) =>
          mode === 'assign'
            ? { userId, assign: [{ skuId }], remove: [] }
            : { userId, assign: [], remove: [skuId] },
        ),
      },
    }).catch((e: unknown) => {
      // A refusal is definitive: the next try is another change, with its own key.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) key.current = null;
      throw e;
    });
  });

  const skuName = (id: string) => {
    const p = pools.data?.items.find((x) => x.skuId === id);
    return p?.name ?? p?.skuPartNumber ?? id;
  };
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (users.data ?? []).filter(
      (u) =>
        (!q || u.displayName.toLowerCase().includes(q) || u.userPrincipalName.toLowerCase().includes(q)) &&
        (!skuFilter ||
          (skuFilter === '-' ? u.licenses.length === 0 : u.licenses.some((l) => l.skuId === skuFilter))),
    );
  }, [users.data, search, skuFilter]);

  const chosenSku = sku || pools.data?.items[0]?.skuId || '';
  const apply = async (mode: 'assign' | 'remove') => {
    setDone(null);
    const ids = shown.filter((u) => selected.has(u.id)).map((u) => u.id);
    if (ids.length === 0 || !chosenSku) return;
    const r = await bulk.run(mode, chosenSku, ids);
    if (r) {
      key.current = null;
      setSelected(new Set());
      setDone(
        t(mode === 'assign' ? 'licenses.assigned' : 'licenses.removed', {
          count: ids.length,
          sku: skuName(chosenSku),
        }),
      );
      pools.reload();
      users.reload();
    }
  };

  const dapMissing = users.error instanceof ApiError && users.error.code === 'delegated_admin_required';
  const allShownSelected = shown.length > 0 && shown.every((u) => selected.has(u.id));
  return (
    <section>
      <p className="breadcrumb">
        <Link href="/customers">{t('nav.customers')}</Link> ›{' '}
        <Link href={`/customers/${encodeURIComponent(tenantId)}`}>
          {customer.data?.companyName ?? t('subscription.customer')}
        </Link>
      </p>
      <h1>{t('licenses.title')}</h1>
      {dapMissing && <Notice testId="licenses-unavailable">{t('customer.usersNeedDap')}</Notice>}
      {!dapMissing && <ErrorAlert error={pools.error ?? users.error} />}
      <section aria-labelledby="pools-h">
        <h2 id="pools-h">{t('licenses.perSku')}</h2>
        {pools.data ? (
          pools.data.items.length === 0 ? (
            <p>{t('licenses.noSkus')}</p>
          ) : (
            <table>
              <caption className="sr-only">{t('licenses.perSku')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('licenses.sku')}</th>
                  <th scope="col">{t('licenses.available')}</th>
                  <th scope="col">{t('licenses.assignedCol')}</th>
                  <th scope="col">{t('licenses.total')}</th>
                </tr>
              </thead>
              <tbody>
                {pools.data.items.map((p) => (
                  <tr
                    key={p.skuId}
                    data-testid="seat-pool-row"
                    data-sku-id={p.skuId}
                    data-available={p.available}
                    data-assigned={p.assigned}
                    data-seats={p.seats}
                  >
                    <td>{p.name ?? p.skuPartNumber ?? p.skuId}</td>
                    <td>{f.number(p.available)}</td>
                    <td>{f.number(p.assigned)}</td>
                    <td>{f.number(p.seats)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : (
          !pools.error && <Loading />
        )}
      </section>
      <section aria-labelledby="users-h">
        <h2 id="users-h">{t('licenses.perUser')}</h2>
        <div className="row">
          <div className="field">
            <label htmlFor="license-search">{t('licenses.search')}</label>
            <input
              id="license-search"
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="license-filter">{t('licenses.filter')}</label>
            <select id="license-filter" value={skuFilter} onChange={(e) => setSkuFilter(e.target.value)}>
              <option value="">{t('licenses.filterAll')}</option>
              <option value="-">{t('licenses.filterNone')}</option>
              {pools.data?.items.map((p) => (
                <option key={p.skuId} value={p.skuId}>
                  {p.name ?? p.skuPartNumber ?? p.skuId}
                </option>
              ))}
            </select>
          </div>
        </div>
        {can('licenses.manage') && pools.data && pools.data.items.length > 0 && (
          <fieldset className="stack" data-testid="bulk-licenses">
            <legend>{t('licenses.bulk', { count: selected.size })}</legend>
            <div className="field">
              <label htmlFor="bulk-sku">{t('licenses.sku')}</label>
              <select id="bulk-sku" value={chosenSku} onChange={(e) => setSku(e.target.value)}>
                {pools.data.items.map((p) => (
                  <option key={p.skuId} value={p.skuId}>
                    {t('licenses.skuOption', {
                      name: p.name ?? p.skuPartNumber ?? p.skuId,
                      available: f.number(p.available),
                    })}
                  </option>
                ))}
              </select>
            </div>
            <div className="row">
              <button
                type="button"
                disabled={bulk.pending || selected.size === 0}
                onClick={() => apply('assign')}
              >
                {t('licenses.assignSelected')}
              </button>
              <button
                type="button"
                className="secondary"
                disabled={bulk.pending || selected.size === 0}
                onClick={() => apply('remove')}
              >
                {t('licenses.removeSelected')}
              </button>
            </div>
            <ErrorAlert error={bulk.error} />
            {done && <Notice testId="licenses-done">{done}</Notice>}
          </fieldset>
        )}
        {users.data ? (
          <table>
            <caption className="sr-only">{t('licenses.perUser')}</caption>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label={t('licenses.selectAll')}
                    checked={allShownSelected}
                    onChange={() =>
                      setSelected(allShownSelected ? new Set() : new Set(shown.map((u) => u.id)))
                    }
                  />
                </th>
                <th scope="col">{t('customer.userName')}</th>
                <th scope="col">{t('customer.upn')}</th>
                <th scope="col">{t('customer.licenses')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((u) => (
                <tr
                  key={u.id}
                  data-testid="license-user-row"
                  data-upn={u.userPrincipalName}
                  data-skus={u.licenses.map((l) => l.skuId).join(' ')}
                >
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('licenses.select', { user: u.userPrincipalName })}
                      checked={selected.has(u.id)}
                      onChange={() =>
                        setSelected((prev) => {
                          const next = new Set(prev);
                          if (next.has(u.id)) next.delete(u.id);
                          else next.add(u.id);
                          return next;
                        })
                      }
                    />
                  </td>
                  <td>{u.displayName}</td>
                  <td>{u.userPrincipalName}</td>
                  <td>
                    {u.licenses.length === 0
                      ? t('customer.noLicense')
                      : u.licenses.map((l) => l.name ?? l.skuPartNumber ?? l.skuId).join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          !users.error && <Loading />
        )}
        {users.data && shown.length === 0 && <p>{t('licenses.noUsers')}</p>}
      </section>
    </section>
  );
}
