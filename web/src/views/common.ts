import type { TFunction } from 'i18next';
import { api, type Customer, type Offer, type Page } from '../api.ts';

export function regionName(t: TFunction, region: string): string {
  return t(`regions.${region}`, { defaultValue: region });
}

/** Every page of a list, for the few views that need a whole (small) list, capped. */
export async function allPages<T>(
  path: string,
  query: Record<string, string> = {},
  max = 1000,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api<Page<T>>(path, { query: { ...query, cursor, limit: 200 } });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

export function loadCustomers(): Promise<Customer[]> {
  return allPages<Customer>('/api/customers', {}, 400);
}

/** Offer names by offer id and by SKU id, to show names instead of ids. */
/**
 * Every offer by id (and names by SKU). With `market`, each offer is priced there (its `unitPrice`
 * and `currency` in that market, null where it is not sold); offers not sold there are still listed.
 */
export async function loadOfferNames(
  market?: string,
): Promise<{ byOffer: Map<string, Offer>; bySku: Map<string, string> }> {
  const offers = await allPages<Offer>('/api/offers');
  if (market) {
    const priced = new Map((await allPages<Offer>('/api/offers', { market })).map((o) => [o.id, o]));
    for (const [i, o] of offers.entries()) {
      const p = priced.get(o.id);
      offers[i] = { ...o, unitPrice: p?.unitPrice ?? null, currency: p?.currency ?? null };
    }
  }
  const byOffer = new Map(offers.map((o) => [o.id, o]));
  const bySku = new Map<string, string>();
  for (const o of offers) if (!bySku.has(o.skuId)) bySku.set(o.skuId, o.name);
  return { byOffer, bySku };
}
