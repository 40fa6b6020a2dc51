import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEMO_OFFERS, demoOffer } from './demo-catalog.ts';
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

  it('sells in ES and BR with integer prices', () => {
    for (const o of DEMO_OFFERS) {
      expect(o.markets).toEqual(['ES', 'BR']);
      expect(Number.isSafeInteger(o.unitPrice)).toBe(true);
      expect(o.minQuantity).toBeLessThanOrEqual(o.maxQuantity);
    }
  });
});
