import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOrder, checkOrderLine, type OrderableOffer, type TenantHoldings } from './orders.ts';

const offer = (over: Partial<OrderableOffer> = {}): OrderableOffer => ({
  id: 'base',
  skuId: 'sku-base',
  kind: 'base',
  baseOfferIds: [],
  status: 'available',
  existingCustomersOnly: false,
  successorOfferId: null,
  markets: ['ES', 'BR'],
  minQuantity: 1,
  maxQuantity: 300,
  unitPrice: 1000,
  ...over,
});
const es: TenantHoldings = { market: 'ES', heldSkus: new Set(), heldBaseOfferIds: new Set() };

describe('order rules', () => {
  it('accepts an available offer in the market within its limits', () => {
    expect(checkOrderLine({ offer: offer(), quantity: 10 }, es)).toBeNull();
  });

  it('refuses end of sale first, naming the successor', () => {
    const p = checkOrderLine(
      { offer: offer({ status: 'end-of-sale', successorOfferId: 'next' }), quantity: 0 },
      es,
    );
    expect(p).toEqual({ code: 'offer_end_of_sale', params: { offerId: 'base', successorOfferId: 'next' } });
  });

  it('refuses another market, whatever the case of the codes', () => {
    expect(checkOrderLine({ offer: offer({ markets: ['br'] }), quantity: 1 }, es)?.code).toBe(
      'offer_not_in_market',
    );
    expect(checkOrderLine({ offer: offer({ markets: ['es'] }), quantity: 1 }, es)).toBeNull();
  });

  it('refuses an offer with no price (imported, not yet set up)', () => {
    expect(checkOrderLine({ offer: offer({ unitPrice: null }), quantity: 1 }, es)?.code).toBe(
      'offer_not_priced',
    );
  });

  it('accepts exactly the quantities within min and max (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: -10, max: 200 }),
        (min, span, q) => {
          const o = offer({ minQuantity: min, maxQuantity: min + span });
          const p = checkOrderLine({ offer: o, quantity: q }, es);
          const inside = q >= min && q <= min + span;
          expect(p === null).toBe(inside);
          if (!inside) expect(p?.code).toBe('quantity_out_of_range');
        },
      ),
    );
  });

  it('sells an existing-customers-only offer only to a tenant holding the SKU', () => {
    const o = offer({ existingCustomersOnly: true });
    expect(checkOrderLine({ offer: o, quantity: 1 }, es)?.code).toBe('offer_existing_customers_only');
    expect(checkOrderLine({ offer: o, quantity: 1 }, { ...es, heldSkus: new Set(['sku-base']) })).toBeNull();
  });

  it('needs the base of an add-on in the order or in the tenant', () => {
    const addOn = offer({ id: 'teams', skuId: 'sku-teams', kind: 'add-on', baseOfferIds: ['base'] });
    expect(checkOrder([{ offer: addOn, quantity: 1 }], es)?.code).toBe('offer_needs_base');
    expect(
      checkOrder(
        [
          { offer: offer(), quantity: 1 },
          { offer: addOn, quantity: 1 },
        ],
        es,
      ),
    ).toBeNull();
    expect(
      checkOrder([{ offer: addOn, quantity: 1 }], { ...es, heldBaseOfferIds: new Set(['base']) }),
    ).toBeNull();
    expect(
      checkOrder([{ offer: addOn, quantity: 1 }], { ...es, heldBaseOfferIds: new Set(['other']) })?.code,
    ).toBe('offer_needs_base');
  });

  it('refuses the same offer twice', () => {
    expect(
      checkOrder(
        [
          { offer: offer(), quantity: 1 },
          { offer: offer(), quantity: 2 },
        ],
        es,
      )?.code,
    ).toBe('duplicate_line_item');
  });
});
