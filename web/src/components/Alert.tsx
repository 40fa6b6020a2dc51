import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';

/** API errors show the server's description; a network failure gets our own words. */
export function ErrorAlert({ error }: { error: Error | null | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  let text = error.message;
  if (error instanceof ApiError)
    text = error.code === 'network_error' ? t('errors.network') : error.description;
  return (
    <div className="alert alert-error" role="alert">
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
