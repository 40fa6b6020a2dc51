import { addDaysUtc } from '../calendar.ts';
import { mayReplace } from '../catalog/classify.ts';
import { coverage, type PaidLoss, type Profile, profileOf, quickVerdict } from '../catalog/equivalence.ts';
import { cancellationRefund, duplicateCredit } from '../refunds.ts';
import { planMissing, requiredRolesOf, taskByPartner } from './rights.ts';
import { isCancellable, provisionOptions, recommendedProvision } from './timing.ts';
import {
  type Acknowledgment,
  DEFAULT_PLAN_SETTINGS,
  type Plan,
  type PlanInput,
  type PlanLine,
  type PlanOffer,
  type PlanServicePlan,
  type PlanSubscription,
  type PlanTotal,
  type PlanUser,
  type Reason,
  type Reassignment,
  type SeatPoint,
  type TimelineStep,
  type Verdict,
} from './types.ts';

/**
 * Plans moving one tenant's license-based subscriptions into the acting partner's CSP practice.
 * A dry run: it reads only its input and explains every decision as reasons (message keys with
 * parameters, rendered in English and Spanish by `messages.ts`).
 *
 * Preconditions (region, relationship, role) are the caller's to check first: see `checks.ts`.
 */
/** Moving licenses is the partner's when the planning user may (else the customer's, SPEC §3.8). */
const licensesByPartner = (input: PlanInput) =>
  taskByPartner(input.hasDelegatedAdmin, input.rights, 'licenses.manage', 'assign-licenses');
/** The customer's direct subscriptions and credit requests: Billing Administrator. */
const billingByPartner = (input: PlanInput) =>
  taskByPartner(input.hasDelegatedAdmin, input.rights, 'subscriptions.manage-direct', 'billing') &&
  taskByPartner(input.hasDelegatedAdmin, input.rights, 'credits.file', 'billing');

/**
 * What the planner may keep between plans that share a catalog: the catalog priced per market,
 * each offer's profile, and coverage answers (pure functions of the catalog's offers). The caller
 * owns it and passes it in (bulk planning makes one for its catalog and every customer); nothing is
 * kept in the module. Made for one catalog: given another, it starts afresh.
 */
export interface PlannerCaches {
  catalog: readonly PlanOffer[] | null;
  marketCatalogs: Map<string, Map<string, PlanOffer>>;
  coverage: Map<string, ReturnType<typeof coverage>>;
  offerProfiles: WeakMap<PlanOffer, Profile>;
}

export function plannerCaches(): PlannerCaches {
  return { catalog: null, marketCatalogs: new Map(), coverage: new Map(), offerProfiles: new WeakMap() };
}

/** The caches for this catalog: emptied when they were filled from another one. */
function cachesFor(caches: PlannerCaches, catalog: readonly PlanOffer[]): PlannerCaches {
  if (caches.catalog !== catalog) {
    caches.catalog = catalog;
    caches.marketCatalogs = new Map();
    caches.coverage = new Map();
    caches.offerProfiles = new WeakMap();
  }
  return caches;
}

/**
 * Plans one customer's transition. `caches` may be shared by the plans of one catalog (bulk); without
 * it each plan computes its own.
 */
export function planTransition(input: PlanInput, sharedCaches: PlannerCaches = plannerCaches()): Plan {
  const caches = cachesFor(sharedCaches, input.catalog);
  const settings = input.settings ?? DEFAULT_PLAN_SETTINGS;
  const market = input.tenant.country.toUpperCase();
  const offers = catalogInMarket(caches, input.catalog, market);
  const heldSkus = new Set(input.subscriptions.filter((s) => s.isLive).map((s) => s.skuId));

  const sources = input.subscriptions
    // The partner's own subscriptions are not sources: those it holds, and (as an indirect reseller)
    // those its provider sold for it.
    .filter(
      (s) =>
        s.isLive &&
        !(
          s.channel === 'partner' &&
          (s.partnerId === input.partner.id || s.partnerOnRecordId === input.partner.id)
        ),
    )
    .filter((s) => offers.get(s.offerId)?.billingKind !== 'usage')
    .sort((a, b) => a.termEnd.getTime() - b.termEnd.getTime() || a.id.localeCompare(b.id));

  const activeCount = input.subscriptions.filter((s) => s.isLive && s.usersHaveAccess).length;
  // Tenant maximum: too many subscriptions to duplicate at once → buy within the expired grace instead.
  const path: Plan['path'] =
    activeCount > settings.maxActiveSubscriptions ? 'expired-grace' : 'duplicate-now';

  // The users holding each SKU, in input order: every line looks its users up here.
  const usersBySku = new Map<string, PlanUser[]>();
  for (const u of input.users) {
    for (const l of u.licenses) {
      const list = usersBySku.get(l.skuId) ?? [];
      if (list[list.length - 1] !== u) list.push(u);
      usersBySku.set(l.skuId, list);
    }
  }
  const ctx: LineContext = {
    input,
    caches,
    exclusions: new WeakMap(),
    settings,
    offers,
    market,
    heldSkus,
    path,
    usersBySku,
    candidates: null,
    plansBySku: null,
  };
  // A source another transition already moves is never bought again (SPEC §3.7).
  const underWay = new Map((input.underWay ?? []).map((u) => [u.sourceSubscriptionId, u.transitionId]));
  // A source another partner on the platform holds is asked for by transfer (SPEC §7).
  const transferable = new Set(input.transfers?.transferable ?? []);
  const lines = sources.map((s) =>
    underWay.has(s.id)
      ? underWayLine(ctx, s, underWay.get(s.id) ?? null)
      : transferable.has(s.id) && s.channel === 'partner'
        ? transferLine(ctx, s)
        : planLine(ctx, s),
  );
  const timeline = buildTimeline(ctx, lines);
  // Per line, the roles its partner steps need, and whether the person planning holds them (SPEC §3.8).
  lines.forEach((l, i) => {
    l.requiredRoles = requiredRolesOf(timeline, { lines }, i);
    const missing = input.rights ? planMissing({ lines, timeline }, input.rights, i) : [];
    l.appliedBy = { canApply: missing.length === 0, missing };
  });
  const seats = seatTimeline(input, lines, timeline);
  const reasons: Reason[] = [];
  if (lines.length === 0) reasons.push({ code: 'plan.nothing-to-move', params: {} });
  if (path === 'expired-grace') {
    reasons.push({
      code: 'plan.expired-grace-path',
      params: { active: activeCount, max: settings.maxActiveSubscriptions },
    });
  }
  for (const s of seats) {
    const dip = s.points.find((p) => p.pool < p.assigned);
    if (dip)
      reasons.push({
        code: 'plan.seat-gap',
        params: {
          skuId: s.skuId,
          sku: skuName(ctx, s.skuId),
          at: dip.at,
          pool: dip.pool,
          assigned: dip.assigned,
        },
      });
  }
  const movingLines = lines.filter((l) => l.disposition === 'under-way');
  // Nothing left to move but what other transitions already move: there is nothing to apply.
  const allUnderWay = lines.length > 0 && movingLines.length === lines.length;
  if (movingLines.length > 0) {
    const ids = [...new Set(movingLines.map((l) => l.transitionId).filter((t): t is string => !!t))];
    reasons.push({
      code: allUnderWay ? 'plan.all-under-way' : 'plan.some-under-way',
      params: { lines: movingLines.length, transitions: ids },
    });
  }
  const verdict = worst([
    ...lines.map((l) => l.verdict),
    reasons.some((r) => r.code === 'plan.seat-gap') || allUnderWay ? 'blocked' : 'ready',
  ]);
  return {
    verdict,
    reasons,
    lines,
    timeline,
    seats,
    path,
    totals: totalsByCurrency(
      lines,
      sources.filter((s) => !underWay.has(s.id)),
    ),
  };
}

/** Sums per currency, never across currencies (SPEC §11); in order of first appearance. */
export function totalsByCurrency(
  lines: readonly Pick<
    PlanLine,
    'sourceSubscriptionId' | 'quantity' | 'overlapCost' | 'lossIfCancelledNow' | 'currency' | 'sourceCurrency'
  >[],
  sources: readonly Pick<PlanSubscription, 'id' | 'quantity'>[],
): PlanTotal[] {
  const by = new Map<string, PlanTotal>();
  const of = (currency: string) => {
    let t = by.get(currency);
    if (!t) {
      t = { currency, quantity: 0, sourceSeats: 0, overlapCost: 0, lossIfCancelledNow: 0 };
      by.set(currency, t);
    }
    return t;
  };
  const seats = new Map(sources.map((s) => [s.id, s.quantity]));
  for (const l of lines) {
    const bought = of(l.currency);
    bought.quantity += l.quantity;
    bought.overlapCost += l.overlapCost;
    const source = of(l.sourceCurrency);
    source.lossIfCancelledNow += l.lossIfCancelledNow;
    source.sourceSeats += seats.get(l.sourceSubscriptionId) ?? 0;
  }
  return [...by.values()];
}

interface LineContext {
  input: PlanInput;
  caches: PlannerCaches;
  /** Per users list (one per SKU in this plan) and SKU: computed once, read by every candidate target. */
  exclusions: WeakMap<PlanUser[], Map<string, UserExclusions>>;
  settings: NonNullable<PlanInput['settings']>;
  offers: Map<string, PlanOffer>;
  market: string;
  heldSkus: Set<string>;
  path: Plan['path'];
  usersBySku: Map<string, PlanUser[]>;
  /** Orderable offers (the same for every line of the plan), computed on first need. */
  candidates: { bases: PlanOffer[]; addOns: PlanOffer[] } | null;
  /** The service plans of each SKU in the catalog: a user's other licenses count (SPEC §11). */
  plansBySku: Map<string, PlanServicePlan[]> | null;
}

const VERDICT_ORDER: Verdict[] = ['ready', 'needs-acknowledgment', 'blocked'];
export function worst(verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>(
    (w, v) => (VERDICT_ORDER.indexOf(v) > VERDICT_ORDER.indexOf(w) ? v : w),
    'ready',
  );
}

function sum(xs: number[]) {
  return xs.reduce((a, b) => a + b, 0);
}

/**
 * The offer as sold in `market`: its price and currency there from its price list, or no price (so
 * never orderable, never a target: SPEC §11). An offer without a list keeps its own fields.
 */
export function inMarket(o: PlanOffer, market: string): PlanOffer {
  if (!o.prices) return o;
  const p = o.prices.find((x) => x.market.toUpperCase() === market);
  return {
    ...o,
    markets: p ? [...new Set([...o.markets, p.market.toUpperCase()])] : o.markets,
    unitPrice: p ? p.unitPrice : null,
    currency: p ? p.currency : o.currency,
  };
}

// The catalog priced in one market, once per catalog and market: bulk planning shares the catalog
// (and its caches) across customers.
function catalogInMarket(
  caches: PlannerCaches,
  catalog: readonly PlanOffer[],
  market: string,
): Map<string, PlanOffer> {
  const byMarket = caches.marketCatalogs;
  let offers = byMarket.get(market);
  if (!offers) {
    offers = new Map(catalog.map((o) => [o.id, inMarket(o, market)]));
    byMarket.set(market, offers);
  }
  return offers;
}

/** Can this tenant buy the offer today, in its market? */
export function orderable(offer: PlanOffer, market: string, heldSkus: Set<string>): Reason | null {
  if (offer.status !== 'available') return { code: 'offer.end-of-sale', params: { offer: offer.name } };
  if (offer.billingKind !== 'license') return { code: 'offer.not-license', params: { offer: offer.name } };
  if (!offer.markets.map((m) => m.toUpperCase()).includes(market)) {
    return { code: 'offer.not-in-market', params: { offer: offer.name, market } };
  }
  // An offer with no price is not orderable: the planner never picks it (SPEC §11).
  if (offer.unitPrice === null || offer.unitPrice === undefined) {
    return { code: 'offer.not-priced', params: { offer: offer.name, market } };
  }
  if (offer.existingCustomersOnly && !heldSkus.has(offer.skuId)) {
    return { code: 'offer.existing-customers-only', params: { offer: offer.name } };
  }
  return null;
}

/** Per-month price, to compare offers of different terms fairly. */
function monthlyPrice(o: PlanOffer): number {
  const months = o.term === 'P1M' ? 1 : o.term === 'P1Y' ? 12 : 36;
  return (o.unitPrice ?? 0) / months;
}

/** May this add-on go on this base? Only on a base it requires; with no requirement, on any. */
export function addOnFits(addOn: PlanOffer, base: PlanOffer): boolean {
  const skus = addOn.requiresBaseSkuIds ?? [];
  if (addOn.baseOfferIds.length === 0 && skus.length === 0) return true;
  return addOn.baseOfferIds.includes(base.id) || skus.includes(base.skuId);
}

interface CoverageSummary {
  verdict: Verdict;
  workloadsAtRisk: string[];
  plansAtRisk: string[];
  usersAtRisk: number;
  featuresLost: string[];
  gained: string[];
  lowerTier: PlanLine['lowerTier'];
  paidLost: PaidLoss[];
}

/**
 * Each user's switched-off plans on one SKU and the user's other SKUs, as a key per user (equal
 * sets, equal keys): coverage is judged per user, counting the licenses the user keeps.
 */
interface UserExclusions {
  keys: string[];
  /** The first list seen for each key. */
  byKey: Map<string, string[]>;
  /** The other SKUs behind each key. */
  othersByKey: Map<string, string[]>;
  /** The part of each key that names the switched-off plans alone (the other SKUs left out). */
  excludedKeyOf: Map<string, string>;
}

/** An empty list shared by the many users who have none (read only). */
const NO_IDS: string[] = [];

function exclusionsOf(ctx: LineContext, users: PlanUser[], skuId: string): UserExclusions {
  let bySku = ctx.exclusions.get(users);
  if (!bySku) {
    bySku = new Map();
    ctx.exclusions.set(users, bySku);
  }
  let e = bySku.get(skuId);
  if (e) return e;
  e = { keys: [], byKey: new Map(), othersByKey: new Map(), excludedKeyOf: new Map() };
  // Users holding the same licenses often share one list (bulk planning decodes them so): its key
  // is worked out once. Otherwise once per user and SKU: no list or string made where none is needed.
  const keyOfList = new Map<PlanUser['licenses'], string>();
  for (const u of users) {
    const known = keyOfList.get(u.licenses);
    if (known !== undefined) {
      e.keys.push(known);
      continue;
    }
    let excluded: string[] | undefined;
    let others: string[] | undefined;
    for (const l of u.licenses) {
      if (l.skuId === skuId) excluded ??= l.excludedPlanIds;
      else if (others) others.push(l.skuId);
      else others = [l.skuId];
    }
    excluded ??= NO_IDS;
    const excludedKey = excluded.length > 1 ? [...excluded].sort().join(',') : (excluded[0] ?? '');
    const key = others
      ? `${excludedKey}|${others.length > 1 ? [...others].sort().join(',') : others[0]}`
      : excludedKey;
    if (!e.byKey.has(key)) {
      e.byKey.set(key, excluded);
      e.othersByKey.set(key, others ?? NO_IDS);
      e.excludedKeyOf.set(key, excludedKey);
    }
    keyOfList.set(u.licenses, key);
    e.keys.push(key);
  }
  bySku.set(skuId, e);
  return e;
}

// Coverage is a pure function of the source offer, the target offers and the switched-off plans:
// kept per catalog (bulk planning passes the same caches for every customer), bounded in size.
const COVERAGE_CACHE_MAX = 20_000;

/** Nothing the user loses: no data workload missing, no lower tier, no paid capability, no feature. */
const losesNothing = (c: ReturnType<typeof coverage>) =>
  c.missingDataWorkloads.length === 0 &&
  c.lowerTier.length === 0 &&
  c.paidLost.length === 0 &&
  c.featuresLost.length === 0;

/**
 * A user's coverage, cached. The user's other licenses (`alsoHeld`) can only take losses away
 * (each check asks whether *some* held plan keeps a workload, tier, capability or feature), and
 * what is gained depends on the source and target alone: where the target by itself loses
 * nothing, the answer is the same whatever else the user holds. So the coverage without them is
 * computed first (one per source, target and switched-off plans), and the other SKUs' plans are
 * gathered and compared only when it loses something: a book's users hold many different sets of
 * other SKUs.
 */
function cachedCoverage(
  caches: PlannerCaches,
  pairKey: string,
  source: PlanServicePlan[],
  target: () => PlanServicePlan[],
  excludedKey: string,
  excluded: string[],
  othersKey: string,
  alsoHeld: () => PlanServicePlan[],
) {
  const cache = caches.coverage;
  const baseKey = `${pairKey}#${excludedKey}`;
  let base = cache.get(baseKey);
  if (!base) {
    if (cache.size >= COVERAGE_CACHE_MAX) cache.clear();
    base = coverage(source, target(), excluded);
    cache.set(baseKey, base);
  }
  if (othersKey === '' || losesNothing(base)) return base;
  const key = `${baseKey}|${othersKey}`;
  let c = cache.get(key);
  if (!c) {
    if (cache.size >= COVERAGE_CACHE_MAX) cache.clear();
    c = coverage(source, target(), excluded, alsoHeld());
    cache.set(key, c);
  }
  return c;
}

/**
 * Coverage of a source offer by target offers, for every user on the source SKU (or the whole SKU
 * if none). The offers are named by `ctx` only to key the coverage cache.
 */
/** A SKU as people know it: the name of a base offer that sells it (else any offer), never its id. */
function skuName(ctx: LineContext, skuId: string): string {
  let any: string | undefined;
  for (const o of ctx.offers.values()) {
    if (o.skuId !== skuId) continue;
    if (o.kind === 'base') return o.name;
    any ??= o.name;
  }
  return any ?? skuId;
}

function plansBySku(ctx: LineContext): Map<string, PlanServicePlan[]> {
  if (!ctx.plansBySku) {
    ctx.plansBySku = new Map();
    for (const o of ctx.input.catalog)
      if (!ctx.plansBySku.has(o.skuId)) ctx.plansBySku.set(o.skuId, o.servicePlans);
  }
  return ctx.plansBySku;
}

function otherPlans(ctx: LineContext, skus: readonly string[]): PlanServicePlan[] {
  const bySku = plansBySku(ctx);
  return skus.flatMap((s) => bySku.get(s) ?? []);
}

function coverForUsers(
  ctx: LineContext,
  sourceOffer: PlanOffer,
  targets: PlanOffer[],
  users: PlanUser[],
  skuId: string,
): CoverageSummary {
  const source = sourceOffer.servicePlans;
  // The targets' plans, gathered only when a coverage is not cached yet.
  let targetPlans: PlanServicePlan[] | null = null;
  const target = () => {
    targetPlans ??= plansOf(targets);
    return targetPlans;
  };
  const pairKey = `${sourceOffer.id}>${targets.map((o) => o.id).join('+')}`;
  const ex = exclusionsOf(ctx, users, skuId);
  const variants = ex.keys.length > 0 ? ex.keys : [''];
  const atRisk = new Map<string, Set<string>>();
  const lowerTier = new Map<string, PlanLine['lowerTier'][number]>();
  const featuresLost = new Set<string>();
  const gained = new Set<string>();
  const paidLost = new Map<string, Set<string>>();
  let usersAtRisk = 0;
  // Users with the same exclusions get the same answer: compute each distinct set once, in the
  // order users first have it, and remember the last user having it.
  const memo = new Map<string, ReturnType<typeof coverage>>();
  const lastUser = new Map<string, number>();
  for (let i = 0; i < variants.length; i++) {
    const key = variants[i]!;
    let c = memo.get(key);
    if (!c) {
      const excludedKey = ex.excludedKeyOf.get(key) ?? '';
      c = cachedCoverage(
        ctx.caches,
        pairKey,
        source,
        target,
        excludedKey,
        ex.byKey.get(key) ?? [],
        key.length > excludedKey.length ? key.slice(excludedKey.length + 1) : '',
        () => otherPlans(ctx, ex.othersByKey.get(key) ?? []),
      );
      memo.set(key, c);
    }
    if (c.missingDataWorkloads.length > 0) usersAtRisk++;
    lastUser.set(key, i);
  }
  for (const c of memo.values()) {
    for (const m of c.missingDataWorkloads) {
      const set = atRisk.get(m.workload) ?? new Set<string>();
      for (const p of m.plans) set.add(p);
      atRisk.set(m.workload, set);
    }
    // A workload is listed where the first user has it (its text: the last user's, below).
    for (const l of c.lowerTier)
      if (!lowerTier.has(l.workload)) lowerTier.set(l.workload, l as PlanLine['lowerTier'][number]);
    for (const f of c.featuresLost) featuresLost.add(f);
    for (const g of c.gained) gained.add(g);
    for (const p of c.paidLost) {
      const names = paidLost.get(p.capability) ?? new Set<string>();
      for (const n of p.names) names.add(n);
      paidLost.set(p.capability, names);
    }
  }
  if (memo.size > 1) {
    const byLastUser = [...memo.keys()].sort((a, b) => lastUser.get(a)! - lastUser.get(b)!);
    for (const key of byLastUser)
      for (const l of memo.get(key)!.lowerTier) lowerTier.set(l.workload, l as PlanLine['lowerTier'][number]);
  }
  const verdict: Verdict =
    atRisk.size > 0 ? 'blocked' : lowerTier.size > 0 || paidLost.size > 0 ? 'needs-acknowledgment' : 'ready';
  return {
    verdict,
    workloadsAtRisk: [...atRisk.keys()].sort(),
    plansAtRisk: [...atRisk.values()].flatMap((s) => [...s]).sort(),
    usersAtRisk: ex.keys.length > 0 ? usersAtRisk : atRisk.size > 0 ? 1 : 0,
    featuresLost: [...featuresLost].sort(),
    gained: [...gained].sort(),
    lowerTier: [...lowerTier.values()],
    paidLost: [...paidLost.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([capability, names]) => ({
        capability: capability as PaidLoss['capability'],
        names: [...names].sort(),
      })),
  };
}

function plansOf(offers: PlanOffer[]): PlanServicePlan[] {
  return offers.flatMap((o) => o.servicePlans);
}

interface TargetChoice {
  base: PlanOffer;
  addOns: PlanOffer[];
  choice: PlanLine['choice'];
  cover: CoverageSummary;
}

function chooseTarget(
  ctx: LineContext,
  source: PlanSubscription,
  sourceOffer: PlanOffer,
  users: PlanUser[],
  reasons: Reason[],
) {
  const { offers, market, heldSkus } = ctx;
  const cover = (base: PlanOffer, addOns: PlanOffer[]) =>
    coverForUsers(ctx, sourceOffer, [base, ...addOns], users, source.skuId);

  const same = orderable(sourceOffer, market, heldSkus);
  if (!same)
    return {
      base: sourceOffer,
      addOns: [],
      choice: 'same-offer',
      cover: cover(sourceOffer, []),
    } satisfies TargetChoice;
  reasons.push(same);

  if (sourceOffer.successorOfferId) {
    const base = offers.get(sourceOffer.successorOfferId);
    const addOns = sourceOffer.successorAddOnOfferIds
      .map((id) => offers.get(id))
      .filter((o): o is PlanOffer => !!o);
    const why = base ? [base, ...addOns].map((o) => orderable(o, market, heldSkus)).find((r) => r) : null;
    if (base && !why && addOns.length === sourceOffer.successorAddOnOfferIds.length) {
      reasons.push({
        code: 'line.successor',
        params: { offer: [base, ...addOns].map((o) => o.name).join(' + ') },
      });
      return { base, addOns, choice: 'successor', cover: cover(base, addOns) } satisfies TargetChoice;
    }
    reasons.push({
      code: 'line.successor-not-orderable',
      params: { offer: base?.name ?? sourceOffer.successorOfferId },
    });
  }

  // Among the offers a customer of this segment may buy for people (SPEC §3.1): the same family
  // first, then the cheapest base with at most two add-ons (each on a base it requires) that covers
  // every user's data; failing that, the same for one that needs an acknowledgment.
  if (!ctx.candidates) {
    const candidates = [...offers.values()].filter((o) => !orderable(o, market, heldSkus));
    ctx.candidates = {
      bases: candidates.filter((o) => o.kind === 'base'),
      addOns: candidates.filter((o) => o.kind === 'add-on'),
    };
  }
  const forPeople = (o: PlanOffer) => mayReplace(sourceOffer, o);
  const bases = ctx.candidates.bases.filter(forPeople);
  const addOns = ctx.candidates.addOns.filter(forPeople);
  const variants = userVariants(ctx, sourceOffer, users, source.skuId);
  const rank = (targets: PlanOffer[]) => {
    let worstRank = 0;
    const have = targets.map((o) => profileOfOffer(ctx.caches, o));
    for (const v of variants) {
      const r = quickVerdict(v.need, v.other ? [...have, v.other] : have);
      if (r > worstRank) worstRank = r;
      if (worstRank === 2) break;
    }
    return worstRank;
  };
  const family = sourceOffer.family ?? '';
  type Candidate = { base: PlanOffer; addOns: PlanOffer[]; rank: number; away: number; price: number };
  let best: Candidate | null = null;
  // Lower is better: verdict, then family, then price, then id (a stable answer on ties).
  const compare = (x: Candidate, y: Candidate) =>
    x.rank - y.rank ||
    x.away - y.away ||
    x.price - y.price ||
    (x.base.id < y.base.id ? -1 : x.base.id > y.base.id ? 1 : 0);
  const consider = (base: PlanOffer, adds: PlanOffer[], r: number) => {
    if (r === 2) return;
    const entry: Candidate = {
      base,
      addOns: adds,
      rank: r,
      away: (base.family ?? '') === family ? 0 : 1,
      price: monthlyPrice(base) + sum(adds.map(monthlyPrice)),
    };
    if (!best || compare(entry, best) < 0) best = entry;
  };
  for (const base of bases) {
    const alone = rank([base]);
    consider(base, [], alone);
    if (alone === 0) continue;
    // Only add-ons that bring something this base lacks can improve it: the rest only cost more.
    const useful = addOns.filter((a) => addOnFits(a, base) && bringsMissing(ctx.caches, variants, base, a));
    for (let i = 0; i < useful.length; i++) {
      consider(base, [useful[i]!], rank([base, useful[i]!]));
      for (let j = i + 1; j < useful.length; j++)
        consider(base, [useful[i]!, useful[j]!], rank([base, useful[i]!, useful[j]!]));
    }
  }
  const found = { full: null as TargetChoice | null, partial: null as TargetChoice | null };
  if (best) {
    const b = best as Candidate;
    const choice: TargetChoice = {
      base: b.base,
      addOns: b.addOns,
      choice: 'equivalent',
      cover: cover(b.base, b.addOns),
    };
    if (b.rank === 0) found.full = choice;
    else found.partial = choice;
  }
  const chosen = found.full ?? found.partial;
  if (chosen) {
    reasons.push({
      code: 'line.equivalent',
      params: { offer: [chosen.base, ...chosen.addOns].map((o) => o.name).join(' + ') },
    });
    return chosen;
  }
  return null;
}

/** A user's view of the source: what the user has on it, and the other licenses the user keeps. */
interface UserVariant {
  need: Profile;
  other: Profile | null;
}

// Profiles are built once per offer object (bulk planning shares the catalog across customers).
function profileOfOffer(caches: PlannerCaches, o: PlanOffer): Profile {
  let p = caches.offerProfiles.get(o);
  if (!p) {
    p = profileOf(o.servicePlans);
    caches.offerProfiles.set(o, p);
  }
  return p;
}

function userVariants(
  ctx: LineContext,
  sourceOffer: PlanOffer,
  users: PlanUser[],
  skuId: string,
): UserVariant[] {
  const ex = exclusionsOf(ctx, users, skuId);
  const keys = ex.keys.length > 0 ? [...new Set(ex.keys)] : [''];
  return keys.map((key) => {
    const excluded = new Set((ex.byKey.get(key) ?? []).map((id) => id.toLowerCase()));
    const others = otherPlans(ctx, ex.othersByKey.get(key) ?? []);
    return {
      need: profileOf(sourceOffer.servicePlans, excluded),
      other: others.length > 0 ? profileOf(others) : null,
    };
  });
}

/** Does the add-on carry something a user needs that the base lacks (or has smaller)? */
function bringsMissing(
  caches: PlannerCaches,
  variants: UserVariant[],
  base: PlanOffer,
  addOn: PlanOffer,
): boolean {
  const b = profileOfOffer(caches, base);
  const a = profileOfOffer(caches, addOn);
  for (const v of variants) {
    for (const [workload, need] of v.need.data) {
      const inAddOn = a.data.get(workload);
      if (!inAddOn) continue;
      const inBase = b.data.get(workload);
      if (!inBase || inBase.tier < need.tier) return true;
      const plans = v.need.samePlan.get(workload);
      if (plans)
        for (const p of plans)
          if (!b.samePlan.get(workload)?.has(p) && a.samePlan.get(workload)?.has(p)) return true;
    }
    for (const label of v.need.paid.keys()) if (!b.paid.has(label) && a.paid.has(label)) return true;
  }
  return false;
}

function planLine(ctx: LineContext, source: PlanSubscription): PlanLine {
  const { input, offers } = ctx;
  const reasons: Reason[] = [];
  const sourceOffer = offers.get(source.offerId);
  const users = ctx.usersBySku.get(source.skuId) ?? [];
  const assignedSeats = users.length;
  const acknowledgment = input.options?.acknowledgments?.find((a) => a.sourceSubscriptionId === source.id);

  let target: TargetChoice | null = sourceOffer
    ? chooseTarget(ctx, source, sourceOffer, users, reasons)
    : null;
  if (!sourceOffer) reasons.push({ code: 'line.unknown-offer', params: { offerId: source.offerId } });

  // Nothing covers it: the data at risk is named, and only an explicit acknowledgment proceeds.
  let atRisk: CoverageSummary | null = null;
  if (sourceOffer && (!target || target.cover.verdict === 'blocked')) {
    atRisk = target?.cover ?? blockedSummary(ctx, sourceOffer, users, source.skuId);
    const substitute = acknowledgedSubstitute(ctx, acknowledgment, sourceOffer, users, source.skuId, reasons);
    target = substitute;
  }

  // A line that needs acknowledgment (a lower tier, a paid capability lost) goes ahead once the
  // partner acknowledges it for the target proposed (naming it, or naming no substitute).
  const acceptedLoss =
    !!target &&
    target.cover.verdict === 'needs-acknowledgment' &&
    !!acknowledgment &&
    (!acknowledgment.substituteOfferId || acknowledgment.substituteOfferId === target.base.id);

  const base = target?.base ?? null;
  const quantity = chooseQuantity(input, source, assignedSeats, base, reasons);
  const targetSkuIds = target ? [target.base, ...target.addOns].map((o) => o.skuId) : [];
  const reassignLicenses = !!target && target.base.skuId !== source.skuId;
  const targetPlanIds = reassignLicenses
    ? new Set(plansOf([target!.base, ...target!.addOns]).map((p) => p.id))
    : null;
  const reassignments: Reassignment[] = reassignLicenses
    ? users.map((u) => {
        const excluded = u.licenses.find((l) => l.skuId === source.skuId)?.excludedPlanIds ?? [];
        return {
          userId: u.id,
          userPrincipalName: u.userPrincipalName,
          fromSkuId: source.skuId,
          toSkuIds: targetSkuIds,
          excludedPlanIds: excluded.filter((id) => targetPlanIds!.has(id)),
        };
      })
    : [];

  // The old subscription: let it expire (no refund is owed on cancellation), unless asked otherwise.
  // A partner on the platform that refused (or let expire) a transfer: the source runs to its end.
  const transferRefused = source.channel === 'partner' && !!input.transfers?.refused.includes(source.id);
  const isOtherParty = source.channel === 'volume' || (source.channel === 'partner' && !transferRefused);
  const asked = input.options?.disposition ?? 'let-expire';
  let disposition: PlanLine['disposition'] = isOtherParty
    ? 'other-party'
    : source.channel === 'trial'
      ? 'let-expire'
      : asked;
  // A cancellation the source's policy forbids is never offered (SPEC §3.5): only auto-renew off.
  const purchasedAt = source.purchasedAt ?? source.termStart;
  const refundWindowHours = sourceOffer?.refundWindowHours ?? 0;
  const cancellable =
    source.channel !== 'trial' && isCancellable({ purchasedAt, now: input.now, refundWindowHours });
  if (disposition === 'cancel-now' || disposition === 'cancel-on-date') {
    const on = disposition === 'cancel-on-date' ? sourceEndDate(ctx, source, disposition) : input.now;
    if (!isCancellable({ purchasedAt, now: on, refundWindowHours })) {
      reasons.push({
        code: 'line.cancellation-window-closed',
        params: { closedOn: addDaysUtc(purchasedAt, refundWindowHours / 24).toISOString() },
      });
      disposition = 'let-expire';
    }
  }
  const sourceEnd = sourceEndDate(ctx, source, disposition);
  const sourceActor: PlanLine['sourceActor'] =
    source.channel === 'volume'
      ? 'volume-licensing-admin'
      : source.channel === 'partner'
        ? 'partner-of-record'
        : source.channel === 'trial' || (!source.autoRenew && disposition === 'let-expire')
          ? 'none'
          : billingByPartner(input)
            ? 'partner'
            : 'customer';
  if (disposition === 'other-party') {
    reasons.push({
      code: source.channel === 'volume' ? 'line.volume-licensing' : 'line.other-partner',
      params: {},
    });
  } else if (transferRefused) {
    reasons.push({ code: 'line.transfer-refused', params: { on: source.termEnd.toISOString() } });
  } else if (disposition === 'let-expire' && source.autoRenew) {
    reasons.push({
      code: 'line.turn-off-auto-renew',
      params: { by: sourceActor, on: source.termEnd.toISOString() },
    });
  }

  const sourcePrice = source.unitPrice ?? sourceOffer?.unitPrice ?? 0;
  // The source is paid in its own currency (bought elsewhere, maybe in another market's).
  const sourceCurrency = source.currency ?? sourceOffer?.currency ?? 'EUR';
  // A trial is not paid: nothing is lost by letting it go (SPEC §3.5); nor by a source the
  // policy no longer lets anyone cancel.
  const lossIfCancelledNow =
    source.channel === 'trial' || !cancellable
      ? 0
      : cancellationRefund({
          unitPrice: sourcePrice,
          quantity: source.quantity,
          termStart: source.termStart,
          termEnd: source.termEnd,
          purchasedAt: source.purchasedAt ?? source.termStart,
          now: input.now,
          refundWindowHours: sourceOffer?.refundWindowHours ?? 0,
        }).lost;
  // Both are paid from provisioning until the source stops billing (its term end, or the cancel date).
  const billedUntil =
    disposition === 'cancel-now' ? input.now : disposition === 'cancel-on-date' ? sourceEnd : source.termEnd;
  // When to buy (SPEC §3.3): now, or a few days before the source stops; the cheaper is recommended.
  // On the expired-grace path the target is bought at the source's end, whatever is asked.
  const provisionOptionsOf = base
    ? ctx.path === 'expired-grace'
      ? [{ when: 'before-end' as const, on: source.termEnd.toISOString(), overlapCost: 0 }]
      : provisionOptions({
          now: input.now,
          sourceStops: billedUntil,
          daysBeforeEnd: ctx.settings.provisionDaysBeforeEnd ?? DEFAULT_PLAN_SETTINGS.provisionDaysBeforeEnd!,
          unitPrice: sum([base, ...(target?.addOns ?? [])].map((o) => o.unitPrice ?? 0)),
          quantity,
          term: base.term,
        })
    : [];
  const recommended = provisionOptionsOf.length > 0 ? recommendedProvision(provisionOptionsOf) : 'now';
  const wanted =
    input.options?.lineProvision?.find((p) => p.sourceSubscriptionId === source.id)?.provision ??
    input.options?.provision ??
    recommended;
  const chosen = provisionOptionsOf.find((o) => o.when === wanted) ?? provisionOptionsOf[0];
  const provisionAt = chosen ? new Date(chosen.on) : input.now;
  const overlapCost = chosen?.overlapCost ?? 0;
  if (chosen?.when === 'before-end' && ctx.path !== 'expired-grace')
    reasons.push({
      code: 'line.provision-before-end',
      params: {
        on: chosen.on,
        amount: chosen.overlapCost,
        amountNow: provisionOptionsOf.find((o) => o.when === 'now')?.overlapCost ?? 0,
        currency: base?.currency ?? 'EUR',
      },
    });
  if (base && overlapCost > 0)
    reasons.push({
      code: 'line.overlap-cost',
      params: { amount: overlapCost, until: billedUntil.toISOString(), currency: base.currency },
    });
  if (lossIfCancelledNow > 0 && disposition !== 'other-party') {
    reasons.push({
      code: 'line.loss-if-cancelled',
      params: { amount: lossIfCancelledNow, currency: sourceCurrency },
    });
  }

  // Moving licenses acts on the tenant's users: without delegated admin the customer's admin does it.
  if (reassignLicenses && reassignments.length > 0 && !licensesByPartner(input)) {
    reasons.push({ code: 'line.reassign-by-customer', params: { users: reassignments.length } });
  }
  const creditEligible = source.channel === 'direct' && source.purchasedVia === 'admin-center';
  // The seats held in both, from the purchase until the source stops billing, at the source's price.
  const creditAmount = creditEligible
    ? duplicateCredit({
        unitPrice: sourcePrice,
        quantity: Math.min(source.quantity, quantity),
        termStart: source.termStart,
        termEnd: source.termEnd,
        newPurchaseAt: provisionAt,
        sourceBilledUntil: billedUntil,
      })
    : 0;
  const creditCurrency = sourceCurrency;
  if (creditEligible)
    reasons.push({
      code: 'line.credit',
      params: {
        by: billingByPartner(input) ? 'partner' : 'customer',
        amount: creditAmount,
        currency: creditCurrency,
      },
    });

  const cover = target?.cover;
  let verdict: Verdict = !target
    ? 'blocked'
    : target.choice === 'acknowledged-substitute'
      ? 'ready'
      : cover!.verdict;
  if (acceptedLoss && verdict === 'needs-acknowledgment') {
    verdict = 'ready';
    reasons.push({ code: 'line.loss-acknowledged', params: { offer: target!.base.name } });
  }
  if (reasons.some((r) => r.code === 'line.quantity-over-max' || r.code === 'line.unknown-offer'))
    verdict = 'blocked';
  if (cover && cover.lowerTier.length > 0 && target?.choice !== 'acknowledged-substitute') {
    for (const l of cover.lowerTier)
      reasons.push({
        code: 'line.lower-tier',
        params: { workload: l.workload, from: l.quotaFrom ?? l.from, to: l.quotaTo ?? l.to },
      });
  }
  if (cover && cover.paidLost.length > 0 && target?.choice !== 'acknowledged-substitute') {
    for (const l of cover.paidLost)
      reasons.push({
        code: 'line.paid-capability-lost',
        params: { capability: l.capability, names: l.names },
      });
  }
  const risk = atRisk ?? cover;
  return {
    sourceSubscriptionId: source.id,
    sourceOfferId: source.offerId,
    sourceSkuId: source.skuId,
    channel: source.channel,
    targetOfferId: base?.id ?? null,
    addOnOfferIds: target?.addOns.map((o) => o.id) ?? [],
    targetSkuIds,
    choice: target?.choice ?? 'none',
    quantity: target ? quantity : 0,
    assignedSeats,
    reassignLicenses,
    reassignments,
    disposition,
    sourceActor,
    provisionAt: provisionAt.toISOString(),
    provisionOn: provisionAt.toISOString().slice(0, 10),
    provisionOptions: provisionOptionsOf,
    provision: chosen?.when ?? 'now',
    recommendedProvision: recommended,
    cancellable,
    sourceEndsAt: sourceEnd.toISOString(),
    lossIfCancelledNow,
    overlapCost,
    currency: base?.currency ?? sourceCurrency,
    sourceCurrency,
    creditEligible,
    ...(creditEligible
      ? {
          creditFiledBy: billingByPartner(input) ? ('partner' as const) : ('customer' as const),
          creditAmount,
          creditCurrency,
        }
      : {}),
    workloadsGained: cover?.gained ?? [],
    workloadsAtRisk: risk?.workloadsAtRisk ?? [],
    plansAtRisk: risk?.plansAtRisk ?? [],
    usersAtRisk: risk?.usersAtRisk ?? 0,
    featuresLost: cover?.featuresLost ?? [],
    lowerTier: cover?.lowerTier ?? [],
    verdict,
    reasons,
    // Filled in once the timeline says which steps are the partner's.
    requiredRoles: [],
    appliedBy: { canApply: true, missing: [] },
  };
}

/** What the best available offer would lose, for a line nothing covers. */
function blockedSummary(
  ctx: LineContext,
  sourceOffer: PlanOffer,
  users: PlanUser[],
  skuId: string,
): CoverageSummary {
  const empty = coverForUsers(ctx, sourceOffer, [], users, skuId);
  return empty;
}

function acknowledgedSubstitute(
  ctx: LineContext,
  ack: Acknowledgment | undefined,
  sourceOffer: PlanOffer,
  users: PlanUser[],
  skuId: string,
  reasons: Reason[],
): TargetChoice | null {
  const at = blockedSummary(ctx, sourceOffer, users, skuId);
  reasons.push({
    code: 'line.data-at-risk',
    params: {
      workloads: at.workloadsAtRisk,
      plans: at.plansAtRisk,
      users: at.usersAtRisk,
      product: sourceOffer.name,
    },
  });
  if (!ack?.substituteOfferId) return null;
  const base = ctx.offers.get(ack.substituteOfferId);
  const addOns = (ack.addOnOfferIds ?? []).map((id) => ctx.offers.get(id)).filter((o): o is PlanOffer => !!o);
  const notOrderable = base
    ? [base, ...addOns].map((o) => orderable(o, ctx.market, ctx.heldSkus)).find((r) => r)
    : null;
  if (!base || notOrderable || addOns.length !== (ack.addOnOfferIds ?? []).length) {
    reasons.push({
      code: 'line.substitute-not-orderable',
      params: { offerId: ack.substituteOfferId, offer: base?.name ?? ack.substituteOfferId },
    });
    return null;
  }
  const cover = coverForUsers(ctx, sourceOffer, [base, ...addOns], users, skuId);
  reasons.push({ code: 'line.acknowledged', params: { offer: base.name, workloads: cover.workloadsAtRisk } });
  return { base, addOns, choice: 'acknowledged-substitute', cover };
}

function chooseQuantity(
  input: PlanInput,
  source: PlanSubscription,
  assigned: number,
  base: PlanOffer | null,
  reasons: Reason[],
) {
  // A trial is planned by the seats its users hold, not its trial seats (SPEC §3.5).
  const wanted =
    input.options?.quantity === 'assigned' || source.channel === 'trial' ? assigned : source.quantity;
  // Never fewer than the seats users hold; the seed: the total number of licenses stays the same.
  let q = Math.max(wanted, assigned, 1);
  if (!base) return q;
  if (q < base.minQuantity) {
    reasons.push({ code: 'line.quantity-raised-to-min', params: { quantity: q, min: base.minQuantity } });
    q = base.minQuantity;
  }
  if (q > base.maxQuantity) {
    if (assigned > base.maxQuantity) {
      reasons.push({ code: 'line.quantity-over-max', params: { assigned, max: base.maxQuantity } });
    } else {
      reasons.push({ code: 'line.quantity-lowered-to-max', params: { quantity: q, max: base.maxQuantity } });
    }
    q = Math.min(q, base.maxQuantity);
  }
  if (q === source.quantity) reasons.push({ code: 'line.same-seat-count', params: { quantity: q } });
  else reasons.push({ code: 'line.seat-count-changed', params: { from: source.quantity, to: q, assigned } });
  return q;
}

/**
 * A source that another transition already moves: no target, no seats, no steps, no money. Its
 * verdict is `ready` so that it does not hold back the plan's other lines; a plan made only of
 * such lines is blocked as a whole (there is nothing to apply).
 */
function underWayLine(ctx: LineContext, source: PlanSubscription, transitionId: string | null): PlanLine {
  const users = ctx.usersBySku.get(source.skuId) ?? [];
  return {
    sourceSubscriptionId: source.id,
    sourceOfferId: source.offerId,
    sourceSkuId: source.skuId,
    channel: source.channel,
    targetOfferId: null,
    addOnOfferIds: [],
    targetSkuIds: [],
    choice: 'none',
    quantity: 0,
    assignedSeats: users.length,
    reassignLicenses: false,
    reassignments: [],
    disposition: 'under-way',
    transitionId,
    sourceActor: 'none',
    provisionAt: ctx.input.now.toISOString(),
    provisionOn: ctx.input.now.toISOString().slice(0, 10),
    provisionOptions: [],
    provision: 'now',
    recommendedProvision: 'now',
    cancellable: false,
    sourceEndsAt: source.termEnd.toISOString(),
    lossIfCancelledNow: 0,
    overlapCost: 0,
    currency: ctx.offers.get(source.offerId)?.currency ?? source.currency ?? 'EUR',
    sourceCurrency: source.currency ?? ctx.offers.get(source.offerId)?.currency ?? 'EUR',
    creditEligible: false,
    workloadsGained: [],
    workloadsAtRisk: [],
    plansAtRisk: [],
    usersAtRisk: 0,
    featuresLost: [],
    lowerTier: [],
    verdict: 'ready',
    reasons: [{ code: 'line.under-way', params: { transitionId: transitionId ?? '' } }],
    requiredRoles: [],
    appliedBy: { canApply: true, missing: [] },
  };
}

/**
 * A source another partner on the platform holds (SPEC §7): asked for by transfer, it changes
 * partner of record at one instant and keeps its offer, seats, term, end date and licenses. Nothing
 * is bought, nobody is reassigned: no overlap, no loss. It waits on the partner of record.
 */
function transferLine(ctx: LineContext, source: PlanSubscription): PlanLine {
  const line = underWayLine(ctx, source, null);
  return {
    ...line,
    targetOfferId: source.offerId,
    targetSkuIds: [source.skuId],
    choice: 'same-offer',
    quantity: source.quantity,
    disposition: 'transfer',
    transitionId: undefined,
    sourceActor: 'partner-of-record',
    workloadsGained: [],
    reasons: [
      {
        code: 'line.transfer',
        params: { partnerId: source.partnerId ?? '', on: source.termEnd.toISOString() },
      },
    ],
  };
}

/** When the source's seats leave the pool: users keep access through the expired grace period. */
function sourceEndDate(
  ctx: LineContext,
  source: PlanSubscription,
  disposition: PlanLine['disposition'],
): Date {
  if (disposition === 'cancel-now') return ctx.input.now;
  if (disposition === 'cancel-on-date') {
    const on = ctx.input.options?.cancelOn;
    return on && on > ctx.input.now && on < source.termEnd ? on : source.termEnd;
  }
  return source.termEnd;
}

/** The first subscription of each id, as `find` would answer. */
function subscriptionsById(input: PlanInput) {
  const m = new Map<string, PlanSubscription>();
  for (const s of input.subscriptions) if (!m.has(s.id)) m.set(s.id, s);
  return m;
}

function buildTimeline(ctx: LineContext, lines: PlanLine[]): TimelineStep[] {
  const { input, settings } = ctx;
  const steps: TimelineStep[] = [];
  const byId = subscriptionsById(input);
  lines.forEach((l, i) => {
    // A transfer buys nothing and touches no license: the partner of record is asked, once.
    if (l.disposition === 'transfer') {
      steps.push({ at: input.now.toISOString(), step: 'request-transfer', lineIndex: i, actor: 'partner' });
      return;
    }
    if (!l.targetOfferId || l.verdict === 'blocked') return;
    const source = byId.get(l.sourceSubscriptionId)!;
    // Order matters at the same instant: provision, then assign the target, then remove the source.
    steps.push({ at: l.provisionAt, step: 'provision', lineIndex: i, actor: 'partner' });
    if (l.reassignLicenses && l.reassignments.length > 0) {
      steps.push({ at: l.provisionAt, step: 'assign-target-licenses', lineIndex: i, actor: 'partner' });
      steps.push({ at: l.provisionAt, step: 'remove-source-licenses', lineIndex: i, actor: 'partner' });
    }
    if (l.disposition === 'other-party') {
      steps.push({
        at: input.now.toISOString(),
        step: 'other-party-action',
        lineIndex: i,
        actor: l.sourceActor as TimelineStep['actor'],
      });
    } else if (l.disposition === 'let-expire' && source.autoRenew) {
      steps.push({
        at: input.now.toISOString(),
        step: 'turn-off-auto-renew',
        lineIndex: i,
        actor: l.sourceActor as TimelineStep['actor'],
      });
    }
    if (l.creditEligible && l.creditFiledBy === 'partner') {
      steps.push({ at: l.provisionAt, step: 'file-credit-request', lineIndex: i, actor: 'partner' });
    }
    if (l.disposition === 'cancel-now' || l.disposition === 'cancel-on-date') {
      steps.push({
        at: l.sourceEndsAt,
        step: 'cancel-source',
        lineIndex: i,
        actor: billingByPartner(input) ? 'partner' : 'customer',
      });
    } else if (source.channel !== 'partner' || !source.autoRenew) {
      const end = source.termEnd;
      steps.push({ at: end.toISOString(), step: 'source-expires', lineIndex: i, actor: 'platform' });
      steps.push({
        at: addDaysUtc(end, settings.expiredDays).toISOString(),
        step: 'source-disabled',
        lineIndex: i,
        actor: 'platform',
      });
      steps.push({
        at: addDaysUtc(end, settings.expiredDays + settings.disabledDays).toISOString(),
        step: 'source-deleted',
        lineIndex: i,
        actor: 'platform',
      });
    }
  });
  const order: TimelineStep['step'][] = [
    'provision',
    'assign-target-licenses',
    'remove-source-licenses',
    'file-credit-request',
    'turn-off-auto-renew',
    'other-party-action',
    'request-transfer',
    'cancel-source',
    'source-expires',
    'source-disabled',
    'source-deleted',
  ];
  return steps.sort(
    (a, b) =>
      a.at.localeCompare(b.at) || order.indexOf(a.step) - order.indexOf(b.step) || a.lineIndex - b.lineIndex,
  );
}

/**
 * Seats per SKU at every instant the timeline changes something: the pool (seats of
 * subscriptions whose users have access) against the seats assigned to users. Users keep access
 * while a source is expired, so its seats leave the pool only when it is disabled or cancelled.
 */
export function seatTimeline(input: PlanInput, lines: PlanLine[], timeline: TimelineStep[]): Plan['seats'] {
  const pool = new Map<string, number>();
  const assigned = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  for (const s of input.subscriptions) if (s.isLive && s.usersHaveAccess) add(pool, s.skuId, s.quantity);
  for (const u of input.users) for (const l of u.licenses) add(assigned, l.skuId, 1);
  const touched = new Set(
    lines.flatMap((l) => [l.sourceSkuId, ...(l.verdict === 'blocked' ? [] : l.targetSkuIds)]),
  );
  const out = new Map<string, SeatPoint[]>();
  // A SKU gets a point at each step of a line that moves it (its source or a target), and at any
  // other step only when its pool or its assigned seats changed: another line's dates add
  // nothing to its chart (a plan of many lines would repeat every SKU at every step).
  const snapshot = (at: string, own: readonly string[] | null) => {
    for (const sku of touched) {
      const points = out.get(sku) ?? [];
      const p = { at, pool: pool.get(sku) ?? 0, assigned: assigned.get(sku) ?? 0 };
      const last = points[points.length - 1];
      if (last && last.at === at) points[points.length - 1] = p;
      else if (!last || !own || own.includes(sku) || last.pool !== p.pool || last.assigned !== p.assigned)
        points.push(p);
      out.set(sku, points);
    }
  };
  snapshot(input.now.toISOString(), null);
  const byId = subscriptionsById(input);
  for (const step of timeline) {
    const l = lines[step.lineIndex]!;
    const source = byId.get(l.sourceSubscriptionId)!;
    switch (step.step) {
      case 'provision':
        for (const sku of l.targetSkuIds) add(pool, sku, l.quantity);
        break;
      case 'assign-target-licenses':
        for (const sku of l.targetSkuIds) add(assigned, sku, l.reassignments.length);
        break;
      case 'remove-source-licenses':
        add(assigned, l.sourceSkuId, -l.reassignments.length);
        break;
      case 'cancel-source':
        if (source.usersHaveAccess) add(pool, l.sourceSkuId, -source.quantity);
        break;
      case 'source-disabled':
        if (source.usersHaveAccess) add(pool, l.sourceSkuId, -source.quantity);
        break;
      default:
        break;
    }
    snapshot(step.at, l.verdict === 'blocked' ? [l.sourceSkuId] : [l.sourceSkuId, ...l.targetSkuIds]);
  }
  return [...out.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([skuId, points]) => ({ skuId, points }));
}
