/**
 * Price lists (SPEC §11): an offer's price per market, in that market's currency, per term and
 * billing plan, over a span of days. Pure rules shared by the operator route, the CSV import and
 * every reader (orders, the planner, the catalog).
 */
export type Term = 'P1M' | 'P1Y' | 'P3Y';
export type BillingCycle = 'monthly' | 'annual';

export interface PriceEntry {
  market: string;
  currency: string;
  term: Term;
  billingCycle: BillingCycle;
  /** Minor units per seat per term. */
  unitPrice: number;
  /** First day it applies (YYYY-MM-DD, UTC). */
  effectiveFrom: string;
  /** First day it no longer applies; null: open-ended. */
  effectiveTo: string | null;
}

/**
 * Sold only in the European Economic Area: the products the Teams unbundling made for it (Teams EEA,
 * the "EEA (no Teams)" suites), named so in the vendor's reference. Never priced outside the EEA.
 */
export function isEeaOnly(productName: string): boolean {
  return /\bEEA\b/.test(productName);
}

/** The EEA's countries (EU members, Iceland, Liechtenstein, Norway). */
export const EEA_COUNTRIES = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'.split(' '),
);

/** A price with no start date applies since ever: the list's earliest day. */
export const ALWAYS = '2000-01-01';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The UTC day of an instant, as the price lists date it. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export type PriceProblem =
  | { problem: 'bad-dates'; index: number }
  | { problem: 'overlap'; index: number; market: string; term: Term; billingCycle: BillingCycle }
  | { problem: 'two-currencies'; index: number; market: string; currencies: string[] };

const overlaps = (a: PriceEntry, b: PriceEntry) =>
  (a.effectiveTo === null || b.effectiveFrom < a.effectiveTo) &&
  (b.effectiveTo === null || a.effectiveFrom < b.effectiveTo);

/**
 * One offer's list is consistent: valid spans, never two prices for the same market, term and
 * billing plan on the same day, and one currency per market on any day (a tenant pays in one).
 * Returns every problem, by index in the list.
 */
export function checkPriceList(list: readonly PriceEntry[]): PriceProblem[] {
  const problems: PriceProblem[] = [];
  list.forEach((p, i) => {
    if (
      !isIsoDay(p.effectiveFrom) ||
      (p.effectiveTo !== null && (!isIsoDay(p.effectiveTo) || p.effectiveTo <= p.effectiveFrom))
    ) {
      problems.push({ problem: 'bad-dates', index: i });
      return;
    }
    for (let j = 0; j < i; j++) {
      const q = list[j]!;
      if (q.market !== p.market || !overlaps(p, q)) continue;
      if (q.currency !== p.currency) {
        problems.push({
          problem: 'two-currencies',
          index: i,
          market: p.market,
          currencies: [q.currency, p.currency],
        });
        return;
      }
      if (q.term === p.term && q.billingCycle === p.billingCycle) {
        problems.push({
          problem: 'overlap',
          index: i,
          market: p.market,
          term: p.term,
          billingCycle: p.billingCycle,
        });
        return;
      }
    }
  });
  return problems;
}

/** The price that applies on `day` in `market` for this term and billing plan, or null (not orderable). */
export function priceOn<P extends PriceEntry>(
  list: readonly P[],
  want: { market: string; term: Term; billingCycle: BillingCycle; day: string },
): P | null {
  const market = want.market.toUpperCase();
  for (const p of list) {
    if (p.market !== market || p.term !== want.term || p.billingCycle !== want.billingCycle) continue;
    if (p.effectiveFrom <= want.day && (p.effectiveTo === null || want.day < p.effectiveTo)) return p;
  }
  return null;
}

/** Every market with a price on `day` for this term and billing plan, with that price (by market). */
export function marketPricesOn(
  list: readonly PriceEntry[],
  want: { term: Term; billingCycle: BillingCycle; day: string },
): { market: string; currency: string; unitPrice: number }[] {
  const markets = [...new Set(list.map((p) => p.market))].sort();
  const out: { market: string; currency: string; unitPrice: number }[] = [];
  for (const market of markets) {
    const p = priceOn(list, { ...want, market });
    if (p) out.push({ market, currency: p.currency, unitPrice: p.unitPrice });
  }
  return out;
}

/** The number of minor units in one unit of a currency (EUR 2, JPY 0), from the ICU data. */
export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/**
 * A price as a price list writes it ("12.50", "1,234.5" never: no grouping) in minor units, or null
 * when it is not a plain non-negative decimal with at most the currency's minor digits.
 */
export function toMinorUnits(text: string, currency: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const digits = minorDigits(currency);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > digits) return null;
  const n = Number(m[1]) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(n) ? n : null;
}

/** A row of a price-list CSV, read by its header (case and spaces ignored; the vendor's names too). */
export interface PriceCsvRow {
  /** The file's line number of this row (the header is line 1). */
  line: number;
  offerId: string | null;
  skuId: string | null;
  entry: PriceEntry;
}

export interface CsvProblem {
  line: number;
  message: string;
}

const COLUMNS: Record<string, string[]> = {
  offerId: ['offerid', 'offer'],
  skuId: ['skuid', 'sku'],
  market: ['market'],
  currency: ['currency'],
  term: ['term', 'termduration'],
  billingCycle: ['billingcycle', 'billingplan', 'billingfrequency'],
  unitPrice: ['unitprice', 'price'],
  effectiveFrom: ['effectivefrom', 'effectivestartdate', 'effectivestart'],
  effectiveTo: ['effectiveto', 'effectiveenddate', 'effectiveend'],
};

const norm = (h: string) => h.toLowerCase().replace(/[^a-z]/g, '');

function termOf(s: string): Term | null {
  const t = s.trim().toUpperCase();
  return t === 'P1M' || t === 'P1Y' || t === 'P3Y' ? t : null;
}

function cycleOf(s: string): BillingCycle | null {
  const c = s.trim().toLowerCase();
  return c === 'monthly' ? 'monthly' : c === 'annual' || c === 'yearly' ? 'annual' : null;
}

/** A date column as a day: "2026-01-01" or the vendor's "2026-01-01T00:00:00Z" / "1/1/2026". */
function dayOfText(s: string): string | null {
  const t = s.trim();
  if (isIsoDay(t.slice(0, 10)) && (t.length === 10 || t[10] === 'T' || t[10] === ' ')) return t.slice(0, 10);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (us) {
    const day = `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}`;
    return isIsoDay(day) ? day : null;
  }
  return null;
}

/**
 * Reads a price-list CSV's records (objects by header, each with the file line it started on).
 * Columns: offerId or skuId (the SKU GUID), market, currency, term (P1M/P1Y/P3Y), billing plan
 * (monthly/annual), unit price in the currency's units ("12.50"), effective start and end (optional).
 * Other columns (titles, segment) are read past. Every bad row is reported, none is kept.
 */
export function parsePriceRows(records: { line: number; values: Record<string, string> }[]): {
  rows: PriceCsvRow[];
  problems: CsvProblem[];
} {
  const rows: PriceCsvRow[] = [];
  const problems: CsvProblem[] = [];
  if (records.length === 0) return { rows, problems: [{ line: 1, message: 'no price rows' }] };
  const header = Object.keys(records[0]!.values);
  const col = (field: string) => header.find((h) => COLUMNS[field]!.includes(norm(h)));
  const cols = Object.fromEntries(Object.keys(COLUMNS).map((f) => [f, col(f)])) as Record<
    string,
    string | undefined
  >;
  const missing = ['market', 'currency', 'term', 'billingCycle', 'unitPrice'].filter((f) => !cols[f]);
  if (!cols.offerId && !cols.skuId) missing.unshift('offerId or skuId');
  if (missing.length > 0)
    return { rows, problems: [{ line: 1, message: `missing columns: ${missing.join(', ')}` }] };
  for (const { line, values } of records) {
    const get = (f: string) => (cols[f] ? (values[cols[f]!] ?? '').trim() : '');
    const bad: string[] = [];
    const offerId = get('offerId') || null;
    const skuId = get('skuId').toLowerCase() || null;
    if (!offerId && !skuId) bad.push('no offerId or skuId');
    if (skuId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(skuId))
      bad.push(`skuId "${get('skuId')}" is not a SKU GUID`);
    const market = get('market').toUpperCase();
    if (!/^[A-Z]{2}$/.test(market)) bad.push(`market "${get('market')}" is not a two-letter country code`);
    const currency = get('currency').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) bad.push(`currency "${get('currency')}" is not a three-letter code`);
    const term = termOf(get('term'));
    if (!term) bad.push(`term "${get('term')}" is not P1M, P1Y or P3Y`);
    const billingCycle = cycleOf(get('billingCycle'));
    if (!billingCycle) bad.push(`billing plan "${get('billingCycle')}" is not monthly or annual`);
    const unitPrice = /^[A-Z]{3}$/.test(currency) ? toMinorUnits(get('unitPrice'), currency) : null;
    if (unitPrice === null)
      bad.push(`unit price "${get('unitPrice')}" is not an amount in ${currency || 'the currency'}`);
    const from = get('effectiveFrom') ? dayOfText(get('effectiveFrom')) : ALWAYS;
    if (!from) bad.push(`effective start "${get('effectiveFrom')}" is not a date`);
    const to = get('effectiveTo') ? dayOfText(get('effectiveTo')) : null;
    if (get('effectiveTo') && !to) bad.push(`effective end "${get('effectiveTo')}" is not a date`);
    if (from && to && to <= from) bad.push('effective end is not after its start');
    if (bad.length > 0) {
      problems.push({ line, message: bad.join('; ') });
      continue;
    }
    rows.push({
      line,
      offerId,
      skuId,
      entry: {
        market,
        currency,
        term: term!,
        billingCycle: billingCycle!,
        unitPrice: unitPrice!,
        effectiveFrom: from!,
        effectiveTo: to,
      },
    });
  }
  return { rows, problems };
}
