import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { newOffer } from '../fixtures/offers.ts';

/**
 * Price lists (SPEC §11, issue 15 item 2): the operator's PUT of an offer's whole list, prices per
 * market in that market's currency, and orders priced (or refused) in the tenant's market.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const put = (offerId: string, prices: unknown, headers: Record<string, string> = {}) =>
  t.call({
    method: 'PUT',
    url: `/api/admin/offers/${offerId}/prices`,
    token: t.operatorToken,
    body: { prices },
    headers,
  });

const priceRows = (offerId: string) =>
  t.handle.db
    .selectFrom('offer_prices')
    .selectAll()
    .where('offer_id', '=', offerId)
    .orderBy('market')
    .orderBy('effective_from')
    .execute();

const ES = { market: 'ES', currency: 'EUR', term: 'P1Y', billingCycle: 'annual', unitPrice: 15_000 };
const BR = { market: 'BR', currency: 'BRL', term: 'P1Y', billingCycle: 'annual', unitPrice: 82_500 };
const US = { market: 'US', currency: 'USD', term: 'P1Y', billingCycle: 'annual', unitPrice: 16_500 };

describe('PUT /api/admin/offers/{offerId}/prices', () => {
  it('replaces the list; offers show prices[], and ?market= gives the price and currency there', async () => {
    const offer = await newOffer(t);
    // The one-price shorthand of POST /api/admin/offers is a list of one already.
    expect(offer.prices).toEqual([
      { ...ES, unitPrice: 36_500, effectiveFrom: '2000-01-01', effectiveTo: null },
    ]);
    const r = await put(offer.id, [ES, BR, { ...US, billingCycle: 'monthly', unitPrice: 1_500 }, US]);
    expect(r.status).toBe(200);
    expect(r.body.prices).toHaveLength(4);
    expect(r.body.prices).toContainEqual({ ...BR, effectiveFrom: '2000-01-01', effectiveTo: null });
    expect(r.body.markets.sort()).toEqual(['BR', 'ES', 'US']);

    const inMarket = async (market: string) =>
      (
        await t.expectOk({ url: `/api/offers?market=${market}&limit=200`, token: t.operatorToken })
      ).items.find((o: { id: string }) => o.id === offer.id);
    expect(await inMarket('BR')).toMatchObject({ unitPrice: 82_500, currency: 'BRL' });
    expect(await inMarket('es')).toMatchObject({ unitPrice: 15_000, currency: 'EUR' });
    // The offer is annual: its US price is the annual one, not the monthly one beside it.
    expect(await inMarket('US')).toMatchObject({ unitPrice: 16_500, currency: 'USD' });
    expect(await inMarket('PT')).toBeUndefined();

    // Replaced, not merged: Brazil is gone, so the offer is no longer sold there.
    const again = await put(offer.id, [ES, US]);
    expect(again.status).toBe(200);
    expect(again.body.markets.sort()).toEqual(['ES', 'US']);
    expect(await inMarket('BR')).toBeUndefined();
  });

  it('is idempotent: the same list twice leaves the same list', async () => {
    const offer = await newOffer(t);
    const dated = [
      { ...ES, effectiveTo: '2030-01-01' },
      { ...ES, unitPrice: 16_000, effectiveFrom: '2030-01-01' },
    ];
    const first = await put(offer.id, dated);
    expect(first.status).toBe(200);
    const rows = await priceRows(offer.id);
    expect(rows).toHaveLength(2);
    const second = await put(offer.id, dated);
    expect(second.body.prices).toEqual(first.body.prices);
    expect(await priceRows(offer.id)).toEqual(rows);

    // A PUT is idempotent by itself (Idempotency-Key is for creating calls): the last list wins, whole.
    expect((await put(offer.id, [ES, BR])).status).toBe(200);
    expect((await put(offer.id, [ES, BR])).status).toBe(200);
    expect((await priceRows(offer.id)).map((p) => p.market)).toEqual(['BR', 'ES']);
  });

  it('refuses bad input with a 4xx code and changes nothing', async () => {
    const offer = await newOffer(t);
    await put(offer.id, [ES, BR]);
    const before = await priceRows(offer.id);
    const bad: [unknown, number, string][] = [
      [[ES, { ...ES, unitPrice: 1 }], 422, 'price_list_invalid'], // two prices on the same days
      [[ES, { ...ES, currency: 'USD', billingCycle: 'monthly' }], 422, 'price_list_invalid'], // two currencies
      [[{ ...ES, effectiveFrom: '2030-01-01', effectiveTo: '2029-01-01' }], 422, 'price_list_invalid'],
      [[{ ...ES, currency: 'eur' }], 400, 'invalid_request'],
      [[{ ...ES, market: 'ESP' }], 400, 'invalid_request'],
      [[{ ...ES, unitPrice: -1 }], 400, 'invalid_request'],
      [[{ ...ES, unitPrice: 12.5 }], 400, 'invalid_request'],
      [[{ ...ES, term: 'P2Y' }], 400, 'invalid_request'],
      [[{ ...ES, effectiveFrom: '2026-02-30' }], 400, 'invalid_request'],
      [[{ ...ES, extra: 1 }], 400, 'invalid_request'],
    ];
    for (const [prices, status, code] of bad) {
      const r = await put(offer.id, prices);
      expect([r.status, r.body.code], JSON.stringify(prices)).toEqual([status, code]);
      expect(typeof r.body.description).toBe('string');
    }
    expect(await priceRows(offer.id)).toEqual(before);
    const missing = await put('no-such-offer', [ES]);
    expect([missing.status, missing.body.code]).toEqual([404, 'offer_not_found']);
    // Only the operator sets prices.
    const p = await t.newPartner();
    const partner = await t.call({
      method: 'PUT',
      url: `/api/admin/offers/${offer.id}/prices`,
      token: p.tokens['account-admin'],
      body: { prices: [ES] },
    });
    expect(partner.status).toBe(403);
    expect(await priceRows(offer.id)).toEqual(before);
  });
});

describe('orders in the tenant market', () => {
  async function order(country: string, offerId: string) {
    const p = await t.newPartner({ country });
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], country });
    return t.call({
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/orders`,
      token: p.tokens['sales-agent'],
      body: { lineItems: [{ offerId, quantity: 5 }] },
    });
  }

  it('buys at the price and in the currency of the tenant market; refuses a market with no price, with a 4xx code', async () => {
    const offer = await newOffer(t);
    await put(offer.id, [ES, BR]);
    const es = await order('ES', offer.id);
    expect(es.status).toBe(201);
    expect(es.body.subscriptions[0]).toMatchObject({ unitPrice: 15_000, currency: 'EUR' });
    const br = await order('BR', offer.id);
    expect(br.status).toBe(201);
    expect(br.body.subscriptions[0]).toMatchObject({ unitPrice: 82_500, currency: 'BRL' });

    const us = await order('US', offer.id);
    expect([us.status, us.body.code]).toEqual([422, 'offer_not_in_market']);
  });

  it('refuses an offer listed in the market whose price there has ended', async () => {
    const offer = await newOffer(t);
    // Priced in Spain until 2001 only: listed there, no price today.
    await put(offer.id, [{ ...ES, effectiveTo: '2001-01-01' }, BR]);
    const view = await t.expectOk({ url: `/api/offers/${offer.id}`, token: t.operatorToken });
    expect(view.markets).toContain('ES');
    const before = await t.handle.db.selectFrom('subscriptions').select('id').execute();
    const es = await order('ES', offer.id);
    expect([es.status, es.body.code]).toEqual([422, 'offer_not_priced']);
    expect(es.body.description).toMatch(/market ES/);
    expect(await t.handle.db.selectFrom('subscriptions').select('id').execute()).toHaveLength(before.length);
  });
});
