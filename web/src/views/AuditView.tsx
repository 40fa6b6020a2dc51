import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AuditEvent, api, type Page } from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useLoad } from '../hooks.ts';

export function AuditView() {
  const { t } = useTranslation();
  const f = useFormat();
  const [pages, setPages] = useState<string[]>(['']);
  const load = useLoad(async () => {
    const out: AuditEvent[] = [];
    let next: string | null = null;
    for (const cursor of pages) {
      const page: Page<AuditEvent> = await api<Page<AuditEvent>>('/api/audit', {
        query: { cursor: cursor || undefined, limit: 50 },
      });
      out.push(...page.items);
      next = page.nextCursor;
    }
    return { items: out, next };
  }, [pages.length]);
  return (
    <section>
      <h1>{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      <ErrorAlert error={load.error} />
      {load.loading && !load.data && <Loading />}
      {load.data && load.data.items.length === 0 && <p>{t('audit.none')}</p>}
      {load.data && load.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.who')}</th>
                <th scope="col">{t('audit.what')}</th>
                <th scope="col">{t('audit.target')}</th>
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
