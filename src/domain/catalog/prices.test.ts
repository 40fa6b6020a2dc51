import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPriceList, type PriceEntry, parsePriceRows, priceOn, toMinorUnits } from './prices.ts';

const p = (x: Partial<PriceEntry> = {}): PriceEntry => ({
  market: 'ES',
  currency: 'EUR',
  term: 'P1Y',
  billingCycle: 'annual',
  unitPrice: 1000,
  effectiveFrom: '2000-01-01',
  effectiveTo: null,
  ...x,
});

describe('price lists', () => {
  it('picks the price of the market, term, billing plan and day; none elsewhere', () => {
    const list = [
      p({ effectiveTo: '2026-07-01' }),
      p({ unitPrice: 1200, effectiveFrom: '2026-07-01' }),
      p({ market: 'BR', currency: 'BRL', unitPrice: 5500 }),
      p({ billingCycle: 'monthly', unitPrice: 1100 }),
    ];
    const want = { term: 'P1Y', billingCycle: 'annual', market: 'es' } as const;
    expect(priceOn(list, { ...want, day: '2026-06-30' })?.unitPrice).toBe(1000);
    expect(priceOn(list, { ...want, day: '2026-07-01' })?.unitPrice).toBe(1200);
    expect(priceOn(list, { ...want, market: 'BR', day: '2026-07-01' })?.currency).toBe('BRL');
    expect(priceOn(list, { ...want, billingCycle: 'monthly', day: '2026-07-01' })?.unitPrice).toBe(1100);
    expect(priceOn(list, { ...want, market: 'US', day: '2026-07-01' })).toBeNull();
    expect(priceOn(list, { ...want, term: 'P3Y', day: '2026-07-01' })).toBeNull();
  });

  it('refuses two prices on the same day, two currencies in one market, and spans that end before they start', () => {
    expect(
      checkPriceList([p(), p({ billingCycle: 'monthly' }), p({ market: 'BR', currency: 'BRL' })]),
    ).toEqual([]);
    expect(checkPriceList([p(), p({ unitPrice: 2 })]).map((x) => x.problem)).toEqual(['overlap']);
    expect(
      checkPriceList([p(), p({ currency: 'USD', billingCycle: 'monthly' })]).map((x) => x.problem),
    ).toEqual(['two-currencies']);
    expect(
      checkPriceList([p({ effectiveTo: '2026-01-01' }), p({ effectiveFrom: '2026-01-01', unitPrice: 2 })]),
    ).toEqual([]);
    expect(checkPriceList([p({ effectiveFrom: '2026-01-01', effectiveTo: '2026-01-01' })])).toEqual([
      { problem: 'bad-dates', index: 0 },
    ]);
    expect(checkPriceList([p({ effectiveFrom: '2026-02-30' })])).toEqual([
      { problem: 'bad-dates', index: 0 },
    ]);
  });

  it('reads amounts in the currency units, never with more decimals than it has', () => {
    expect(toMinorUnits('12.50', 'EUR')).toBe(1250);
    expect(toMinorUnits('12', 'BRL')).toBe(1200);
    expect(toMinorUnits('12.5', 'USD')).toBe(1250);
    expect(toMinorUnits('1500', 'JPY')).toBe(1500);
    expect(toMinorUnits('12.345', 'EUR')).toBeNull();
    expect(toMinorUnits('12.5', 'JPY')).toBeNull();
    expect(toMinorUnits('-1', 'EUR')).toBeNull();
    expect(toMinorUnits('1,5', 'EUR')).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (minor) => {
        const text = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
        expect(toMinorUnits(text, 'EUR')).toBe(minor);
      }),
    );
  });

  it('reads a price-list file by its headers (ours or the vendor names) and reports every bad row by line', () => {
    const rec = (line: number, values: Record<string, string>) => ({ line, values });
    const head = {
      SkuId: '3b555118-da6a-4418-894f-7df1e2096870',
      ProductTitle: 'Microsoft 365 Business Basic',
      Market: 'es',
      Currency: 'EUR',
      TermDuration: 'P1Y',
      BillingPlan: 'Annual',
      UnitPrice: '72.00',
      EffectiveStartDate: '2026-01-01T00:00:00Z',
      EffectiveEndDate: '',
    };
    const { rows, problems } = parsePriceRows([
      rec(2, head),
      rec(3, { ...head, Market: 'Spain', UnitPrice: 'free' }),
      rec(4, { ...head, BillingPlan: 'weekly' }),
      rec(5, { ...head, EffectiveEndDate: '2025-01-01' }),
    ]);
    expect(rows).toEqual([
      {
        line: 2,
        offerId: null,
        skuId: '3b555118-da6a-4418-894f-7df1e2096870',
        entry: p({ unitPrice: 7200, effectiveFrom: '2026-01-01' }),
      },
    ]);
    expect(problems.map((x) => x.line)).toEqual([3, 4, 5]);
    expect(problems[0]!.message).toMatch(/market "Spain".*unit price "free"/);
    expect(parsePriceRows([rec(2, { offerId: 'x', market: 'ES' })]).problems).toEqual([
      { line: 1, message: 'missing columns: currency, term, billingCycle, unitPrice' },
    ]);
  });
});
