import { describe, expect, it } from 'vitest';
import { product, reference } from '../../../test/fixtures/reference.ts';
import { parseReferenceRows, productsFromRows, type ReferenceRow } from './reference.ts';

const row = (over: Partial<ReferenceRow> = {}): ReferenceRow => ({
  Product_Display_Name: 'Exchange Online (Plan 1)',
  String_Id: 'EXCHANGESTANDARD',
  GUID: '4B9405B0-7788-4568-ADD1-99614E613B69',
  Service_Plan_Name: 'EXCHANGE_S_STANDARD',
  Service_Plan_Id: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
  Service_Plans_Included_Friendly_Names: 'Exchange Online (Plan 1)',
  ...over,
});

describe('productsFromRows on the real reference CSV', () => {
  it('finds about 570 products, one per GUID, with clean part numbers', () => {
    const { products, rows } = reference();
    expect(rows.length).toBeGreaterThan(5000);
    expect(products.length).toBeGreaterThanOrEqual(560);
    expect(products.length).toBeLessThanOrEqual(580);
    expect(new Set(products.map((p) => p.skuId)).size).toBe(products.length);
    for (const p of products) {
      expect(p.skuId).toMatch(/^[0-9a-f-]{36}$/);
      expect(p.skuPartNumber).not.toMatch(/\s/);
      expect(p.servicePlans.length).toBeGreaterThan(0);
      expect(new Set(p.servicePlans.map((s) => s.id)).size).toBe(p.servicePlans.length);
    }
  });

  it('has Business Standard (O365_BUSINESS_PREMIUM) with Exchange Plan 1 as a 50 GB mailbox', () => {
    const std = product('O365_BUSINESS_PREMIUM');
    expect(std.name).toBe('Microsoft 365 Business Standard');
    expect(std.skuId).toBe('f245ecc8-75af-4f8e-b61f-27d8114de5f3');
    expect(std.servicePlans.find((s) => s.name === 'EXCHANGE_S_STANDARD')).toMatchObject({
      id: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
      workload: 'mailbox',
      tier: 2,
      holdsUserData: true,
      quotaLabel: '50 GB',
    });
  });

  it('has the suites the demo catalog uses', () => {
    for (const pn of [
      'O365_BUSINESS_ESSENTIALS',
      'SPB',
      'ENTERPRISEPACK',
      'SPE_E3',
      'STANDARDPACK',
      'Office_365_w/o_Teams_Bundle_E1',
      'Microsoft_Teams_EEA_New',
      'EXCHANGESTANDARD',
      'O365_BUSINESS',
      'PROJECTPREMIUM',
    ]) {
      expect(product(pn).skuPartNumber).toBe(pn);
    }
    expect(product('Microsoft_365_ Business_ Premium_(no Teams)').name).toBe(
      'Microsoft 365 Business Premium (no Teams)',
    );
  });

  it('gives one plan id one canonical name across products', () => {
    const names = new Map<string, Set<string>>();
    for (const p of reference().products) {
      for (const s of p.servicePlans) names.set(s.id, (names.get(s.id) ?? new Set()).add(s.name));
    }
    for (const [id, set] of names) expect([...set], id).toHaveLength(1);
    const eduProject = reference()
      .products.flatMap((p) => p.servicePlans)
      .find((s) => s.id === '664a2fed-6c7a-468e-af35-d61740f0ec90');
    expect(eduProject).toMatchObject({ name: 'SHAREPOINT_PROJECT_EDU', workload: 'project' });
  });

  it('reports nothing wrong with the published file', () => {
    expect(parseReferenceRows(reference().rows).problems).toEqual([]);
  });
});

describe('productsFromRows', () => {
  it('lower-cases GUIDs, trims them, and removes all whitespace from part numbers', () => {
    const [p] = productsFromRows([
      row({ GUID: ' 4B9405B0-7788-4568-ADD1-99614E613B69 ', String_Id: 'EXCHANGE STANDARD ' }),
    ]);
    expect(p).toMatchObject({
      skuId: '4b9405b0-7788-4568-add1-99614e613b69',
      skuPartNumber: 'EXCHANGESTANDARD',
    });
  });

  it('de-duplicates plans and orders products and plans deterministically', () => {
    const rows = [
      row({ Service_Plan_Name: 'INTUNE_O365', Service_Plan_Id: '882e1d05-acd1-4ccb-8708-6ee03664b117' }),
      row(),
      row(),
      row({
        GUID: '3b555118-da6a-4418-894f-7df1e2096870',
        String_Id: 'O365_BUSINESS_ESSENTIALS',
        Product_Display_Name: 'Microsoft 365 Business Basic',
      }),
    ];
    const a = productsFromRows(rows);
    const b = productsFromRows([...rows].reverse());
    expect(a).toEqual(b);
    expect(a.map((p) => p.skuPartNumber)).toEqual(['EXCHANGESTANDARD', 'O365_BUSINESS_ESSENTIALS']);
    expect(a[0]?.servicePlans.map((s) => s.name)).toEqual(['EXCHANGE_S_STANDARD', 'INTUNE_O365']);
  });

  it('skips and reports rows it cannot key', () => {
    const { products, problems } = parseReferenceRows([
      row({ GUID: 'not-a-guid' }),
      row({ Service_Plan_Id: '' }),
      row({ String_Id: '  ' }),
      row(),
    ]);
    expect(problems).toEqual([
      { row: 0, reason: 'bad-sku-id' },
      { row: 1, reason: 'bad-service-plan-id' },
      { row: 2, reason: 'missing-part-number' },
    ]);
    expect(products).toHaveLength(1);
  });
});
