import { useTranslation } from 'react-i18next';

const TONE: Record<string, string> = {
  active: 'good',
  accepted: 'good',
  ready: 'good',
  applied: 'good',
  done: 'good',
  approved: 'good',
  completed: 'good',
  transferred: 'good',
  available: 'good',
  pending: 'warn',
  submitted: 'warn',
  planned: 'warn',
  waiting: 'warn',
  applying: 'warn',
  requested: 'warn',
  'needs-acknowledgment': 'warn',
  // Ready only because someone accepted that data is lost: amber, never the plain green Ready.
  'ready-with-data-loss': 'warn',
  expired: 'warn',
  suspended: 'warn',
  'end-of-sale': 'warn',
  issued: 'good',
  blocked: 'bad',
  failed: 'bad',
  declined: 'bad',
  rejected: 'bad',
  disabled: 'bad',
  deleted: 'bad',
  cancelled: 'bad',
  revoked: 'bad',
};

/** A status in words (translated), with a colour that is never the only signal. */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${TONE[status] ?? 'neutral'}`}>
      {t(`status.${status}`, { defaultValue: status })}
    </span>
  );
}
