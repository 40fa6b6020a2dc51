/**
 * Can this tenant order these offers today? Pure rules over the catalog and what the tenant already
 * holds, so that orders and the transition planner refuse the same things for the same reasons.
 */
export interface OrderableOffer {
  id: string;
  skuId: string;
  kind: 'base' | 'add-on';
  /** For an add-on: the bases it needs (empty = any base offer). */
  baseOfferIds: string[];
  status: 'available' | 'end-of-sale';
  existingCustomersOnly: boolean;
  successorOfferId: string | null;
  markets: string[];
  minQuantity: number;
  maxQuantity: number;
  unitPrice: number | null;
}

export interface OrderLine {
  offer: OrderableOffer;
  quantity: number;
}

export interface TenantHoldings {
  /** The tenant's country: the market it buys in. */
  market: string;
  /** SKUs the tenant holds through any channel (live subscriptions). */
  heldSkus: ReadonlySet<string>;
  /** Base offers the tenant holds through any channel (live subscriptions). */
  heldBaseOfferIds: ReadonlySet<string>;
}

export type OrderProblem =
  | { code: 'duplicate_line_item'; params: { offerId: string } }
  | { code: 'offer_end_of_sale'; params: { offerId: string; successorOfferId?: string } }
  | { code: 'offer_not_in_market'; params: { offerId: string; market: string } }
  | { code: 'offer_not_priced'; params: { offerId: string; market: string } }
  | {
      code: 'quantity_out_of_range';
      params: { offerId: string; quantity: number; minQuantity: number; maxQuantity: number };
    }
  | { code: 'offer_existing_customers_only'; params: { offerId: string; skuId: string } }
  | { code: 'offer_needs_base'; params: { offerId: string; baseOfferIds: string[] } };

/** The first problem of one line, in the order a person would fix them; null when it may be ordered. */
export function checkOrderLine(line: OrderLine, holdings: TenantHoldings): OrderProblem | null {
  const { offer, quantity } = line;
  if (offer.status !== 'available') {
    return {
      code: 'offer_end_of_sale',
      params: {
        offerId: offer.id,
        ...(offer.successorOfferId ? { successorOfferId: offer.successorOfferId } : {}),
      },
    };
  }
  const market = holdings.market.toUpperCase();
  if (!offer.markets.some((m) => m.toUpperCase() === market)) {
    return { code: 'offer_not_in_market', params: { offerId: offer.id, market } };
  }
  // Priced in this market (its price list), or not orderable here (SPEC §11).
  if (offer.unitPrice === null) return { code: 'offer_not_priced', params: { offerId: offer.id, market } };
  if (!Number.isInteger(quantity) || quantity < offer.minQuantity || quantity > offer.maxQuantity) {
    return {
      code: 'quantity_out_of_range',
      params: { offerId: offer.id, quantity, minQuantity: offer.minQuantity, maxQuantity: offer.maxQuantity },
    };
  }
  if (offer.existingCustomersOnly && !holdings.heldSkus.has(offer.skuId)) {
    return { code: 'offer_existing_customers_only', params: { offerId: offer.id, skuId: offer.skuId } };
  }
  return null;
}

/** Checks a whole order: every line, no offer twice, and every add-on with a base it needs. */
export function checkOrder(lines: OrderLine[], holdings: TenantHoldings): OrderProblem | null {
  const seen = new Set<string>();
  for (const line of lines) {
    if (seen.has(line.offer.id)) return { code: 'duplicate_line_item', params: { offerId: line.offer.id } };
    seen.add(line.offer.id);
  }
  for (const line of lines) {
    const problem = checkOrderLine(line, holdings);
    if (problem) return problem;
  }
  const orderedBases = lines.filter((l) => l.offer.kind === 'base').map((l) => l.offer.id);
  const bases = new Set([...holdings.heldBaseOfferIds, ...orderedBases]);
  for (const { offer } of lines) {
    if (offer.kind !== 'add-on') continue;
    const ok =
      offer.baseOfferIds.length === 0 ? bases.size > 0 : offer.baseOfferIds.some((b) => bases.has(b));
    if (!ok)
      return { code: 'offer_needs_base', params: { offerId: offer.id, baseOfferIds: offer.baseOfferIds } };
  }
  return null;
}
