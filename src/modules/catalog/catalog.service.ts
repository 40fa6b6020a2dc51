import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import {
  type ClassOverride,
  classifyPlanInProduct,
  classifyProduct,
  classifyProducts,
  type ProductClass,
  parseClassOverrides,
} from '../../domain/catalog/classify.ts';
import { DEMO_OFFERS } from '../../domain/catalog/demo-catalog.ts';
import {
  ALWAYS,
  checkPriceList,
  dayOf,
  marketPricesOn,
  type PriceEntry,
  parsePriceRows,
  priceOn,
} from '../../domain/catalog/prices.ts';
import { parseReferenceRows, type ReferenceRow } from '../../domain/catalog/reference.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodePairCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import {
  baseOfferRowsOf,
  findOffer,
  findOffers,
  findPrices,
  findProducts,
  insertOffer,
  listOfferRows,
  type OfferRow,
  type ProductRow,
  replacePrices,
  type StoredPlan,
  skusWithOffers,
  updateOfferRow,
  upsertProduct,
} from './catalog.repo.ts';

export interface ServicePlanView {
  id: string;
  name: string;
  workload: string;
  tier: number;
  holdsUserData: boolean;
  quotaLabel?: string;
}

/** A stored product's classes; a row stored before they were (0011) is classified by the rules. */
export function classOfProduct(p: ProductRow): ProductClass {
  if (p.segment && p.purpose && p.family !== null && p.is_add_on !== null) {
    return {
      segment: p.segment,
      purpose: p.purpose,
      family: p.family,
      kind: p.is_add_on ? 'add-on' : 'base',
      requiresBaseSkuIds: p.requires_base_sku_ids ?? [],
      maxSeats: p.max_seats,
      refundWindowHours: p.refund_window_hours ?? 0,
    };
  }
  return classifyProduct({
    skuId: p.sku_id,
    skuPartNumber: p.sku_part_number,
    name: p.name,
    servicePlans: p.service_plans,
  });
}

/**
 * Workloads are classified on read, inside their product (F1's Kiosk plan grants no mailbox), so a
 * fix to the domain table applies to stored products at once.
 */
export function classifyPlans(
  plans: StoredPlan[],
  product: { name: string; family: string } = { name: '', family: '' },
): ServicePlanView[] {
  return plans.map((p) => {
    const c = classifyPlanInProduct(product, p.name);
    return {
      id: p.id,
      name: p.name,
      workload: c.workload,
      tier: c.tier,
      holdsUserData: c.holdsUserData,
      ...(c.quotaLabel ? { quotaLabel: c.quotaLabel } : {}),
    };
  });
}

/** Which price a view shows: the one in `market` (else the offer's first priced market) on `at`'s day. */
export interface PriceView {
  market?: string | undefined;
  at: Date;
}

export function toOfferView(
  o: OfferRow,
  product: ProductRow | undefined,
  prices: PriceEntry[] = [],
  view: PriceView = { at: new Date() },
) {
  const c = product ? classOfProduct(product) : null;
  const day = dayOf(view.at);
  const own = { term: o.term, billingCycle: o.billing_cycle, day };
  const priced = marketPricesOn(prices, own);
  // In a market: that market's price or none (not orderable there, SPEC §11). Without one: the
  // offer's list price (the operator's one-price shorthand, or the first price of its list).
  const shown = view.market
    ? priceOn(prices, { ...own, market: view.market })
    : o.unit_price !== null
      ? { unitPrice: o.unit_price, currency: o.currency }
      : (priced[0] ?? null);
  return {
    id: o.id,
    name: o.name,
    skuId: o.sku_id,
    skuPartNumber: product?.sku_part_number ?? '',
    kind: o.kind,
    baseOfferIds: o.base_offer_ids,
    billingKind: o.billing_kind,
    servicePlans: classifyPlans(product?.service_plans ?? [], {
      name: product?.name ?? '',
      family: c?.family ?? '',
    }),
    segment: c?.segment ?? ('commercial' as const),
    purpose: c?.purpose ?? ('user' as const),
    family: c?.family ?? 'Other',
    requiresBaseSkuIds: c?.requiresBaseSkuIds ?? [],
    term: o.term,
    billingCycle: o.billing_cycle,
    minQuantity: o.min_quantity,
    maxQuantity: o.max_quantity,
    status: o.status,
    existingCustomersOnly: o.existing_customers_only,
    ...(o.successor_offer_id ? { successorOfferId: o.successor_offer_id } : {}),
    successorAddOnOfferIds: o.successor_add_on_offer_ids,
    // Listed by the operator, or priced today at the offer's own term and billing plan.
    markets: [...new Set([...o.markets, ...priced.map((p) => p.market)])],
    unitPrice: shown ? Number(shown.unitPrice) : null,
    currency: shown?.currency ?? null,
    prices: prices.map((p) => ({ ...p })),
    refundWindowHours: o.refund_window_hours,
  };
}
export type OfferView = ReturnType<typeof toOfferView>;

async function withProducts(db: Db | Trx, rows: OfferRow[], view?: PriceView): Promise<OfferView[]> {
  const [products, prices] = await Promise.all([
    findProducts(db, [...new Set(rows.map((r) => r.sku_id))]),
    findPrices(
      db,
      rows.map((r) => r.id),
    ),
  ]);
  const bySku = new Map(products.map((p) => [p.sku_id, p]));
  return rows.map((r) => toOfferView(r, bySku.get(r.sku_id), prices.get(r.id) ?? [], view));
}

/**
 * Offers by id, for other modules (orders, subscriptions, the planner); `view.market` prices them
 * in the tenant's market, on the platform clock's day.
 */
export async function offersById(
  db: Db | Trx,
  ids: string[],
  view?: PriceView,
): Promise<Map<string, OfferView>> {
  const views = await withProducts(db, await findOffers(db, [...new Set(ids)]), view);
  return new Map(views.map((v) => [v.id, v]));
}

/**
 * For subscriptions' upgrades: the available base offers of a term and billing cycle, priced in
 * `view.market` (an offer without a price there shows `unitPrice: null`).
 */
export async function baseOffersOf(
  db: Db | Trx,
  f: { term: OfferRow['term']; billingCycle: OfferRow['billing_cycle'] },
  view: PriceView,
): Promise<OfferView[]> {
  return withProducts(db, await baseOfferRowsOf(db, { ...f, limit: 2000 }), view);
}

/** Products by SKU with their classified service plans, for licenses. */
export async function productsBySku(db: Db | Trx, skuIds: string[]) {
  const rows = await findProducts(db, [...new Set(skuIds)]);
  return new Map(
    rows.map((p) => [
      p.sku_id,
      {
        skuId: p.sku_id,
        skuPartNumber: p.sku_part_number,
        name: p.name,
        servicePlans: classifyPlans(p.service_plans, { name: p.name, family: classOfProduct(p).family }),
      },
    ]),
  );
}

export async function listOffers(
  ctx: Ctx<Db>,
  input: { market?: string; status?: 'available' | 'end-of-sale'; cursor?: string; limit?: number },
) {
  const limit = input.limit ?? 50;
  const after = decodePairCursor(input.cursor);
  const rows = await listOfferRows(ctx.db, {
    ...(input.market ? { market: input.market.toUpperCase() } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(after ? { after } : {}),
    limit,
  });
  const page = toPage(
    rows,
    limit,
    (r) => r,
    (r) => [r.name, r.id],
  );
  return {
    items: await withProducts(ctx.db, page.items, {
      market: input.market?.toUpperCase(),
      at: ctx.clock.now(),
    }),
    nextCursor: page.nextCursor,
  };
}

export async function getOffer(ctx: Ctx<Db | Trx>, input: { offerId: string; market?: string }) {
  const view = (
    await offersById(ctx.db, [input.offerId], { market: input.market?.toUpperCase(), at: ctx.clock.now() })
  ).get(input.offerId);
  if (!view) throw new DomainError('offer_not_found', { offerId: input.offerId });
  return view;
}

interface OfferFields {
  name?: string;
  kind?: 'base' | 'add-on';
  baseOfferIds?: string[];
  billingKind?: 'license' | 'usage';
  term?: 'P1M' | 'P1Y' | 'P3Y';
  billingCycle?: 'monthly' | 'annual';
  minQuantity?: number;
  maxQuantity?: number;
  markets?: string[];
  unitPrice?: number | null;
  currency?: string | null;
  refundWindowHours?: number;
  status?: 'available' | 'end-of-sale';
  existingCustomersOnly?: boolean;
  successorOfferId?: string | null;
  successorAddOnOfferIds?: string[];
}

export interface CreateOfferInput extends OfferFields {
  id?: string;
  skuId: string;
  /** Only when the SKU is not in the catalog yet (not from the reference). */
  skuPartNumber?: string;
  productName?: string;
  servicePlans?: { id: string; name: string }[];
}

/** Successors, add-ons and bases must name offers that exist and fit the role. */
async function checkReferences(ctx: Ctx, offerId: string, f: OfferFields) {
  const ids = [
    ...(f.baseOfferIds ?? []),
    ...(f.successorAddOnOfferIds ?? []),
    ...(f.successorOfferId ? [f.successorOfferId] : []),
  ];
  const found = new Map((await findOffers(ctx.db, ids)).map((o) => [o.id, o]));
  const bad = (id: string, field: string) =>
    new DomainError('offer_reference_invalid', { offerId: id, field });
  for (const id of f.baseOfferIds ?? [])
    if (found.get(id)?.kind !== 'base' || id === offerId) throw bad(id, 'baseOfferIds');
  for (const id of f.successorAddOnOfferIds ?? [])
    if (found.get(id)?.kind !== 'add-on' || id === offerId) throw bad(id, 'successorAddOnOfferIds');
  if (
    f.successorOfferId &&
    (found.get(f.successorOfferId)?.kind !== 'base' || f.successorOfferId === offerId)
  )
    throw bad(f.successorOfferId, 'successorOfferId');
}

const upper = (xs: string[]) => [...new Set(xs.map((x) => x.toUpperCase()))];

/** The operator adds an offer for a SKU of the catalog (or a new SKU with its service plans). */
export async function createOffer(ctx: Ctx, input: CreateOfferInput) {
  const now = ctx.clock.now();
  const skuId = input.skuId.toLowerCase();
  const id = input.id ?? `offer-${crypto.randomUUID()}`;
  if (await findOffer(ctx.db, id)) throw new DomainError('offer_exists', { offerId: id });
  let product = (await findProducts(ctx.db, [skuId]))[0];
  if (!product) {
    if (!input.skuPartNumber || !input.servicePlans) throw new DomainError('sku_not_found', { skuId });
    await upsertProduct(ctx.db, {
      skuId,
      skuPartNumber: input.skuPartNumber,
      name: input.productName ?? input.name ?? input.skuPartNumber,
      servicePlans: input.servicePlans.map((p) => ({ id: p.id.toLowerCase(), name: p.name })),
      source: 'operator',
      now,
      classes: classifyProduct({
        skuId,
        skuPartNumber: input.skuPartNumber,
        name: input.productName ?? input.name ?? input.skuPartNumber,
        servicePlans: input.servicePlans,
      }),
    });
    product = (await findProducts(ctx.db, [skuId]))[0]!;
  }
  const min = input.minQuantity ?? 1;
  const max = input.maxQuantity ?? 300;
  if (min > max) throw new DomainError('quantity_limits_invalid');
  await checkReferences(ctx, id, input);
  await insertOffer(ctx.db, {
    id,
    name: input.name ?? product.name,
    sku_id: skuId,
    kind: input.kind ?? 'base',
    base_offer_ids: input.baseOfferIds ?? [],
    billing_kind: input.billingKind ?? 'license',
    term: input.term ?? 'P1Y',
    billing_cycle: input.billingCycle ?? 'annual',
    min_quantity: min,
    max_quantity: max,
    markets: upper(input.markets ?? []),
    unit_price: input.unitPrice ?? null,
    currency: input.currency ?? null,
    refund_window_hours: input.refundWindowHours ?? 0,
    status: input.status ?? 'available',
    existing_customers_only: input.existingCustomersOnly ?? false,
    successor_offer_id: input.successorOfferId ?? null,
    successor_add_on_offer_ids: input.successorAddOnOfferIds ?? [],
    created_at: now,
    updated_at: now,
  });
  await syncShorthandPrices(ctx, id, []);
  await recordAudit(ctx, { action: 'offer.created', targetType: 'offer', targetId: id, data: { skuId } });
  return getOffer(ctx, { offerId: id });
}

/** The operator changes an offer: price, markets, limits, end of sale, successors. */
export async function updateOffer(ctx: Ctx, input: OfferFields & { offerId: string }) {
  const { offerId, ...f } = input;
  const current = await findOffer(ctx.db, offerId);
  if (!current) throw new DomainError('offer_not_found', { offerId });
  const min = f.minQuantity ?? current.min_quantity;
  const max = f.maxQuantity ?? current.max_quantity;
  if (min > max) throw new DomainError('quantity_limits_invalid');
  await checkReferences(ctx, offerId, f);
  await updateOfferRow(ctx.db, offerId, {
    ...(f.name !== undefined ? { name: f.name } : {}),
    ...(f.kind !== undefined ? { kind: f.kind } : {}),
    ...(f.baseOfferIds !== undefined ? { base_offer_ids: f.baseOfferIds } : {}),
    ...(f.billingKind !== undefined ? { billing_kind: f.billingKind } : {}),
    ...(f.term !== undefined ? { term: f.term } : {}),
    ...(f.billingCycle !== undefined ? { billing_cycle: f.billingCycle } : {}),
    min_quantity: min,
    max_quantity: max,
    ...(f.markets !== undefined ? { markets: upper(f.markets) } : {}),
    ...(f.unitPrice !== undefined ? { unit_price: f.unitPrice } : {}),
    ...(f.currency !== undefined ? { currency: f.currency } : {}),
    ...(f.refundWindowHours !== undefined ? { refund_window_hours: f.refundWindowHours } : {}),
    ...(f.status !== undefined ? { status: f.status } : {}),
    ...(f.existingCustomersOnly !== undefined ? { existing_customers_only: f.existingCustomersOnly } : {}),
    ...(f.successorOfferId !== undefined ? { successor_offer_id: f.successorOfferId } : {}),
    ...(f.successorAddOnOfferIds !== undefined
      ? { successor_add_on_offer_ids: f.successorAddOnOfferIds }
      : {}),
    updated_at: ctx.clock.now(),
  });
  const shorthand = ['markets', 'unitPrice', 'currency', 'term', 'billingCycle'] as const;
  if (shorthand.some((k) => f[k] !== undefined)) await syncShorthandPrices(ctx, offerId, current.markets);
  await recordAudit(ctx, {
    action: 'offer.updated',
    targetType: 'offer',
    targetId: offerId,
    data: { changes: f },
  });
  return getOffer(ctx, { offerId });
}

/**
 * The operator's one-price shorthand (`markets`, `unitPrice`, `currency` of POST/PATCH
 * /api/admin/offers) is a price list too: one price in one currency, at the offer's term and billing
 * plan, in every listed market; a market it listed before and no longer does is no longer sold.
 * Prices of markets it never listed (set by PUT …/prices or an import) stay as they are.
 */
async function syncShorthandPrices(ctx: Ctx, offerId: string, listedBefore: string[]) {
  const o = (await findOffer(ctx.db, offerId))!;
  const current = (await findPrices(ctx.db, [offerId])).get(offerId) ?? [];
  const kept = current.filter((p) => !o.markets.includes(p.market) && !listedBefore.includes(p.market));
  const listed: PriceEntry[] =
    o.unit_price !== null && o.currency
      ? o.markets.map((market) => ({
          market,
          currency: o.currency!,
          term: o.term,
          billingCycle: o.billing_cycle,
          unitPrice: Number(o.unit_price),
          effectiveFrom: ALWAYS,
          effectiveTo: null,
        }))
      : [];
  await replacePrices(ctx.db, offerId, [...kept, ...listed]);
}

export interface PriceInput {
  market: string;
  currency: string;
  term: 'P1M' | 'P1Y' | 'P3Y';
  billingCycle: 'monthly' | 'annual';
  unitPrice: number;
  effectiveFrom?: string;
  effectiveTo?: string | null;
}

const toEntry = (p: PriceInput): PriceEntry => ({
  market: p.market.toUpperCase(),
  currency: p.currency.toUpperCase(),
  term: p.term,
  billingCycle: p.billingCycle,
  unitPrice: p.unitPrice,
  effectiveFrom: p.effectiveFrom ?? ALWAYS,
  effectiveTo: p.effectiveTo ?? null,
});

const problemText = (p: ReturnType<typeof checkPriceList>[number]) =>
  p.problem === 'bad-dates'
    ? 'effectiveTo must be a date after effectiveFrom'
    : p.problem === 'overlap'
      ? `two prices for market ${p.market}, ${p.term} ${p.billingCycle} on the same days`
      : `market ${p.market} in two currencies (${p.currencies.join(', ')}) on the same days`;

/** Stores an offer's new list and keeps its one-price shorthand (markets, first market's price) in step. */
async function storePriceList(ctx: Ctx, o: OfferRow, list: PriceEntry[]) {
  await replacePrices(ctx.db, o.id, list);
  const day = dayOf(ctx.clock.now());
  // The list price shown without a market: the first of the list at the offer's own term and plan.
  const first = list.find(
    (p) =>
      p.term === o.term &&
      p.billingCycle === o.billing_cycle &&
      priceOn([p], { market: p.market, term: o.term, billingCycle: o.billing_cycle, day }),
  );
  await updateOfferRow(ctx.db, o.id, {
    markets: [...new Set(list.map((p) => p.market))].sort(),
    unit_price: first?.unitPrice ?? null,
    currency: first?.currency ?? null,
    updated_at: ctx.clock.now(),
  });
}

/**
 * `PUT /api/admin/offers/{offerId}/prices`: replaces the offer's whole price list (idempotent: the
 * same list twice leaves the same list). A market missing from it is no longer sold (SPEC §11).
 */
export async function setOfferPrices(ctx: Ctx, input: { offerId: string; prices: PriceInput[] }) {
  const o = await findOffer(ctx.db, input.offerId);
  if (!o) throw new DomainError('offer_not_found', { offerId: input.offerId });
  const list = input.prices.map(toEntry);
  const problems = checkPriceList(list);
  if (problems.length > 0)
    throw new DomainError('price_list_invalid', {
      problems: problems.map((p) => ({ ...p, message: problemText(p) })),
    });
  await storePriceList(ctx, o, list);
  await recordAudit(ctx, {
    action: 'offer.prices-set',
    targetType: 'offer',
    targetId: o.id,
    data: { prices: list.length, markets: [...new Set(list.map((p) => p.market))] },
  });
  return getOffer(ctx, { offerId: o.id });
}

/** Reads a price-list CSV with each record's line number (the header is line 1). */
export async function readPriceFile(path: string) {
  const records = parse(await readFile(path, 'utf8'), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
  }) as { record: Record<string, string>; info: { lines: number } }[];
  return parsePriceRows(records.map((r) => ({ line: r.info.lines, values: r.record })));
}

/**
 * `traslado prices import FILE.csv`: every offer the file names gets the file's rows as its whole
 * price list, as `PUT …/prices` would. A row names its offer by id, or by SKU (every offer of that
 * SKU with the row's term and billing plan). Any bad row refuses the whole file, by line number.
 */
export async function importPriceList(ctx: Ctx, parsed: ReturnType<typeof parsePriceRows>) {
  const problems: { line: number; message: string }[] = [...parsed.problems];
  const byId = new Map(
    (await findOffers(ctx.db, [...new Set(parsed.rows.flatMap((r) => (r.offerId ? [r.offerId] : [])))])).map(
      (o) => [o.id, o],
    ),
  );
  const skuIds = [...new Set(parsed.rows.flatMap((r) => (r.offerId ? [] : [r.skuId!])))];
  const bySku = new Map<string, OfferRow[]>();
  if (skuIds.length > 0) {
    for (const o of await ctx.db.selectFrom('offers').selectAll().where('sku_id', 'in', skuIds).execute()) {
      bySku.set(o.sku_id, [...(bySku.get(o.sku_id) ?? []), o]);
    }
  }
  const lists = new Map<string, { offer: OfferRow; rows: { line: number; entry: PriceEntry }[] }>();
  for (const r of parsed.rows) {
    const targets = r.offerId
      ? byId.has(r.offerId)
        ? [byId.get(r.offerId)!]
        : []
      : (bySku.get(r.skuId!) ?? []).filter(
          (o) => o.term === r.entry.term && o.billing_cycle === r.entry.billingCycle,
        );
    if (targets.length === 0) {
      problems.push({
        line: r.line,
        message: r.offerId
          ? `no offer ${r.offerId}`
          : `no offer of SKU ${r.skuId} with term ${r.entry.term} and ${r.entry.billingCycle} billing`,
      });
      continue;
    }
    for (const offer of targets) {
      const l = lists.get(offer.id) ?? { offer, rows: [] };
      l.rows.push({ line: r.line, entry: r.entry });
      lists.set(offer.id, l);
    }
  }
  for (const { offer, rows } of lists.values()) {
    for (const p of checkPriceList(rows.map((r) => r.entry)))
      problems.push({ line: rows[p.index]!.line, message: `offer ${offer.id}: ${problemText(p)}` });
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    throw new DomainError('price_list_invalid', { problems });
  }
  for (const { offer, rows } of lists.values())
    await storePriceList(
      ctx,
      offer,
      rows.map((r) => r.entry),
    );
  const summary = {
    rows: parsed.rows.length,
    offers: lists.size,
    markets: [...new Set(parsed.rows.map((r) => r.entry.market))].sort(),
  };
  await recordAudit(ctx, { action: 'prices.imported', targetType: 'catalog', data: summary });
  return summary;
}

/** Parses the vendor's product and service-plan reference (CSV, with or without a byte-order mark). */
export async function readReferenceFile(path: string): Promise<ReferenceRow[]> {
  const text = await readFile(path, 'utf8');
  return parse(text, {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as ReferenceRow[];
}

/** Parses the reviewed class override file (data/catalog-classes.csv). */
export async function readClassOverrides(path: string): Promise<ClassOverride[]> {
  const rows = parse(await readFile(path, 'utf8'), { columns: true, bom: true, skip_empty_lines: true });
  const { overrides, problems } = parseClassOverrides(rows as Record<string, string>[]);
  if (problems.length > 0)
    throw new DomainError('invalid_request', { detail: `${path}: ${JSON.stringify(problems)}` });
  return overrides;
}

/**
 * Loads the reference: every product with its service plans and its classes (SPEC §11; refreshed
 * when already there), and an offer for each product that has none yet, with no price and no
 * market until the operator sets them: an add-on where the product is one, capped at the product's
 * seat cap, with the new-commerce refund window. Idempotent: a second run creates nothing.
 */
export async function importCatalogReference(
  ctx: Ctx,
  rows: ReferenceRow[],
  overrides: ClassOverride[] = [],
) {
  const now = ctx.clock.now();
  const { products, problems } = parseReferenceRows(rows);
  const classes = classifyProducts(products, overrides);
  const withOffers = await skusWithOffers(ctx.db);
  // The offers an earlier import made (id = SKU id) follow the classes: base or add-on, and on which bases.
  const imported = new Set(
    (
      await findOffers(
        ctx.db,
        products.map((p) => p.skuId),
      )
    ).map((o) => o.id),
  );
  let productsCreated = 0;
  let productsUpdated = 0;
  let offersCreated = 0;
  for (const p of products) {
    const r = await upsertProduct(ctx.db, {
      skuId: p.skuId,
      skuPartNumber: p.skuPartNumber,
      name: p.name,
      servicePlans: p.servicePlans.map((s) => ({ id: s.id, name: s.name, displayName: s.displayName })),
      source: 'reference',
      now,
      classes: classes.get(p.skuId)!,
    });
    if (r === 'created') productsCreated++;
    else productsUpdated++;
    const c = classes.get(p.skuId)!;
    if (imported.has(p.skuId)) await updateOfferRow(ctx.db, p.skuId, { kind: c.kind });
    if (withOffers.has(p.skuId)) continue;
    await insertOffer(ctx.db, {
      id: p.skuId,
      name: p.name,
      sku_id: p.skuId,
      kind: c.kind,
      billing_kind: 'license',
      term: 'P1Y',
      billing_cycle: 'annual',
      min_quantity: 1,
      max_quantity: c.maxSeats ?? 10_000,
      markets: [],
      unit_price: null,
      currency: null,
      refund_window_hours: c.refundWindowHours,
      status: 'available',
      existing_customers_only: false,
      successor_offer_id: null,
      created_at: now,
      updated_at: now,
    });
    offersCreated++;
  }
  const summary = {
    products: products.length,
    productsCreated,
    productsUpdated,
    offersCreated,
    rowsSkipped: problems.length,
  };
  await recordAudit(ctx, { action: 'catalog.imported', targetType: 'catalog', data: summary });
  return summary;
}

/** The demo catalog (SPEC §5) on the real reference; offers already there are left as they are. */
export async function seedDemoCatalog(ctx: Ctx, rows: ReferenceRow[], overrides: ClassOverride[] = []) {
  const now = ctx.clock.now();
  const { products } = parseReferenceRows(rows);
  const bySku = new Map(products.map((p) => [p.skuId, p]));
  const classes = classifyProducts(products, overrides);
  for (const skuId of new Set(DEMO_OFFERS.map((o) => o.skuId))) {
    const p = bySku.get(skuId);
    if (!p) throw new DomainError('sku_not_found', { skuId });
    await upsertProduct(ctx.db, {
      skuId,
      skuPartNumber: p.skuPartNumber,
      name: p.name,
      servicePlans: p.servicePlans.map((s) => ({ id: s.id, name: s.name, displayName: s.displayName })),
      source: 'reference',
      now,
      classes: classes.get(skuId)!,
    });
  }
  const existing = new Set(
    (
      await findOffers(
        ctx.db,
        DEMO_OFFERS.map((o) => o.id),
      )
    ).map((o) => o.id),
  );
  // Successors point at other demo offers: insert them all first, then link.
  for (const o of DEMO_OFFERS) {
    if (existing.has(o.id)) continue;
    await insertOffer(ctx.db, {
      id: o.id,
      name: bySku.get(o.skuId)!.name + (o.billingCycle === 'monthly' ? ' (monthly)' : ''),
      sku_id: o.skuId,
      kind: o.kind,
      base_offer_ids: o.baseOfferIds,
      billing_kind: 'license',
      term: o.term,
      billing_cycle: o.billingCycle,
      min_quantity: o.minQuantity,
      max_quantity: o.maxQuantity,
      markets: o.markets,
      unit_price: o.unitPrice,
      currency: o.currency,
      refund_window_hours: o.refundWindowHours,
      status: o.status,
      existing_customers_only: o.existingCustomersOnly,
      successor_offer_id: null,
      successor_add_on_offer_ids: [],
      created_at: now,
      updated_at: now,
    });
  }
  // The demo price lists (SPEC §11): EUR in Spain, BRL in Brazil, USD in the United States.
  for (const o of DEMO_OFFERS) {
    if (existing.has(o.id)) continue;
    await replacePrices(
      ctx.db,
      o.id,
      o.prices.map((p) => ({
        ...p,
        term: o.term,
        billingCycle: o.billingCycle,
        effectiveFrom: ALWAYS,
        effectiveTo: null,
      })),
    );
  }
  for (const o of DEMO_OFFERS) {
    if (existing.has(o.id) || (!o.successorOfferId && o.successorAddOnOfferIds.length === 0)) continue;
    await updateOfferRow(ctx.db, o.id, {
      successor_offer_id: o.successorOfferId,
      successor_add_on_offer_ids: o.successorAddOnOfferIds,
    });
  }
  await recordAudit(ctx, {
    action: 'catalog.demo-seeded',
    targetType: 'catalog',
    data: { offers: DEMO_OFFERS.length },
  });
}
