import { useTranslation } from 'react-i18next';
import { api, type Subscription } from '../api.ts';
import { useFormat } from '../format.ts';
import { useAction } from '../hooks.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/**
 * Asks before turning a direct subscription's auto-renew off (it then ends at its term end) or
 * on (it is charged for another term), and changes it on Confirm.
 */
export function AutoRenewConfirmation({
  subscription: s,
  turnOn,
  onDone,
  onCancel,
  path,
}: {
  subscription: Pick<Subscription, 'id' | 'offerId' | 'offerName' | 'termEnd'>;
  /** The subscription's URL to PATCH: the tenant's own by default, a partner's customer's otherwise. */
  path?: string;
  turnOn: boolean;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const change = useAction(async (_key: string) => {
    await api(path ?? `/api/tenant/subscriptions/${encodeURIComponent(s.id)}`, {
      method: 'PATCH',
      body: { autoRenew: turnOn },
    });
    return true;
  });
  const offer = s.offerName ?? s.offerId;
  return (
    <ConfirmDialog
      title={t(turnOn ? 'confirm.autoRenewOnTitle' : 'confirm.autoRenewOffTitle', { offer })}
      confirmLabel={t('confirm.confirm')}
      tone={turnOn ? 'primary' : 'warn'}
      onConfirm={async () => {
        if (await change.run()) onDone();
      }}
      onCancel={onCancel}
      pending={change.pending}
      error={change.error}
      testId="auto-renew-confirmation"
    >
      <p>{t(turnOn ? 'confirm.autoRenewOnText' : 'confirm.autoRenewOffText', { date: f.date(s.termEnd) })}</p>
    </ConfirmDialog>
  );
}
