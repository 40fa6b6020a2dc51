import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Clock } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { useSession } from '../session.tsx';

/** The platform clock; in demo mode the operator moves it forward so the lifecycle plays out. */
export function ClockView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const clock = useLoad(() => api<Clock>('/api/clock'), []);
  const [days, setDays] = useState('30');
  const [moved, setMoved] = useState(false);
  const advance = useAction((_key: string) =>
    api<Clock>('/api/admin/clock', { method: 'POST', body: { advanceDays: Number(days) } }),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await advance.run();
    if (res) {
      clock.setData(res);
      setMoved(true);
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
            <form className="stack" onSubmit={submit}>
              <div className="field">
                <label htmlFor="clock-days">{t('clock.days')}</label>
                <input
                  id="clock-days"
                  type="number"
                  min={0}
                  max={3650}
                  step="any"
                  value={days}
                  onChange={(e) => {
                    setDays(e.target.value);
                    setMoved(false);
                  }}
                  required
                />
              </div>
              <ErrorAlert error={advance.error} />
              {moved && <Notice>{t('clock.moved')}</Notice>}
              <button type="submit" disabled={advance.pending}>
                {t('clock.advance')}
              </button>
            </form>
          )}
        </div>
      )}
    </section>
  );
}
