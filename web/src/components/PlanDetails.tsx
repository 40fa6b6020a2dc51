import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Offer, PlanLine, Transition } from '../api.ts';
import { useFormat, useReasonText } from '../format.ts';
import { Link } from '../router.tsx';
import { Loading } from './Alert.tsx';
import { AzurePlanLines } from './AzurePlanLines.tsx';
import { StatusBadge } from './Status.tsx';

// The chart library is large: it loads only when a plan is on screen.
const SeatTimeline = lazy(() => import('./SeatTimeline.tsx').then((m) => ({ default: m.SeatTimeline })));

/**
 * A line that goes ahead with a substitute someone chose although data is at risk is "ready" for
 * the planner, but it must never read as the plain green Ready: it has its own amber verdict.
 */
export const hasAcceptedDataLoss = (line: Pick<PlanLine, 'choice'>) =>
  line.choice === 'acknowledged-substitute';

export function lineVerdict(line: PlanLine): string {
  return line.verdict === 'ready' && hasAcceptedDataLoss(line) ? 'ready-with-data-loss' : line.verdict;
}

export function planVerdict(plan: Pick<Transition, 'verdict' | 'lines'>): string {
  return plan.verdict === 'ready' && plan.lines.some(hasAcceptedDataLoss)
    ? 'ready-with-data-loss'
    : plan.verdict;
}

export interface PlanDetailsProps {
  plan: Transition;
  offers?: Map<string, Offer>;
  skuNames?: Map<string, string>;
  /** Present when the viewer may re-plan with an acknowledgment (naming the substitute offer). */
  onAcknowledge?: (line: PlanLine, substituteOfferId: string, addOnOfferIds: string[]) => void;
  acknowledging?: boolean;
  /** Orderable base offers a blocked line may proceed with, by explicit acknowledgment. */
  substitutes?: Offer[];
  /** Present when the viewer may re-plan a line with another date to buy. */
  onProvision?: (line: PlanLine, when: 'now' | 'before-end') => void;
}

export function PlanDetails({
  plan,
  offers,
  skuNames,
  onAcknowledge,
  acknowledging,
  substitutes,
  onProvision,
}: PlanDetailsProps) {
  const { t } = useTranslation();
  const f = useFormat();
  const reasonText = useReasonText();
  const offerName = (id: string | null) => (id ? (offers?.get(id)?.name ?? id) : t('planner.noTarget'));
  return (
    <div className="stack">
      <div className="card">
        <p
          data-testid="plan-verdict"
          data-verdict={plan.verdict}
          data-accepted-data-loss={String(planVerdict(plan) === 'ready-with-data-loss')}
          data-transition-id={plan.id}
        >
          {t('planner.verdict')}: <StatusBadge status={planVerdict(plan)} />
        </p>
        {plan.reasons.length > 0 && (
          <ul>
            {plan.reasons.map((r) => (
              <li key={`${r.code}:${JSON.stringify(r.params)}`}>{reasonText(r)}</li>
            ))}
          </ul>
        )}
        <dl className="details inline">
          <dt>{t('planner.totalSeats')}</dt>
          <dd>{f.number(plan.totals.reduce((n, x) => n + x.quantity, 0))}</dd>
          {/* One sum per currency (SPEC §11): never added across currencies. */}
          <dt>{t('planner.overlapCost')}</dt>
          <dd data-testid="plan-overlap">{f.amounts(plan.totals.map((x) => x.overlapCost))}</dd>
          <dt>{t('planner.lossIfCancelledNow')}</dt>
          <dd data-testid="plan-loss">{f.amounts(plan.totals.map((x) => x.lossIfCancelledNow))}</dd>
          <dt>{t('planner.plannedAt')}</dt>
          <dd>{f.dateTime(plan.plannedAt)}</dd>
        </dl>
      </div>

      <h2>{t('planner.lines')}</h2>
      {plan.lines.length === 0 && <p>{t('planner.noLines')}</p>}
      {plan.lines.map((l, i) => (
        <article
          key={l.sourceSubscriptionId}
          className={`card plan-line verdict-${lineVerdict(l)}`}
          data-testid="plan-line"
          data-verdict={l.verdict}
          data-source-subscription-id={l.sourceSubscriptionId}
          data-target-offer-id={l.targetOfferId ?? ''}
          data-disposition={l.disposition}
          aria-labelledby={`line-${i}-h`}
        >
          <h3 id={`line-${i}-h`}>
            {t('planner.lineTitle', { n: i + 1 })}: {offerName(l.sourceOfferId)} →{' '}
            {offerName(l.targetOfferId)}
            {l.addOnOfferIds.map((a) => ` + ${offerName(a)}`).join('')}
          </h3>
          <dl className="details inline">
            <dt>{t('planner.channel')}</dt>
            <dd>{t(`channels.${l.channel}`, { defaultValue: l.channel })}</dd>
            <dt>{t('planner.seats')}</dt>
            <dd>
              {f.number(l.quantity)}
              {l.assignedSeats !== undefined &&
                ` (${t('planner.assigned', { n: f.number(l.assignedSeats) })})`}
            </dd>
            <dt>{t('planner.reassignment')}</dt>
            <dd>
              {l.reassignLicenses
                ? t('planner.reassignYes', { count: l.reassignments?.length ?? l.assignedSeats ?? 0 })
                : t('planner.reassignNo')}
            </dd>
            {(l.provisionOptions?.length ?? 0) > 0 && (
              <>
                <dt>{t('planner.whenToBuy')}</dt>
                <dd
                  data-testid="plan-line-provision"
                  data-provision={l.provision}
                  data-provision-on={l.provisionOn}
                >
                  {t(`provisions.${l.provision}`)}: {f.date(l.provisionAt ?? '')}
                  {l.provision === l.recommendedProvision ? ` (${t('planner.recommended')})` : ''}
                  {onProvision && (l.provisionOptions?.length ?? 0) > 1 && (
                    <div className="field">
                      <label htmlFor={`provision-${i}`}>{t('planner.whenToBuyLine', { n: i + 1 })}</label>
                      <select
                        id={`provision-${i}`}
                        value={l.provision}
                        disabled={!!acknowledging}
                        onChange={(e) => onProvision(l, e.target.value as 'now' | 'before-end')}
                      >
                        {l.provisionOptions?.map((o) => (
                          <option key={o.when} value={o.when}>
                            {t(`provisions.${o.when}`)}
                          </option>
                        ))}
                      </select>
                    </div>
                  )}
                  <ul>
                    {l.provisionOptions?.map((o) => (
                      <li key={o.when}>
                        {t(`provisions.${o.when}`)} ({f.date(o.on)}):{' '}
                        {t('planner.overlapOf', {
                          amount: f.money(o.overlapCost.amount, o.overlapCost.currency),
                        })}
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
            <dt>{t('planner.disposition')}</dt>
            <dd>
              {t(`dispositions.${l.disposition}`, { defaultValue: l.disposition })}
              {l.transitionId && (
                <>
                  {' '}
                  <Link href={`/transitions/${encodeURIComponent(l.transitionId)}`}>
                    {t('planner.underWayLink')}
                  </Link>
                </>
              )}
              {l.sourceEndsAt && ` (${t('planner.endsOn', { date: f.date(l.sourceEndsAt) })})`}
            </dd>
            <dt>{t('planner.lossIfCancelledNow')}</dt>
            <dd>{f.money(l.lossIfCancelledNow.amount, l.lossIfCancelledNow.currency)}</dd>
            <dt>{t('planner.credit')}</dt>
            <dd>
              {l.creditEligible
                ? t(`planner.creditBy.${l.creditFiledBy ?? 'customer'}`)
                : t('planner.creditNone')}
              {l.creditEligible &&
                l.creditAmount !== undefined &&
                ` ${t('planner.creditAmount', { amount: f.money(l.creditAmount.amount, l.creditAmount.currency) })}`}
            </dd>
            {(l.requiredRoles?.length ?? 0) > 0 && (
              <>
                <dt>{t('planner.requiredRoles')}</dt>
                <dd data-testid="plan-line-roles" data-can-apply={String(l.appliedBy?.canApply ?? true)}>
                  {l.requiredRoles?.map((r) => t(`directoryRoles.${r}`, { defaultValue: r })).join(', ')}
                  {l.appliedBy && !l.appliedBy.canApply && (
                    <span className="warning">
                      {' '}
                      {t('planner.cannotApply', {
                        missing: l.appliedBy.missing
                          .map((m) =>
                            t(`roles.${m}`, { defaultValue: t(`directoryRoles.${m}`, { defaultValue: m }) }),
                          )
                          .join(', '),
                      })}
                    </span>
                  )}
                </dd>
              </>
            )}
            <dt>{t('planner.verdict')}</dt>
            <dd>
              <StatusBadge status={lineVerdict(l)} />
            </dd>
          </dl>
          <ul className="reasons">
            {l.reasons.map((r) => (
              <li key={`${r.code}:${JSON.stringify(r.params)}`}>{reasonText(r)}</li>
            ))}
          </ul>
          {onAcknowledge && (l.verdict === 'blocked' || l.verdict === 'needs-acknowledgment') && (
            <AcknowledgeLine
              line={l}
              n={i + 1}
              substitutes={substitutes ?? []}
              disabled={!!acknowledging}
              onAcknowledge={onAcknowledge}
            />
          )}
        </article>
      ))}
      <AzurePlanLines lines={plan.azure ?? []} />

      <h2>{t('planner.timelineChart')}</h2>
      <Suspense fallback={<Loading />}>
        <SeatTimeline seats={plan.seats} skuNames={skuNames} />
      </Suspense>

      <h2>{t('planner.timeline')}</h2>
      <table>
        <caption className="sr-only">{t('planner.timeline')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('planner.when')}</th>
            <th scope="col">{t('planner.step')}</th>
            <th scope="col">{t('planner.line')}</th>
            <th scope="col">{t('planner.who')}</th>
          </tr>
        </thead>
        <tbody>
          {plan.timeline.map((s) => (
            <tr key={`${s.step}-${s.lineIndex}-${s.at}`} data-testid="timeline-step" data-step={s.step}>
              <td>{f.date(s.at)}</td>
              <td>{t(`steps.${s.step}`, { defaultValue: s.step })}</td>
              <td>{s.lineIndex !== null && s.lineIndex !== undefined ? s.lineIndex + 1 : '—'}</td>
              <td>{t(`actors.${s.actor}`, { defaultValue: s.actor })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AcknowledgeLine({
  line,
  n,
  substitutes,
  disabled,
  onAcknowledge,
}: {
  line: PlanLine;
  n: number;
  substitutes: Offer[];
  disabled: boolean;
  onAcknowledge: NonNullable<PlanDetailsProps['onAcknowledge']>;
}) {
  const { t } = useTranslation();
  // A lower-tier line is acknowledged with the target the planner chose; a blocked line has none,
  // so the person names the substitute (the data at risk is recorded with it). Nothing is chosen
  // for them: accepting data loss with an offer nobody picked would be no acknowledgment at all.
  const proposed = line.targetOfferId;
  const [choice, setChoice] = useState(proposed ?? '');
  const id = `substitute-${n}`;
  return (
    <div className="stack">
      <p className="muted small">{t('planner.acknowledgeHelp')}</p>
      {!proposed && (
        <div className="field">
          <label htmlFor={id}>{t('planner.substituteFor', { n })}</label>
          <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)}>
            <option value="">{t('planner.chooseOffer')}</option>
            {substitutes.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <button
        type="button"
        className="warn"
        disabled={disabled || !choice}
        aria-label={t('planner.acknowledgeLine', { n })}
        onClick={() => onAcknowledge(line, choice, proposed ? line.addOnOfferIds : [])}
      >
        {t('planner.acknowledge')}
      </button>
    </div>
  );
}
