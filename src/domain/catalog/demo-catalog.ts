/**
 * The demo catalog (SPEC §5): real SKUs of data/licensing-service-plans.csv (GUIDs, part numbers,
 * names and service plans come from there); terms, prices, limits and markets are demo values.
 * Teams unbundling is the real case behind `existingCustomersOnly`, end of sale and successors made
 * of a "(no Teams)" suite plus the Teams EEA add-on.
 */
export interface DemoOffer {
  id: string;
  /** SKU GUID in the reference: the product's name, part number and service plans come from it. */
  skuId: string;
  kind: 'base' | 'add-on';
  baseOfferIds: string[];
  term: 'P1M' | 'P1Y' | 'P3Y';
  billingCycle: 'monthly' | 'annual';
  minQuantity: number;
  maxQuantity: number;
  /** Where it is sold: the markets of `prices`. */
  markets: string[];
  /** Demo value: minor units per seat per term, in Spain (EUR). */
  unitPrice: number;
  currency: string;
  /** The demo price list (SPEC §11): EUR in Spain, BRL in Brazil, USD in the United States. */
  prices: { market: string; currency: string; unitPrice: number }[];
  refundWindowHours: number;
  status: 'available' | 'end-of-sale';
  existingCustomersOnly: boolean;
  successorOfferId: string | null;
  successorAddOnOfferIds: string[];
}

/** New-commerce cancellation policy: a prorated refund within 7 days of buying or renewing. */
export const NEW_COMMERCE_REFUND_HOURS = 168;
export const DEMO_MARKETS = ['ES', 'BR', 'US'];
/** Products sold only in the European Economic Area (the Teams unbundling): of the demo markets, Spain. */
export const EEA_MARKETS = ['ES'];

/** Demo values, not the vendor's: a Spanish price in EUR, and the others from it. */
function priceList(eur: number, markets: string[]) {
  const all = [
    { market: 'ES', currency: 'EUR', unitPrice: eur },
    { market: 'BR', currency: 'BRL', unitPrice: Math.round(eur * 5.5) },
    { market: 'US', currency: 'USD', unitPrice: Math.round(eur * 1.1) },
  ];
  return all.filter((p) => markets.includes(p.market));
}

const NO_TEAMS_SUITES = [
  'demo-o365-e1-eea-no-teams',
  'demo-o365-e3-eea-no-teams',
  'demo-m365-e3-eea-no-teams',
];

const base = (id: string, skuId: string, annualPrice: number, extra: Partial<DemoOffer> = {}): DemoOffer => {
  const markets = extra.markets ?? DEMO_MARKETS;
  return {
    id,
    skuId,
    kind: 'base',
    baseOfferIds: [],
    term: 'P1Y',
    billingCycle: 'annual',
    minQuantity: 1,
    maxQuantity: 300,
    markets,
    unitPrice: annualPrice,
    currency: 'EUR',
    prices: priceList(annualPrice, markets),
    refundWindowHours: NEW_COMMERCE_REFUND_HOURS,
    status: 'available',
    existingCustomersOnly: false,
    successorOfferId: null,
    successorAddOnOfferIds: [],
    ...extra,
  };
};

export const DEMO_OFFERS: DemoOffer[] = [
  base('demo-m365-business-basic', '3b555118-da6a-4418-894f-7df1e2096870', 7_200),
  base('demo-m365-business-standard', 'f245ecc8-75af-4f8e-b61f-27d8114de5f3', 15_000),
  base('demo-m365-business-standard-monthly', 'f245ecc8-75af-4f8e-b61f-27d8114de5f3', 1_500, {
    term: 'P1M',
    billingCycle: 'monthly',
  }),
  base('demo-m365-business-premium', 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', 26_400),
  base('demo-o365-e3', '6fd2c87f-b296-42f0-b197-1e91e994b900', 27_600, {
    existingCustomersOnly: true,
    successorOfferId: 'demo-o365-e3-eea-no-teams',
    successorAddOnOfferIds: ['demo-teams-eea'],
  }),
  base('demo-o365-e3-eea-no-teams', 'd711d25a-a21c-492f-bd19-aae1e8ebaf30', 24_000, { markets: EEA_MARKETS }),
  base('demo-m365-e3', '05e9a617-0261-4cee-bb44-138d3ef5d965', 43_200, {
    existingCustomersOnly: true,
    successorOfferId: 'demo-m365-e3-eea-no-teams',
    successorAddOnOfferIds: ['demo-teams-eea'],
  }),
  base('demo-m365-e3-eea-no-teams', 'c2fe850d-fbbb-4858-b67d-bd0c6e746da3', 40_000, { markets: EEA_MARKETS }),
  base('demo-o365-e1', '18181a46-0d4e-45cd-891e-60aabd171b4e', 12_000, {
    status: 'end-of-sale',
    successorOfferId: 'demo-o365-e1-eea-no-teams',
    successorAddOnOfferIds: ['demo-teams-eea'],
  }),
  base('demo-o365-e1-eea-no-teams', 'b57282e3-65bd-4252-9502-c0eae1e5ab7f', 9_600, { markets: EEA_MARKETS }),
  base('demo-teams-eea', '7e74bd05-2c47-404e-829a-ba95c66fe8e5', 6_000, {
    markets: EEA_MARKETS,
    kind: 'add-on',
    baseOfferIds: NO_TEAMS_SUITES,
  }),
  base('demo-exchange-online-plan-1', '4b9405b0-7788-4568-add1-99614e613b69', 4_800),
  base('demo-m365-apps-for-business', 'cdd28e44-67e3-425e-be4c-737fab2899d3', 9_900),
  // Project Online's projects live in a site collection of their own: no orderable offer carries
  // that workload, so a transition of this SKU is blocked unless acknowledged.
  base('demo-project-online-premium', '09015f9f-377f-4538-bbb5-f75ceb09358a', 66_000, {
    status: 'end-of-sale',
  }),
];

export function demoOffer(id: string): DemoOffer {
  const o = DEMO_OFFERS.find((x) => x.id === id);
  if (!o) throw new RangeError(`no demo offer ${id}`);
  return o;
}
