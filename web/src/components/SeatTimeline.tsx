import { useTranslation } from 'react-i18next';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Transition } from '../api.ts';
import { useFormat } from '../format.ts';

/**
 * Seats per SKU over the plan's timeline: the pool (every channel) against the seats assigned to
 * users. Coverage holds when the pool line never dips under the assigned line.
 */
export function SeatTimeline({
  seats,
  skuNames,
}: {
  seats: Transition['seats'];
  skuNames?: Map<string, string>;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const ok = seats.every((s) => s.points.every((p) => p.pool >= p.assigned));
  return (
    <div data-testid="seat-timeline">
      <p data-testid="seat-coverage" data-ok={String(ok)} className={ok ? 'good-text' : 'bad-text'}>
        {ok ? t('planner.coverageOk') : t('planner.coverageGap')}
      </p>
      <div className="charts">
        {seats.map((s) => {
          const name = skuNames?.get(s.skuId) ?? s.skuId;
          const data = s.points.map((p) => ({ at: Date.parse(p.at), pool: p.pool, assigned: p.assigned }));
          const min = Math.min(...s.points.map((p) => p.pool - p.assigned));
          return (
            <figure key={s.skuId} className="chart card" data-sku-id={s.skuId}>
              <figcaption>
                <strong>{name}</strong>
                <span className="muted small"> · {t('planner.chartSummary', { min: f.number(min) })}</span>
              </figcaption>
              <ResponsiveContainer width="100%" height={200}>
                <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }} title={name}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#d0d5dd" />
                  <XAxis
                    dataKey="at"
                    type="number"
                    scale="time"
                    domain={['dataMin', 'dataMax']}
                    tickFormatter={(v: number) => f.shortDate(new Date(v).toISOString())}
                    tick={{ fill: '#344054', fontSize: 12 }}
                  />
                  <YAxis allowDecimals={false} tick={{ fill: '#344054', fontSize: 12 }} width={40} />
                  <Tooltip
                    labelFormatter={(v) => f.date(new Date(Number(v)).toISOString())}
                    formatter={(value, key) => [f.number(Number(value)), t(`planner.series.${String(key)}`)]}
                  />
                  <Legend formatter={(key) => t(`planner.series.${String(key)}`)} />
                  <Line
                    type="stepAfter"
                    dataKey="pool"
                    stroke="#1d4ed8"
                    strokeWidth={2}
                    dot
                    isAnimationActive={false}
                  />
                  <Line
                    type="stepAfter"
                    dataKey="assigned"
                    stroke="#b42318"
                    strokeWidth={2}
                    strokeDasharray="6 3"
                    dot
                    isAnimationActive={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            </figure>
          );
        })}
      </div>
    </div>
  );
}
