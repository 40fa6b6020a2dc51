import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

interface PartnerProfile {
  id: string;
  name: string;
  kind: string;
}
interface ResellerRow {
  resellerId: string;
  name: string;
  status: string;
  linkedAt: string;
  sold: { subscriptions: number; seats: number; customers: number };
}
interface ProviderRow {
  providerId: string;
  name: string;
  status: string;
  linkedAt: string;
}

/** The two-tier model (SPEC §7) as the partner's kind sees it: a provider's resellers, a reseller's providers. */
export function IndirectView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const me = useLoad(() => api<PartnerProfile>('/api/partner'), []);
  const kind = me.data?.kind;
  const resellers = useLoad(
    () =>
      kind === 'indirect-provider'
        ? api<{ items: ResellerRow[] }>('/api/indirect-resellers')
        : Promise.resolve({ items: [] as ResellerRow[] }),
    [kind],
  );
  const providers = useLoad(
    () =>
      kind === 'indirect-reseller'
        ? api<{ items: ProviderRow[] }>('/api/indirect-providers')
        : Promise.resolve({ items: [] as ProviderRow[] }),
    [kind],
  );
  const [link, setLink] = useState<string | null>(null);
  const invite = useAction((key: string) =>
    api<{ url: string }>('/api/indirect-resellers/invitations', { method: 'POST', idempotencyKey: key }),
  );
  return (
    <section>
      <h1>{t('indirect.title')}</h1>
      <ErrorAlert error={me.error ?? resellers.error ?? providers.error} />
      {me.loading && !me.data && <Loading />}
      {kind && <p className="muted">{t(`indirect.kind.${kind}`, { defaultValue: kind })}</p>}
      {kind === 'indirect-provider' && (
        <>
          {can('indirect.manage') && (
            <div className="card stack">
              <h2>{t('indirect.inviteTitle')}</h2>
              <p>{t('indirect.inviteText')}</p>
              <ErrorAlert error={invite.error} />
              <div>
                <button
                  type="button"
                  disabled={invite.pending}
                  onClick={async () => {
                    const r = await invite.run();
                    if (r) setLink(`${window.location.origin}${r.url}`);
                  }}
                >
                  {t('indirect.invite')}
                </button>
              </div>
              {link && <CopyField label={t('indirect.link')} value={link} testId="indirect-link" />}
            </div>
          )}
          <h2>{t('indirect.resellers')}</h2>
          {resellers.data && resellers.data.items.length === 0 && <p>{t('indirect.noResellers')}</p>}
          {resellers.data && resellers.data.items.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('indirect.reseller')}</th>
                  <th scope="col">{t('indirect.status')}</th>
                  <th scope="col">{t('indirect.linkedAt')}</th>
                  <th scope="col">{t('indirect.customers')}</th>
                  <th scope="col">{t('indirect.subscriptions')}</th>
                  <th scope="col">{t('indirect.seats')}</th>
                </tr>
              </thead>
              <tbody>
                {resellers.data.items.map((r) => (
                  <tr key={r.resellerId}>
                    <td>{r.name}</td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td>{f.date(r.linkedAt)}</td>
                    <td>{r.sold.customers}</td>
                    <td>{r.sold.subscriptions}</td>
                    <td>{r.sold.seats}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {kind === 'indirect-reseller' && (
        <>
          <h2>{t('indirect.providers')}</h2>
          {providers.data && providers.data.items.length === 0 && <p>{t('indirect.noProviders')}</p>}
          {providers.data && providers.data.items.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('indirect.provider')}</th>
                  <th scope="col">{t('indirect.status')}</th>
                  <th scope="col">{t('indirect.linkedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {providers.data.items.map((p) => (
                  <tr key={p.providerId}>
                    <td>{p.name}</td>
                    <td>
                      <StatusBadge status={p.status} />
                    </td>
                    <td>{f.date(p.linkedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** A provider's link, opened by the reseller's account admin (signed in): accept to be linked. */
export function IndirectInvitationView({ token }: { token: string }) {
  const { t } = useTranslation();
  const [done, setDone] = useState<string | null>(null);
  const accept = useAction((key: string) =>
    api<{ providerName: string }>(`/api/indirect-invitations/${encodeURIComponent(token)}/accept`, {
      method: 'POST',
      idempotencyKey: key,
    }),
  );
  return (
    <section>
      <h1>{t('indirect.acceptTitle')}</h1>
      <p>{t('indirect.acceptText')}</p>
      <ErrorAlert error={accept.error} />
      {done ? (
        <Notice>
          {t('indirect.accepted', { provider: done })} <Link href="/indirect">{t('indirect.title')}</Link>
        </Notice>
      ) : (
        <button
          type="button"
          disabled={accept.pending}
          onClick={async () => {
            const r = await accept.run();
            if (r) setDone(r.providerName);
          }}
        >
          {t('indirect.accept')}
        </button>
      )}
    </section>
  );
}
