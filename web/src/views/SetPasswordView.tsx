import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorAlert, Notice } from '../components/Alert.tsx';
import { useAction } from '../hooks.ts';
import { Link } from '../router.tsx';

/**
 * The page a one-time password link opens (`/set-password?token=…`): a reset asked by e-mail, a
 * reset by the partner's account admin, or a new customer admin choosing its first password.
 * Readable before signing in; the link works once.
 */
export function SetPasswordView({ token }: { token: string | null }) {
  const { t } = useTranslation();
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const set = useAction((_key: string) =>
    api('/api/auth/set-password', { method: 'POST', body: { token, newPassword: next } }).then(() => true),
  );
  const mismatch = again !== '' && again !== next;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    if (await set.run()) setDone(true);
  };

  return (
    <section className="narrow">
      <h1>{t('setPassword.title')}</h1>
      {!token && <div className="alert alert-error">{t('setPassword.noToken')}</div>}
      {token && done && (
        <Notice testId="password-set">
          {t('setPassword.done')} <Link href="/sign-in">{t('setPassword.signIn')}</Link>
        </Notice>
      )}
      {token && !done && (
        <form className="stack" onSubmit={submit}>
          <p>{t('setPassword.intro')}</p>
          <div className="field">
            <label htmlFor="set-password-new">{t('account.new')}</label>
            <input
              id="set-password-new"
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              maxLength={256}
              aria-describedby="set-password-hint"
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
            <p id="set-password-hint" className="muted">
              {t('account.policy')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="set-password-again">{t('account.again')}</label>
            <input
              id="set-password-again"
              type="password"
              autoComplete="new-password"
              required
              aria-invalid={mismatch}
              aria-describedby={mismatch ? 'set-password-again-error' : undefined}
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
            {mismatch && (
              <p id="set-password-again-error" className="alert alert-error">
                {t('account.mismatch')}
              </p>
            )}
          </div>
          <ErrorAlert error={set.error} />
          <button type="submit" disabled={set.pending || mismatch}>
            {t('setPassword.submit')}
          </button>
        </form>
      )}
    </section>
  );
}
