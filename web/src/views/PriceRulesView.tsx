import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorAlert, Loading, Notice } from '../components/Alert.tsx';
import { useAction, useLoad } from '../hooks.ts';
import { BillingShell } from './BillingView.tsx';
import type { PriceRule } from './billing-common.tsx';
import { loadCustomers, loadOfferNames } from './common.ts';

interface Row {
  key: number;
  offerId: string;
  tenantId: string;
  /** As typed: a decimal with at most two places, with a point or a comma. */
  markup: string;
}

const MARKUP = /^-?\d{1,4}([.,]\d{1,2})?$/;
let nextKey = 1;

function toRow(r: PriceRule): Row {
  return {
    key: nextKey++,
    offerId: r.offerId ?? '',
    tenantId: r.tenantId ?? '',
    markup: String(r.markupPercent),
  };
}

/**
 * The partner's customer prices: a markup per offer, optionally per customer (the most specific
 * rule wins). Saving replaces every rule; lines written from then on carry the new prices.
 */
export function PriceRulesView() {
  const { t } = useTranslation();
  const load = useLoad(async () => {
    const [rules, offers, customers] = await Promise.all([
      api<{ rules: PriceRule[] }>('/api/partner/price-rules'),
      loadOfferNames(),
      loadCustomers(),
    ]);
    return { rules: rules.rules, offers: [...offers.byOffer.values()], customers };
  }, []);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (load.data) setRows(load.data.rules.map(toRow));
  }, [load.data]);
  const save = useAction((_key: string, rules: PriceRule[]) =>
    api<{ rules: PriceRule[] }>('/api/partner/price-rules', { method: 'PUT', body: { rules } }),
  );
  const invalid = (rows ?? []).some((r) => !MARKUP.test(r.markup.trim()));
  const update = (key: number, patch: Partial<Row>) => {
    setSaved(false);
    setRows((rs) => (rs ?? []).map((r) => (r.key === key ? { ...r, ...patch } : r)));
  };
  const submit = async () => {
    if (!rows || invalid) return;
    const rules: PriceRule[] = rows.map((r) => ({
      ...(r.offerId ? { offerId: r.offerId } : {}),
      ...(r.tenantId ? { tenantId: r.tenantId } : {}),
      // A percentage, not money: the server reads it back from its decimal text.
      markupPercent: Number(r.markup.trim().replace(',', '.')),
    }));
    const res = await save.run(rules);
    if (res) {
      setRows(res.rules.map(toRow));
      setSaved(true);
    }
  };
  return (
    <BillingShell section="price-rules">
      <section aria-labelledby="price-rules-title" className="stack">
        <h2 id="price-rules-title">{t('billing.priceRules.title')}</h2>
        <p className="muted">{t('billing.priceRules.intro')}</p>
        <ErrorAlert error={load.error} />
        {load.loading && !load.data && <Loading />}
        {load.data && rows && (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            {rows.length === 0 && <p>{t('billing.priceRules.none')}</p>}
            {rows.length > 0 && (
              <div className="table-wrap">
                <table data-testid="price-rules">
                  <caption className="sr-only">{t('billing.priceRules.caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('billing.priceRules.offer')}</th>
                      <th scope="col">{t('billing.customer')}</th>
                      <th scope="col">{t('billing.priceRules.markup')}</th>
                      <th scope="col">
                        <span className="sr-only">{t('billing.priceRules.actions')}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r, i) => (
                      <tr key={r.key} data-testid="price-rule">
                        <td>
                          <select
                            aria-label={t('billing.priceRules.offerOf', { n: i + 1 })}
                            value={r.offerId}
                            onChange={(e) => update(r.key, { offerId: e.target.value })}
                          >
                            <option value="">{t('billing.priceRules.everyOffer')}</option>
                            {load.data?.offers.map((o) => (
                              <option key={o.id} value={o.id}>
                                {o.name}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td>
                          <select
                            aria-label={t('billing.priceRules.customerOf', { n: i + 1 })}
                            value={r.tenantId}
                            onChange={(e) => update(r.key, { tenantId: e.target.value })}
                          >
                            <option value="">{t('billing.priceRules.everyCustomer')}</option>
                            {load.data?.customers.map((c) => (
                              <option key={c.id} value={c.id}>
                                {c.companyName}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td>
                          <input
                            aria-label={t('billing.priceRules.markupOf', { n: i + 1 })}
                            inputMode="decimal"
                            size={8}
                            value={r.markup}
                            aria-invalid={!MARKUP.test(r.markup.trim())}
                            onChange={(e) => update(r.key, { markup: e.target.value })}
                          />{' '}
                          %
                        </td>
                        <td>
                          <button
                            type="button"
                            className="secondary"
                            aria-label={t('billing.priceRules.removeOf', { n: i + 1 })}
                            onClick={() => {
                              setSaved(false);
                              setRows((rs) => (rs ?? []).filter((x) => x.key !== r.key));
                            }}
                          >
                            {t('billing.priceRules.remove')}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {invalid && (
              <p className="bad-text" role="alert">
                {t('billing.priceRules.invalidMarkup')}
              </p>
            )}
            <div className="row">
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setSaved(false);
                  setRows((rs) => [
                    ...(rs ?? []),
                    { key: nextKey++, offerId: '', tenantId: '', markup: '0' },
                  ]);
                }}
              >
                {t('billing.priceRules.add')}
              </button>
              <button type="submit" disabled={save.pending || invalid}>
                {t('billing.priceRules.save')}
              </button>
            </div>
            <ErrorAlert error={save.error} />
            {saved && <Notice testId="price-rules-saved">{t('billing.priceRules.saved')}</Notice>}
          </form>
        )}
      </section>
    </BillingShell>
  );
}
