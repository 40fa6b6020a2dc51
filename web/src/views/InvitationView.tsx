import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Invitation } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { regionName } from './common.ts';

/** The customer's side of a relationship request: who asks for what, then accept or decline. */
export function InvitationView({ token }: { token: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { user, can } = useSession();
  const path = `/api/invitations/${encodeURIComponent(token)}`;
  const inv = useLoad(() => api<Invitation>(path), [path]);
  const [result, setResult] = useState<'accepted' | 'declined' | null>(null);
  const answer = useAction(async (key: string, what: 'accept' | 'decline') => {
    await api(`${path}/${what}`, { method: 'POST', idempotencyKey: key });
    return what === 'accept' ? ('accepted' as const) : ('declined' as const);
  });
  const here = `/invitations/${encodeURIComponent(token)}`;
  // The answer buttons go away once pressed: move focus to the outcome so a keyboard or screen
  // reader user is not sent back to the top of the page.
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result) resultRef.current?.focus();
  }, [result]);

  return (
    <section className="narrow">
      <h1>{t('invitation.title')}</h1>
      <ErrorAlert error={inv.error} />
      {inv.loading && !inv.data && <Loading />}
      {inv.data && (
        <div className="card stack">
          <p data-testid="invitation-partner">
            {t('invitation.who', {
              partner: inv.data.partner.name,
              country: inv.data.partner.country,
              region: inv.data.partner.regionName ?? regionName(t, inv.data.partner.region),
            })}
          </p>
          <div data-testid="invitation-asks">
            <p>{t('invitation.asksReseller')}</p>
            {inv.data.delegatedAdmin ? (
              <>
                <p>
                  {t('invitation.asksGdap', { days: inv.data.delegatedAdmin.durationDays })}
                  {inv.data.delegatedAdmin.autoExtend && ` ${t('invitation.autoExtend')}`}
                </p>
                <ul>
                  {inv.data.delegatedAdmin.roles.map((r) => (
                    <li key={r}>{t(`directoryRoles.${r}`, { defaultValue: r })}</li>
                  ))}
                </ul>
              </>
            ) : (
              <p>{t('invitation.noGdap')}</p>
            )}
            <p className="muted">{t('invitation.unchanged')}</p>
            <p className="muted">{t('invitation.expires', { date: f.dateTime(inv.data.expiresAt) })}</p>
          </div>
          {result ? (
            <div data-testid="invitation-result" data-status={result} ref={resultRef} tabIndex={-1}>
              <Notice>
                {result === 'accepted' ? t('invitation.acceptedText') : t('invitation.declinedText')}
              </Notice>
              {result === 'accepted' && <Link href="/tenant">{t('invitation.goToTenant')}</Link>}
            </div>
          ) : !user ? (
            <p>
              <Link className="button-link" href={`/sign-in?next=${encodeURIComponent(here)}`}>
                {t('invitation.signInToAnswer')}
              </Link>
            </p>
          ) : !can('tenant.manage') ? (
            <Notice>{t('invitation.wrongAccount', { email: user.email })}</Notice>
          ) : (
            <div className="row">
              <ErrorAlert error={answer.error} />
              <button
                type="button"
                disabled={answer.pending}
                onClick={async () => {
                  const r = await answer.run('accept');
                  if (r) setResult(r);
                }}
              >
                {t('invitation.accept')}
              </button>
              <button
                type="button"
                className="secondary"
                disabled={answer.pending}
                onClick={async () => {
                  const r = await answer.run('decline');
                  if (r) setResult(r);
                }}
              >
                {t('invitation.decline')}
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
