import { classifyServicePlan, type Workload } from './workloads.ts';

/** One row of data/licensing-service-plans.csv, as csv-parse gives it with `columns: true`. */
export interface ReferenceRow {
  Product_Display_Name: string;
  String_Id: string;
  GUID: string;
  Service_Plan_Name: string;
  Service_Plan_Id: string;
  Service_Plans_Included_Friendly_Names: string;
}

export interface ReferenceServicePlan {
  id: string;
  name: string;
  displayName: string;
  workload: Workload;
  tier: number;
  holdsUserData: boolean;
  quotaLabel?: string;
}

export interface ReferenceProduct {
  skuId: string;
  skuPartNumber: string;
  name: string;
  servicePlans: ReferenceServicePlan[];
}

export interface ReferenceProblem {
  /** 0-based index into the rows given. */
  row: number;
  reason: 'bad-sku-id' | 'bad-service-plan-id' | 'missing-part-number' | 'missing-service-plan-name';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IDENTIFIER = /^[A-Za-z0-9_]+$/;

/**
 * Groups the reference rows into products keyed by SKU GUID, and says which rows it skipped.
 *
 * The published table is hand-kept and a little dirty: GUIDs and part numbers with stray spaces,
 * and one service plan id written under several names ("ATP_ENTERPRISE " with a trailing space,
 * "RMS_S_ENTERPRISE)", "Project Online for Education" for SHAREPOINT_PROJECT_EDU). A plan id is one
 * plan, so every product gets the same canonical name for it: the identifier-like spelling used most.
 */
export function parseReferenceRows(rows: readonly ReferenceRow[]): {
  products: ReferenceProduct[];
  problems: ReferenceProblem[];
} {
  const problems: ReferenceProblem[] = [];
  const good: {
    skuId: string;
    partNumber: string;
    name: string;
    planId: string;
    planName: string;
    display: string;
  }[] = [];
  rows.forEach((r, row) => {
    const skuId = (r.GUID ?? '').trim().toLowerCase();
    const planId = (r.Service_Plan_Id ?? '').trim().toLowerCase();
    const partNumber = (r.String_Id ?? '').replace(/\s+/g, '');
    const planName = (r.Service_Plan_Name ?? '').trim().replace(/\s+/g, ' ');
    if (!GUID.test(skuId)) problems.push({ row, reason: 'bad-sku-id' });
    else if (!GUID.test(planId)) problems.push({ row, reason: 'bad-service-plan-id' });
    else if (!partNumber) problems.push({ row, reason: 'missing-part-number' });
    else if (!planName) problems.push({ row, reason: 'missing-service-plan-name' });
    else {
      const name = (r.Product_Display_Name ?? '').trim().replace(/\s+/g, ' ') || partNumber;
      const display = (r.Service_Plans_Included_Friendly_Names ?? '').trim().replace(/\s+/g, ' ') || planName;
      good.push({ skuId, partNumber, name, planId, planName, display });
    }
  });

  const canonical = canonicalPlanNames(good.map((g) => [g.planId, g.planName]));
  const byId = new Map<string, { product: ReferenceProduct; plans: Map<string, ReferenceServicePlan> }>();
  for (const g of good) {
    let entry = byId.get(g.skuId);
    if (!entry) {
      entry = {
        product: { skuId: g.skuId, skuPartNumber: g.partNumber, name: g.name, servicePlans: [] },
        plans: new Map(),
      };
      byId.set(g.skuId, entry);
    }
    if (entry.plans.has(g.planId)) continue;
    const name = canonical.get(g.planId) ?? g.planName;
    entry.plans.set(g.planId, { id: g.planId, name, displayName: g.display, ...classifyServicePlan(name) });
  }

  const products = [...byId.values()].map(({ product, plans }) => ({
    ...product,
    servicePlans: [...plans.values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.id, b.id)),
  }));
  products.sort((a, b) => cmp(a.skuPartNumber, b.skuPartNumber) || cmp(a.skuId, b.skuId));
  return { products, problems };
}

/** The products only; rows that cannot be keyed (bad GUIDs, no plan) are left out. */
export function productsFromRows(rows: readonly ReferenceRow[]): ReferenceProduct[] {
  return parseReferenceRows(rows).products;
}

function canonicalPlanNames(pairs: [id: string, name: string][]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const [id, name] of pairs) {
    const byName = counts.get(id) ?? new Map<string, number>();
    byName.set(name, (byName.get(name) ?? 0) + 1);
    counts.set(id, byName);
  }
  const out = new Map<string, string>();
  for (const [id, byName] of counts) {
    const best = [...byName.entries()].sort(
      ([a, na], [b, nb]) => Number(IDENTIFIER.test(b)) - Number(IDENTIFIER.test(a)) || nb - na || cmp(a, b),
    )[0];
    if (best) out.set(id, best[0]);
  }
  return out;
}

// Code-unit order, not localeCompare: the same order on every machine and locale.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
