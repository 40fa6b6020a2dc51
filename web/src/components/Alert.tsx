import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';

/**
 * API errors show the console's own text for their code where it has one (in the reader's
 * language), else the server's description; a network failure gets our own words.
 */
export function ErrorAlert({ error }: { error: Error | null | undefined }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  let text = error.message;
  let code: string | undefined;
  if (error instanceof ApiError) {
    code = error.code;
    text =
      code === 'network_error'
        ? t('errors.network')
        : i18n.exists(`errors.${code}`)
          ? t(`errors.${code}`)
          : error.description;
  }
  return (
    <div className="alert alert-error" role="alert" data-code={code}>
      {text}
    </div>
  );
}

export function Notice({ children, testId }: { children: React.ReactNode; testId?: string }) {
  return (
    <div className="alert alert-info" role="status" data-testid={testId}>
      {children}
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  );
}
