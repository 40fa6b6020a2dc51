import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorAlert, Notice } from '../components/Alert.tsx';
import { useAction } from '../hooks.ts';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';

/** The signed-in user's own account: change the password, sign out everywhere. */
export function AccountView() {
  const { t } = useTranslation();
  const { user, signOut } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [changed, setChanged] = useState(false);
  const change = useAction((_key: string) =>
    api('/api/auth/password', { method: 'POST', body: { currentPassword: current, newPassword: next } }).then(
      () => true,
    ),
  );
  const everywhere = useAction((_key: string) =>
    api('/api/auth/sessions/revoke-all', { method: 'POST' }).then(() => true),
  );
  const mismatch = again !== '' && again !== next;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    setChanged(false);
    if (await change.run()) {
      setCurrent('');
      setNext('');
      setAgain('');
      setChanged(true);
    }
  };

  const signOutEverywhere = async () => {
    if (!window.confirm(t('account.everywhereConfirm'))) return;
    if (!(await everywhere.run())) return;
    // This session is gone too: forget it here and go to the sign-in page.
    await signOut().catch(() => undefined);
    navigate('/sign-in', { replace: true });
  };

  return (
    <section className="narrow">
      <h1>{t('account.title')}</h1>
      <p className="muted">{user?.email}</p>
      <form className="card stack" onSubmit={submit}>
        <h2>{t('account.changeTitle')}</h2>
        <div className="field">
          <label htmlFor="account-current">{t('account.current')}</label>
          <input
            id="account-current"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="account-new">{t('account.new')}</label>
          <input
            id="account-new"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            maxLength={256}
            aria-describedby="account-new-hint"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
          <p id="account-new-hint" className="muted">
            {t('account.policy')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="account-again">{t('account.again')}</label>
          <input
            id="account-again"
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={mismatch}
            aria-describedby={mismatch ? 'account-again-error' : undefined}
            value={again}
            onChange={(e) => setAgain(e.target.value)}
          />
          {mismatch && (
            <p id="account-again-error" className="alert alert-error">
              {t('account.mismatch')}
            </p>
          )}
        </div>
        <ErrorAlert error={change.error} />
        {changed && <Notice testId="password-changed">{t('account.changed')}</Notice>}
        <button type="submit" disabled={change.pending || mismatch}>
          {t('account.changeSubmit')}
        </button>
      </form>
      <div className="card stack">
        <h2>{t('account.everywhereTitle')}</h2>
        <p>{t('account.everywhereText')}</p>
        <ErrorAlert error={everywhere.error} />
        <button type="button" className="secondary" disabled={everywhere.pending} onClick={signOutEverywhere}>
          {t('account.everywhereSubmit')}
        </button>
      </div>
    </section>
  );
}
