import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEMO_OFFERS, demoOffer } from './demo-catalog.ts';
import { EEA_COUNTRIES, isEeaOnly } from './prices.ts';
import { productsFromRows, type ReferenceRow } from './reference.ts';

const rows = parse(
  readFileSync(new URL('../../../data/licensing-service-plans.csv', import.meta.url), 'utf8'),
  {
    columns: true,
    bom: true,
    skip_empty_lines: true,
  },
) as ReferenceRow[];
const products = new Map(productsFromRows(rows).map((p) => [p.skuId, p]));
const product = (offerId: string) => products.get(demoOffer(offerId).skuId)!;

describe('demo catalog', () => {
  it('uses only real SKUs of the reference', () => {
    for (const o of DEMO_OFFERS) expect(products.has(o.skuId), o.id).toBe(true);
  });

  it('has the products SPEC §5 names, by their real part numbers', () => {
    expect(product('demo-m365-business-basic').skuPartNumber).toBe('O365_BUSINESS_ESSENTIALS');
    expect(product('demo-m365-business-standard').skuPartNumber).toBe('O365_BUSINESS_PREMIUM');
    expect(product('demo-m365-business-premium').skuPartNumber).toBe('SPB');
    expect(product('demo-o365-e3').skuPartNumber).toBe('ENTERPRISEPACK');
    expect(product('demo-m365-e3').skuPartNumber).toBe('SPE_E3');
    expect(product('demo-o365-e1').skuPartNumber).toBe('STANDARDPACK');
    expect(product('demo-exchange-online-plan-1').skuPartNumber).toBe('EXCHANGESTANDARD');
    expect(product('demo-m365-apps-for-business').skuPartNumber).toBe('O365_BUSINESS');
    expect(product('demo-teams-eea').name).toBe('Microsoft Teams EEA');
    for (const id of [
      'demo-o365-e1-eea-no-teams',
      'demo-o365-e3-eea-no-teams',
      'demo-m365-e3-eea-no-teams',
    ]) {
      expect(product(id).name).toMatch(/EEA \(no Teams\)$/);
    }
  });

  it('gives every existing-customers-only and end-of-sale suite a successor: its no-Teams suite plus Teams EEA', () => {
    for (const id of ['demo-o365-e3', 'demo-m365-e3', 'demo-o365-e1']) {
      const o = demoOffer(id);
      expect(o.status === 'end-of-sale' || o.existingCustomersOnly).toBe(true);
      const successor = demoOffer(o.successorOfferId!);
      expect(successor.status).toBe('available');
      expect(successor.existingCustomersOnly).toBe(false);
      expect(o.successorAddOnOfferIds).toEqual(['demo-teams-eea']);
      expect(demoOffer('demo-teams-eea').baseOfferIds).toContain(successor.id);
      expect(product(successor.id).servicePlans.some((p) => p.name === 'TEAMS1')).toBe(false);
      expect(product('demo-teams-eea').servicePlans.some((p) => p.name === 'TEAMS1')).toBe(true);
    }
    expect(demoOffer('demo-o365-e1').status).toBe('end-of-sale');
  });

  it('has one end-of-sale offer whose data workload no orderable offer carries', () => {
    const orderable = DEMO_OFFERS.filter((o) => o.status === 'available');
    const carried = new Set(orderable.flatMap((o) => product(o.id).servicePlans.map((p) => p.workload)));
    const stranded = DEMO_OFFERS.filter(
      (o) =>
        o.status === 'end-of-sale' &&
        product(o.id).servicePlans.some((p) => p.holdsUserData && !carried.has(p.workload)),
    );
    expect(stranded.map((o) => o.id)).toEqual(['demo-project-online-premium']);
  });

  it('prices every offer in EUR for Spain, BRL for Brazil and USD for the United States, in integers', () => {
    const currencyOf: Record<string, string> = { ES: 'EUR', BR: 'BRL', US: 'USD' };
    for (const o of DEMO_OFFERS) {
      expect(o.prices.map((p) => p.market)).toEqual(o.markets);
      expect(o.markets).toContain('ES');
      for (const p of o.prices) {
        expect(p.currency, `${o.id} ${p.market}`).toBe(currencyOf[p.market]);
        expect(Number.isSafeInteger(p.unitPrice) && p.unitPrice > 0).toBe(true);
      }
      expect(o.minQuantity).toBeLessThanOrEqual(o.maxQuantity);
    }
  });

  it('sells EEA-only products (Teams EEA, the "EEA (no Teams)" suites) only in EEA markets, the rest in all three', () => {
    const eea = DEMO_OFFERS.filter((o) => isEeaOnly(product(o.id).name)).map((o) => o.id);
    expect(eea.sort()).toEqual([
      'demo-m365-e3-eea-no-teams',
      'demo-o365-e1-eea-no-teams',
      'demo-o365-e3-eea-no-teams',
      'demo-teams-eea',
    ]);
    for (const o of DEMO_OFFERS) {
      if (eea.includes(o.id)) {
        expect(
          o.markets.every((m) => EEA_COUNTRIES.has(m)),
          o.id,
        ).toBe(true);
      } else {
        expect(o.markets, o.id).toEqual(['ES', 'BR', 'US']);
      }
    }
  });
});
