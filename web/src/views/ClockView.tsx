import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Clock } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { NumberField, useNumberField } from '../components/NumberField.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { useSession } from '../session.tsx';

const DAY_MS = 86_400_000;

/** The platform clock; in demo mode the operator moves it forward so the lifecycle plays out. */
export function ClockView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const clock = useLoad(() => api<Clock>('/api/clock'), []);
  const days = useNumberField('30', { min: 0, max: 3650 });
  const [moved, setMoved] = useState(false);
  // The days read from the field, waiting for the operator to confirm the move.
  const [asking, setAsking] = useState<number | null>(null);
  const advance = useAction((_key: string, advanceDays: number) =>
    api<Clock>('/api/admin/clock', { method: 'POST', body: { advanceDays } }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMoved(false);
    const n = days.read();
    if (n === null) return;
    advance.clearError();
    setAsking(n);
  };
  const confirm = async () => {
    if (asking === null) return;
    const res = await advance.run(asking);
    if (res) {
      clock.setData(res);
      setMoved(true);
      setAsking(null);
    }
  };
  return (
    <section className="narrow">
      <h1>{t('clock.title')}</h1>
      <ErrorAlert error={clock.error} />
      {!clock.data && !clock.error && <Loading />}
      {clock.data && (
        <div className="card stack">
          <p data-testid="clock-now" data-now={clock.data.now}>
            {t('clock.now')}: <strong>{f.dateTime(clock.data.now)}</strong>
          </p>
          <p className="muted">
            {t('clock.offset', { days: f.number(clock.data.offsetDays) })} ·{' '}
            {clock.data.unlocked ? t('clock.unlocked') : t('clock.locked')}
          </p>
          {can('operator.clock') && clock.data.unlocked && (
            <form className="stack" onSubmit={submit} noValidate>
              <NumberField id="clock-days" label={t('clock.days')} field={days} required />
              {moved && <Notice>{t('clock.moved')}</Notice>}
              <button type="submit" disabled={advance.pending}>
                {t('clock.advance')}
              </button>
            </form>
          )}
          {asking !== null && (
            <ConfirmDialog
              title={t('confirm.clockTitle')}
              confirmLabel={t('confirm.confirm')}
              tone="warn"
              onConfirm={() => void confirm()}
              onCancel={() => setAsking(null)}
              pending={advance.pending}
              error={advance.error}
              testId="clock-confirmation"
            >
              <p>
                {t('confirm.clockText', {
                  days: f.number(asking),
                  date: f.dateTime(new Date(Date.parse(clock.data.now) + asking * DAY_MS).toISOString()),
                })}
              </p>
            </ConfirmDialog>
          )}
        </div>
      )}
    </section>
  );
}
