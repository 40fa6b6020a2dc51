import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/Alert.tsx';
import { useAction } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';

/** Only same-site paths are followed after sign-in (no open redirect). */
function safeNext(next: string | null): string {
  if (next?.startsWith('/') && !next.startsWith('//')) return next;
  return '/';
}

export function SignInView({ next }: { next: string | null }) {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction((_key: string) => signIn(email, password));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const user = await action.run();
    if (user) navigate(safeNext(next), { replace: true });
  };

  return (
    <section className="narrow">
      <h1>{t('signIn.title')}</h1>
      {next?.startsWith('/invitations/') && <p>{t('signIn.invitationHint')}</p>}
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="sign-in-email">{t('signIn.email')}</label>
          <input
            id="sign-in-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="sign-in-password">{t('signIn.password')}</label>
          <input
            id="sign-in-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorAlert error={action.error} />
        <button type="submit" disabled={action.pending}>
          {t('signIn.submit')}
        </button>
      </form>
      <p>
        <Link href="/forgot-password">{t('signIn.forgot')}</Link>
      </p>
      <p className="muted">{t('signIn.demoHint')}</p>
    </section>
  );
}
