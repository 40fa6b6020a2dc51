import { type Expression, type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { ProductClass } from '../../domain/catalog/classify.ts';
import type { PriceEntry } from '../../domain/catalog/prices.ts';
import type { CatalogProductsTable, Db, OffersTable, Trx } from '../../platform/db/database.ts';
import { memoizedMany, transactionMemo } from '../../platform/db/transaction-memo.ts';

export type ProductRow = Selectable<CatalogProductsTable>;
export type OfferRow = Selectable<OffersTable>;
export type StoredPlan = { id: string; name: string; displayName?: string };

/**
 * What a transaction has read of the catalog by id (offers, products, price lists), so a unit of
 * work that looks the same offers up again (an order, its subscriptions, their billing lines, the
 * next step of a transition) reads each once. Only this repo writes these tables: any write in the
 * transaction drops what it read.
 */
const offersRead = transactionMemo<OfferRow | null>();
const productsRead = transactionMemo<ProductRow | null>();
const pricesRead = transactionMemo<PriceEntry[]>();
function catalogWritten(db: Db | Trx) {
  offersRead.forget(db);
  productsRead.forget(db);
  pricesRead.forget(db);
}

/** Inserts or refreshes a product; `source` stays 'reference' once the reference named it. */
export async function upsertProduct(
  db: Trx,
  p: {
    skuId: string;
    skuPartNumber: string;
    name: string;
    servicePlans: StoredPlan[];
    source: 'reference' | 'operator';
    now: Date;
    /** SPEC §11 classes, refreshed on every import. */
    classes?: ProductClass;
  },
): Promise<'created' | 'updated'> {
  const classes = p.classes
    ? {
        segment: p.classes.segment,
        purpose: p.classes.purpose,
        family: p.classes.family,
        is_add_on: p.classes.kind === 'add-on',
        requires_base_sku_ids: p.classes.requiresBaseSkuIds,
        max_seats: p.classes.maxSeats,
        refund_window_hours: p.classes.refundWindowHours,
      }
    : {};
  catalogWritten(db);
  const existing = await db
    .selectFrom('catalog_products')
    .select('sku_id')
    .where('sku_id', '=', p.skuId)
    .executeTakeFirst();
  if (existing) {
    await db
      .updateTable('catalog_products')
      .set({
        sku_part_number: p.skuPartNumber,
        name: p.name,
        service_plans: JSON.stringify(p.servicePlans),
        updated_at: p.now,
        ...classes,
        ...(p.source === 'reference' ? { source: 'reference' as const } : {}),
      })
      .where('sku_id', '=', p.skuId)
      .execute();
    return 'updated';
  }
  await db
    .insertInto('catalog_products')
    .values({
      sku_id: p.skuId,
      sku_part_number: p.skuPartNumber,
      name: p.name,
      service_plans: JSON.stringify(p.servicePlans),
      source: p.source,
      created_at: p.now,
      updated_at: p.now,
      ...classes,
    })
    .execute();
  return 'created';
}

export async function findProducts(db: Db | Trx, skuIds: string[]): Promise<ProductRow[]> {
  if (skuIds.length === 0) return [];
  return memoizedMany(
    productsRead,
    db,
    skuIds,
    (missing) => db.selectFrom('catalog_products').selectAll().where('sku_id', 'in', missing).execute(),
    (p) => p.sku_id,
  );
}

export async function skusWithOffers(db: Db | Trx): Promise<Set<string>> {
  const rows = await db.selectFrom('offers').select('sku_id').distinct().execute();
  return new Set(rows.map((r) => r.sku_id));
}

export async function insertOffer(db: Trx, row: Insertable<OffersTable>) {
  catalogWritten(db);
  await db.insertInto('offers').values(row).execute();
}

export async function updateOfferRow(db: Trx, id: string, patch: Updateable<OffersTable>) {
  catalogWritten(db);
  await db.updateTable('offers').set(patch).where('id', '=', id).execute();
}

export async function findOffer(db: Db | Trx, id: string): Promise<OfferRow | undefined> {
  return db.selectFrom('offers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOffers(db: Db | Trx, ids: string[]): Promise<OfferRow[]> {
  if (ids.length === 0) return [];
  return memoizedMany(
    offersRead,
    db,
    ids,
    (missing) => db.selectFrom('offers').selectAll().where('id', 'in', missing).execute(),
    (o) => o.id,
  );
}

/** Available base offers of one term and billing cycle (the candidates of an upgrade), in name order. */
export async function baseOfferRowsOf(
  db: Db | Trx,
  f: { term: OfferRow['term']; billingCycle: OfferRow['billing_cycle']; limit: number },
): Promise<OfferRow[]> {
  return db
    .selectFrom('offers')
    .selectAll()
    .where('kind', '=', 'base')
    .where('status', '=', 'available')
    .where('term', '=', f.term)
    .where('billing_cycle', '=', f.billingCycle)
    .orderBy('name')
    .orderBy('id')
    .limit(f.limit)
    .execute();
}

/** An offer's name as a scalar subquery over a column of the caller's query (folded into its read). */
export function offerNameOf(db: Db | Trx, offerId: Expression<string>) {
  return db.selectFrom('offers').select('offers.name').where('offers.id', '=', offerId);
}

/** Offers in name order, optionally only those sold in a market. */
export async function listOfferRows(
  db: Db | Trx,
  f: { market?: string; status?: string; after?: [string, string]; limit: number },
): Promise<OfferRow[]> {
  let q = db
    .selectFrom('offers')
    .selectAll()
    .orderBy('name')
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.market) {
    const market = f.market;
    // Listed there, or with a price there (SPEC §11).
    q = q.where((eb) =>
      eb.or([
        eb(eb.val(market), '=', eb.fn.any('markets')),
        eb.exists(
          eb
            .selectFrom('offer_prices as p')
            .select(eb.lit(1).as('one'))
            .whereRef('p.offer_id', '=', 'offers.id')
            .where('p.market', '=', market),
        ),
      ]),
    );
  }
  if (f.status) q = q.where('status', '=', f.status as OfferRow['status']);
  if (f.after) {
    const [name, id] = f.after;
    q = q.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
  }
  return q.execute();
}

/** The price lists of these offers (every span, by market, term, plan and start). */
export async function findPrices(db: Db | Trx, offerIds: string[]): Promise<Map<string, PriceEntry[]>> {
  const seen = pricesRead.of(db);
  const missing = seen ? [...new Set(offerIds)].filter((id) => !seen.has(id)) : offerIds;
  const out = await loadPrices(db, missing);
  if (!seen) return out;
  for (const id of missing) seen.set(id, out.get(id) ?? []);
  const all = new Map<string, PriceEntry[]>();
  for (const id of offerIds) {
    const list = seen.get(id)!;
    if (list.length > 0) all.set(id, list);
  }
  return all;
}

async function loadPrices(db: Db | Trx, offerIds: string[]): Promise<Map<string, PriceEntry[]>> {
  const out = new Map<string, PriceEntry[]>();
  if (offerIds.length === 0) return out;
  const rows = await db
    .selectFrom('offer_prices')
    .select([
      'offer_id',
      'market',
      'currency',
      'term',
      'billing_cycle',
      'unit_price',
      sql<string>`to_char(effective_from, 'YYYY-MM-DD')`.as('from'),
      sql<string | null>`to_char(effective_to, 'YYYY-MM-DD')`.as('to'),
    ])
    .where('offer_id', 'in', offerIds)
    .orderBy('offer_id')
    .orderBy('market')
    .orderBy('term')
    .orderBy('billing_cycle')
    .orderBy('effective_from')
    .execute();
  for (const r of rows) {
    const list = out.get(r.offer_id) ?? [];
    list.push({
      market: r.market,
      currency: r.currency,
      term: r.term,
      billingCycle: r.billing_cycle,
      unitPrice: Number(r.unit_price),
      effectiveFrom: r.from,
      effectiveTo: r.to,
    });
    out.set(r.offer_id, list);
  }
  return out;
}

/** Replaces an offer's whole price list. */
export async function replacePrices(db: Trx, offerId: string, list: readonly PriceEntry[]) {
  catalogWritten(db);
  await db.deleteFrom('offer_prices').where('offer_id', '=', offerId).execute();
  if (list.length === 0) return;
  await db
    .insertInto('offer_prices')
    .values(
      list.map((p) => ({
        offer_id: offerId,
        market: p.market,
        currency: p.currency,
        term: p.term,
        billing_cycle: p.billingCycle,
        unit_price: p.unitPrice,
        effective_from: p.effectiveFrom,
        effective_to: p.effectiveTo,
      })),
    )
    .execute();
}

/** Batch reader: the id of every offer (the planner loads the whole catalog once per run). */
export async function allOfferIds(db: Db | Trx): Promise<string[]> {
  return (await db.selectFrom('offers').select('id').execute()).map((o) => o.id);
}

/** One offer's name (undefined when there is no such offer). */
export async function offerNameRow(db: Db | Trx, offerId: string) {
  return db.selectFrom('offers').select('name').where('id', '=', offerId).executeTakeFirst();
}
