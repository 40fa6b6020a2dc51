import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Offer, Subscription } from '../api.ts';
import { useFormat } from '../format.ts';
import { Link } from '../router.tsx';
import { StatusBadge } from './Status.tsx';

/** Every subscription of a tenant, by channel, with status and dates. */
export function SubscriptionsTable({
  items,
  offers,
  caption,
  actions,
  linkTo,
}: {
  items: Subscription[];
  offers?: Map<string, Offer>;
  caption: string;
  actions?: (s: Subscription) => ReactNode;
  /** Where a subscription's name leads (its page), if anywhere. */
  linkTo?: (s: Subscription) => string;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  if (items.length === 0) return <p>{t('subscriptions.none')}</p>;
  const order = ['partner', 'direct', 'volume', 'trial'];
  const sorted = [...items].sort(
    (a, b) => order.indexOf(a.channel) - order.indexOf(b.channel) || a.termEnd.localeCompare(b.termEnd),
  );
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('subscriptions.offer')}</th>
            <th scope="col">{t('subscriptions.channel')}</th>
            <th scope="col">{t('subscriptions.status')}</th>
            <th scope="col">{t('subscriptions.seats')}</th>
            <th scope="col">{t('subscriptions.termStart')}</th>
            <th scope="col">{t('subscriptions.termEnd')}</th>
            <th scope="col">{t('subscriptions.autoRenew')}</th>
            <th scope="col">{t('subscriptions.billing')}</th>
            {actions && <th scope="col">{t('common.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {sorted.map((s) => (
            <tr
              key={s.id}
              data-testid="subscription-row"
              data-status={s.status}
              data-channel={s.channel}
              data-offer-id={s.offerId}
              data-subscription-id={s.id}
            >
              <td>
                {linkTo ? (
                  <Link href={linkTo(s)}>{s.offerName ?? offers?.get(s.offerId)?.name ?? s.offerId}</Link>
                ) : (
                  (s.offerName ?? offers?.get(s.offerId)?.name ?? s.offerId)
                )}
                {s.purchasedVia && (
                  <div className="muted small">
                    {t(`purchasedVia.${s.purchasedVia}`, { defaultValue: s.purchasedVia })}
                  </div>
                )}
              </td>
              <td>{t(`channels.${s.channel}`, { defaultValue: s.channel })}</td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td>
                {t('subscriptions.seatsValue', {
                  assigned: f.number(s.assignedSeats),
                  quantity: f.number(s.quantity),
                })}
              </td>
              <td>{f.date(s.termStart)}</td>
              <td>{f.date(s.termEnd)}</td>
              <td>{s.autoRenew ? t('common.on') : t('common.off')}</td>
              <td>
                {t(`billingCycles.${s.billingCycle}`, { defaultValue: s.billingCycle })}
                {s.unitPrice != null && <div className="muted small">{f.money(s.unitPrice, s.currency)}</div>}
              </td>
              {actions && <td>{actions(s)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
