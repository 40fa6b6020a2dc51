import { useTranslation } from 'react-i18next';
import { api, type Customer, type Offer, type Transition } from '../api.ts';
import { useFormat, useReasonText } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { loadOfferNames } from '../views/common.ts';
import { Loading } from './Alert.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';

const MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

export interface Purchase {
  line: number;
  offerId: string;
  name: string;
  seats: number;
  /** Minor units for all the seats; null when the offer has no price. */
  perMonth: number | null;
  perYear: number | null;
  currency: string;
}

/**
 * What applying the plan orders: one row per offer bought (a line's base offer and its add-ons),
 * priced from the catalog as it is now. The plan carries the seats and the overlap; an offer's
 * price is per seat per term, so a month is the term's price over its months.
 */
export function purchasesOf(plan: Transition, offers: Map<string, Offer>): Purchase[] {
  return plan.lines.flatMap((l, i) => {
    // A line another transition already moves (`under-way`) buys nothing.
    if (!l.targetOfferId || l.quantity <= 0 || l.disposition === 'under-way') return [];
    return [l.targetOfferId, ...l.addOnOfferIds].map((id) => {
      const o = offers.get(id);
      const months = MONTHS[o?.term ?? ''] ?? null;
      const priced = o && o.unitPrice !== null && months !== null;
      return {
        line: i + 1,
        offerId: id,
        name: o?.name ?? id,
        seats: l.quantity,
        perMonth: priced ? Math.round((o.unitPrice! * l.quantity) / months) : null,
        perYear: priced ? Math.round((o.unitPrice! * l.quantity * 12) / months) : null,
        currency: o?.currency ?? l.currency ?? plan.totals[0]?.currency ?? '',
      };
    });
  });
}

/** Sums per currency (a plan may buy in more than one). */
function totalsByCurrency(rows: Purchase[]) {
  const by = new Map<string, { perMonth: number; perYear: number }>();
  for (const r of rows) {
    const t = by.get(r.currency) ?? { perMonth: 0, perYear: 0 };
    t.perMonth += r.perMonth ?? 0;
    t.perYear += r.perYear ?? 0;
    by.set(r.currency, t);
  }
  return [...by];
}

/** "Apply plan" asks here first: what is bought, at what price, and what is paid or lost for it. */
export function ApplyConfirmation({
  plan,
  onConfirm,
  onCancel,
  pending,
  error,
}: {
  plan: Transition;
  onConfirm: () => void;
  onCancel: () => void;
  pending: boolean;
  error: Error | null;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const reasonText = useReasonText();
  // Prices as they are now, in the tenant's market: the orders are placed at today's price there.
  const offers = useLoad(async () => {
    // The tenant's market; if it cannot be read, the offers' list prices (each row shows its currency).
    const country = await api<Customer>(`/api/customers/${encodeURIComponent(plan.tenantId)}`).then(
      (c) => c.country,
      () => undefined,
    );
    return loadOfferNames(country);
  }, [plan.tenantId]);
  const rows = offers.data ? purchasesOf(plan, offers.data.byOffer) : [];
  // Per currency, never summed across currencies.
  const overlap = plan.totals.filter((x) => x.overlapCost.amount > 0).map((x) => x.overlapCost);
  const cancelLoss = [
    ...plan.lines
      .filter((l) => l.disposition === 'cancel-now')
      .reduce((by, l) => {
        const m = l.lossIfCancelledNow;
        by.set(m.currency, (by.get(m.currency) ?? 0) + m.amount);
        return by;
      }, new Map<string, number>()),
  ]
    .filter(([, amount]) => amount > 0)
    .map(([currency, amount]) => ({ amount, currency }));
  const overlapShown = overlap.length > 0 ? overlap : plan.totals.slice(0, 1).map((x) => x.overlapCost);
  const accepted = plan.lines
    .map((l, i) => ({ l, n: i + 1 }))
    .filter(({ l }) => l.choice === 'acknowledged-substitute');

  return (
    <ConfirmDialog
      title={t('confirm.applyTitle')}
      confirmLabel={t('confirm.confirm')}
      onConfirm={onConfirm}
      onCancel={onCancel}
      pending={pending}
      error={error ?? offers.error}
      confirmDisabled={!offers.data}
      tone={accepted.length > 0 ? 'warn' : 'primary'}
      testId="apply-confirmation"
    >
      <p>{t('confirm.applyIntro')}</p>
      {!offers.data && !offers.error && <Loading />}
      {offers.data && rows.length === 0 && <p>{t('confirm.nothingToBuy')}</p>}
      {rows.length > 0 && (
        <table>
          <caption>{t('confirm.buy')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('planner.line')}</th>
              <th scope="col">{t('confirm.offer')}</th>
              <th scope="col">{t('planner.seats')}</th>
              <th scope="col">{t('confirm.perMonth')}</th>
              <th scope="col">{t('confirm.perYear')}</th>
              <th scope="col">{t('confirm.currency')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={`${r.line}:${r.offerId}`}
                data-testid="apply-purchase"
                data-offer-id={r.offerId}
                data-seats={r.seats}
                data-per-month={r.perMonth ?? ''}
                data-per-year={r.perYear ?? ''}
                data-currency={r.currency}
              >
                <td>{r.line}</td>
                <td>{r.name}</td>
                <td>{f.number(r.seats)}</td>
                <td>{r.perMonth === null ? t('confirm.unpriced') : f.money(r.perMonth, r.currency)}</td>
                <td>{r.perYear === null ? t('confirm.unpriced') : f.money(r.perYear, r.currency)}</td>
                <td>{r.currency}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            {totalsByCurrency(rows).map(([cur, sum]) => (
              <tr key={cur} data-testid="apply-total" data-currency={cur} data-per-month={sum.perMonth}>
                <th scope="row" colSpan={3}>
                  {t('confirm.total')}
                </th>
                <td>{f.money(sum.perMonth, cur)}</td>
                <td>{f.money(sum.perYear, cur)}</td>
                <td>{cur}</td>
              </tr>
            ))}
          </tfoot>
        </table>
      )}
      <dl className="details">
        <dt>{t('confirm.overlap')}</dt>
        <dd
          data-testid="apply-overlap"
          data-amount={overlapShown.map((m) => m.amount).join(';')}
          data-currency={overlapShown.map((m) => m.currency).join(';')}
        >
          {f.amounts(overlapShown)}
        </dd>
        <dt>{t('confirm.cancelLoss')}</dt>
        <dd
          data-testid="apply-cancel-loss"
          data-amount={cancelLoss.map((m) => m.amount).join(';') || 0}
          data-currency={cancelLoss.map((m) => m.currency).join(';')}
        >
          {cancelLoss.length > 0 ? f.amounts(cancelLoss) : t('confirm.noCancelLoss')}
        </dd>
        <dt>{t('confirm.dataLoss')}</dt>
        <dd data-testid="apply-data-loss" data-lines={accepted.length}>
          {accepted.length === 0 ? (
            t('confirm.noDataLoss')
          ) : (
            <ul>
              {accepted.map(({ l, n }) => (
                <li key={l.sourceSubscriptionId}>
                  {t('confirm.dataLossLine', {
                    n,
                    text: l.reasons
                      .filter((r) => r.code === 'line.data-at-risk' || r.code === 'line.acknowledged')
                      .map(reasonText)
                      .join(' '),
                  })}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </ConfirmDialog>
  );
}
