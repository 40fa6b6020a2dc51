import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AuditEvent, api, type ListPage } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { ExportCsv, ListCount, SortHeader, useSort } from '../components/ListTools.tsx';
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';

/** Action families the filter offers (`transition.` takes every `transition.…`). */
const FAMILIES = [
  'transition.',
  'subscription.',
  'order.',
  'relationship.',
  'delegated-admin.',
  'licenses.',
  'credit-request.',
  'tenant.',
  'user.',
];

export function AuditView() {
  const { t } = useTranslation();
  const f = useFormat();
  const [action, setAction] = useState('');
  const { sort, toggle } = useSort('-at');
  const [pages, setPages] = useState<string[]>(['']);
  const filter = { action, sort };
  const load = useLoad(async () => {
    const out: AuditEvent[] = [];
    let next: string | null = null;
    let total: number | undefined;
    for (const cursor of pages) {
      const page: ListPage<AuditEvent> = await api<ListPage<AuditEvent>>('/api/audit', {
        query: { ...filter, cursor: cursor || undefined, limit: 50 },
      });
      out.push(...page.items);
      next = page.nextCursor;
      total = page.total;
    }
    return { items: out, next, total };
  }, [pages.length, action, sort]);
  const header = (field: string, label: string) => (
    <SortHeader
      field={field}
      label={label}
      sort={sort}
      onSort={(x) => {
        toggle(x);
        setPages(['']);
      }}
    />
  );
  return (
    <section>
      <h1>{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="audit-action">{t('audit.filter')}</label>
          <select
            id="audit-action"
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              setPages(['']);
            }}
          >
            <option value="">{t('audit.allActions')}</option>
            {FAMILIES.map((a) => (
              <option key={a} value={a}>
                {t(`audit.families.${a.slice(0, -1)}`)}
              </option>
            ))}
          </select>
        </div>
        <ExportCsv path="/api/audit" query={filter} filename="audit.csv" />
      </div>
      <ErrorAlert error={load.error} />
      {load.loading && !load.data && <Loading />}
      {load.data && <ListCount total={load.data.total} />}
      {load.data && load.data.items.length === 0 && <p>{t('audit.none')}</p>}
      {load.data && load.data.items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="audit-table">
            <caption className="sr-only">{t('audit.title')}</caption>
            <thead>
              <tr>
                {header('at', t('audit.when'))}
                {header('actorEmail', t('audit.who'))}
                {header('action', t('audit.what'))}
                {header('targetType', t('audit.target'))}
                <th scope="col">{t('audit.tenant')}</th>
                <th scope="col">{t('audit.request')}</th>
              </tr>
            </thead>
            <tbody>
              {load.data.items.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td>{f.dateTime(e.at)}</td>
                  <td>
                    {e.actor.email ?? t('audit.system')}
                    {e.actor.roles.length > 0 && (
                      <div className="muted small">
                        {e.actor.roles.map((r) => t(`roles.${r}`, { defaultValue: r })).join(', ')}
                      </div>
                    )}
                  </td>
                  <td>{t(`auditActions.${e.action}`, { defaultValue: t('audit.otherAction') })}</td>
                  <td>
                    {t(`auditTargets.${e.targetType}`, { defaultValue: t('audit.otherAction') })}
                    {e.targetName && <div className="small">{e.targetName}</div>}
                  </td>
                  <td>{e.tenantName ?? (e.tenantId ? t('audit.targetUnnamed') : '—')}</td>
                  <td className="mono small">{e.requestId?.slice(0, 8) ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {load.data?.next && (
        <button
          type="button"
          className="secondary"
          onClick={() => setPages((p) => [...p, load.data?.next ?? ''])}
        >
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}
