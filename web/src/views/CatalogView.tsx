import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Offer } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { NumberField, useNumberField } from '../components/NumberField.tsx';
import { StatusBadge } from '../components/Status.tsx';
import { useFormat } from '../format.ts';
import { useAction, useLoad } from '../hooks.ts';
import { formatForInput } from '../number.ts';
import { useSession } from '../session.tsx';
import { allPages } from './common.ts';

const MARKETS = ['ES', 'BR', 'PT', 'FR', 'DE', 'US', 'MX'];

export function CatalogView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { can } = useSession();
  const [market, setMarket] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const offers = useLoad(() => allPages<Offer>('/api/offers', market ? { market } : {}), [market]);
  const isOperator = can('operator.catalog');
  const byId = new Map((offers.data ?? []).map((o) => [o.id, o]));
  return (
    <section>
      <h1>{t('catalog.title')}</h1>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="catalog-market">{t('catalog.market')}</label>
          <select id="catalog-market" value={market} onChange={(e) => setMarket(e.target.value)}>
            <option value="">{t('catalog.allMarkets')}</option>
            {MARKETS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorAlert error={offers.error} />
      {offers.loading && !offers.data && <Loading />}
      {offers.data && offers.data.length === 0 && <p>{t('catalog.none')}</p>}
      {offers.data && offers.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">{t('catalog.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('catalog.offer')}</th>
                <th scope="col">{t('catalog.kind')}</th>
                <th scope="col">{t('catalog.term')}</th>
                <th scope="col">{t('catalog.price')}</th>
                <th scope="col">{t('catalog.markets')}</th>
                <th scope="col">{t('catalog.status')}</th>
                <th scope="col">{t('catalog.successor')}</th>
                {isOperator && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {offers.data.map((o) => (
                <tr key={o.id} data-testid="offer-row" data-offer-id={o.id} data-status={o.status}>
                  <td>
                    {o.name}
                    <div className="muted small mono">{o.skuPartNumber}</div>
                  </td>
                  <td>{t(`catalog.kinds.${o.kind}`, { defaultValue: o.kind })}</td>
                  <td>
                    {t(`terms.${o.term}`, { defaultValue: o.term })} ·{' '}
                    {t(`billingCycles.${o.billingCycle}`, { defaultValue: o.billingCycle })}
                  </td>
                  <td>{f.money(o.unitPrice, o.currency)}</td>
                  <td>{o.markets.join(', ') || '—'}</td>
                  <td>
                    <StatusBadge status={o.status} />
                    {o.existingCustomersOnly && (
                      <div className="muted small">{t('catalog.existingOnly')}</div>
                    )}
                  </td>
                  <td>
                    {o.successorOfferId
                      ? [o.successorOfferId, ...(o.successorAddOnOfferIds ?? [])]
                          .map((id) => byId.get(id)?.name ?? id)
                          .join(' + ')
                      : '—'}
                  </td>
                  {isOperator && (
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        aria-label={t('catalog.editOffer', { name: o.name })}
                        aria-expanded={editing === o.id}
                        onClick={() => setEditing(editing === o.id ? null : o.id)}
                      >
                        {t('catalog.edit')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {isOperator && editing && byId.get(editing) && (
        <OfferEditor
          key={editing}
          offer={byId.get(editing)!}
          onSaved={() => {
            offers.reload();
          }}
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  );
}

function OfferEditor({ offer, onSaved, onClose }: { offer: Offer; onSaved(): void; onClose(): void }) {
  const { t } = useTranslation();
  const { locale } = useFormat();
  // In the console's language (12,50 in Spanish), and read back the same way.
  const price = useNumberField(
    offer.unitPrice === null ? '' : formatForInput(offer.unitPrice / 100, locale, 2),
    {
      min: 0,
      max: 10_000_000_000,
      maxFractionDigits: 2,
    },
  );
  const [status, setStatus] = useState(offer.status);
  const [existingOnly, setExistingOnly] = useState(offer.existingCustomersOnly);
  const [markets, setMarkets] = useState(offer.markets.join(', '));
  const [saved, setSaved] = useState(false);
  const save = useAction((_key: string, unitPrice: number | null) =>
    api<Offer>(`/api/admin/offers/${encodeURIComponent(offer.id)}`, {
      method: 'PATCH',
      body: {
        unitPrice,
        status,
        existingCustomersOnly: existingOnly,
        markets: markets
          .split(',')
          .map((m) => m.trim().toUpperCase())
          .filter(Boolean),
      },
    }),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    // An empty price means "not priced"; anything else must read as a number, or nothing is saved.
    const major = price.value.trim() === '' ? null : price.read();
    if (major === null && price.value.trim() !== '') return;
    if (await save.run(major === null ? null : Math.round(major * 100))) {
      setSaved(true);
      onSaved();
    }
  };
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="offer-edit-h" noValidate>
      <h2 id="offer-edit-h">{t('catalog.editing', { name: offer.name })}</h2>
      <NumberField id="offer-price" label={t('catalog.unitPrice')} field={price} />
      <div className="field">
        <label htmlFor="offer-status">{t('catalog.status')}</label>
        <select
          id="offer-status"
          value={status}
          onChange={(e) => setStatus(e.target.value as Offer['status'])}
        >
          <option value="available">{t('status.available')}</option>
          <option value="end-of-sale">{t('status.end-of-sale')}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="offer-markets">{t('catalog.markets')}</label>
        <input id="offer-markets" value={markets} onChange={(e) => setMarkets(e.target.value)} />
      </div>
      <div className="check">
        <input
          id="offer-existing"
          type="checkbox"
          checked={existingOnly}
          onChange={(e) => setExistingOnly(e.target.checked)}
        />
        <label htmlFor="offer-existing">{t('catalog.existingOnly')}</label>
      </div>
      <ErrorAlert error={save.error} />
      {saved && <Notice>{t('catalog.saved')}</Notice>}
      <div className="row">
        <button type="submit" disabled={save.pending}>
          {t('catalog.save')}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </form>
  );
}
