import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorAlert, Notice } from '../components/Alert.tsx';
import { useAction } from '../hooks.ts';
import { Link } from '../router.tsx';

/** Ask for a password-reset link by e-mail; the answer is the same whether the account exists or not. */
export function ForgotPasswordView() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const ask = useAction((_key: string) =>
    api('/api/auth/password-reset', { method: 'POST', body: { email } }).then(() => true),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await ask.run()) setSent(true);
  };
  return (
    <section className="narrow">
      <h1>{t('forgotPassword.title')}</h1>
      {sent ? (
        <Notice testId="reset-requested">{t('forgotPassword.sent')}</Notice>
      ) : (
        <form className="stack" onSubmit={submit}>
          <p>{t('forgotPassword.intro')}</p>
          <div className="field">
            <label htmlFor="forgot-email">{t('signIn.email')}</label>
            <input
              id="forgot-email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <ErrorAlert error={ask.error} />
          <button type="submit" disabled={ask.pending}>
            {t('forgotPassword.submit')}
          </button>
        </form>
      )}
      <p>
        <Link href="/sign-in">{t('forgotPassword.back')}</Link>
      </p>
    </section>
  );
}
