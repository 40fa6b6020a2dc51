import { type FormEvent, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  api,
  type Customer,
  newIdempotencyKey,
  type Offer,
  type Order,
  type Page,
} from '../api.ts';
import { ErrorAlert, Loading } from '../components/Alert.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { NumberField, useNumberField } from '../components/NumberField.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { allPages } from './common.ts';

function Breadcrumb({ tenantId, name }: { tenantId: string; name?: string | undefined }) {
  const { t } = useTranslation();
  return (
    <p className="breadcrumb">
      <Link href="/customers">{t('nav.customers')}</Link> ›{' '}
      <Link href={`/customers/${encodeURIComponent(tenantId)}`}>{name ?? t('subscription.customer')}</Link>
    </p>
  );
}

/** A customer's orders: date, lines (offer and seats), what each charged, totals per currency. */
export function OrdersView({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const base = `/api/customers/${encodeURIComponent(tenantId)}`;
  const customer = useLoad(() => api<Customer>(base), [base]);
  const orders = useLoad(() => api<Page<Order>>(`${base}/orders`, { query: { limit: 100 } }), [base]);
  return (
    <section>
      <Breadcrumb tenantId={tenantId} name={customer.data?.companyName} />
      <h1>{t('orders.title')}</h1>
      {can('orders.create') && (
        <p className="row">
          <Link className="button-link" href={`/customers/${encodeURIComponent(tenantId)}/orders/new`}>
            {t('orders.new')}
          </Link>
        </p>
      )}
      <ErrorAlert error={orders.error} />
      {orders.data ? (
        orders.data.items.length === 0 ? (
          <p>{t('orders.none')}</p>
        ) : (
          <table>
            <caption className="sr-only">{t('orders.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('orders.date')}</th>
                <th scope="col">{t('orders.lines')}</th>
                <th scope="col">{t('orders.total')}</th>
              </tr>
            </thead>
            <tbody>
              {orders.data.items.map((o) => (
                <tr key={o.id} data-testid="order-row" data-order-id={o.id} data-lines={o.lineItems.length}>
                  <td>{f.dateTime(o.createdAt)}</td>
                  <td>
                    <ul className="plain">
                      {o.lineItems.map((l) => (
                        <li key={l.subscriptionId} data-offer-id={l.offerId} data-quantity={l.quantity}>
                          <Link
                            href={`/customers/${encodeURIComponent(tenantId)}/subscriptions/${encodeURIComponent(l.subscriptionId)}`}
                          >
                            {l.offerName ?? l.offerId}
                          </Link>{' '}
                          × {f.number(l.quantity)}
                          {l.amount !== undefined && (
                            <span className="muted"> · {f.money(l.amount, l.currency)}</span>
                          )}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td data-testid="order-total">{o.totals?.length ? f.amounts(o.totals) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : (
        !orders.error && <Loading />
      )}
    </section>
  );
}

/** A new order: pick an offer sold in the customer's market, seats, the total, confirm. */
export function NewOrderView({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const base = `/api/customers/${encodeURIComponent(tenantId)}`;
  const customer = useLoad(() => api<Customer>(base), [base]);
  const market = customer.data?.country;
  const offers = useLoad(async () => (market ? allPages<Offer>('/api/offers', { market }) : []), [market]);
  const [search, setSearch] = useState('');
  const [offerId, setOfferId] = useState('');
  const [review, setReview] = useState<{ offer: Offer; quantity: number } | null>(null);
  const quantity = useNumberField('1', { min: 1, max: 1_000_000, maxFractionDigits: 0 });
  // One key per intended order, kept until it succeeds: a double click or a retry orders once.
  const key = useRef<string>(newIdempotencyKey());
  const place = useAction(async (_k: string, offer: Offer, q: number) => {
    try {
      return await api<Order>(`${base}/orders`, {
        method: 'POST',
        idempotencyKey: key.current,
        body: { lineItems: [{ offerId: offer.id, quantity: q }] },
      });
    } catch (e) {
      // A refusal is definitive: the corrected order is another intended order, with its own key.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429)
        key.current = newIdempotencyKey();
      throw e;
    }
  });
  const sellable = useMemo(
    () =>
      (offers.data ?? []).filter(
        (o) => o.status === 'available' && o.unitPrice !== null && o.kind === 'base',
      ),
    [offers.data],
  );
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return sellable.filter(
      (o) => !q || o.name.toLowerCase().includes(q) || o.skuPartNumber.toLowerCase().includes(q),
    );
  }, [sellable, search]);
  const chosen = sellable.find((o) => o.id === offerId);
  const typed = Number.parseInt(quantity.value, 10);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = quantity.read();
    if (q === null || !chosen) return;
    setReview({ offer: chosen, quantity: q });
  };
  const confirm = async () => {
    if (!review) return;
    const r = await place.run(review.offer, review.quantity);
    if (r) navigate(`/customers/${encodeURIComponent(tenantId)}/orders`);
  };
  return (
    <section>
      <Breadcrumb tenantId={tenantId} name={customer.data?.companyName} />
      <h1>{t('orders.newTitle')}</h1>
      {market && <p className="muted">{t('orders.market', { market })}</p>}
      <ErrorAlert error={customer.error ?? offers.error} />
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="offer-search">{t('orders.search')}</label>
          <input id="offer-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        {offers.data ? (
          <fieldset data-testid="offer-picker">
            <legend>{t('orders.offer')}</legend>
            {shown.length === 0 && <p>{t('orders.noOffers')}</p>}
            <div className="offer-list">
              {shown.slice(0, 100).map((o) => (
                <label key={o.id} className="offer-choice" data-testid="offer-choice" data-offer-id={o.id}>
                  <input
                    type="radio"
                    name="offer"
                    value={o.id}
                    checked={offerId === o.id}
                    onChange={() => setOfferId(o.id)}
                  />{' '}
                  <span>
                    {o.name}{' '}
                    <span className="muted small">
                      {t(`orders.segments.${o.segment ?? 'commercial'}`, { defaultValue: o.segment ?? '' })} ·{' '}
                      {t(`orders.purposes.${o.purpose ?? 'user'}`, { defaultValue: o.purpose ?? '' })} ·{' '}
                      {t(`terms.${o.term}`, { defaultValue: o.term })} ·{' '}
                      {t(`billingCycles.${o.billingCycle}`, { defaultValue: o.billingCycle })} ·{' '}
                      {f.money(o.unitPrice, o.currency)}
                    </span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        ) : (
          <Loading />
        )}
        <NumberField
          id="order-quantity"
          label={t('orders.quantity')}
          field={quantity}
          decimal={false}
          required
          {...(chosen
            ? {
                help: t('orders.limits', {
                  min: f.number(chosen.minQuantity),
                  max: f.number(chosen.maxQuantity),
                }),
              }
            : {})}
        />
        <p data-testid="order-total">
          {t('orders.totalLabel')}{' '}
          <strong>
            {chosen && Number.isFinite(typed) && typed > 0
              ? f.money(chosen.unitPrice! * typed, chosen.currency)
              : '—'}
          </strong>
        </p>
        <button type="submit" disabled={!chosen}>
          {t('orders.review')}
        </button>
      </form>
      {review && (
        <ConfirmDialog
          title={t('orders.confirmTitle')}
          confirmLabel={t('orders.place')}
          onConfirm={confirm}
          onCancel={() => {
            setReview(null);
            place.clearError();
          }}
          pending={place.pending}
          error={place.error}
          testId="order-confirmation"
        >
          <p>
            {t('orders.confirmText', {
              offer: review.offer.name,
              quantity: f.number(review.quantity),
              total: f.money(review.offer.unitPrice! * review.quantity, review.offer.currency),
            })}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
